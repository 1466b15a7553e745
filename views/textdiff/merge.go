package textdiff

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Marker lines of Conflicted: where both texts differ, the merge holds
// both, between them. They are the ones git writes, which editors and
// people who have merged before recognise.
const (
	MarkStart = "<<<<<<< "
	MarkSplit = "======="
	MarkEnd   = ">>>>>>> "
)

// Conflicted is a text to edit into a merge of theirs and yours: the lines
// both share once, and for each stretch where they differ both versions,
// theirs first, between marker lines naming them.
func Conflicted(theirs, yours, theirLabel, yourLabel string) string {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = lineTimeout
	r1, r2, lines := dmp.DiffLinesToRunes(theirs, yours)
	ds := dmp.DiffCharsToLines(dmp.DiffMainRunes(r1, r2, false), lines)
	var b strings.Builder
	for i := 0; i < len(ds); {
		if ds[i].Type == diffmatchpatch.DiffEqual {
			b.WriteString(ds[i].Text)
			i++
			continue
		}
		var th, yo strings.Builder
		for ; i < len(ds) && ds[i].Type != diffmatchpatch.DiffEqual; i++ {
			if ds[i].Type == diffmatchpatch.DiffDelete {
				th.WriteString(ds[i].Text)
			} else {
				yo.WriteString(ds[i].Text)
			}
		}
		b.WriteString(MarkStart + theirLabel + "\n")
		b.WriteString(endLine(th.String()))
		b.WriteString(MarkSplit + "\n")
		b.WriteString(endLine(yo.String()))
		b.WriteString(MarkEnd + yourLabel + "\n")
	}
	return b.String()
}

func endLine(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
