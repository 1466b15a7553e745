// Package markdown is Quire's Markdown pipeline: it turns what authors write
// into the HTML stored with each post, derives plain-text excerpts and makes
// URL slugs. Rendered HTML is read back without re-rendering, so everything
// that keeps readers safe happens here, once: raw HTML is dropped by the
// renderer and the output is sanitised again with an allow-list policy.
package markdown

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/alecthomas/chroma/v2"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// md is built once and shared: goldmark parsers and renderers are safe for
// concurrent use, and per-document state (heading ids) lives in the parser
// context that each call makes for itself.
var md = goldmark.New(
	goldmark.WithExtensions(
		// GFM, spelled out so autolinks only ever produce http(s) and mailto
		// links and table alignment avoids style attributes (which the
		// sanitiser would strip).
		extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"})),
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.TaskList,
		// Footnotes, with ids of our own shape (footnotes.go).
		extension.Footnote,
		// Curly quotes and dashes in prose; code is left alone.
		extension.Typographer,
	),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(linkAttributes{}, 500)),
		// Bounds on inline runs (limits.go), so crafted posts cannot make
		// parsing quadratic: ATX headings just ahead of goldmark's own parser
		// (600), tables just ahead of the table extension (200), long
		// paragraphs after everything else.
		parser.WithBlockParsers(util.Prioritized(limitATXHeadings{parser.NewATXHeadingParser()}, 599)),
		parser.WithParagraphTransformers(
			util.Prioritized(limitTableCells{extension.NewTableParagraphTransformer()}, 199),
			util.Prioritized(splitLongParagraphs{}, 1000),
		),
	),
	// Raw HTML stays off: html.WithUnsafe is deliberately not set, so HTML
	// in the source is dropped and javascript:/vbscript:/file:/data: link
	// destinations render empty.
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(postRenderer{}, 100)),
	),
)

// Render converts Markdown to HTML that is safe to show to readers: GitHub
// flavoured Markdown (tables, strikethrough, autolinks, task lists with
// labelled checkboxes) and footnotes with raw HTML dropped, smart
// punctuation, headings carrying "h-" ids and a "#" self-link, fenced code
// marked with its language and highlighted (highlight.go), links marked
// rel="nofollow noopener" and images loading lazily, all passed through
// the sanitiser policy. It is safe for concurrent
// use. Sources over 1 MiB are refused with an error, and a source whose HTML
// would be larger than its output budget (8 bytes a source byte plus 32 KiB,
// at most 1 MiB) with ErrTooLarge: rendering stops as soon as the budget is
// spent, so a source that amplifies costs no more than one that does not.
func Render(src string) (string, error) {
	return RenderWith(src, Options{})
}

// RenderVersion names what Render makes of a source. It goes up whenever
// the HTML for the same Markdown changes (new extensions, other ids), so
// HTML stored by an earlier version can be found and made again.
const RenderVersion = 2

// RenderWith is Render with options: with opt.Images, local images get
// their width, height, srcset and sizes (images.go). An error from the
// lookup is returned as it is.
func RenderWith(src string, opt Options) (string, error) {
	if len(src) > maxSourceBytes {
		return "", fmt.Errorf("markdown: source is %d bytes, more than the %d allowed", len(src), maxSourceBytes)
	}
	source := prepare(src)

	out := newBudget(len(source))
	ctx := parser.NewContext(parser.WithIDs(newHeadingIDs(out)))
	ctx.Set(budgetKey, out)
	doc := md.Parser().Parse(text.NewReader(source), parser.WithContext(ctx))
	if out.over { // a table or headings that could never fit
		return "", ErrTooLarge
	}
	if opt.Images != nil {
		if err := sizeImages(doc, opt.Images); err != nil {
			return "", err
		}
	}
	html, err := write(out, source, doc)
	if errors.Is(err, ErrTooLarge) && out.highlighted > 0 {
		// Highlighting's spans are what did not fit: the code goes plain,
		// so highlighting never refuses a post that fits without it.
		html, err = write(&budget{limit: out.limit, plainCode: true}, source, doc)
	}
	return html, err
}

