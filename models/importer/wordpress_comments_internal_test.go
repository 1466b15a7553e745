package importer

import "testing"

// WordPress's comment_approved values map to Quire's states.
func TestCommentStatus(t *testing.T) {
	for in, want := range map[string]string{"1": "approved", "0": "held", "spam": "spam", "trash": "trash",
		"post-trashed": "trash", "other": ""} {
		if got := commentStatus(in); got != want {
			t.Errorf("commentStatus(%q) = %q, want %q", in, got, want)
		}
	}
}
