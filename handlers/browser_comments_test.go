package handlers_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"

	"quire/models"
)

// settle waits until htmx's last swap has settled: a person does not
// click what appeared within htmx's 20 ms settle, before it is live.
func settle(b *browserTab) {
	b.t.Helper()
	b.wait("the swap settled", `!document.querySelector(".htmx-settling, .htmx-swapping, .htmx-request")`)
}

// pastMinFill waits out the comment form's minimum fill time, as a person
// writing takes longer than it.
func pastMinFill() { time.Sleep(3200 * time.Millisecond) }

// TestBrowserComments: with JavaScript a new commenter's comment is held
// and says so in place; once approved it shows, and their next one shows at
// once; Reply opens the form under the comment (Cancel reply closes it) and
// the reply swaps in under its parent; the post's author approves a held
// comment from the post page in place. No page loads on the way, and the
// shared copy still holds nothing of the commenter's.
func TestBrowserComments(t *testing.T) {
	a := newApp(t)
	ada := a.createUser("ada", models.RoleAuthor)
	p := seedBrowserPost(a, ada, models.PostInput{Title: "Swifts are back", Body: "Screaming over the roofs."}, true)
	a.createUser("grace", models.RoleContributor)
	a.createUser("bob", models.RoleContributor)

	b := a.browser(t)
	b.signIn("grace")
	b.open("/posts/" + p.Slug)
	b.fullPage("the post")
	b.mark()
	b.typeText("#f-body", "What a *sound*.", true)
	pastMinFill()
	b.click(`[data-testid="comment-form"] button[type=submit]`)
	b.wait("the held notice", `document.querySelector("[data-testid=comment-notice]")?.textContent.includes("held for moderation")`)
	if !b.marked() || b.count(`[data-testid="comment"]`) != 0 {
		t.Fatalf("a held comment: page loaded (%v) or shown (%d)", !b.marked(), b.count(`[data-testid="comment"]`))
	}

	a.approveAll(p.ID)
	b.open("/posts/" + p.Slug)
	b.wait("the approved comment", `document.querySelector("[data-testid=comment] em")?.textContent === "sound"`)
	b.mark()
	b.typeText("#f-body", "And they nest here.", true)
	pastMinFill()
	b.click(`[data-testid="comment-form"] button[type=submit]`)
	b.wait("the second comment shown at once", `document.querySelectorAll("[data-testid=comment]").length === 2`)
	if got := b.text("[data-testid=comment-notice]"); got != "Thank you. Your comment is published." || !b.marked() {
		t.Errorf("the second comment: notice %q, in place %v", got, b.marked())
	}

	var first int64
	a.db.Get(&first, `SELECT min(id) FROM comments`)
	slot := "#reply-" + strconv.FormatInt(first, 10)
	settle(b)
	b.click(slot + ` a[data-testid="reply"]`)
	b.wait("the reply form under the comment", `!!document.querySelector("`+slot+` [data-testid=reply-form] #f-reply-body")`)
	settle(b)
	b.click(slot + ` [data-testid="cancel-reply"]`)
	b.wait("the Reply link back", `!document.querySelector("`+slot+` form") && !!document.querySelector("`+slot+` a[data-testid=reply]")`)
	settle(b)
	b.click(slot + ` a[data-testid="reply"]`)
	b.wait("the reply form again", `!!document.querySelector("#f-reply-body")`)
	settle(b)
	b.typeText("#f-reply-body", "Mine too.", true)
	pastMinFill()
	settle(b)
	b.click(`[data-testid="reply-form"] button[type=submit]`)
	b.wait("the reply under its parent", `document.querySelector("#comment-`+strconv.FormatInt(first, 10)+`")?.parentElement.querySelector(".comment-replies [data-testid=comment]")?.textContent.includes("Mine too.")`)
	if !b.marked() || b.path() != "/posts/"+p.Slug || b.count("header.site-header") != 1 {
		t.Errorf("the reply loaded a page, moved to %s, or swapped a whole page in (%d headers)", b.path(), b.count("header.site-header"))
	}

	res, shared := a.rawGet("/posts/"+p.Slug, "")
	if s := string(shared); strings.Contains(s, `name="_csrf"`) || strings.Contains(s, "Commenting as") || len(res.Header.Values("Set-Cookie")) > 0 ||
		!strings.Contains(s, "Mine too.") {
		t.Errorf("the shared copy after grace commented: a token, her form or a cookie, or without her reply")
	}

	bb := a.browser(t)
	bb.signIn("bob")
	bb.open("/posts/" + p.Slug)
	bb.typeText("#f-body", "First from bob.", true)
	pastMinFill()
	bb.click(`[data-testid="comment-form"] button[type=submit]`)
	bb.wait("bob's comment held", `document.querySelector("[data-testid=comment-notice]")?.textContent.includes("held")`)

	ab := a.browser(t)
	ab.signIn("ada")
	ab.open("/posts/" + p.Slug)
	ab.wait("the held comment for its author", `document.querySelector("[data-testid=held-comment]")?.textContent.includes("First from bob.")`)
	ab.mark()
	settle(ab)
	ab.click(`[data-testid="held-comment"] form:first-of-type button`)
	ab.wait("approved in place", `!document.querySelector("[data-testid=held-comment]") && [...document.querySelectorAll("[data-testid=comment]")].some(e => e.textContent.includes("First from bob."))`)
	if !ab.marked() || ab.count("header.site-header") != 1 {
		t.Errorf("Approve loaded a page, or swapped a whole page in, instead of the comments")
	}
}

// TestBrowserCommentsNoJS: with JavaScript off a comment posts as a plain
// form and the page says it is held; Reply is a link to a page with the
// form under the comment, and the reply lands at its permalink.
func TestBrowserCommentsNoJS(t *testing.T) {
	a := newApp(t)
	ada := a.createUser("ada", models.RoleAuthor)
	p := seedBrowserPost(a, ada, models.PostInput{Title: "Swifts are back", Body: "Screaming over the roofs."}, true)
	a.createUser("grace", models.RoleContributor)

	b := a.browser(t)
	b.run("disable JavaScript", emulation.SetScriptExecutionDisabled(true))
	b.signIn("grace")
	b.open("/posts/" + p.Slug)
	b.typeText("#f-body", "Plainly said.", true)
	pastMinFill()
	b.click(`[data-testid="comment-form"] button[type=submit]`)
	b.wait("the post again, saying the comment is held", `document.readyState === "complete" && document.body.textContent.includes("held for moderation")`)
	b.fullPage("the post after commenting")

	a.approveAll(p.ID)
	var first int64
	a.db.Get(&first, `SELECT min(id) FROM comments`)
	b.open("/posts/" + p.Slug)
	b.click(`#reply-` + strconv.FormatInt(first, 10) + ` a[data-testid="reply"]`)
	b.wait("the reply page", `location.pathname.endsWith("/reply") && document.readyState === "complete" && !!document.querySelector("#f-reply-body")`)
	b.fullPage("the reply page")
	b.typeText("#f-reply-body", "Answering myself.", true)
	pastMinFill()
	settle(b)
	b.click(`[data-testid="reply-form"] button[type=submit]`)
	b.wait("the post at the reply", `location.pathname === "/posts/`+p.Slug+`" && location.hash.startsWith("#comment-") && document.readyState === "complete"`)
	if got := b.text(`.comment-replies [data-testid=comment] .comment-body`); got != "Answering myself." {
		t.Errorf("the reply shows %q", got)
	}
	if b.is(`window.htmx`) {
		t.Error("scripts ran although JavaScript is disabled")
	}
}
