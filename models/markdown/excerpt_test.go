package markdown

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name string
		src  string
		n    int
		want string
	}{
		{"short text unchanged", "Hello, world.", 100, "Hello, world."},
		{"exactly n unchanged", "abcde", 5, "abcde"},
		{"emphasis and links stripped",
			"Some **bold**, _italic_ and [a link](https://example.com) with `code`.", 100,
			"Some bold, italic and a link with code."},
		{"heading skipped for paragraph", "# Title\n\nFirst paragraph.", 100, "First paragraph."},
		{"headings only: their text without #", "# Title\n\n## Sub *part*", 100, "Title Sub part"},
		{"code block skipped", "```go\nfunc main() {}\n```\n\nAfter code.", 100, "After code."},
		{"indented code skipped", "    code here\n\nProse.", 100, "Prose."},
		{"raw HTML dropped", "<div>block html</div>\n\nText <b>with</b> <script>x</script> tags.", 100, "Text with x tags."},
		{"images dropped", "Look ![a cat](cat.png) here.", 100, "Look here."},
		{"tables skipped", "| a | b |\n|---|---|\n| 1 | 2 |\n\nBelow.", 100, "Below."},
		{"several paragraphs joined", "One.\n\nTwo.\n\nThree.", 100, "One. Two. Three."},
		{"list items and quotes", "- first\n- second\n\n> quoted", 100, "first second quoted"},
		{"task list boxes dropped", "- [ ] todo\n- [x] done", 100, "todo done"},
		{"whitespace collapsed", "a   b\n\tc\n\n\n   d", 100, "a b c d"},
		{"entities and escapes resolved", `Tom &amp; Jerry \*not emphasis\* &copy;`, 100, "Tom & Jerry *not emphasis* ©"},
		{"typographer quotes", `"Quoted" -- it's`, 100, "“Quoted” – it’s"},
		{"autolinks keep their text", "See <https://example.com> or www.example.org.", 100, "See https://example.com or www.example.org."},
		{"cut at word boundary", "The quick brown fox jumps over the lazy dog.", 20, "The quick brown fox…"},
		{"cut drops trailing punctuation", "Hello, world, again and again.", 14, "Hello, world…"},
		{"cut exactly at a space", "aaaa bbbb cccc", 5, "aaaa…"},
		{"single long word hard cut", "Supercalifragilisticexpialidocious", 10, "Supercali…"},
		{"runes not bytes", "Crème brûlée à la carte, très bien.", 20, "Crème brûlée à la…"},
		{"cjk runes", "日本語のテキストです", 5, "日本語の…"},
		{"n of one", "Hello world", 1, "…"},
		{"zero n", "Hello", 0, ""},
		{"negative n", "Hello", -3, ""},
		{"empty source", "", 50, ""},
		{"only code", "```\nx\n```", 50, ""},
		{"escaped tags not markup", "Use &lt;script&gt; and `<div class=\"x\">` and a < b.", 100, "Use and and a < b."},
		{"lone angle bracket before a letter", `x &lt;b y`, 100, "x b y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Excerpt(tt.src, tt.n)
			if got != tt.want {
				t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.src, tt.n, got, tt.want)
			}
			checkExcerpt(t, got, tt.n)
		})
	}
}

// checkExcerpt fails t unless e is at most n runes of text with no markup.
func checkExcerpt(t testing.TB, e string, n int) {
	t.Helper()
	if c := utf8.RuneCountInString(e); c > max(n, 0) {
		t.Errorf("excerpt %q has %d runes, more than %d", e, c, n)
	}
	if !utf8.ValidString(e) {
		t.Errorf("excerpt %q is not valid UTF-8", e)
	}
	if e != strings.Join(strings.Fields(e), " ") {
		t.Errorf("excerpt %q has uncollapsed whitespace", e)
	}
	z := html.NewTokenizer(strings.NewReader(e))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.TextToken {
			t.Errorf("excerpt %q holds markup: %s", e, z.Token().String())
		}
	}
}

func TestExcerptLongPost(t *testing.T) {
	// The first paragraph lies well inside the window; the definition of a
	// reference used there lies beyond it.
	post := "Opening words of the post.\n\n" + strings.Repeat("Filler paragraph text.\n\n", 2000)
	if got, want := Excerpt(post, 30), "Opening words of the post…"; got != want {
		t.Errorf("Excerpt = %q, want %q", got, want)
	}
	// Prose only after a long code block: found by the full parse.
	late := "```\n" + strings.Repeat("code line\n\n", 3000) + "```\n\nFinally prose."
	if got := Excerpt(late, 50); got != "Finally prose." {
		t.Errorf("Excerpt after long code = %q, want %q", got, "Finally prose.")
	}
	// Headings filling the window do not stand in for a paragraph beyond it.
	headed := strings.Repeat("## A heading\n\n", 3000) + "The prose."
	if got := Excerpt(headed, 50); got != "The prose." {
		t.Errorf("Excerpt after many headings = %q, want %q", got, "The prose.")
	}
}
