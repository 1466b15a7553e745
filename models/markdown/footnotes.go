package markdown

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// Footnotes render as goldmark's do, with ids of one plain shape: a note is
// "fn-2", its first reference "fnref-2" and a later one "fnref-2-1". Unlike
// goldmark's "fn:2" they need no escaping in a selector, and no heading can
// take them (heading ids start "h-").
//
//	text<sup id="fnref-1"><a href="#fn-1" class="footnote-ref" role="doc-noteref">1</a></sup>
//	<div class="footnotes" role="doc-endnotes"><hr><ol><li id="fn-1"><p>Note.&#160;<a href="#fnref-1"
//	class="footnote-backref" role="doc-backlink" aria-label="Back to reference 1">↩︎</a></p></li></ol></div>

func writeFootnoteRefID(w util.BufWriter, index, refIndex int) {
	_, _ = w.WriteString("fnref-")
	_, _ = w.WriteString(strconv.Itoa(index))
	if refIndex > 0 {
		_ = w.WriteByte('-')
		_, _ = w.WriteString(strconv.Itoa(refIndex))
	}
}

func renderFootnoteLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	if s, err := stopWhenOver(w); err != nil {
		return s, err
	}
	n := node.(*east.FootnoteLink)
	is := strconv.Itoa(n.Index)
	_, _ = w.WriteString(`<sup id="`)
	writeFootnoteRefID(w, n.Index, n.RefIndex)
	_, _ = w.WriteString(`"><a href="#fn-`)
	_, _ = w.WriteString(is)
	_, _ = w.WriteString(`" class="footnote-ref" role="doc-noteref">`)
	_, _ = w.WriteString(is)
	_, _ = w.WriteString(`</a></sup>`)
	return ast.WalkContinue, nil
}

func renderFootnoteBacklink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*east.FootnoteBacklink)
	_, _ = w.WriteString(`&#160;<a href="#`)
	writeFootnoteRefID(w, n.Index, n.RefIndex)
	// The arrow alone would be read out as "right arrow curving left".
	_, _ = w.WriteString(`" class="footnote-backref" role="doc-backlink" aria-label="Back to reference `)
	_, _ = w.WriteString(strconv.Itoa(n.Index))
	if n.RefIndex > 0 { // the note's second reference is "1-2", as GitHub counts
		_ = w.WriteByte('-')
		_, _ = w.WriteString(strconv.Itoa(n.RefIndex + 1))
	}
	_, _ = w.WriteString(`">&#x21a9;&#xfe0e;</a>`)
	return ast.WalkContinue, nil
}

func renderFootnote(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		_, _ = w.WriteString("</li>\n")
		return ast.WalkContinue, nil
	}
	if s, err := stopWhenOver(w); err != nil {
		return s, err
	}
	_, _ = w.WriteString(`<li id="fn-`)
	_, _ = w.WriteString(strconv.Itoa(node.(*east.Footnote).Index))
	_, _ = w.WriteString("\">\n")
	return ast.WalkContinue, nil
}
