package models

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tags are short lower-case names ("go", "slow-travel", "café"): letters
// and digits of any script plus hyphens. Non-Latin letters are allowed so a
// blog in any language can tag in its own words; names are NFC-normalised so
// the same word typed two ways is one tag. /tags/{tag} path-escapes them.

// ParseTags reads the comma-separated tags field: each tag is trimmed,
// lower-cased, a leading "#" dropped, spaces inside become "-", empties are
// dropped and repeats removed, keeping the author's order. The message is
// user-facing and "" when the tags are acceptable; the tags are returned
// either way, so the form can show what was understood.
func ParseTags(raw string) ([]string, string) {
	tags := normalizeTags(strings.Split(raw, ","))
	return tags, tagsProblem(tags)
}

// normalizeTags normalises each tag, dropping empties and repeats. The
// result is never nil: the tags column is NOT NULL.
func normalizeTags(in []string) []string {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = normalizeTag(t)
		if t != "" && !slices.Contains(out, t) {
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
