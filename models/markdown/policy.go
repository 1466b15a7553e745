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

// srcsetPattern is a srcset of site paths by width: "/a/b.jpg 480w, /a/c.jpg 960w".
var srcsetPattern = regexp.MustCompile(`^/[A-Za-z0-9._-][A-Za-z0-9/._-]* [1-9][0-9]*w(, /[A-Za-z0-9._-][A-Za-z0-9/._-]* [1-9][0-9]*w)*$`)

func newPolicy() *bluemonday.Policy {
	// Only the elements and attributes the renderer writes, each in the
	// shape it writes it (no global ids, classes or titles as in
	// bluemonday's UGCPolicy): no script, style, iframe, object, forms or
	// event handlers; URLs must parse and be relative, http, https or
	// mailto; rel="nofollow" is forced on every link.
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.AllowElements("p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "sup", "div", "span",
		"ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src").OnElements("img")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")

	// Alt and title are any text ("Figure 1: results"): attribute values
	// are escaped on output, so any text is harmless here.
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("title").OnElements("a", "img")

	// Heading ids are what the anchors point at, made by headingIDs to
	// match this pattern, so the id and its anchor's href always agree.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^h-[a-z0-9-]+$`)).
		OnElements("h1", "h2", "h3", "h4", "h5", "h6")

	// Footnotes (footnotes.go): the reference, the note and the way back.
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fnref-[0-9]+(-[0-9]+)?$`)).OnElements("sup")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fn-[0-9]+$`)).OnElements("li")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^footnotes$`)).OnElements("div")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-endnotes$`)).OnElements("div")
	p.AllowAttrs("role").Matching(regexp.MustCompile(`^doc-(noteref|backlink)$`)).OnElements("a")
	p.AllowAttrs("aria-label").Matching(regexp.MustCompile(`^Back to reference [0-9]+(-[0-9]+)?$`)).OnElements("a")

	// Self-link anchors next to headings, footnote links, and the rel the
	// renderer sets on author links (bluemonday keeps "nofollow" on them
	// either way).
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(anchor|footnote-ref|footnote-backref)$`)).OnElements("a")
	p.AllowAttrs("aria-hidden").Matching(regexp.MustCompile(`^true$`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")

	// Code blocks keep their language, and highlighted ones their scope
	// and token classes (highlight.go) for highlight.css.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[a-z0-9+#-]+$`)).OnElements("code")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^` + highlightScope + `$`)).OnElements("pre")
	p.AllowAttrs("tabindex").Matching(regexp.MustCompile(`^0$`)).OnElements("pre")
	p.AllowAttrs("class").Matching(highlightClasses).OnElements("span")

	// Ordered lists may start at any number ("3. Third").
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")

	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")

	// Sizes and copies of local images (images.go): only paths on this
	// site in srcset, and the one sizes the renderer writes.
	p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^[1-9][0-9]{0,5}$`)).OnElements("img")
	p.AllowAttrs("srcset").Matching(srcsetPattern).OnElements("img")
	p.AllowAttrs("sizes").Matching(regexp.MustCompile(`^` + regexp.QuoteMeta(imageSizes) + `$`)).OnElements("img")

	// GFM task lists render as disabled checkboxes. No name or form
	// attribute gets through, so they can never submit anything.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked").Matching(regexp.MustCompile(`^(|checked)$`)).OnElements("input")
	p.AllowAttrs("disabled").Matching(regexp.MustCompile(`^(|disabled)$`)).OnElements("input")
	p.AllowAttrs("aria-label").OnElements("input") // the item's text, escaped on output

	return p
}
