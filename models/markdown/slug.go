package markdown

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxSlugLen bounds slugs so URLs stay readable and fit the posts.slug column.
const maxSlugLen = 80

// fallbackSlug is used when a title has nothing to transliterate
// ("!!!", "日本語"): a post always needs a non-empty slug.
const fallbackSlug = "post"

// Slugify makes a URL slug from a title: lower-case ASCII letters and digits
// separated by single dashes. Accents are stripped ("Crème Brûlée" ->
// "creme-brulee"), a few letters without a decomposition are spelled out
// ("Straße" -> "strasse"), apostrophes vanish ("Don't" -> "dont") and
// everything else separates words. The result is at most 80 bytes, cut at a
// dash where possible, and is "post" when nothing usable remains. It never
// contains "/" or ".", so it is always a single, harmless path segment.
func Slugify(title string) string {
	if s := slug(title, maxSlugLen); s != "" {
		return s
	}
	return fallbackSlug
}

// ValidSlug reports whether s is acceptable as a user-edited slug: 1 to 80
// bytes of lower-case ASCII letters and digits in dash-separated groups
// (^[a-z0-9]+(-[a-z0-9]+)*$). Every Slugify result is valid.
func ValidSlug(s string) bool {
	if len(s) == 0 || len(s) > maxSlugLen {
		return false
	}
	prevDash := true // a leading dash is as bad as a doubled one
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			prevDash = false
		case c == '-':
			if prevDash {
				return false
			}
			prevDash = true
		default:
			return false
		}
	}
	return !prevDash
}

// spelled holds letters that compatibility decomposition leaves alone but
// that have an obvious ASCII spelling.
var spelled = map[rune]string{
	'ß': "ss", 'ẞ': "ss",
	'æ': "ae", 'Æ': "ae",
	'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o",
	'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th",
	'ł': "l", 'Ł': "l",
	'ı': "i",
}

// slug turns s into dash-separated [a-z0-9] words of at most max bytes, or ""
// when s has no usable characters. Heading ids share it with Slugify so that
// a heading and a post with the same title read alike.
func slug(s string, max int) string {
	var b strings.Builder
	dash := false // a separator is pending; written only before the next word
	emit := func(c byte) {
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteByte(c)
	}

	// NFKD splits "é" into "e" and a combining accent (dropped below) and
	// folds compatibility forms: "ﬁ" -> "fi", "Ａ" -> "A", "①" -> "1".
	// Iterating segment by segment lets a huge title stop early.
	var it norm.Iter
	it.InitString(norm.NFKD, s)
	for !it.Done() && b.Len() <= max {
		for _, r := range string(it.Next()) {
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				emit(byte(r)) // #nosec G115 -- r is ASCII here
			case 'A' <= r && r <= 'Z':
				emit(byte(r + 'a' - 'A'))
			case unicode.Is(unicode.Mn, r):
				// Combining marks are the accents NFKD split off.
			case r == '\'' || r == '’':
				// "Don't" reads better as "dont" than "don-t".
			default:
				if sp, ok := spelled[r]; ok {
					for i := 0; i < len(sp); i++ {
						emit(sp[i])
					}
					continue
				}
				dash = true
			}
		}
	}

	out := b.String()
	if len(out) > max {
		// Prefer ending on a whole word: cut at the last dash that keeps the
		// slug within bounds, or hard-cut a single over-long word.
		if out[max] == '-' {
			out = out[:max]
		} else if i := strings.LastIndexByte(out[:max], '-'); i > 0 {
			out = out[:i]
		} else {
			out = out[:max]
		}
	}
	return strings.Trim(out, "-")
}
