package markdown

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRender checks that nothing a Markdown source can say comes out active,
// that heading anchors always point at their headings, and that rendering
// never panics. Seeds: the attack table here and testdata/fuzz/FuzzRender.
func FuzzRender(f *testing.F) {
	for _, src := range attacks {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		out, err := Render(src)
		if errors.Is(err, ErrTooLarge) {
			return // refused whole: nothing is shown
		}
		if err != nil {
			t.Fatalf("Render(%q): %v", src, err) // fuzz inputs stay far below the size limit
		}
		if budget := outputBudget(len(prepare(src))); len(out) > budget {
			t.Errorf("%d bytes of Markdown made %d bytes of HTML, more than the budget of %d", len(src), len(out), budget)
		}
		if !utf8.ValidString(out) {
			t.Errorf("output is not valid UTF-8: %q", out)
		}
		assertInert(t, out)
		checkAnchors(t, out)
	})
}

// FuzzExcerpt checks that excerpts respect their length and never hold
// markup, whatever the source.
func FuzzExcerpt(f *testing.F) {
	for _, src := range attacks {
		f.Add(src, 40)
	}
	f.Add("The quick brown fox jumps over the lazy dog.", 20)
	f.Add("日本語のテキストです", 5)
	f.Add("&lt;<b>x</b>&gt; `<<i>` \\<a", 10)
	f.Fuzz(func(t *testing.T, src string, n int) {
		n %= 1000 // lengths beyond that exercise nothing new
		checkExcerpt(t, Excerpt(src, n), n)
	})
}

// FuzzSlugify checks that every title gives a usable slug: valid, never
// empty, no path tricks, and stable when slugified again.
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Hello, World!", "Crème Brûlée", "../..", "日本語", "🎉", strings.Repeat("ab ", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		s := Slugify(title)
		if !ValidSlug(s) {
			t.Fatalf("Slugify(%q) = %q, not a valid slug", title, s)
		}
		if s == "" || strings.Contains(s, "/") || strings.Contains(s, "..") || strings.Contains(s, ".") {
			t.Fatalf("Slugify(%q) = %q", title, s)
		}
		if again := Slugify(s); again != s {
			t.Fatalf("Slugify(%q) = %q, but Slugify(%q) = %q", title, s, s, again)
		}
	})
}
