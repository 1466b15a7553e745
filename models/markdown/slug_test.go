package markdown

import (
	"strings"
	"testing"
)

func TestSlugify(t *testing.T) {
	long := strings.Repeat("lorem ipsum ", 20) // 240 bytes
	tests := []struct {
		title, want string
	}{
		{"Hello, World!", "hello-world"},
		{"Crème Brûlée", "creme-brulee"},
		{"Über straße in Æbeltoft, Øresund", "uber-strasse-in-aebeltoft-oresund"},
		{"Łódź and Đakovo", "lodz-and-dakovo"},
		{"Ça va? Ñandú, façade", "ca-va-nandu-facade"},
		{"Don't panic", "dont-panic"},
		{"It’s a “smart” title", "its-a-smart-title"},
		{"Go 1.26 is out", "go-1-26-is-out"},
		{"🎉 Party time 🎉", "party-time"},
		{"Emoji🎉inside", "emoji-inside"},
		{"  --Leading and trailing--  ", "leading-and-trailing"},
		{"a -- b __ c", "a-b-c"},
		{"UPPER lower MiXeD", "upper-lower-mixed"},
		{"ﬁnance ＡＢＣ ①②", "finance-abc-12"},
		{"../../etc/passwd", "etc-passwd"},
		{"..", "post"},
		{"/", "post"},
		{"!!!", "post"},
		{"日本語", "post"},
		{"", "post"},
		{"   ", "post"},
		{"日本語 2024", "2024"},
		{long, strings.Repeat("lorem-ipsum-", 6) + "lorem"}, // cut at the last dash within 80 bytes
		{strings.Repeat("a", 100), strings.Repeat("a", 80)},
		{strings.Repeat("ab-", 40), strings.Repeat("ab-", 26) + "ab"}, // 80 bytes, ends on a word
		{strings.Repeat("x", 79) + " yz", strings.Repeat("x", 79)},
		{strings.Repeat("x", 80) + " yz", strings.Repeat("x", 80)},
		{strings.Repeat("é", 100), strings.Repeat("e", 80)},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			got := Slugify(tt.title)
			if got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.title, got, tt.want)
			}
			if !ValidSlug(got) {
				t.Errorf("Slugify(%q) = %q, which ValidSlug rejects", tt.title, got)
			}
		})
	}
}

func TestValidSlug(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"hello-world", true},
		{"a", true},
		{"2024", true},
		{"post-1", true},
		{strings.Repeat("a", 80), true},
		{strings.Repeat("a", 81), false},
		{"", false},
		{"-a", false},
		{"a-", false},
		{"a--b", false},
		{"-", false},
		{"Hello", false},
		{"hello_world", false},
		{"hello world", false},
		{"a/b", false},
		{"..", false},
		{"a.b", false},
		{"crème", false},
		{"a\x00", false},
		{"a\n", false},
	}
	for _, tt := range tests {
		if got := ValidSlug(tt.s); got != tt.want {
			t.Errorf("ValidSlug(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
