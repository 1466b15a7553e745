package markdown

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"quire/models/markdown/markdowntest"
)

// assertInert fails t when htmlText, parsed the way a browser would, holds
// anything active: a script, iframe, object, embed, style, svg, math, form,
// base, link, meta or frame element; an event-handler ("on…") or style
// attribute; or a URL attribute (href, src, action, …) whose value, trimmed,
// lower-cased and stripped of whitespace and control characters, starts with
// javascript:, vbscript: or data:.
//
// markdowntest.AssertInert is the same check for other packages' tests;
// TestInertCheckersAgree keeps the two in step.
func assertInert(t testing.TB, htmlText string) {
	t.Helper()
	for _, p := range inertProblems(htmlText) {
		t.Errorf("not inert: %s\nin: %s", p, htmlText)
	}
}

var inertActiveElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "style": true,
	"svg": true, "math": true, "form": true, "base": true, "link": true, "meta": true,
	"frame": true, "frameset": true,
}

var inertURLAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "srcset": true,
	"poster": true, "background": true, "cite": true, "data": true, "xlink:href": true,
}

var inertBadSchemes = []string{"javascript:", "vbscript:", "data:"}

func inertProblems(htmlText string) []string {
	doc, err := html.Parse(strings.NewReader(htmlText))
	if err != nil {
		return []string{"does not parse: " + err.Error()}
	}
	var found []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := strings.ToLower(n.Data)
			if inertActiveElements[name] {
				found = append(found, "<"+name+"> element")
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = strings.ToLower(a.Namespace) + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					found = append(found, "event handler attribute "+key+" on <"+name+">")
				case key == "style":
					found = append(found, "style attribute on <"+name+">")
				case inertURLAttributes[key]:
					v := inertNormaliseURL(a.Val)
					for _, s := range inertBadSchemes {
						if strings.HasPrefix(v, s) {
							found = append(found, key+"="+a.Val+" on <"+name+">")
						}
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// inertNormaliseURL mirrors how browsers read a scheme: surrounding space and
// control characters ignored, tabs and newlines inside removed, case folded.
func inertNormaliseURL(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, v)
}

// recorder stands in for a testing.TB so the checkers themselves can be
// tested: it counts failures instead of failing.
type recorder struct {
	testing.TB
	failures int
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failures++ }
func (r *recorder) Error(...any)          { r.failures++ }
func (r *recorder) Fatalf(string, ...any) { r.failures++ }
func (r *recorder) Fatal(...any)          { r.failures++ }

// TestInertCheckersAgree checks that both copies of the inertness check
// catch every active construct (an assertion that never fails protects
// nothing) and accept ordinary markup.
func TestInertCheckersAgree(t *testing.T) {
	tests := []struct {
		html   string
		active bool
	}{
		{`<p>Hello <a href="https://example.com/" rel="nofollow">there</a></p>`, false},
		{`<img src="/media/a.png" alt="a" loading="lazy">`, false},
		{`<a href="#intro">#</a><a href="mailto:a@example.com">mail</a>`, false},
		{`<pre><code class="language-go">&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>`, false},
		{`<p>javascript:alert(1) as text is fine</p>`, false},
		{`<script>alert(1)</script>`, true},
		{`<SCRIPT>alert(1)</SCRIPT>`, true},
		{`<iframe src="https://example.com"></iframe>`, true},
		{`<object data="x"></object>`, true},
		{`<embed src="x">`, true},
		{`<style>body{}</style>`, true},
		{`<svg><circle/></svg>`, true},
		{`<math><mi>x</mi></math>`, true},
		{`<form><button>go</button></form>`, true},
		{`<img src="x" onerror="alert(1)">`, true},
		{`<p ONCLICK="alert(1)">x</p>`, true},
		{`<p style="color:red">x</p>`, true},
		{`<a href="javascript:alert(1)">x</a>`, true},
		{`<a href=" JaVaScRiPt:alert(1)">x</a>`, true},
		{`<a href="java&#x09;script:alert(1)">x</a>`, true},
		{"<a href=\"\x01javascript:alert(1)\">x</a>", true},
		{`<a href="vbscript:msgbox(1)">x</a>`, true},
		{`<img src="data:image/svg+xml;base64,PHN2Zz4=">`, true},
		{`<a href="DATA:text/html,x">x</a>`, true},
	}
	for _, tt := range tests {
		for name, check := range map[string]func(testing.TB, string){
			"assertInert":              assertInert,
			"markdowntest.AssertInert": markdowntest.AssertInert,
		} {
			r := &recorder{TB: t}
			check(r, tt.html)
			if got := r.failures > 0; got != tt.active {
				t.Errorf("%s(%q) flagged = %v, want %v", name, tt.html, got, tt.active)
			}
		}
	}
}
