package markdown

import (
	"fmt"
	"strings"
	"testing"
)

// benchPost builds a realistic post of about the given number of words:
// sections with headings, paragraphs with emphasis, inline code and links,
// lists, quotes, code blocks and a table.
func benchPost(words int) string {
	vocab := strings.Fields(`the a of to and in is it that for on with as was by this be are from at or an
		markdown render server request handler template database query index cache latency
		reader writer author post draft publish quietly carefully usually simple robust`)
	var b strings.Builder
	w := 0
	word := func() string { w++; return vocab[(w*7+w/3)%len(vocab)] }
	sentence := func(n int) {
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			switch i % 17 {
			case 3:
				fmt.Fprintf(&b, "**%s**", word())
			case 7:
				fmt.Fprintf(&b, "_%s_", word())
			case 11:
				fmt.Fprintf(&b, "`%s()`", word())
			case 13:
				fmt.Fprintf(&b, "[%s %s](https://example.com/%d)", word(), word(), w)
			default:
				b.WriteString(word())
			}
		}
		b.WriteString(". ")
	}
	b.WriteString("# A long post about servers\n\n")
	for section := 1; w < words; section++ {
		fmt.Fprintf(&b, "## Section %d: %s %s\n\n", section, word(), word())
		for p := 0; p < 3; p++ {
			for s := 0; s < 5; s++ {
				sentence(12 + s*2)
			}
			b.WriteString("\n\n")
		}
		for i := 0; i < 5; i++ {
			b.WriteString("- ")
			sentence(8)
			b.WriteByte('\n')
		}
		b.WriteString("\n> ")
		sentence(20)
		b.WriteString("\n\n```go\nfunc handler(w http.ResponseWriter, r *http.Request) {\n\tif r.Method != \"GET\" {\n\t\thttp.Error(w, \"no\", 405)\n\t}\n}\n```\n\n")
		if section%4 == 0 {
			b.WriteString("| Name | Latency | Notes |\n|:-----|--------:|-------|\n")
			for i := 0; i < 6; i++ {
				fmt.Fprintf(&b, "| %s | %d ms | %s %s |\n", word(), i*7, word(), word())
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func BenchmarkRender(b *testing.B) {
	src := benchPost(5000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(src); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchPostIsRealistic(t *testing.T) {
	src := benchPost(5000)
	if n := len(strings.Fields(src)); n < 5000 || n > 6500 {
		t.Errorf("bench post has %d words", n)
	}
	out := mustRender(t, src)
	assertInert(t, out)
	checkAnchors(t, out)
	for _, want := range []string{"<h2 id=", `class="language-go"`, "<table>", "<li>", "<blockquote>", `rel="nofollow noopener"`, "<strong>", "<code>"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench post output lacks %q", want)
		}
	}
}
