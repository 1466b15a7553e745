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
	var b strings.Builder
	for _, st := range byLine(diffmatchpatch.New(), theirs, yours) {
		if st.changed() {
			b.WriteString(MarkStart + theirLabel + "\n")
			b.WriteString(endLine(st.del))
			b.WriteString(MarkSplit + "\n")
			b.WriteString(endLine(st.ins))
			b.WriteString(MarkEnd + yourLabel + "\n")
		}
		b.WriteString(st.same)
	}
	return b.String()
}

func endLine(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
