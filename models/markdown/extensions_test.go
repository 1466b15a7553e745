package markdown

import (
	"strings"
	"testing"
)

// TestRenderExtensions holds the HTML of each Markdown extension exactly.
func TestRenderExtensions(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"footnotes", "Text[^1] and again[^1], then[^b].\n\n[^1]: The *first* note.\n[^b]: Second.\n",
			`<p>Text<sup id="fnref-1"><a href="#fn-1" class="footnote-ref" role="doc-noteref" rel="nofollow">1</a></sup>` +
				` and again<sup id="fnref-1-1"><a href="#fn-1" class="footnote-ref" role="doc-noteref" rel="nofollow">1</a></sup>,` +
				` then<sup id="fnref-2"><a href="#fn-2" class="footnote-ref" role="doc-noteref" rel="nofollow">2</a></sup>.</p>` + "\n" +
				`<div class="footnotes" role="doc-endnotes">` + "\n<hr>\n<ol>\n" +
				`<li id="fn-1">` + "\n" + `<p>The <em>first</em> note.` + "\u00a0" +
				`<a href="#fnref-1" class="footnote-backref" role="doc-backlink" aria-label="Back to reference 1" rel="nofollow">↩︎</a>` + "\u00a0" +
				`<a href="#fnref-1-1" class="footnote-backref" role="doc-backlink" aria-label="Back to reference 1-2" rel="nofollow">↩︎</a></p>` + "\n</li>\n" +
				`<li id="fn-2">` + "\n" + `<p>Second.` + "\u00a0" +
				`<a href="#fnref-2" class="footnote-backref" role="doc-backlink" aria-label="Back to reference 2" rel="nofollow">↩︎</a></p>` + "\n</li>\n" +
				"</ol>\n</div>\n"},
		{"task list labelled by its text", "- [ ] Buy \"milk\" -- **now**\n- [x] done `x<y`\n- [ ] \n",
			"<ul>\n" +
				`<li><input disabled="" type="checkbox" aria-label="Buy “milk” – now"> Buy “milk” – <strong>now</strong></li>` + "\n" +
				`<li><input checked="" disabled="" type="checkbox" aria-label="done x&lt;y"> done <code>x&lt;y</code></li>` + "\n" +
				`<li><input disabled="" type="checkbox" aria-label="Task"> </li>` + "\n</ul>\n"},
		{"long task label cut", "- [ ] " + strings.Repeat("word ", 40),
			"<ul>\n" + `<li><input disabled="" type="checkbox" aria-label="` + strings.TrimSpace(strings.Repeat("word ", 24)) + `"> ` +
				strings.TrimSpace(strings.Repeat("word ", 40)) + "</li>\n</ul>\n"},
		{"table", "| a | b |\n|---|--:|\n| 1 | 2 |\n",
			"<table>\n<thead>\n<tr>\n<th>a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td>1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"smart punctuation", `"Quoted" and 'single' -- en, --- em... it's <<fr>>`,
			"<p>“Quoted” and ‘single’ – en, — em… it’s «fr»</p>\n"},
		{"heading anchor prefixed", "## Body field",
			`<h2 id="h-body-field">Body field <a class="anchor" href="#h-body-field" aria-hidden="true" rel="nofollow">#</a></h2>` + "\n"},
		{"old in-page link follows its heading", "# Setup\n\n[back](#setup) [away](#elsewhere)",
			`<h1 id="h-setup">Setup <a class="anchor" href="#h-setup" aria-hidden="true" rel="nofollow">#</a></h1>` + "\n" +
				`<p><a href="#h-setup" rel="nofollow noopener">back</a> <a href="#elsewhere" rel="nofollow noopener">away</a></p>` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkGolden(t, tt.src, tt.want) })
	}
}

