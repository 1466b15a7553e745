package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"quire/models"
)

// TestBrowserInvitedContributorReview: an admin invites a contributor from
// the invitations table; the contributor accepts through the mailed link,
// writes a draft and submits it (no Publish button); the admin returns it
// from the Review table with a note the contributor then sees, and approves
// it once submitted again: readers can read it.
func TestBrowserInvitedContributorReview(t *testing.T) {
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)

	boss := a.browser(t)
	boss.signIn("boss")
	boss.open("/admin/invitations")
	boss.click("[data-testid=table-create]")
	boss.wait("the invitation form", `!!document.querySelector("#f-email")`)
	boss.typeText("#f-email", "cora@example.com", true)
	boss.run("choose the role", chromedp.SetValue("#f-role", models.RoleContributor, chromedp.ByQuery))
	boss.click("#form-page button[type=submit]")
	boss.wait("the invitation is listed", `location.pathname === "/admin/invitations" &&
		document.querySelector("[data-testid=admin-list]")?.textContent.includes("cora@example.com")`)
	token, _ := a.mailedToken(inviteLinkRE)

	cora := a.browser(t)
	cora.open("/invitations/" + token)
	cora.typeText("#f-username", "cora", true)
	cora.typeText("#f-password", strongPassword, true)
	cora.click("#form-page button[type=submit]")
	cora.wait("signed in as cora", `!!document.querySelector('header nav a[href="/@cora"]')`)

	cora.open("/posts/new")
	cora.typeText("#f-title", "My first piece", true)
	cora.typeText("#f-body", "Hello, readers.", true)
	cora.click("[data-testid=save]")
	cora.wait("the draft is saved", `location.pathname === "/posts/my-first-piece/edit"`)
	submit := func() {
		t.Helper()
		cora.open("/posts/my-first-piece")
		if cora.count("[data-testid=publish]") != 0 {
			t.Fatal("a contributor is offered Publish")
		}
		cora.click("[data-testid=submit]")
		cora.wait("submitted", `document.querySelector("[data-testid=post-status]")?.textContent.trim() === "submitted"`)
	}
	submit()

	boss.open("/admin/review")
	boss.wait("the post waits for review", `document.querySelector("[data-testid=admin-list]")?.textContent.includes("My first piece")`)
	boss.click("[data-testid=row-return]")
	boss.wait("the return asks for a note", `!!document.querySelector("[data-testid=confirm-reason]")`)
	boss.typeText("[data-testid=confirm-reason]", "Say who you are in the first line.", true)
	boss.click("[data-testid=confirm-submit]")
	boss.wait("the queue is empty", `!!document.querySelector("[data-testid=admin-empty]")`)
	if m := a.smtp.Next(t, 5*time.Second); m.To[0] != "cora@example.com" {
		t.Errorf("the return mail went to %v", m.To)
	}

	cora.open("/posts/my-first-piece")
	if note := cora.text("[data-testid=review-note]"); note != "Returned by an editor: Say who you are in the first line." {
		t.Errorf("the contributor sees the note as %q", note)
	}
	submit()

	boss.open("/admin/review")
	boss.click("[data-testid=row-approve]")
	boss.wait("approved", `document.querySelector("[data-testid=admin-notice]")?.textContent.includes("Approved and published 1")`)
	if res := a.client().get("/posts/my-first-piece"); res.StatusCode != http.StatusOK {
		t.Errorf("readers get %d for the approved post", res.StatusCode)
	}
}
