package markdown

import (
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// maxTaskLabel bounds a checkbox's label (bytes of the item's text), so a
// long item is not written out twice in full.
const maxTaskLabel = 120

// renderTaskCheckBox writes a task list item's disabled checkbox, labelled
// for screen readers by the item's text: <input checked="" disabled=""
// type="checkbox" aria-label="Buy milk"> Buy milk. An item with no text is
// labelled "Task".
func renderTaskCheckBox(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*east.TaskCheckBox)
	if n.IsChecked {
		_, _ = w.WriteString(`<input checked="" disabled="" type="checkbox" aria-label="`)
	} else {
		_, _ = w.WriteString(`<input disabled="" type="checkbox" aria-label="`)
	}
	label := taskLabel(source, node)
	if label == "" {
		label = "Task"
	}
	_, _ = w.Write(util.EscapeHTML([]byte(label)))
	_, _ = w.WriteString(`"> `)
	return ast.WalkContinue, nil
}

// taskLabel is the plain text after the checkbox in its text block, spaces
// folded, at most maxTaskLabel bytes cut at a character boundary.
func taskLabel(source []byte, box ast.Node) string {
	var b strings.Builder
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		for ; n != nil && b.Len() < maxTaskLabel; n = n.NextSibling() {
			switch t := n.(type) {
			case *ast.Text:
				b.Write(t.Value(source))
				if t.SoftLineBreak() || t.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				if t.IsCode() { // the typographer's entities ("&rsquo;")
					b.WriteString(html.UnescapeString(string(t.Value)))
				} else {
					b.Write(t.Value)
				}
			case *ast.CodeSpan:
				for c := t.FirstChild(); c != nil; c = c.NextSibling() {
					if s, ok := c.(*ast.Text); ok {
						b.Write(s.Value(source))
					}
				}
			default:
				walk(n.FirstChild())
			}
		}
	}
	walk(box.NextSibling())
	label := strings.Join(strings.Fields(b.String()), " ")
	if len(label) > maxTaskLabel {
		label = strings.TrimSpace(label[:cutAt([]byte(label), maxTaskLabel)])
	}
	return label
}
