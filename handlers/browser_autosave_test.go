package handlers_test

import (
	"strings"
	"testing"

	"quire/models"
	"quire/views/urls"
)

// A new post autosaves from its first words into one draft, and the address
// bar moves to that draft's editor; a published post's typing is kept as
// pending changes that a reload brings back, while readers see the post.
func TestBrowserEveryEditorAutosaves(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	b := a.browser(t)
	b.signIn("alice")
	count := func() int { return a.postCount(alice.ID) }

	b.open(urls.NewPost())
	b.fullPage("the new-post editor")
	b.typeText(`[name=title]`, "Fresh", false)
	b.typeText("[data-testid=body]", "First words.", false)
	b.wait("the first autosave", `document.querySelector("[data-testid=save-status]").textContent.includes("Saved at")`)
	if n := count(); n != 1 {
		t.Fatalf("after the first autosave: %d posts, want 1", n)
	}
	var id int64
	if err := a.db.Get(&id, `SELECT id FROM posts WHERE author_id = $1`, alice.ID); err != nil {
		t.Fatal(err)
	}
	if got := b.path(); got != urls.PostEditor(id) {
		t.Errorf("address after the first autosave = %q, want %q", got, urls.PostEditor(id))
	}
	b.typeText("[data-testid=body]", " More.", false)
	b.wait("the second autosave", `document.querySelector("#post-version").value === "2"`)
	if n := count(); n != 1 {
		t.Fatalf("after the second autosave: %d posts, want 1", n)
	}
	if got := storedBrowserPost(a, id); got.Body != "First words. More." {
		t.Errorf("the draft's body = %q", got.Body)
	}

	// A title alone is a start worth keeping too.
	b.open(urls.NewPost())
	b.fullPage("another new-post editor")
	b.typeText(`[name=title]`, "Only a title", false)
	b.wait("the title's autosave", `document.querySelector("[data-testid=save-status]").textContent.includes("Saved at")`)
	if n := count(); n != 2 {
		t.Fatalf("after a title's autosave: %d posts, want 2", n)
	}

	p := seedBrowserPost(a, alice, models.PostInput{Title: "Public", Body: "As published."}, true)
	b.open(urls.EditPost(p.Slug))
	b.fullPage("the editor")
	b.typeText("[data-testid=body]", " Unsaved.", false)
	b.wait("the pending autosave", `document.querySelector("[data-testid=save-status]").textContent.includes("Changes kept")`)
	if got := storedBrowserPost(a, p.ID); got.Body != "As published." || got.Version != p.Version {
		t.Fatalf("autosave changed the published post: %q version %d", got.Body, got.Version)
	}
	b.open(urls.EditPost(p.Slug))
	if got := b.value("[data-testid=body]"); got != "As published. Unsaved." {
		t.Errorf("the editor after a reload shows %q", got)
	}
	if got := b.text("[data-testid=pending-note]"); !strings.Contains(got, "Unsaved changes from") {
		t.Errorf("pending note = %q", got)
	}
}
