package markdown

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// ErrTooLarge is returned by Render when the HTML a source makes would be
// larger than its output budget (see outputBudget): too many headings,
// links, list levels or table cells for its length.
var ErrTooLarge = errors.New("markdown: the rendered HTML would be too large")

// The output budget. Prose renders to about 1.6 times its size and a post
// dense with links or images to about 5; what goes past 8 is markup made
// for its own sake (a heading per character gets an id and an anchor each:
// 24 times). The slack lets short posts use any construct; the cap is what
// a post page, its memory copy and the feeds are sized for.
const (
	budgetPerSourceByte = 8
	budgetSlack         = 32 << 10
	maxHTMLBytes        = 1 << 20
)

// MaxHTMLBytes is the most HTML Render ever returns for one post.
const MaxHTMLBytes = maxHTMLBytes

// outputBudget is how many bytes of HTML a source of n bytes may render to.
func outputBudget(n int) int {
	return min(n*budgetPerSourceByte+budgetSlack, maxHTMLBytes)
}

// budgetKey holds the document's *budget in its parser context, so parser
// extensions can refuse work whose output could never fit.
var budgetKey = parser.NewContextKey()

// budget is the buffer goldmark renders into. It takes bytes until the
// limit and then nothing more, so an amplifying document costs no more
// than its budget to render, and nothing to sanitise.
type budget struct {
	buf   bytes.Buffer
	limit int
	over  bool
	// promised is the least HTML the parser's nodes so far will render
	// to, counted for the nodes that are costly to make (table cells,
	// heading ids), so the parser can stop making them once it is over.
	promised int
	// highlighted counts the bytes of code highlighted so far; plainCode
	// turns highlighting off (highlight.go).
	highlighted int
	plainCode   bool
}

func newBudget(sourceLen int) *budget {
	return &budget{limit: outputBudget(sourceLen)}
}

func budgetOf(pc parser.Context) *budget {
	b, _ := pc.Get(budgetKey).(*budget)
	return b
}

// fits reports whether n more bytes fit, and marks the budget spent when
// they do not.
func (b *budget) fits(n int) bool {
	if b.over || b.buf.Len()+n > b.limit {
		b.over = true
		return false
	}
	return true
}

func (b *budget) Write(p []byte) (int, error) {
	if !b.fits(len(p)) {
		return 0, ErrTooLarge
	}
	return b.buf.Write(p)
}

func (b *budget) WriteString(s string) (int, error) {
	if !b.fits(len(s)) {
		return 0, ErrTooLarge
	}
	return b.buf.WriteString(s)
}

func (b *budget) WriteByte(c byte) error {
	if !b.fits(1) {
		return ErrTooLarge
	}
	return b.buf.WriteByte(c)
}

func (b *budget) WriteRune(r rune) (int, error) {
	if !b.fits(utf8.RuneLen(r)) {
		return 0, ErrTooLarge
	}
	return b.buf.WriteRune(r)
}

// Available, Buffered and Flush make budget a util.BufWriter, which
// goldmark then writes to directly instead of through a bufio.Writer.
func (b *budget) Available() int { return max(b.limit-b.buf.Len(), 0) }
func (b *budget) Buffered() int  { return 0 }
func (b *budget) Flush() error {
	if b.over {
		return ErrTooLarge
	}
	return nil
}

// promise counts n bytes of HTML the parser is about to commit to and
// reports whether they can fit the budget, marking it spent when not.
func (b *budget) promise(n int) bool {
	b.promised += n
	if b.promised > b.limit {
		b.over = true
	}
	return !b.over
}

// minCellHTML is the least HTML a table cell renders to: "<td></td>\n".
const minCellHTML = len("<td></td>\n")

// chargeTable counts the cells goldmark would make of the table in
// paragraph lines and reports whether they can fit the budget. GFM pads
// every row to the delimiter row's width, so a wide delimiter row over many
// short lines makes rows x columns cells: 100 columns over 20 KB of lines
// are a million cells and ten megabytes of HTML. Counting first keeps such
// a table from ever being built.
func (b *budget) chargeTable(lines *text.Segments, source []byte) bool {
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		cols := delimiterColumns(seg.Value(source))
		if cols == 0 {
			continue
		}
		return b.promise(cols * (lines.Len() - i + 1) * minCellHTML) // the header and the rows below
	}
	return true
}

// delimiterColumns is the number of columns of a GFM delimiter row such as
// "|:--|---:|", or 0 when line is not one. It errs towards seeing a row,
// which only makes the count an upper bound.
func delimiterColumns(line []byte) int {
	line = bytes.TrimSpace(line)
	dash, other := false, false
	for _, c := range line {
		switch c {
		case '-':
			dash = true
		case '|', ':', ' ', '\t':
			other = true
		default:
			return 0
		}
	}
	if !dash || !other { // only dashes: a rule or a setext underline
		return 0
	}
	line = bytes.TrimPrefix(line, []byte("|"))
	line = bytes.TrimSuffix(line, []byte("|"))
	return bytes.Count(line, []byte("|")) + 1
}

// minHeadingHTML is the least HTML a heading with an id renders to:
// <h1 id="a">a <a class="anchor" href="#a" aria-hidden="true">#</a></h1>.
const minHeadingHTML = 60

// stopWhenOver ends the walk of a document whose budget is spent, so the
// rest of a large tree is not visited for output that is thrown away.
func stopWhenOver(w any) (ast.WalkStatus, error) {
	if b, ok := w.(*budget); ok && b.over {
		return ast.WalkStop, ErrTooLarge
	}
	return ast.WalkContinue, nil
}