// write renders doc into out and sanitises it, within out's budget.
func write(out *budget, source []byte, doc ast.Node) (string, error) {
	if err := md.Renderer().Render(out, source, doc); err != nil || out.over {
		if out.over {
			return "", ErrTooLarge
		}
		return "", fmt.Errorf("markdown: render: %w", err)
	}
	// The sanitiser writes some characters longer than goldmark does (' as
	// &#39;), so its output is held to the same budget.
	html := policy().SanitizeBytes(out.buf.Bytes())
	if len(html) > out.limit {
		return "", ErrTooLarge
	}
	return string(html), nil
}

// relAuthorLink is set on every link an author writes: their links earn no
// search ranking from the site (spam) and the target gets no window.opener.
var relAuthorLink = []byte("nofollow noopener")

// linkAttributes marks links and images in the document tree before rendering.
type linkAttributes struct{}

func (linkAttributes) Transform(doc *ast.Document, _ text.Reader, pc parser.Context) {
	ids, _ := pc.IDs().(*headingIDs)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindLink:
			n.SetAttributeString("rel", relAuthorLink)
			ids.retarget(n.(*ast.Link))
		case ast.KindAutoLink:
			n.SetAttributeString("rel", relAuthorLink)
		case ast.KindImage:
			n.SetAttributeString("loading", []byte("lazy"))
		}
		return ast.WalkContinue, nil
	})
}

// postRenderer replaces goldmark's rendering of headings (to add self-link
// anchors), code blocks (well-formed language names only, highlighting),
// task checkboxes (labels) and footnotes (ids).
type postRenderer struct{}

func (postRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, renderHeading)
	reg.Register(ast.KindFencedCodeBlock, renderCode)
	reg.Register(ast.KindCodeBlock, renderCode)
	reg.Register(east.KindTaskCheckBox, renderTaskCheckBox)
	reg.Register(east.KindFootnoteLink, renderFootnoteLink)
	reg.Register(east.KindFootnoteBacklink, renderFootnoteBacklink)
	reg.Register(east.KindFootnote, renderFootnote)
}

// renderHeading writes <hN id="x">text <a class="anchor" href="#x"
// aria-hidden="true">#</a></hN>. The anchor is hidden from screen readers:
// it repeats the heading and only helps readers copy a link.
func renderHeading(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if s, err := stopWhenOver(w); err != nil {
		return s, err
	}
	n := node.(*ast.Heading)
	id := headingID(n)
	if entering {
		_, _ = w.WriteString("<h")
		_ = w.WriteByte("0123456"[n.Level])
		if id != "" {
			_, _ = w.WriteString(` id="`)
			_, _ = w.WriteString(id)
			_ = w.WriteByte('"')
		}
		_ = w.WriteByte('>')
		return ast.WalkContinue, nil
	}
	if id != "" {
		_, _ = w.WriteString(` <a class="anchor" href="#`)
		_, _ = w.WriteString(id)
		_, _ = w.WriteString(`" aria-hidden="true">#</a>`)
	}
	_, _ = w.WriteString("</h")
	_ = w.WriteByte("0123456"[n.Level])
	_, _ = w.WriteString(">\n")
	return ast.WalkContinue, nil
}

// headingID returns the heading's id when it is one headingIDs could have
// made, which is also what the sanitiser lets through; otherwise "", so the
// heading gets neither an id nor an anchor pointing nowhere.
func headingID(n *ast.Heading) string {
	v, ok := n.AttributeString("id")
	if !ok {
		return ""
	}
	b, ok := v.([]byte)
	if !ok || !bytes.HasPrefix(b, []byte(headingIDPrefix)) {
		return ""
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return ""
		}
	}
	return string(b)
}

