package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"quire/models"
)

// conflictWorld is a published post two sessions opened at one version;
// "theirs" saved first, so "yours" (the second) meets a conflict.
type conflictWorld struct {
	a           *testApp
	p           models.Post
	id, version string
	yours       *client
}

const (
	theirBody = "First line stays.\nThe quick brown fox jumps.\nLast line stays.\n"
	yourBody  = "First line stays.\nThe quick red fox jumps.\nLast line stays.\n"
)

// newConflict saves theirBody as theirs (signed in as theirs) and returns
// yours signed in as yours, its form still at the old version.
func newConflict(t *testing.T, theirs, yours string) conflictWorld {
	a := newApp(t)
	author := a.createUser("author", "author")
	if theirs != "author" {
		ed := a.createUser(theirs, "editor")
		a.db.MustExec(`UPDATE users SET display_name = 'Grace Hopper' WHERE id = $1`, ed.ID)
	}
	p := a.newPost(author, "Shared", true)
	w := conflictWorld{a: a, p: p, id: strconv.FormatInt(p.ID, 10), version: strconv.Itoa(p.Version)}
	them := a.client()
	them.login(theirs, strongPassword)
	wantStatus(t, them.post("/posts/"+w.id, w.form(theirBody, w.version)), http.StatusSeeOther)
	w.yours = a.client()
	w.yours.login(yours, strongPassword)
	return w
}

func (w conflictWorld) form(body, version string) url.Values {
	return url.Values{"title": {"Shared"}, "body": {body}, "tags": {"testing"}, "version": {version}}
}

// conflict posts yours over the old version: a 409 with the editor.
func (w conflictWorld) conflict(t *testing.T, headers ...string) *response {
	t.Helper()
	res := w.yours.post("/posts/"+w.id, w.form(yourBody, w.version), headers...)
	wantStatus(t, res, http.StatusConflict)
	return res
}

func TestConflictShowsWordDiff(t *testing.T) {
	t.Parallel()
	w := newConflict(t, "author", "author")
	for _, hx := range [][]string{nil, {"HX-Request", "true"}} {
		res := w.conflict(t, hx...)
		if len(hx) > 0 == strings.Contains(strings.ToLower(res.body), "<!doctype") {
			t.Fatalf("HX-Request %v: page or fragment is wrong: %.200s", hx, res.body)
		}
		diff := res.doc.Find(`[data-testid="conflict-body"]`)
		// Theirs against yours, words within the line: only the word differs.
		if got := diff.Find("del").Text(); got != "[removed: brown]" {
			t.Errorf("del = %q, want theirs' word alone, labelled", got)
		}
		if got := diff.Find("ins").Text(); got != "[added: red]" {
			t.Errorf("ins = %q, want yours' word alone, labelled", got)
		}
		if !strings.Contains(diff.Text(), "The quick ") || !strings.Contains(diff.Text(), " fox jumps.") {
			t.Errorf("the unchanged words are not shown: %q", diff.Text())
		}
		if res.doc.Find(`[data-testid="conflict-title"]`).Length() != 0 {
			t.Error("an unchanged title is shown as a difference")
		}
		legend := res.doc.Find(".diff-legend").Text()
		if !strings.Contains(legend, "only in the saved copy (theirs)") || !strings.Contains(legend, "only in your text (yours)") {
			t.Errorf("legend = %q", legend)
		}
		if res.doc.Find(`textarea[name="body"]`).Text() != yourBody {
			t.Error("your text is not kept in the form")
		}
		for _, choice := range []string{"keep-mine", "take-theirs", "edit-merge"} {
			if res.doc.Find(`[data-testid="`+choice+`"]`).Length() != 1 {
				t.Errorf("no %s choice", choice)
			}
		}
	}
	if got := w.a.postByID(w.p.ID).Body; got != theirBody {
		t.Fatalf("the conflict changed the stored body: %q", got)
	}
}

func TestConflictSaysWhoSaved(t *testing.T) {
	t.Parallel()
	same := newConflict(t, "author", "author")
	if who := same.conflict(t).doc.Find(`[data-testid="conflict-who"]`).Text(); !strings.Contains(who, "You, in another tab or device, saved it at") {
		t.Errorf("same account: %q", who)
	}
	other := newConflict(t, "grace", "author")
	who := other.conflict(t, "HX-Request", "true").doc.Find(`[data-testid="conflict-who"]`).Text()
	if !strings.Contains(who, "Grace Hopper saved it at") || strings.Contains(who, "another tab") {
		t.Errorf("another account: %q", who)
	}
}

