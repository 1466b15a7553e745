package models

import (
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Format characters (Unicode category Cf: the bidi overrides and isolates,
// zero-width joiners and spaces, soft hyphens) are invisible: in a name or
// bio they reorder or hide what readers see ("U+202E nimda" shows as "admin").
// Control characters other than line breaks and tabs have no place either.
// (Plain functions, not a shared transform.Chain: a Transformer keeps state
// between calls and requests clean names at once.)
func invisible(r rune) bool { return unicode.Is(unicode.Cf, r) || unicode.IsControl(r) }

// CleanDisplayName makes a display name safe to show: storable, NFC,
// without format or control characters, runs of spaces made one.
func CleanDisplayName(s string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case invisible(r):
			return -1
		}
		return r
	}, norm.NFC.String(CleanText(s)))
	return strings.Join(strings.Fields(out), " ")
}

// CleanBio is CleanDisplayName for the bio, which keeps its line breaks.
func CleanBio(s string) string {
	out := strings.Map(func(r rune) rune {
		if invisible(r) && r != '\n' && r != '\r' && r != '\t' {
			return -1
		}
		return r
	}, norm.NFC.String(CleanText(s)))
	return strings.TrimSpace(out)
}

// staffWords may not be a word of a non-admin's username or display name:
// "Support", "quire_team", "alice ✓ (staff)". staffInfixes may not appear
// anywhere in one ("quireadmin", "sysadmin_bob"; "badminton" too, the price
// of catching them).
var (
	staffWords = []string{"admin", "administrator", "root", "staff", "support", "moderator", "mod", "quire",
		"system", "sysop", "official", "security", "help", "helpdesk"}
	staffInfixes = []string{"admin", "moderator", "official"}
	// Quire gives no badges: a check mark in a name can only pretend to one.
	checkMarks = "✓✔☑✅🗸🗹"
)

// ErrStaffName is the message shown when a name is reserved.
const ErrStaffName = "Names that suggest the site's staff, like admin, support or a check mark, are reserved."

// CheckStaffName is the one rule for names that impersonate the site: it
// returns ErrStaffName when name (a username or display name) reads as
// staff, a staff word in lookalike letters included ("ＡＤＭＩＮ", "аdmin"
// in Cyrillic, "r00t"), and role is not an admin's; "" otherwise.
func CheckStaffName(name, role string) string {
	if role == RoleAdmin || !staffLike(name) {
		return ""
	}
	return ErrStaffName
}

func staffLike(name string) bool {
	if strings.ContainsAny(name, checkMarks) {
		return true
	}
	for _, form := range skeletons(name) {
		words := strings.FieldsFunc(form, func(r rune) bool { return r < 'a' || r > 'z' })
		for _, w := range words {
			for _, staff := range staffSkeletons {
				if w == staff {
					return true
				}
			}
		}
		joined := strings.Join(words, "")
		for _, infix := range infixSkeletons {
			if strings.Contains(joined, infix) {
				return true
			}
		}
	}
	return false
}

var (
	staffSkeletons  = skeletonAll(staffWords)
	infixSkeletons  = skeletonAll(staffInfixes)
	digitsAsLetters = strings.NewReplacer("0", "o", "1", "l", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "|", "l", "!", "l")
)

// skeletons are the forms of s compared with the staff words: Unicode's
// confusable skeleton (UTS #39) of its case-folded compatibility form,
// lower-cased, with "i" and "l" made one, once with digits as separators
// and once with digits read as the letters they imitate.
func skeletons(s string) [2]string {
	base := skeleton(s)
	return [2]string{base, skeleton(digitsAsLetters.Replace(base))}
}

func skeleton(s string) string {
	// A new Caser each time: one keeps state and must not be shared.
	s = norm.NFKC.String(cases.Fold().String(invisibleRemoved(s)))
	s = strings.ToLower(confusables.Skeleton(s))
	// Skeletons keep accents as combining marks: drop them ("ádmin").
	s, _, _ = transform.String(runes.Remove(runes.In(unicode.Mn)), s)
	return strings.ReplaceAll(strings.ReplaceAll(s, "rn", "m"), "i", "l")
}

func skeletonAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = skeleton(w)
	}
	return out
}

func invisibleRemoved(s string) string {
	out, _, _ := transform.String(runes.Remove(runes.In(unicode.Cf)), s)
	return out
}
