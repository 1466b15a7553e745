package markdown

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func mustRender(t testing.TB, src string) string {
	t.Helper()
	out, err := Render(src)
	if err != nil {
		t.Fatalf("Render(%q): %v", src, err)
	}
	return out
}

func parseHTML(t testing.TB, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return doc
}

// elements returns every element named tag under n, in document order.
func elements(n *html.Node, tag string) []*html.Node {
	var found []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			found = append(found, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return found
}

// textOf is the text inside n, as a browser shows it.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

var validID = regexp.MustCompile(`^[a-z0-9-]+$`)

// checkAnchors fails t unless every id is well-formed and unique and every
// in-page link points at an element that exists.
func checkAnchors(t testing.TB, out string) {
	t.Helper()
	doc := parseHTML(t, out)
	ids := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if id, ok := attr(n, "id"); ok {
			if !validID.MatchString(id) {
				t.Errorf("id %q is not [a-z0-9-]+\nin: %s", id, out)
			}
			if ids[id] {
				t.Errorf("id %q used twice\nin: %s", id, out)
			}
			ids[id] = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, a := range elements(doc, "a") {
		if class, _ := attr(a, "class"); class != "anchor" && class != "footnote-ref" && class != "footnote-backref" {
			continue
		}
		href, _ := attr(a, "href")
		if !strings.HasPrefix(href, "#") || !ids[href[1:]] {
			t.Errorf("anchor href %q points at no id\nin: %s", href, out)
		}
	}
}

func TestRenderHeadings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		ids  []string // of the headings, in order
	}{
		{"atx", "# Hello World", []string{"h-hello-world"}},
		{"setext", "Hello World\n===========", []string{"h-hello-world"}},
		{"inline syntax left out", "## Hello *World* and `code`", []string{"h-hello-world-and-code"}},
		{"diacritics", "## Crème Brûlée", []string{"h-creme-brulee"}},
		{"repeats numbered", "# Setup\n# Setup\n# Setup", []string{"h-setup", "h-setup-1", "h-setup-2"}},
		{"repeat of a numbered one", "# a-1\n# a\n# a", []string{"h-a-1", "h-a", "h-a-2"}},
		{"no usable characters", "# 日本語\n# !!!", []string{"h-section", "h-section-1"}},
		{"all levels", "# a\n## b\n### c\n#### d\n##### e\n###### f", []string{"h-a", "h-b", "h-c", "h-d", "h-e", "h-f"}},
		{"raw HTML in heading", "# <script>alert(1)</script> Hi", []string{"h-script-alert-1-script-hi"}},
		{"long heading capped", "# " + strings.Repeat("word ", 40), []string{"h-" + strings.TrimSuffix(strings.Repeat("word-", 16), "-")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, tt.src)
			assertInert(t, out)
			checkAnchors(t, out)
			doc := parseHTML(t, out)
			var headings []*html.Node
			var walk func(*html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode && len(n.Data) == 2 && n.Data[0] == 'h' && '1' <= n.Data[1] && n.Data[1] <= '6' {
					headings = append(headings, n)
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			if len(headings) != len(tt.ids) {
				t.Fatalf("got %d headings, want %d\n%s", len(headings), len(tt.ids), out)
			}
			for i, h := range headings {
				id, _ := attr(h, "id")
				if id != tt.ids[i] {
					t.Errorf("heading %d id = %q, want %q", i, id, tt.ids[i])
				}
				anchors := elements(h, "a")
				if len(anchors) != 1 {
					t.Fatalf("heading %d has %d links, want the one anchor\n%s", i, len(anchors), out)
				}
				a := anchors[0]
				if href, _ := attr(a, "href"); href != "#"+tt.ids[i] {
					t.Errorf("anchor href = %q, want %q", href, "#"+tt.ids[i])
				}
				if class, _ := attr(a, "class"); class != "anchor" {
					t.Errorf("anchor class = %q, want anchor", class)
				}
				if hidden, _ := attr(a, "aria-hidden"); hidden != "true" {
					t.Errorf("anchor aria-hidden = %q, want true", hidden)
				}
			}
		})
	}
}

func TestRenderCodeBlocks(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		class     string // "" for none
		wantInOut string
	}{
		{"go", "```go\nfmt.Println(\"<script>alert(1)</script>\")\n```", "language-go",
			"&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"upper case folded", "```Go\nx := 1\n```", "language-go", "x := 1"},
		{"c++", "```c++\nint x;\n```", "language-c++", "int x;"},
		{"c#", "```c#\nvar x = 1;\n```", "language-c#", "var x = 1;"},
		{"objective-c", "```objective-c\n@end\n```", "language-objective-c", "@end"},
		{"info string options dropped", "```js {1,3}\nlet a\n```", "language-js", "let a"},
		{"odd language", "```js{1,3}\nlet a\n```", "", "let a"},
		{"attribute breakout", "```\"><script>alert(1)</script>\nx\n```", "", "x"},
		{"no language", "```\n<b>bold?</b>\n```", "", "&lt;b&gt;bold?&lt;/b&gt;"},
		{"indented", "    <iframe src=x>\n", "", "&lt;iframe src=x&gt;"},
		{"close tags in code", "```\n</code></pre><script>alert(1)</script>\n```", "",
			"&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;"},
		{"tilde fence", "~~~python\nprint(1)\n~~~", "language-python", "print(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, tt.src)
			assertInert(t, out)
			codes := elements(parseHTML(t, out), "code")
			if len(codes) != 1 {
				t.Fatalf("got %d code elements, want 1\n%s", len(codes), out)
			}
			if class, _ := attr(codes[0], "class"); class != tt.class {
				t.Errorf("class = %q, want %q\n%s", class, tt.class, out)
			}
			if codes[0].Parent == nil || codes[0].Parent.Data != "pre" {
				t.Errorf("code is not inside pre\n%s", out)
			}
			// Highlighted code is split into spans: the code's text holds
			// the source, and markup in it stays escaped.
			if want := html.UnescapeString(tt.wantInOut); !strings.Contains(textOf(codes[0]), want) {
				t.Errorf("code's text lacks %q\n%s", want, out)
			}
			if strings.Contains(tt.wantInOut, "&lt;") && strings.Contains(out, "<script") {
				t.Errorf("markup in code is not escaped\n%s", out)
			}
		})
	}
}

