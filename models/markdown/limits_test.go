package markdown

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrepare(t *testing.T) {
	deepQuote := strings.Repeat(">", maxLineNesting)
	deepList := strings.Repeat("- ", maxLineNesting)
	tests := []struct {
		name, src, want string
	}{
		{"ordinary text unchanged", "# Title\n\n> quote\n- item\n1. one\n", "# Title\n\n> quote\n- item\n1. one\n"},
		{"nesting at the limit unchanged", deepQuote + " x", deepQuote + " x"},
		{"quote past the limit escaped", deepQuote + ">> x", deepQuote + `\>> x`},
		{"spaced quotes past the limit", strings.Repeat("> ", maxLineNesting+2) + "x",
			strings.Repeat("> ", maxLineNesting) + `\> > x`},
		{"list past the limit escaped", deepList + "- x", deepList + `\- x`},
		{"ordered list escapes the delimiter", strings.Repeat("1. ", maxLineNesting) + "12) x",
			strings.Repeat("1. ", maxLineNesting) + `12\) x`},
		{"mixed containers", strings.Repeat("> - ", maxLineNesting/2) + "* x",
			strings.Repeat("> - ", maxLineNesting/2) + `\* x`},
		{"long rule left alone", strings.Repeat("- ", 50), strings.Repeat("- ", 50)},
		{"only the deep line changes", "a\n" + deepQuote + "> x\nb", "a\n" + deepQuote + `\> x` + "\nb"},
		{"every deep line changes", deepQuote + ">\n" + deepQuote + ">",
			deepQuote + `\>` + "\n" + deepQuote + `\>`},
		{"invalid UTF-8 replaced", "caf\xe9", "caf\uFFFD"},
		{"not markers", strings.Repeat("-x ", 50), strings.Repeat("-x ", 50)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(prepare(tt.src)); got != tt.want {
				t.Errorf("prepare(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestRenderNestingCapped(t *testing.T) {
	out := mustRender(t, strings.Repeat(">", 100)+" deep")
	if got := strings.Count(out, "<blockquote>"); got != maxLineNesting {
		t.Errorf("%d nested blockquotes, want %d", got, maxLineNesting)
	}
	if !strings.Contains(out, "deep") {
		t.Errorf("text lost\n%s", out)
	}
}

// textContent is the text of every element named tag, in order.
func textContent(t *testing.T, out, tag string) []string {
	t.Helper()
	var texts []string
	for _, n := range elements(parseHTML(t, out), tag) {
		texts = append(texts, textOf(n))
	}
	return texts
}

func TestLongInlineRuns(t *testing.T) {
	words := strings.TrimSpace(strings.Repeat("lorem ipsum dolor ", 1000)) // 18 KB on one line
	lines := strings.TrimSpace(strings.Repeat("a line of verse\n", 1000))  // 16 KB over many lines
	accents := strings.Repeat("é", 6000)                                   // 12 KB, no space to cut at
	tests := []struct {
		name     string
		src      string
		tag      string
		minCount int    // at least this many tag elements
		text     string // their text, whitespace aside
	}{
		{"long paragraph split", words, "p", 4, words},
		{"long multi-line paragraph split at lines", lines, "p", 4, strings.Join(strings.Fields(lines), " ")},
		{"long word split at characters", accents, "p", 3, accents},
		{"long heading becomes paragraphs", "# " + words, "p", 4, words},
		{"long setext heading becomes paragraphs", words + "\n===", "p", 4, words + " ==="},
		{"long list item split", "- " + words + "\n- b", "li", 2, words + " b"},
		{"short paragraph kept whole", "short *and* sweet", "p", 1, "short and sweet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, tt.src)
			if !utf8.ValidString(out) {
				t.Fatal("output is not valid UTF-8")
			}
			texts := textContent(t, out, tt.tag)
			if len(texts) < tt.minCount {
				t.Errorf("%d <%s>, want at least %d", len(texts), tt.tag, tt.minCount)
			}
			// Splits fall between words, lines or characters: the text,
			// whitespace aside, must come through whole and in order.
			squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if got, want := squash(strings.Join(texts, "")), squash(tt.text); got != want {
				t.Errorf("text changed: got %.80q…, want %.80q…", got, want)
			}
		})
	}
}

func TestLongTableCellIsPlainText(t *testing.T) {
	cell := strings.Repeat("*a* ", 2000) // 8 KB of emphasis
	out := mustRender(t, "| h |\n|---|\n| "+cell+" |\n| *short* |")
	if got := strings.Count(out, "<em>"); got != 1 {
		t.Errorf("%d <em>, want only the short cell's", got)
	}
	if !strings.Contains(out, "*a* *a*") {
		t.Error("long cell's text is not shown as written")
	}
	if n := len(elements(parseHTML(t, out), "td")); n != 2 {
		t.Errorf("%d cells, want 2", n)
	}
}
