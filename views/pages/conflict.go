package pages

import (
	"strings"

	"quire/views/textdiff"
)

// ConflictView is a save that lost the version race: the saved copy
// (theirs) against the form's text (yours), field by field.
type ConflictView struct {
	Version int    // the saved copy's, which the form now carries
	Who     string // "you, in another tab or device", a name, or "" when not known
	Updated string // when theirs was saved
	// What differs from theirs to yours, by field (unchanged fields have
	// no change in their Diff).
	Title, Body, Tags, Excerpt textdiff.Diff
	// Merging: the body holds both versions where they differ (Edit a
	// merge), for the author to edit.
	Merging bool
}

// FieldDiff is one field's comparison, named for the author.
type FieldDiff struct {
	Label string
	Diff  textdiff.Diff
}

// id names the field in test ids: "body".
func (f FieldDiff) id() string { return strings.ToLower(f.Label) }

// fields are the fields whose text differs.
func (c ConflictView) fields() []FieldDiff { return changedFields(c.Title, c.Body, c.Tags, c.Excerpt) }

// changedFields are the post's compared fields that changed, in the form's order.
func changedFields(title, body, tags, excerpt textdiff.Diff) []FieldDiff {
	var out []FieldDiff
	for _, f := range []FieldDiff{{"Title", title}, {"Body", body}, {"Tags", tags}, {"Excerpt", excerpt}} {
		if f.Diff.Changed() {
			out = append(out, f)
		}
	}
	return out
}

// savedBy says who made the saved copy, as the start of a sentence.
func (c ConflictView) savedBy() string {
	switch c.Who {
	case "":
		return "Someone (you in another tab or device, or another person)"
	case YouElsewhere:
		return "You, in another tab or device,"
	}
	return c.Who
}

// YouElsewhere is ConflictView.Who when the other save was the same account's.
const YouElsewhere = "you, in another tab or device"