func TestRenderGFM(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the output
	}{
		{"table",
			"| Name | Qty |\n|:-----|----:|\n| pear | 3 |\n",
			[]string{"<table>", "<thead>", `<th align="left">Name</th>`, `<th align="right">Qty</th>`, `<td align="left">pear</td>`, `<td align="right">3</td>`}},
		{"strikethrough", "~~gone~~", []string{"<del>gone</del>"}},
		{"task list",
			"- [ ] todo\n- [x] done",
			[]string{`<input disabled="" type="checkbox" aria-label="todo"> todo`, `<input checked="" disabled="" type="checkbox" aria-label="done"> done`}},
		{"ordered list start", "3. three\n4. four", []string{`<ol start="3">`, "<li>three</li>"}},
		{"emphasis", "*a* **b**", []string{"<em>a</em>", "<strong>b</strong>"}},
		{"blockquote", "> quoted", []string{"<blockquote>", "<p>quoted</p>"}},
		{"typographer", `"quoted" -- it's`, []string{"“quoted” – it’s"}},
		{"rule and break", "a  \nb\n\n---", []string{"<br>", "<hr>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, tt.src)
			assertInert(t, out)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q\n%s", w, out)
				}
			}
		})
	}
}

func TestRenderLinksAndImages(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		tag   string
		attrs map[string]string // "" value: the attribute must be absent
	}{
		{"link", `[Go](https://go.dev/ "The Go site: home")`, "a",
			map[string]string{"href": "https://go.dev/", "rel": "nofollow noopener", "title": "The Go site: home", "target": ""}},
		{"relative link", "[next](/posts/next)", "a",
			map[string]string{"href": "/posts/next", "rel": "nofollow noopener", "target": ""}},
		{"mailto link", "[mail](mailto:a@example.com)", "a",
			map[string]string{"href": "mailto:a@example.com", "rel": "nofollow noopener"}},
		{"autolink", "<https://example.com/a?b=1&c=2>", "a",
			map[string]string{"href": "https://example.com/a?b=1&c=2", "rel": "nofollow noopener"}},
		{"bare www link", "see www.example.com today", "a",
			map[string]string{"href": "http://www.example.com", "rel": "nofollow noopener"}},
		{"bare email", "write to me@example.com", "a",
			map[string]string{"href": "mailto:me@example.com", "rel": "nofollow noopener"}},
		{"ftp link loses its URL", "[x](ftp://example.com/f)", "a", map[string]string{"href": ""}},
		{"tel link loses its URL", "[x](tel:123)", "a", map[string]string{"href": ""}},
		{"file link loses its URL", "[x](file:///etc/passwd)", "a", map[string]string{"href": ""}},
		{"image", `![Figure 1: results, "final"](/media/a.png "Results: final")`, "img",
			map[string]string{"src": "/media/a.png", "alt": "Figure 1: results, “final”", "title": "Results: final", "loading": "lazy"}},
		{"remote image", "![x](https://cdn.example.com/a.jpg)", "img",
			map[string]string{"src": "https://cdn.example.com/a.jpg", "alt": "x", "loading": "lazy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, tt.src)
			assertInert(t, out)
			els := elements(parseHTML(t, out), tt.tag)
			if len(els) != 1 {
				t.Fatalf("got %d <%s>, want 1\n%s", len(els), tt.tag, out)
			}
			for k, want := range tt.attrs {
				got, ok := attr(els[0], k)
				if want == "" {
					if ok {
						t.Errorf("%s=%q present, want none\n%s", k, got, out)
					}
					continue
				}
				if got != want {
					t.Errorf("%s = %q, want %q\n%s", k, got, want, out)
				}
			}
		})
	}
}