// checkGolden fails t unless src renders to exactly want, inert, with
// every anchor pointing at an id.
func checkGolden(t *testing.T, src, want string) {
	t.Helper()
	out := mustRender(t, src)
	if out != want {
		t.Errorf("Render(%q)\n got: %q\nwant: %q", src, out, want)
	}
	assertInert(t, out)
	checkAnchors(t, out)
}

// TestHeadingIDsBounded: a post of 10,000 headings renders within its
// budget, with ids and anchors on the first maxHeadingIDs only, each id at
// most "h-" and 80 bytes (a suffix aside).
func TestHeadingIDsBounded(t *testing.T) {
	src := "## " + strings.Repeat("long ", 40) + "\n" + strings.Repeat("## Step\n", 9_999)
	out, err := Render(src)
	if err != nil {
		t.Fatalf("10,000 headings (%d bytes): %v", len(src), err)
	}
	if budget := outputBudget(len(src)); len(out) > budget {
		t.Errorf("%d bytes of HTML, over the budget of %d", len(out), budget)
	}
	if n := strings.Count(out, "<h2"); n != 10_000 {
		t.Errorf("%d headings, want 10000", n)
	}
	if n := strings.Count(out, ` id="h-`); n != maxHeadingIDs {
		t.Errorf("%d heading ids, want %d", n, maxHeadingIDs)
	}
	if n := strings.Count(out, `class="anchor"`); n != maxHeadingIDs {
		t.Errorf("%d anchors, want %d", n, maxHeadingIDs)
	}
	checkAnchors(t, out)
	if id, _ := attr(elements(parseHTML(t, out), "h2")[0], "id"); len(id) > len(headingIDPrefix)+maxHeadingIDLen {
		t.Errorf("id %q is %d bytes", id, len(id))
	}
	// One-letter headings: the shortest source per id.
	short := strings.Repeat("# a\n", 10_000)
	if out, err := Render(short); err != nil || strings.Count(out, ` id="h-`) != maxHeadingIDs || len(out) > outputBudget(len(short)) {
		t.Errorf("10,000 short headings: %d ids, %d bytes (budget %d), %v", strings.Count(out, ` id="h-`), len(out), outputBudget(len(short)), err)
	}
}

// TestPolicyKeepsOnlyWhatIsEmitted: the sanitiser lets through the
// attributes the renderer writes, in the shapes it writes them, and
// nothing else of the same names.
func TestPolicyKeepsOnlyWhatIsEmitted(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<h2 id="h-ok">x</h2>`, `<h2 id="h-ok">x</h2>`},
		{`<h2 id="post">x</h2>`, `<h2>x</h2>`},
		{`<sup id="fnref-1-2">1</sup><sup id="fnref-x">2</sup>`, `<sup id="fnref-1-2">1</sup><sup>2</sup>`},
		{`<li id="fn-3">a</li><li id="preview">b</li>`, `<li id="fn-3">a</li><li>b</li>`},
		{`<a class="footnote-ref" role="doc-noteref" href="#fn-1">1</a>`, `<a class="footnote-ref" role="doc-noteref" href="#fn-1" rel="nofollow">1</a>`},
		{`<a class="btn" role="button" href="#x">1</a>`, `<a href="#x" rel="nofollow">1</a>`},
		{`<a aria-label="Back to reference 2-1" href="#x">1</a><a aria-label="Click me" href="#x">2</a>`,
			`<a aria-label="Back to reference 2-1" href="#x" rel="nofollow">1</a><a href="#x" rel="nofollow">2</a>`},
		{`<div class="footnotes" role="doc-endnotes">a</div><div class="x" role="dialog">b</div>`, `<div class="footnotes" role="doc-endnotes">a</div><div>b</div>`},
		{`<input type="checkbox" disabled aria-label="a &quot;b&quot;">`, `<input type="checkbox" disabled="" aria-label="a &#34;b&#34;">`},
		{`<input type="text" name="p" aria-label="x">`, `<input aria-label="x">`},
	}
	for _, tt := range tests {
		if got := policy().Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
		}
	}
}
