package markdown

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// maxSourceBytes is a backstop far above what callers accept (200,000
// characters is at most 800,000 bytes of UTF-8), so one oversized request
// cannot tie up a server rendering it.
const maxSourceBytes = 1 << 20

// maxLineNesting is how many block containers (quote markers and list
// markers) one line may open. For each container it opens, goldmark's block
// parser does work in proportion to the depth so far, so a line of 50,000
// ">" takes it tens of seconds; no real post nests anywhere near this deep.
const maxLineNesting = 32

// prepare makes the source goldmark sees: valid UTF-8, and no line opening
// more than maxLineNesting containers. Past that depth a marker is
// backslash-escaped, so the rest of the line renders as plain text. The
// check is line by line and does not know about code blocks, where such a
// line (if one ever existed) would show the added backslash.
func prepare(src string) []byte {
	source := []byte(strings.ToValidUTF8(src, "\uFFFD"))
	if !bytes.ContainsAny(source, ">-+*.)") {
		return source
	}
	var out []byte // allocated only if some line needs changing
	done := 0      // source[:done] is already in out
	for start := 0; start < len(source); {
		end := bytes.IndexByte(source[start:], '\n')
		if end < 0 {
			end = len(source)
		} else {
			end += start
		}
		if at := tooDeep(source[start:end]); at >= 0 {
			out = append(out, source[done:start+at]...)
			out = append(out, '\\')
			done = start + at
		}
		start = end + 1
	}
	if out == nil {
		return source
	}
	return append(out, source[done:]...)
}

// tooDeep returns the offset in line at which to insert a backslash so that
// the line opens at most maxLineNesting containers, or -1 when it is fine.
// It reads container prefixes the way CommonMark does, closely enough: ">"
// markers and list markers ("-", "+", "*", "1." or "1)" followed by a space
// or the end of the line), separated by spaces and tabs.
func tooDeep(line []byte) int {
	depth := 0
	for i := 0; ; {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return -1
		}
		next, escapeAt := containerMarker(line, i)
		if next < 0 {
			return -1
		}
		depth++
		if depth > maxLineNesting {
			if thematicBreak(line[i:]) {
				return -1 // "- - - - …" is a rule, however long
			}
			return escapeAt
		}
		i = next
	}
}

// containerMarker reports whether a quote or list marker starts at line[i]:
// where the text after it starts, and which byte a backslash must precede to
// turn it into plain text. next is -1 when there is no marker.
func containerMarker(line []byte, i int) (next, escapeAt int) {
	spaceOrEnd := func(j int) bool { return j == len(line) || line[j] == ' ' || line[j] == '\t' }
	switch c := line[i]; {
	case c == '>':
		return i + 1, i
	case c == '-' || c == '+' || c == '*':
		if spaceOrEnd(i + 1) {
			return i + 1, i
		}
	case '0' <= c && c <= '9':
		j := i
		for j < len(line) && j-i < 9 && '0' <= line[j] && line[j] <= '9' {
			j++
		}
		if j < len(line) && (line[j] == '.' || line[j] == ')') && spaceOrEnd(j+1) {
			return j + 1, j // "1\." is text; "\1." would still be a list
		}
	}
	return -1, -1
}

// thematicBreak reports whether s is only one of '-', '*' or '_' (three or
// more times) and spaces or tabs.
func thematicBreak(s []byte) bool {
	var mark byte
	n := 0
	for _, c := range s {
		switch {
		case c == ' ' || c == '\t' || c == '\r':
		case (c == '-' || c == '*' || c == '_') && (mark == 0 || c == mark):
			mark = c
			n++
		default:
			return false
		}
	}
	return n >= 3
}

// maxInlineBytes bounds the text goldmark parses as one inline run: a
// paragraph, a heading or a table cell. Several of its inline parsers
// (link destinations, emphasis and quote delimiters, raw HTML comments) can
// rescan the rest of the run for every opener, so a crafted 200,000-character
// paragraph costs minutes. Cut into runs of this size, the worst such post
// we know of costs about a second. Real paragraphs are a few hundred bytes.
const maxInlineBytes = 4 << 10

// splitLongParagraphs replaces a paragraph longer than maxInlineBytes with
// several consecutive ones, so the only visible change to such a wall of
// text is a paragraph break every 4 KiB or so. It runs after the link
// reference and table transformers, so definitions and tables are already
// taken out. Replacing the paragraph also stops a setext underline from
// turning 4 KiB of text into one heading.
type splitLongParagraphs struct{}

