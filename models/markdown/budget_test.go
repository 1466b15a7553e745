package markdown

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// amplifiers are sources made of one construct repeated, each of which
// rendered to many times its size before the output budget.
func amplifiers(size int) []struct{ name, src string } {
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	refs := strings.Repeat("[a][] ", size/6-60) + "\n\n[a]: https://example.com/" + strings.Repeat("x", 200) + "\n"
	wide := strings.Repeat("|", 200) + "\n" + strings.Repeat("|-", 199) + "|\n"
	return []struct{ name, src string }{
		{"headings", fill("# a\n")},
		{"setext headings", fill("a\n-\n")},
		{"reference links", refs},
		{"nested lists", fill(strings.Repeat("- ", 30) + "a\n")},
		{"tables", wide + strings.Repeat("a\n", (size-len(wide))/2)},
		{"emphasis runs", fill("***a*** ")},
		{"task lists", fill("- [ ] \n")},
		{"autolinks", fill("www.a.co ")},
	}
}

// TestOutputBudget: whatever construct a source repeats, its HTML is never
// more than its budget, and the sources made to amplify are refused with
// ErrTooLarge; the ratio each would have had is in the log.
func TestOutputBudget(t *testing.T) {
	const size = 40_000
	for _, a := range amplifiers(size) {
		t.Run(a.name, func(t *testing.T) {
			start := time.Now()
			out, err := Render(a.src)
			took := time.Since(start)
			bound := min(8*len(a.src)+32<<10, 1<<20)
			switch {
			case err != nil && !errors.Is(err, ErrTooLarge):
				t.Fatalf("Render: %v", err)
			case err != nil:
				t.Logf("%d bytes refused: more than %d bytes of HTML (%.1fx) in %v", len(a.src), bound, float64(bound)/float64(len(a.src)), took)
			default:
				t.Logf("%d bytes -> %d bytes of HTML (%.2fx) in %v", len(a.src), len(out), float64(len(out))/float64(len(a.src)), took)
			}
			if len(out) > bound {
				t.Errorf("%d bytes of Markdown made %d bytes of HTML (%.1fx), more than the budget of %d",
					len(a.src), len(out), float64(len(out))/float64(len(a.src)), bound)
			}
		})
	}
}

// TestOutputBudgetLeavesRealPostsAlone: long real posts and short posts
// dense with headings or links all fit.
func TestOutputBudgetLeavesRealPostsAlone(t *testing.T) {
	var toc strings.Builder
	for i := range 300 {
		fmt.Fprintf(&toc, "## Step %d\n\nSee [step %d](#step-%d).\n\n", i, i+1, i+1)
	}
	for name, src := range map[string]string{
		"long post":         benchPost(30000),
		"many sections":     toc.String(),
		"short heading run": strings.Repeat("# a\n", 500),
		"link list":         strings.Repeat("- [Quire](https://example.com/quire)\n", 2000),
	} {
		if _, err := Render(src); err != nil {
			t.Errorf("%s (%d bytes): %v", name, len(src), err)
		}
	}
}

// TestOutputBudgetAbsolute: even where the ratio allows more, no post
// renders to more than MaxHTMLBytes.
func TestOutputBudgetAbsolute(t *testing.T) {
	src := strings.Repeat("[Quire](https://example.com/q) ", 32_000) // ~1 MB, about 2.3x
	_, err := Render(src)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("Render of %d bytes making more than %d: err %v, want ErrTooLarge", len(src), MaxHTMLBytes, err)
	}
}

// TestWideTableNeverBuilt: a table of many columns over many lines would
// be millions of padded cells; it is refused before any is made.
func TestWideTableNeverBuilt(t *testing.T) {
	wide := strings.Repeat("|", 1000) + "\n" + strings.Repeat("|-", 999) + "|\n"
	src := wide + strings.Repeat("a\n", 90_000) // 90 million cells
	start := time.Now()
	if _, err := Render(src); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err %v, want ErrTooLarge", err)
	}
	if e := Excerpt(src, 50); len(e) > 50 {
		t.Errorf("excerpt %q", e)
	}
	t.Logf("refused in %v", time.Since(start))
}

func BenchmarkRenderAmplified(b *testing.B) {
	for _, a := range amplifiers(190_000) {
		b.Run(strings.ReplaceAll(a.name, " ", "-"), func(b *testing.B) {
			b.SetBytes(int64(len(a.src)))
			for b.Loop() {
				_, _ = Render(a.src)
			}
		})
	}
}
