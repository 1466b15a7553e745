package models

import (
	"strings"
	"unicode/utf8"
)

// CleanText makes s storable as PostgreSQL text, which refuses invalid
// UTF-8 and NUL bytes: invalid sequences become U+FFFD and NULs are dropped.
// Free-text form fields pass through it.
func CleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// storable reports whether s is text PostgreSQL accepts. Nothing stored can
// equal anything else, so a lookup by it finds nothing without asking.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// likeLiteral makes s match itself in a LIKE pattern (backslash is
// PostgreSQL's default escape).
func likeLiteral(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
