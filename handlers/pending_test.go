package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"quire/models"
	"quire/views/urls"
)

// TestPendingChanges: autosave on a published post keeps the text aside;
// readers (and the page's ETag) see nothing of it until Update; the editor
// brings it back with a note; Discard drops it; other accounts can neither
// read nor discard it, not even an admin who may edit the post.
func TestPendingChanges(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	a.createUser("other", "author")
	a.createUser("admin", "admin")
	p := a.newPost(author, "Public", true)
	c := a.client()
	c.login("author", strongPassword)
	reader := a.client()

	before := reader.get(urls.Post(p.Slug))
	wantStatus(t, before, http.StatusOK)
	etag := before.Header.Get("ETag")
	if etag == "" {
		t.Fatal("the post page has no ETag")
	}
	form := url.Values{"title": {"Public"}, "body": {"pending words"}, "tags": {"testing"}, "version": {strconv.Itoa(p.Version)}}
	res := c.post(urls.PostAutosave(p.ID), form, "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if got := res.doc.Find(`[data-testid="save-status"]`).Text(); !strings.Contains(got, "Changes kept at") {
		t.Fatalf("autosave status: %q", got)
	}

	after := reader.get(urls.Post(p.Slug))
	if got := after.Header.Get("ETag"); got != etag {
		t.Errorf("the public page's ETag moved: %s, was %s", got, etag)
	}
	if strings.Contains(after.body, "pending words") {
		t.Error("readers see pending changes")
	}
	if cur := a.postByID(p.ID); cur.Body != p.Body || cur.Version != p.Version || !cur.UpdatedAt.Equal(p.UpdatedAt) {
		t.Errorf("autosave changed the public row: version %d, body %q", cur.Version, cur.Body)
	}

	for name, res := range map[string]*response{
		"page":   c.get(urls.EditPost(p.Slug)),
		"inline": c.get(urls.PostEditor(p.ID), "HX-Request", "true"),
	} {
		wantStatus(t, res, http.StatusOK)
		if got := res.doc.Find(`[data-testid="body"]`).Text(); got != "pending words" {
			t.Errorf("%s editor body: %q", name, got)
		}
		if note := res.doc.Find(`[data-testid="pending-note"]`).Text(); !strings.Contains(note, "Unsaved changes from") {
			t.Errorf("%s editor: no pending note: %q", name, note)
		}
	}

	other := a.client()
	other.login("other", strongPassword)
	wantStatus(t, other.get(urls.PostEditor(p.ID), "HX-Request", "true"), http.StatusForbidden)
	wantStatus(t, other.post(urls.DiscardPending(p.ID), nil), http.StatusForbidden)
	admin := a.client()
	admin.login("admin", strongPassword)
	theirs := admin.get(urls.PostEditor(p.ID), "HX-Request", "true")
	wantStatus(t, theirs, http.StatusOK)
	if theirs.doc.Find(`[data-testid="pending-note"]`).Length() != 0 || theirs.doc.Find(`[data-testid="body"]`).Text() != p.Body {
		t.Errorf("an admin's editor shows the author's pending changes: %q", theirs.doc.Find(`[data-testid="body"]`).Text())
	}
	wantStatus(t, admin.post(urls.DiscardPending(p.ID), nil), http.StatusSeeOther)
	if !a.hasPending(p.ID, author.ID) {
		t.Fatal("another account discarded the pending changes")
	}

	wantStatus(t, c.post(urls.DiscardPending(p.ID), nil), http.StatusSeeOther)
	if a.hasPending(p.ID, author.ID) {
		t.Fatal("Discard kept the pending changes")
	}
	ed := c.get(urls.EditPost(p.Slug))
	if ed.doc.Find(`[data-testid="pending-note"]`).Length() != 0 || ed.doc.Find(`[data-testid="body"]`).Text() != p.Body {
		t.Errorf("after Discard the editor shows: %q", ed.doc.Find(`[data-testid="body"]`).Text())
	}

	// Update publishes what was pending and clears it.
	wantStatus(t, c.post(urls.PostAutosave(p.ID), form, "HX-Request", "true"), http.StatusOK)
	wantStatus(t, c.post(urls.SavePost(p.ID), form), http.StatusSeeOther)
	if a.hasPending(p.ID, author.ID) {
		t.Error("Update kept the pending changes")
	}
	if got := reader.get(urls.Post(p.Slug)); !strings.Contains(got.body, "pending words") || got.Header.Get("ETag") == etag {
		t.Error("readers do not see the updated post")
	}
}

// TestPendingConflict: pending changes started from a version someone
// has since saved over are a conflict on Update, not a silent overwrite.
func TestPendingConflict(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	a.createUser("admin", "admin")
	p := a.newPost(author, "Shared", true)
	c := a.client()
	c.login("author", strongPassword)
	form := url.Values{"title": {"Shared"}, "body": {"mine, pending"}, "version": {strconv.Itoa(p.Version)}}
	wantStatus(t, c.post(urls.PostAutosave(p.ID), form, "HX-Request", "true"), http.StatusOK)

	admin := a.client()
	admin.login("admin", strongPassword)
	wantStatus(t, admin.post(urls.SavePost(p.ID), url.Values{"title": {"Shared"}, "body": {"theirs"}, "version": {strconv.Itoa(p.Version)}}), http.StatusSeeOther)

	ed := c.get(urls.EditPost(p.Slug))
	v, _ := ed.doc.Find(`input[name="version"]`).Attr("value")
	if v != strconv.Itoa(p.Version) {
		t.Fatalf("the editor's version is %s, want the pending copy's base %d", v, p.Version)
	}
	res := c.post(urls.SavePost(p.ID), url.Values{"title": {"Shared"}, "body": {"mine, pending"}, "version": {v}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.doc.Find(`[data-testid="conflict-body"]`).Text(), "theirs") {
		t.Errorf("the conflict does not show the other save: %s", res.body)
	}
	if a.postByID(p.ID).Body != "theirs" {
		t.Error("the pending copy overwrote a newer save")
	}
}

func (a *testApp) hasPending(id, editorID int64) bool {
	a.t.Helper()
	_, err := (&models.PostModel{DB: a.db}).GetPending(context.Background(), id, editorID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		a.t.Fatal(err)
	}
	return err == nil
}

// TestDiscardTakesTheEditorForm: Discard without JavaScript posts the whole
// editor form, so it takes a long post's body as Save does.
func TestDiscardTakesTheEditorForm(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Long", true)
	c := a.client()
	c.login("author", strongPassword)
	form := url.Values{"title": {"Long"}, "body": {strings.Repeat("word ", 30_000)}, "version": {strconv.Itoa(p.Version)}}
	wantStatus(t, c.post(urls.PostAutosave(p.ID), form, "HX-Request", "true"), http.StatusOK)
	wantStatus(t, c.post(urls.DiscardPending(p.ID), form), http.StatusSeeOther)
	if a.hasPending(p.ID, author.ID) {
		t.Fatal("Discard kept the pending changes")
	}
}