func TestRenderNotLinked(t *testing.T) {
	// Bare URLs with other schemes stay text rather than becoming links.
	for _, src := range []string{"ftp://example.com/file", "see javascript:alert(1) here", "file:///etc/passwd"} {
		out := mustRender(t, src)
		if n := len(elements(parseHTML(t, out), "a")); n != 0 {
			t.Errorf("Render(%q) made %d links\n%s", src, n, out)
		}
	}
}

// attacks are sources that try to get something active past the pipeline.
var attacks = []string{
	`<script>alert(1)</script>`,
	"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
	`<img src=x onerror=alert(1)>`,
	"text <img src=x onerror=alert(1)> inline",
	`<iframe src="https://evil.example"></iframe>`,
	`<object data="x.swf"></object><embed src="x.swf">`,
	`<a href="javascript:alert(1)">x</a>`,
	`[x](javascript:alert(1))`,
	`[x](JaVaScRiPt:alert(1))`,
	`[x]( javascript:alert(1) )`,
	`[x](<javascript:alert(1)>)`,
	`[x](&#106;avascript:alert(1))`,
	`[x](&#x6A;avascript&#x3A;alert(1))`,
	`[x](java&#x09;script:alert(1))`,
	`[x](javascript&colon;alert(1))`,
	"[x](java\tscript:alert(1))",
	`[x](vbscript:msgbox(1))`,
	`![x](javascript:alert(1))`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`![x](data:image/png;base64,iVBORw0KGgo=)`,
	"[x][ref]\n\n[ref]: javascript:alert(1)",
	"![x][ref]\n\n[ref]: data:text/html,<script>alert(1)</script>",
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
	`<style>body{background:url(javascript:alert(1))}</style>`,
	`<p style="background:url(javascript:alert(1))">x</p>`,
	`<javascript:alert(1)>`,
	`<JAVASCRIPT:alert(1)>`,
	`<vbscript:msgbox(1)>`,
	`<data:text/html,<script>alert(1)</script>>`,
	`<form action="https://evil.example"><input name=p></form>`,
	`<details open ontoggle=alert(1)>`,
	`<base href="https://evil.example/">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<link rel=stylesheet href=//evil.example/x.css>`,
	`[x](https://example.com "\" onmouseover=\"alert(1)")`,
	`![x" onerror="alert(1)](x.png)`,
	`![x](x.png" onerror="alert(1))`,
	"<scr<script>ipt>alert(1)</scr</script>ipt>",
	"<!--><script>alert(1)</script>-->",
	"<![CDATA[<script>alert(1)</script>]]>",
	"`<script>alert(1)</script>`",
	"# <img src=x onerror=alert(1)>",
	"| a |\n|---|\n| <script>alert(1)</script> |",
	"- [ ] <img src=x onerror=alert(1)>",
	"> <iframe src=x></iframe>",
	"```\n</code></pre><script>alert(1)</script>\n```",
	"```\"><script>alert(1)</script>\nx\n```",
	"~~<svg/onload=alert(1)>~~",
	"[<img src=x onerror=alert(1)>](https://example.com)",
	"www.example.com/<script>alert(1)</script>",
	"https://example.com/\"onmouseover=\"alert(1)",
	"\x00<script>alert(1)</script>",
	"[x](\x01javascript:alert(1))",
	"a[^1]\n\n[^1]: <script>alert(1)</script> [x](javascript:alert(1))",
	"a[^<img src=x onerror=alert(1)>]\n\n[^<img src=x onerror=alert(1)>]: note",
	"- [ ] \" onmouseover=\"alert(1)\" x=\"",
	"- [x] <script>alert(1)</script>",
	"[top](#\"><script>alert(1)</script>)\n\n# \"><script>",
	"```go\nfmt.Println(\"</span></code><script>alert(1)</script>\")\n```",
	"```html\n<script>alert(1)</script><img src=x onerror=alert(1)>\n```",
	"![x](/media/x.png\" onerror=\"alert(1))",
}

