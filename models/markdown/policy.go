package markdown

import (
	"regexp"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the sanitiser every rendered post goes through. Raw HTML is
// already dropped by the Markdown renderer; the policy is the second wall,
// so a renderer bug or a Markdown construct we did not think of still cannot
// put script, styles or dangerous URLs in front of a reader.
//
// A bluemonday policy is safe for concurrent use once built, so it is built
// once, on first use.
var policy = sync.OnceValue(newPolicy)

func newPolicy() *bluemonday.Policy {
	// UGCPolicy: no script, style, iframe, object, forms or event handlers;
	// URLs must parse and be relative, http, https or mailto; rel="nofollow"
	// is forced on every link.
	p := bluemonday.UGCPolicy()

	// UGCPolicy only accepts alt and title made of letters, digits and a
	// little punctuation, so "Figure 1: results" would lose its alt text.
	// Attribute values are escaped on output, so any text is harmless here.
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("title").OnElements("a", "img")

	// Heading ids are what the anchors point at. UGCPolicy already allows
	// ids on any element with a loose pattern; the renderer only ever emits
	// ids on headings, made by headingIDs to match this pattern, so the id
	// and its anchor's href always agree.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^[a-z0-9-]+$`)).
		OnElements("h1", "h2", "h3", "h4", "h5", "h6")

	// Self-link anchors next to headings, and the rel the renderer sets on
	// author links (bluemonday keeps "nofollow" on them either way).
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^anchor$`)).OnElements("a")
	p.AllowAttrs("aria-hidden").Matching(regexp.MustCompile(`^true$`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")

	// Code blocks keep their language so the theme can highlight them.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-z0-9+#-]+$`)).OnElements("code")

	// Ordered lists may start at any number ("3. Third"); UGCPolicy drops start.
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")

	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")

	// GFM task lists render as disabled checkboxes. No name or form
	// attribute gets through, so they can never submit anything.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked").Matching(regexp.MustCompile(`^(|checked)$`)).OnElements("input")
	p.AllowAttrs("disabled").Matching(regexp.MustCompile(`^(|disabled)$`)).OnElements("input")

	return p
}