func TestConflictKeepMine(t *testing.T) {
	t.Parallel()
	for _, hx := range [][]string{nil, {"HX-Request", "true"}} {
		w := newConflict(t, "author", "author")
		res := w.conflict(t, hx...)
		v, _ := res.doc.Find(`input[name="version"]`).Attr("value")
		if v == w.version {
			t.Fatal("the conflict form still carries the old version")
		}
		// Keep mine is the form's own submit: yours, at their version.
		keep := res.doc.Find(`form#post button[type="submit"][data-testid="keep-mine"]`)
		if keep.Length() != 1 {
			t.Fatal("no Keep mine button in the form")
		}
		if _, ok := keep.Attr("formaction"); ok {
			t.Fatal("Keep mine posts elsewhere than the form")
		}
		saved := w.yours.post("/posts/"+w.id, w.form(yourBody, v), hx...)
		if len(hx) > 0 {
			wantStatus(t, saved, http.StatusOK)
		} else {
			wantStatus(t, saved, http.StatusSeeOther)
		}
		if got := w.a.postByID(w.p.ID).Body; got != yourBody {
			t.Fatalf("HX %v: Keep mine stored %q", hx, got)
		}
	}
}

func TestConflictTakeTheirs(t *testing.T) {
	t.Parallel()
	for _, hx := range [][]string{nil, {"HX-Request", "true"}} {
		w := newConflict(t, "author", "author")
		res := w.conflict(t, hx...)
		btn := res.doc.Find(`[data-testid="take-theirs"]`)
		action, _ := btn.Attr("formaction")
		if hxPost, _ := btn.Attr("hx-post"); len(hx) > 0 && hxPost != action {
			t.Fatalf("inline Take theirs posts to %q, the plain form to %q", hxPost, action)
		}
		if _, ok := btn.Attr("data-editor-discard"); !ok {
			t.Error("Take theirs does not drop the browser's copy")
		}
		v, _ := res.doc.Find(`input[name="version"]`).Attr("value")
		got := w.yours.post(action, w.form(yourBody, v), hx...)
		if len(hx) > 0 {
			wantStatus(t, got, http.StatusOK)
		} else {
			wantStatus(t, got, http.StatusSeeOther)
			got = w.yours.get(got.Header.Get("Location"))
		}
		if body := got.doc.Find(`textarea[name="body"]`).Text(); body != theirBody {
			t.Fatalf("HX %v: the editor holds %q, not the saved copy", hx, body)
		}
		if got.doc.Find(`[data-testid="conflict"]`).Length() != 0 {
			t.Error("the conflict is still shown after taking theirs")
		}
		if b := w.a.postByID(w.p.ID).Body; b != theirBody {
			t.Fatalf("Take theirs changed the stored body: %q", b)
		}
	}
}

func TestConflictEditMerge(t *testing.T) {
	t.Parallel()
	for _, hx := range [][]string{nil, {"HX-Request", "true"}} {
		w := newConflict(t, "author", "author")
		res := w.conflict(t, hx...)
		action, _ := res.doc.Find(`[data-testid="edit-merge"]`).Attr("formaction")
		v, _ := res.doc.Find(`input[name="version"]`).Attr("value")
		merge := w.yours.post(action, w.form(yourBody, v), hx...)
		wantStatus(t, merge, http.StatusOK)
		want := "First line stays.\n<<<<<<< theirs\nThe quick brown fox jumps.\n=======\nThe quick red fox jumps.\n>>>>>>> yours\nLast line stays.\n"
		if body := merge.doc.Find(`textarea[name="body"]`).Text(); body != want {
			t.Fatalf("HX %v: merge text %q", hx, body)
		}
		if merge.doc.Find(`[data-testid="merge-note"]`).Length() != 1 {
			t.Error("no note says how to edit the merge")
		}
		if b := w.a.postByID(w.p.ID).Body; b != theirBody {
			t.Fatalf("opening a merge saved %q", b)
		}
		// The author edits the merge and saves it over theirs.
		mv, _ := merge.doc.Find(`input[name="version"]`).Attr("value")
		merged := "First line stays.\nThe quick brown-red fox jumps.\nLast line stays.\n"
		saved := w.yours.post("/posts/"+w.id, w.form(merged, mv), hx...)
		if saved.StatusCode != http.StatusOK && saved.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving the merge: %d", saved.StatusCode)
		}
		if b := w.a.postByID(w.p.ID).Body; b != merged {
			t.Fatalf("HX %v: the merge was not saved: %q", hx, b)
		}
	}
}