// renderCode writes a code block as <pre tabindex="0"><code
// class="language-go">, naming a fenced block's language only when it is a
// plain lower-cased word such as "go", "c++", "c#" or "objective-c";
// anything else renders without a class. A line wider than the column
// scrolls the block sideways, so it takes the keyboard focus (tabindex)
// for keyboard users to scroll it, as axe's scrollable-region-focusable
// asks.
func renderCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</code></pre>\n")
		return ast.WalkContinue, nil
	}
	if s, err := stopWhenOver(w); err != nil {
		return s, err
	}
	var lang string
	if n, ok := node.(*ast.FencedCodeBlock); ok {
		lang = codeLanguage(n.Language(source))
	}
	var code []byte
	lines := node.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		code = append(code, seg.Value(source)...)
	}
	_, _ = w.WriteString(`<pre tabindex="0"`)
	l := highlighter(w, lang, len(code))
	if l != nil {
		_, _ = w.WriteString(` class="` + highlightScope + `"`)
	}
	_, _ = w.WriteString("><code")
	if lang != "" {
		_, _ = w.WriteString(` class="language-`)
		_, _ = w.WriteString(lang)
		_ = w.WriteByte('"')
	}
	_ = w.WriteByte('>')
	if l == nil || !highlight(w, l, string(code)) {
		html.DefaultWriter.RawWrite(w, code) // escapes <, >, & and "
	}
	return ast.WalkContinue, nil
}

// highlighter is the lexer to highlight a block of size bytes in lang
// with, or nil when the block renders plain: an unknown language, a block
// over maxHighlightBytes, a document past maxHighlightPerDoc, or a second
// rendering without highlighting (Render).
func highlighter(w util.BufWriter, lang string, size int) chroma.Lexer {
	b, ok := w.(*budget)
	if !ok || b.plainCode || size > maxHighlightBytes || b.highlighted+size > maxHighlightPerDoc {
		return nil
	}
	l := lexer(lang)
	if l != nil {
		b.highlighted += size
	}
	return l
}

// maxLanguageLen keeps class names sane; no real language name comes close.
const maxLanguageLen = 40

func codeLanguage(info []byte) string {
	if len(info) == 0 || len(info) > maxLanguageLen {
		return ""
	}
	lang := make([]byte, len(info))
	for i, c := range info {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '#' || c == '-') {
			return ""
		}
		lang[i] = c
	}
	return string(lang)
}

// maxHeadingIDLen keeps anchors short enough to share.
const maxHeadingIDLen = 80

// headingIDPrefix starts every heading id, so no heading can take an id
// the page around the post uses ("post", "preview", "body-field") or a
// footnote's ("fn-1").
const headingIDPrefix = "h-"

// maxHeadingIDs is how many headings of one document get an id and an
// anchor; later ones render plain. A real post has a few dozen; a post of
// 10,000 one-letter headings would otherwise spend its output budget on
// anchors (and be refused) and fill the id map.
const maxHeadingIDs = 256

// headingIDs makes heading ids from heading text with the slug rules, so
// "Crème Brûlée" becomes #h-creme-brulee, and numbers repeats ("h-setup",
// "h-setup-1", ...). Every id matches ^h-[a-z0-9-]+$. One is made per
// document, for at most maxHeadingIDs headings. Once the document's output
// budget is spent, no more ids are made.
type headingIDs struct {
	used   map[string]bool
	next   map[string]int // next suffix to try per base, so many repeats stay linear
	made   int
	budget *budget
}

func newHeadingIDs(b *budget) *headingIDs {
	return &headingIDs{used: map[string]bool{}, next: map[string]int{}, budget: b}
}

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	if h.made >= maxHeadingIDs {
		return nil
	}
	if h.budget != nil && !h.budget.promise(minHeadingHTML) {
		return nil // the document is refused; its ids are never shown
	}
	h.made++
	base := slug(string(value), maxHeadingIDLen)
	if base == "" {
		base = "section"
	}
	base = headingIDPrefix + base
	id := base
	for h.used[id] {
		h.next[base]++
		id = base + "-" + strconv.Itoa(h.next[base])
	}
	h.used[id] = true
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) {
	h.used[string(value)] = true
}

// retarget points an in-page link written for a heading's id without its
// prefix ("#setup", as ids were before headingIDPrefix) at the heading.
func (h *headingIDs) retarget(l *ast.Link) {
	if h == nil || len(l.Destination) < 2 || l.Destination[0] != '#' {
		return
	}
	name := string(l.Destination[1:])
	if !h.used[name] && h.used[headingIDPrefix+name] {
		l.Destination = []byte("#" + headingIDPrefix + name)
	}
}
