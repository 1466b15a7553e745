package models

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tags are short lower-case names ("go", "slow-travel", "café"): letters
// and digits of any script plus hyphens. Non-Latin letters are allowed so a
// blog in any language can tag in its own words; names are NFC-normalised so
// the same word typed two ways is one tag. /tags/{tag} path-escapes them.

// Input bounds, checked before any parsing so that a huge field or URL costs
// no more than its length check. A tag is at most MaxTagLen characters of up
// to 4 bytes; the field allows MaxTags of them with room for separators and
// spaces, and twice that for names typed decomposed ("e" + accent).
const (
	maxTagBytes       = MaxTagLen * utf8.UTFMax * 2
	maxTagsFieldBytes = MaxTags * (maxTagBytes + 8)
)

// ParseTags reads the comma-separated tags field: each tag is trimmed,
// lower-cased, a leading "#" dropped, spaces inside become "-", empties are
// dropped and repeats removed, keeping the author's order. The message is
// user-facing and "" when the tags are acceptable; the tags are returned
// either way, so the form can show what was understood. A field too long to
// hold MaxTags tags is refused unread (no tags, a message).
func ParseTags(raw string) ([]string, string) {
	if len(raw) > maxTagsFieldBytes {
		return []string{}, fmt.Sprintf("There are too many tags: use at most %d, of up to %d characters each.", MaxTags, MaxTagLen)
	}
	tags := normalizeTags(strings.Split(raw, ","))
	return tags, tagsProblem(tags)
}

// ParseTag reads one tag from a URL path (/tags/{tag}) and gives its stored
// form; ok is false when the text is not one acceptable tag. Over-long text
// is refused before it is read.
func ParseTag(raw string) (tag string, ok bool) {
	if len(raw) > maxTagBytes || strings.Contains(raw, ",") {
		return "", false
	}
	tag = normalizeTag(raw)
	if tag == "" || tagsProblem([]string{tag}) != "" {
		return "", false
	}
	return tag, true
}

// normalizeTags normalises each tag, dropping empties and repeats, in time
// linear in the input. It stops reading after MaxTags+1 distinct tags: one
// more is enough for validation to refuse the list. The result is never
// nil: the tags column is NOT NULL.
func normalizeTags(in []string) []string {
	out := make([]string, 0, min(len(in), MaxTags+1))
	seen := make(map[string]bool, cap(out))
	for _, t := range in {
		if len(out) > MaxTags {
			break
		}
		t = normalizeTag(t)
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// normalizeTag gives one tag its stored form: "  Slow  Travel " -> "slow-travel".
func normalizeTag(t string) string {
	t = strings.TrimPrefix(strings.TrimSpace(t), "#")
	t = strings.ToLower(norm.NFC.String(t))
	t = strings.Join(strings.Fields(t), "-")
	for strings.Contains(t, "--") {
		t = strings.ReplaceAll(t, "--", "-")
	}
	return strings.Trim(t, "-")
}

// tagsProblem returns a user-facing message about normalised tags, or "".
func tagsProblem(tags []string) string {
	if len(tags) > MaxTags {
		return fmt.Sprintf("Use at most %d tags.", MaxTags)
	}
	for _, t := range tags {
		if utf8.RuneCountInString(t) > MaxTagLen {
			return fmt.Sprintf("The tag %q is too long: keep tags to %d characters.", t, MaxTagLen)
		}
		for _, r := range t {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
				return fmt.Sprintf("The tag %q has a %q: use letters, digits and hyphens.", t, r)
			}
		}
	}
	return ""
}
