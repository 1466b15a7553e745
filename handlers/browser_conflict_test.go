package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	cdpnetwork "github.com/chromedp/cdproto/network"

	"quire/models"
	"quire/views/urls"
)

// A save that loses the race in the inline editor shows the saved copy
// against the author's text word by word, says it was them elsewhere, and
// each choice does what it says: Take theirs reopens the saved copy (and
// drops the browser's copy), Edit a merge puts both into the body and its
// edit saves, Keep mine saves over theirs.
func TestBrowserConflictChoices(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Shared", Body: "The quick brown fox.\n"}, true)
	id := strconv.FormatInt(p.ID, 10)
	key := jsString("quire:editor:" + id)

	// The other session: the same account, in another device.
	other := a.client()
	other.login("alice", strongPassword)
	otherSave := func(body string) {
		t.Helper()
		cur := storedBrowserPost(a, p.ID)
		form := url.Values{"title": {"Shared"}, "body": {body}, "version": {strconv.Itoa(cur.Version)}}
		wantStatus(t, other.post(urls.SavePost(p.ID), form), http.StatusSeeOther)
	}

	b := a.browser(t)
	b.signIn("alice")
	b.open(urls.Post(p.Slug))
	// conflict opens the inline editor, types, lets the other session save
	// theirs, and saves: the conflict comes back in place of the form.
	conflict := func(typed, theirs string) {
		t.Helper()
		b.click("[data-testid=edit]")
		b.wait("the inline editor", `!!document.querySelector("form#post #f-body")`)
		b.typeText("#f-body", typed, true)
		otherSave(theirs)
		b.click("[data-testid=save]")
		b.wait("the conflict", `!!document.querySelector("form#post [data-testid=conflict]")`)
		if got := b.value("#f-body"); got != typed {
			t.Fatalf("the form holds %q after the conflict, want what was typed", got)
		}
	}

	conflict("The quick red fox.\n", "The quick grey fox.\n")
	b.mark()
	if got := b.text("[data-testid=conflict-body] del"); got != "[removed: grey]" {
		t.Errorf("theirs' word = %q", got)
	}
	if got := b.text("[data-testid=conflict-body] ins"); got != "[added: red]" {
		t.Errorf("your word = %q", got)
	}
	if got := b.text("[data-testid=conflict-who]"); !strings.Contains(got, "You, in another tab or device, saved it") {
		t.Errorf("who = %q", got)
	}
	// Take theirs: the saved copy in the editor, the browser's copy gone.
	b.wait("the browser's copy", `localStorage.getItem(`+key+`) !== null`)
	b.click("[data-testid=take-theirs]")
	b.wait("the saved copy in the editor", `document.querySelector("#f-body")?.value === "The quick grey fox.\n" &&
		!document.querySelector("[data-testid=conflict]")`)
	if b.is(`localStorage.getItem(` + key + `) !== null`) {
		t.Error("the browser's copy outlived Take theirs")
	}
	if !b.marked() {
		t.Error("Take theirs loaded a page; want the editor swapped in place")
	}
	b.click("[data-testid=cancel]")
	b.wait("the post again", `!!document.querySelector("article#post")`)

	// Edit a merge: both texts in the body; the author's edit of it saves.
	conflict("The quick red fox.\n", "The slow grey fox.\n")
	b.click("[data-testid=edit-merge]")
	b.wait("the merge", `!!document.querySelector("[data-testid=merge-note]")`)
	if got := b.value("#f-body"); !strings.Contains(got, "<<<<<<< theirs\nThe slow grey fox.\n=======\nThe quick red fox.\n>>>>>>> yours") {
		t.Fatalf("merge text = %q", got)
	}
	if b.count("[data-testid=keep-mine]") != 0 {
		t.Error("Keep mine offered while merging")
	}
	b.typeText("#f-body", "The slow red fox.\n", true)
	b.click("[data-testid=save]")
	b.wait("the merged post", `!!document.querySelector("article#post")`)
	if got := storedBrowserPost(a, p.ID).Body; got != "The slow red fox.\n" {
		t.Errorf("stored after the merge: %q", got)
	}

	// Keep mine: yours over theirs.
	conflict("Mine wins.\n", "Theirs for a moment.\n")
	b.click("[data-testid=keep-mine]")
	b.wait("the saved post", `!!document.querySelector("article#post")`)
	if got := storedBrowserPost(a, p.ID).Body; got != "Mine wins.\n" {
		t.Errorf("stored after Keep mine: %q", got)
	}
	b.forgive("409") // htmx reports the 409s on the console: expected here
}

// A new post's copy in the browser follows it to its draft once the first
// autosave makes one: kept under the draft's id, never offered to the next
// new post.
func TestBrowserNewPostCopyMovesToDraft(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	b := a.browser(t)
	b.signIn("alice")
	b.open(urls.NewPost())
	b.fullPage("the new-post editor")
	b.typeText(`[name=title]`, "Fresh", false)
	b.typeText("#f-body", "First words.", false)
	b.wait("the first autosave", `document.querySelector("[data-testid=save-status]").textContent.includes("Saved at")`)
	var id int64
	if err := a.db.Get(&id, `SELECT id FROM posts WHERE author_id = $1`, alice.ID); err != nil {
		t.Fatal(err)
	}
	key := jsString("quire:editor:" + strconv.FormatInt(id, 10))
	if got := b.str(`document.querySelector("form[data-editor]").dataset.backupKey`); got != strconv.FormatInt(id, 10) {
		t.Errorf("the editor's backup key after the first autosave = %q", got)
	}

	// Typed on without a network: kept under the draft's key.
	b.run("go offline", cdpnetwork.Enable(), cdpnetwork.EmulateNetworkConditions(true, 0, -1, -1))
	b.typeText("#f-body", " Offline.", false)
	b.wait("the draft's copy", `JSON.parse(localStorage.getItem(`+key+`) || "{}").fields?.body === "First words. Offline."`)
	if b.is(`localStorage.getItem("quire:editor:new") !== null`) {
		t.Error("a copy is still kept as the new post's")
	}
	b.wait("the failed autosave", `document.querySelector("[data-testid=request-error]")?.textContent.includes("could not be reached")`)
	b.forgive("htmx:") // htmx reports the failed request on the console: expected here

	// Another tab of this browser: the next new post is offered nothing;
	// the draft's editor offers the words.
	b2 := b.newTab()
	b2.open(urls.NewPost())
	b2.fullPage("another new-post editor")
	if b2.count("[data-testid=restore-offer]") != 0 {
		t.Error("the next new post was offered the draft's words")
	}
	b2.open(urls.PostEditor(id))
	b2.fullPage("the draft's editor")
	b2.wait("the draft's offer", `!!document.querySelector("[data-testid=restore-offer]")`)
}