func TestRenderInert(t *testing.T) {
	for _, src := range attacks {
		t.Run(fmt.Sprintf("%.40q", src), func(t *testing.T) {
			out := mustRender(t, src)
			assertInert(t, out)
			checkAnchors(t, out)
			// Nothing may come out as markup that the source spelled as a
			// tag, even an allowed one, unless Markdown itself made it.
			doc := parseHTML(t, out)
			for _, tag := range []string{"input", "iframe", "script"} {
				if tag == "input" && strings.Contains(src, "- [") {
					continue
				}
				if n := len(elements(doc, tag)); n != 0 {
					t.Errorf("%d <%s> elements\n%s", n, tag, out)
				}
			}
		})
	}
}

func TestRenderInvalidUTF8(t *testing.T) {
	out := mustRender(t, "# caf\xe9\n\nbad \xff\xfe bytes")
	if !strings.Contains(out, "\uFFFD") {
		t.Errorf("invalid bytes not replaced\n%s", out)
	}
	assertInert(t, out)
}

func TestRenderSize(t *testing.T) {
	// Beyond what callers accept, still rendered.
	big := benchPost(40_000)
	if len(big) < 250_000 {
		t.Fatalf("test post is only %d bytes", len(big))
	}
	if _, err := Render(big); err != nil {
		t.Errorf("Render of %d bytes: %v", len(big), err)
	}
	// Beyond the backstop, refused.
	if _, err := Render(strings.Repeat("a", maxSourceBytes+1)); err == nil {
		t.Error("Render of more than the limit succeeded")
	}
}

// TestRenderPathological renders inputs that are hard on Markdown parsers
// (deep nesting, unmatched delimiters and openers that make goldmark rescan
// the rest of a paragraph). Before the limits in limits.go several of these
// took minutes at this size; the bound is loose so a busy test machine does
// not fail it, yet far below a quadratic blow-up.
func TestRenderPathological(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 40 large documents")
	}
	const size = 100_000
	tests := []struct {
		name string
		unit string
	}{
		{"nested quotes", ">"},
		{"nested quotes spaced", "> "},
		{"nested lists", "- a\n  "},
		{"nested list markers", "- - "},
		{"nested ordered lists", "1. "},
		{"nested mixed", "> 1. - "},
		{"open brackets", "["},
		{"open images", "!["},
		{"close brackets", "]"},
		{"link openers", "[a]("},
		{"image openers", "![a]("},
		{"link openers across lines", "[a](\n"},
		{"bracket parens", "[ (]("},
		{"emphasis", "*a "},
		{"strong openers", "**a"},
		{"triple delimiters", "a***"},
		{"underscores", "a_b_ "},
		{"single quotes", "'"},
		{"double quotes", `"`},
		{"backticks", "\\``"},
		{"code span openers", "`a``"},
		{"tildes", "~~a "},
		{"angle brackets", "<"},
		{"empty tags", "<>"},
		{"html comment openers", "a <!--a\n"},
		{"processing instruction openers", "a <?a\n"},
		{"declaration openers", "a <!X\n"},
		{"cdata openers", "a <![CDATA[a\n"},
		{"entities", "&amp;"},
		{"reference definitions", "[a]: "},
		{"repeated headings", "# a\n"},
		{"long heading", "# " + strings.Repeat("[a](", 10)},
		{"setext headings", "a\n===\n"},
		{"table rows", "| a | b |\n|---|---|\n"},
		{"long table cell", "|a|\n|-|\n|" + strings.Repeat("[a](", 10)},
		{"autolinks", "www.a.com "},
		{"emails", "a@b.co "},
		{"backslashes", "\\"},
		{"indents", "    - a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Repeat(tt.unit, size/len(tt.unit))
			if tt.name == "long heading" || tt.name == "long table cell" {
				src = tt.unit + strings.Repeat("[a](", size/4)
			}
			start := time.Now()
			out, err := Render(src)
			rendered := time.Since(start)
			if err != nil && !errors.Is(err, ErrTooLarge) { // the output budget may refuse it
				t.Fatal(err)
			}
			start = time.Now()
			_ = Excerpt(src, 200)
			excerpted := time.Since(start)
			if rendered > 20*time.Second || excerpted > 20*time.Second {
				t.Errorf("Render took %v, Excerpt %v for %d bytes", rendered, excerpted, len(src))
			}
			if testing.Verbose() {
				t.Logf("Render %v, Excerpt %v for %d bytes in, %d out", rendered, excerpted, len(src), len(out))
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	srcs := []string{
		"# One\n# One\n\n[a](https://a.example)",
		"# Two\n\n```go\nx\n```",
		"| a |\n|---|\n| b |",
		"<script>alert(1)</script>\n\n# Three",
	}
	want := make([]string, len(srcs))
	for i, src := range srcs {
		want[i] = mustRender(t, src)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				k := (g + i) % len(srcs)
				got, err := Render(srcs[k])
				if err != nil || got != want[k] {
					t.Errorf("concurrent Render(%q) = %q, %v; want %q", srcs[k], got, err, want[k])
					return
				}
			}
		}()
	}
	wg.Wait()
}
