package markdown

import (
	"bufio"
	"bytes"
	stdhtml "html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// Excerpt derives a plain-text summary of at most n characters (runes) from
// Markdown, for post lists and feeds. It takes the text of the first
// paragraphs (list items and quotes included), leaving out Markdown syntax,
// HTML, images, code blocks and tables; only a post without any paragraph
// falls back to its headings' text. Whitespace is collapsed. When the text is
// longer than n it is cut at a word boundary and ends with "…", which counts
// towards n. The result never contains an HTML tag, though callers escape it
// anyway.
func Excerpt(src string, n int) string {
	if n <= 0 {
		return ""
	}
	// The first paragraphs are usually near the start, so parse a window
	// ending at a blank line (no paragraph spans one) and only fall back to
	// the whole post when the window has too little prose. The one thing the
	// window can change is a reference link whose definition lies beyond it,
	// which then reads "[text][ref]".
	if window := max(excerptWindow, 16*n); len(src) > window {
		if cut := strings.LastIndex(src[:window], "\n\n"); cut > 0 {
			if e := excerptOf(src[:cut], n); e.full() && !e.fromHeadings {
				return e.result()
			}
		}
	}
	if len(src) > maxSourceBytes {
		src = src[:maxSourceBytes] // prepare mends a split rune
	}
	return excerptOf(src, n).result()
}

// excerptWindow is how much of a long post Excerpt parses first.
const excerptWindow = 16 << 10

func excerptOf(src string, n int) *excerpter {
	// Our heading ids, not goldmark's default: those number repeats by
	// counting up from 1 every time, which is quadratic in repeated
	// headings. Tables too large to render are not built.
	source := prepare(src)
	ctx := parser.NewContext(parser.WithIDs(newHeadingIDs(nil)))
	ctx.Set(budgetKey, newBudget(len(source)))
	doc := md.Parser().Parse(text.NewReader(source), parser.WithContext(ctx))

	e := &excerpter{source: source, limit: n}
	e.blocks(doc, ast.KindParagraph)
	if e.count == 0 {
		e.fromHeadings = true
		e.blocks(doc, ast.KindHeading)
	}
	return e
}

// excerpter gathers collapsed text until it holds one rune more than the
// limit, which is enough to know whether and where to cut.
type excerpter struct {
	source  []byte
	limit   int
	out     strings.Builder
	count   int  // runes in out
	pending bool // whitespace seen since the last rune written

	fromHeadings bool // no paragraph had text, so headings were used
}

func (e *excerpter) full() bool { return e.count > e.limit }

// blocks walks the block tree in document order, taking text from blocks of
// the wanted kind (paragraphs, or headings as the fallback) and looking
// inside quotes and lists. Code, HTML blocks, tables and rules are not prose.
func (e *excerpter) blocks(parent ast.Node, want ast.NodeKind) {
	for b := parent.FirstChild(); b != nil && !e.full(); b = b.NextSibling() {
		switch b.Kind() {
		case ast.KindParagraph, ast.KindTextBlock:
			if want == ast.KindParagraph {
				e.block(b)
			}
		case ast.KindHeading:
			if want == ast.KindHeading {
				e.block(b)
			}
		case ast.KindBlockquote, ast.KindList, ast.KindListItem:
			e.blocks(b, want)
		}
	}
}

// block adds one block's text. The inline text is first written the way the
// HTML renderer would (backslash escapes and entities resolved, the result
// HTML-escaped), then unescaped once, which gives exactly the characters a
// reader would see.
func (e *excerpter) block(b ast.Node) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	e.inline(w, b)
	_ = w.Flush()

	s := stdhtml.UnescapeString(buf.String())
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' ' // as whitespace, so removing it cannot join "<" to a letter
		}
		return r
	}, s)
	s = stripTags(s)

	e.pending = true // blocks are separate words
	for _, r := range s {
		if e.full() {
			return
		}
		if unicode.IsSpace(r) {
			e.pending = true
			continue
		}
		if e.pending && e.count > 0 {
			e.out.WriteByte(' ')
			e.count++
			if e.full() {
				return
			}
		}
		e.pending = false
		e.out.WriteRune(r)
		e.count++
	}
}

func (e *excerpter) inline(w *bufio.Writer, parent ast.Node) {
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(e.source)
			if c.IsRaw() {
				html.DefaultWriter.RawWrite(w, v)
			} else {
				html.DefaultWriter.Write(w, v)
			}
			if c.SoftLineBreak() || c.HardLineBreak() {
				_ = w.WriteByte(' ')
			}
		case *ast.String:
			// Typographer output such as "&rsquo;" is already HTML.
			if c.IsCode() {
				_, _ = w.Write(c.Value)
			} else {
				html.DefaultWriter.Write(w, c.Value)
			}
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if t, ok := t.(*ast.Text); ok {
					html.DefaultWriter.RawWrite(w, t.Segment.Value(e.source))
				}
			}
		case *ast.AutoLink:
			html.DefaultWriter.RawWrite(w, c.Label(e.source))
		case *ast.RawHTML, *ast.Image:
			// HTML is never part of an excerpt; an image's alt text
			// describes a picture the excerpt does not show.
		default:
			// Emphasis, links, strikethrough: keep their text.
			e.inline(w, c)
		}
	}
}

// tagPattern matches what an HTML parser would take for a tag, comment or
// declaration, e.g. an inline code span showing "<div>".
var tagPattern = regexp.MustCompile(`<[A-Za-z/!?][^<>]*>`)

// stripTags removes tag-like text, then any "<" (or run of them) that would
// still open a tag, so the excerpt holds no markup even unescaped.
func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	s = tagPattern.ReplaceAllString(s, " ")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		j := i
		for j < len(s) && s[j] == '<' {
			j++
		}
		if j < len(s) && opensTag(s[j]) {
			// Dropped, and since the run of "<" is dropped whole, no
			// earlier "<" ends up next to the letter.
		} else {
			b.WriteString(s[i:j])
		}
		i = j
	}
	return b.String()
}

func opensTag(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// ellipsisTrim is what an excerpt should not end on before the "…":
// separators and opening brackets or quotes.
const ellipsisTrim = ",;:.!?-–—([{«“‘"

func (e *excerpter) result() string {
	s := e.out.String()
	if e.count <= e.limit {
		return s
	}
	// Keep room for the ellipsis: at most limit-1 runes of text.
	keep := e.limit - 1
	cut := 0 // byte offset of rune index keep
	for i := 0; i < keep; i++ {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	head := s[:cut]
	if cut < len(s) && s[cut] != ' ' {
		// The cut falls inside a word: end at the previous word instead,
		// unless the text is one giant word.
		if i := strings.LastIndexByte(head, ' '); i > 0 {
			head = head[:i]
		}
	}
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(ellipsisTrim, r)
	})
	return head + "…"
}
