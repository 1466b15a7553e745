package textdiff

import "strings"

// Fold is the diff with long unchanged stretches left out: each keeps
// context lines next to a change, and the lines between become one Skipped
// part. A stretch is folded only when that leaves out more than one line.
func (d Diff) Fold(context int) []Part {
	out := make([]Part, 0, len(d.Parts))
	for i, p := range d.Parts {
		if p.Kind != Same {
			out = append(out, p)
			continue
		}
		lines := strings.SplitAfter(p.Text, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		// The first line may end a changed line, the last may start one:
		// both belong to the change, beyond the context.
		keepHead, keepTail := context, context
		if i == 0 {
			keepHead = 0
		} else if !strings.HasSuffix(d.Parts[i-1].Text, "\n") {
			keepHead++
		}
		if i == len(d.Parts)-1 {
			keepTail = 0
		} else if !strings.HasSuffix(p.Text, "\n") {
			keepTail++
		}
		if len(lines)-keepHead-keepTail < 2 {
			out = append(out, p)
			continue
		}
		if head := strings.Join(lines[:keepHead], ""); head != "" {
			out = append(out, Part{Kind: Same, Text: head})
		}
		out = append(out, Part{Kind: Skipped, Lines: len(lines) - keepHead - keepTail})
		if tail := strings.Join(lines[len(lines)-keepTail:], ""); tail != "" {
			out = append(out, Part{Kind: Same, Text: tail})
		}
	}
	return out
}
