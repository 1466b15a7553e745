package markdown

import (
	"testing"

	"quire/models/markdown/markdowntest"
)

// assertInert is markdowntest.AssertInert: one check, shared with the
// handler tests that look at whole pages and feeds.
func assertInert(t testing.TB, htmlText string) {
	t.Helper()
	markdowntest.AssertInert(t, htmlText)
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

// TestInertCheck checks that the inertness check catches every active
// construct (an assertion that never fails protects nothing) and accepts
// ordinary markup.
func TestInertCheck(t *testing.T) {
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
		r := &recorder{TB: t}
		markdowntest.AssertInert(r, tt.html)
		if got := r.failures > 0; got != tt.active {
			t.Errorf("AssertInert(%q) flagged = %v, want %v", tt.html, got, tt.active)
		}
	}
}