func (splitLongParagraphs) Transform(node *ast.Paragraph, reader text.Reader, _ parser.Context) {
	if linesLen(node.Lines()) > maxInlineBytes {
		splitIntoParagraphs(node, reader.Source())
	}
}

// limitATXHeadings parses ATX headings as goldmark does, then turns a
// heading longer than maxInlineBytes (a single line, so nothing any reader
// would call a heading) into paragraphs.
type limitATXHeadings struct {
	parser.BlockParser
}

func (p limitATXHeadings) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	p.BlockParser.Close(node, reader, pc)
	if linesLen(node.Lines()) > maxInlineBytes {
		splitIntoParagraphs(node, reader.Source())
	}
}

// SetOption passes parser options (automatic heading ids) to the heading
// parser it wraps.
func (p limitATXHeadings) SetOption(name parser.OptionName, value any) {
	if so, ok := p.BlockParser.(parser.SetOptioner); ok {
		so.SetOption(name, value)
	}
}

// limitTableCells runs the GFM table transformer and then makes any table
// cell longer than maxInlineBytes plain text, which is never inline-parsed.
// Registered just ahead of the extension's own transformer, it makes the
// tables; the extension's copy then finds nothing left to do. A table whose
// cells alone would spend the output budget is never made (budget.go).
type limitTableCells struct {
	table parser.ParagraphTransformer
}

func (l limitTableCells) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	if b := budgetOf(pc); b != nil && !b.chargeTable(node.Lines(), reader.Source()) {
		// The table could never fit the output budget, and Render refuses
		// the document. Dropping its lines keeps the extension's own
		// transformer, which runs next, from building it anyway.
		node.SetLines(text.NewSegments())
		return
	}
	parent, prev, next := node.Parent(), node.PreviousSibling(), node.NextSibling()
	l.table.Transform(node, reader, pc)
	// A table lands where the paragraph was, or after the lines before it.
	first := parent.FirstChild()
	if prev != nil {
		first = prev.NextSibling()
	}
	for n := first; n != nil && n != next; n = n.NextSibling() {
		if n.Kind() != east.KindTable {
			continue
		}
		for row := n.FirstChild(); row != nil; row = row.NextSibling() {
			for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
				lines := cell.Lines()
				if linesLen(lines) <= maxInlineBytes {
					continue
				}
				for i := 0; i < lines.Len(); i++ {
					cell.AppendChild(cell, ast.NewRawTextSegment(lines.At(i)))
				}
				cell.SetLines(text.NewSegments())
			}
		}
	}
}

func linesLen(lines *text.Segments) int {
	n := 0
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		n += seg.Stop - seg.Start
	}
	return n
}

// splitIntoParagraphs puts paragraphs of at most maxInlineBytes holding
// node's lines in node's place. A line too long for one paragraph is cut
// after a space, or else at a character boundary.
func splitIntoParagraphs(node ast.Node, source []byte) {
	parent := node.Parent()
	lines := node.Lines()
	var chunk *ast.Paragraph
	size := 0
	first := true
	flush := func() {
		if chunk != nil {
			parent.InsertBefore(parent, node, chunk)
		}
		chunk, size = nil, 0
	}
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		for seg.Stop > seg.Start {
			n := seg.Stop - seg.Start
			if size > 0 && size+n > maxInlineBytes {
				flush() // start the line in a paragraph of its own
			}
			if chunk == nil {
				chunk = ast.NewParagraph()
				// Only the first part keeps the blank line before it, which
				// is what decides whether a list is loose.
				chunk.SetBlankPreviousLines(first && node.HasBlankPreviousLines())
				first = false
			}
			if n <= maxInlineBytes {
				chunk.Lines().Append(seg)
				size += n
				break
			}
			cut := cutAt(source[seg.Start:seg.Stop], maxInlineBytes)
			chunk.Lines().Append(seg.WithStop(seg.Start + cut))
			flush()
			seg = text.NewSegment(seg.Start+cut, seg.Stop)
		}
	}
	flush()
	parent.RemoveChild(parent, node)
}

// cutAt returns where to cut line, which is longer than room, so that the
// first part fits in room: just after a space in the second half of room,
// or else at the last character boundary. It is always more than 0.
func cutAt(line []byte, room int) int {
	if i := bytes.LastIndexByte(line[:room], ' '); i >= room/2 {
		return i + 1
	}
	cut := room
	for cut > 1 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return cut
}
