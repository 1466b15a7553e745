package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpnetwork "github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdptarget "github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"quire/models"
	"quire/views/urls"
)

// dialogs answers every JavaScript dialog in a tab with Cancel (stay on
// the page) and counts them by type.
type dialogs struct {
	mu    sync.Mutex
	types []string
}

func (b *browserTab) dismissDialogs() *dialogs {
	d := &dialogs{}
	chromedp.ListenTarget(b.root, func(ev any) {
		if ev, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			d.mu.Lock()
			d.types = append(d.types, string(ev.Type))
			d.mu.Unlock()
			// Not on the event loop: the answer is a command of its own.
			go func() { _ = chromedp.Run(b.ctx, page.HandleJavaScriptDialog(false)) }()
		}
	})
	return d
}

func (d *dialogs) seen() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.types...)
}

// waitDialog waits until the tab has shown n dialogs.
func (b *browserTab) waitDialog(d *dialogs, n int, what string) {
	b.t.Helper()
	b.run("wait for a dialog: "+what, chromedp.ActionFunc(func(ctx context.Context) error {
		for len(d.seen()) < n {
			if err := chromedp.Sleep(20 * time.Millisecond).Do(ctx); err != nil {
				return err
			}
		}
		return nil
	}))
}

// guardPost makes alice's post with body, published or a draft, and the
// key (a JavaScript string) of the browser's copy of its editor's text.
func guardPost(t *testing.T, body string, publish bool) (*testApp, models.Post, string) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "A post", Body: body}, publish)
	return a, p, jsString("quire:editor:" + strconv.FormatInt(p.ID, 10))
}

// forgive drops the problems seen so far that contain s: messages a test
// expects (htmx logs each failed request on the console).
func (b *browserTab) forgive(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var left []string
	for _, p := range b.problems {
		if !strings.Contains(p, s) {
			left = append(left, p)
		}
	}
	b.problems = left
}

var yourPosts = `header a[href="` + urls.Drafts() + `"]`

// Leaving an editor that holds unsaved changes asks first (htmx-boosted
// links with confirm, everything else with beforeunload); staying keeps the
// text. Saving and Cancel end the question.
func TestBrowserGuardLeaving(t *testing.T) {
	a, p, _ := guardPost(t, "Saved text.", true)

	b := a.browser(t)
	d := b.dismissDialogs()
	b.signIn("alice")

	// The full-page editor of a new post.
	b.open(urls.NewPost())
	b.fullPage("the new post's editor")
	b.mark()
	b.typeText("#f-body", "Words not saved yet.", true)
	b.click(yourPosts)
	b.waitDialog(d, 1, "a boosted link from /posts/new")
	if got := d.seen()[0]; got != "confirm" {
		t.Errorf("dialog = %q, want confirm", got)
	}
	if b.path() != urls.NewPost() || b.value("#f-body") != "Words not saved yet." || !b.marked() {
		t.Errorf("after staying: at %s with body %q (same page: %v)", b.path(), b.value("#f-body"), b.marked())
	}

	// A plain navigation (a typed address, a reload, a link htmx does not
	// boost) meets beforeunload.
	b.eval(`setTimeout(() => { location.href = "/"; }, 0), true`, new(bool))
	b.waitDialog(d, 2, "beforeunload from /posts/new")
	if got := d.seen()[1]; got != "beforeunload" {
		t.Errorf("dialog = %q, want beforeunload", got)
	}
	if b.path() != urls.NewPost() || b.value("#f-body") != "Words not saved yet." {
		t.Errorf("after staying: at %s with body %q", b.path(), b.value("#f-body"))
	}

	// Saving ends it: the draft's editor opens with no question asked, and
	// the browser's copy is gone.
	b.typeText("#f-title", "A new post", true)
	b.click("[data-testid=save]")
	b.wait("the saved draft's editor", `location.pathname === `+jsString(urls.EditPost("a-new-post")))
	b.fullPage("the saved draft's editor")
	if n := len(d.seen()); n != 2 {
		t.Errorf("saving asked %d more questions: %v", n-2, d.seen())
	}
	if b.is(`localStorage.getItem("quire:editor:new") !== null`) {
		t.Error("the browser's copy of the new post outlived its save")
	}

	// The inline editor of a published post.
	b.open(urls.Post(p.Slug))
	b.mark()
	b.click("[data-testid=edit]")
	b.wait("the editor", `!!document.querySelector("form#post #f-body")`)
	b.typeText("#f-body", " More words.", false)
	b.click(yourPosts)
	b.waitDialog(d, 3, "a boosted link from the inline editor")
	if got := d.seen()[2]; got != "confirm" {
		t.Errorf("dialog = %q, want confirm", got)
	}
	if got := b.value("#f-body"); got != "Saved text. More words." || !b.marked() || b.path() != urls.Post(p.Slug) {
		t.Errorf("after staying: at %s with body %q (same page: %v)", b.path(), got, b.marked())
	}

	// Cancel gives the changes up: leaving no longer asks.
	b.click("[data-testid=cancel]")
	b.wait("the post again", `!!document.querySelector("article#post")`)
	b.click(yourPosts)
	b.wait("your posts", `location.pathname === `+jsString(urls.Drafts()))
	if n := len(d.seen()); n != 3 {
		t.Errorf("leaving after Cancel asked: %v", d.seen())
	}
}

// What was typed survives the tab: typed offline into a published post's
// editor, the tab closed, the editor opened again in another tab offers it
// back; restoring and saving stores it and removes the browser's copy.
func TestBrowserGuardRestoresBackup(t *testing.T) {
	a, p, key := guardPost(t, "Saved text.", true)

	b := a.browser(t)
	b.signIn("alice")
	b.open(urls.EditPost(p.Slug))
	b.fullPage("the editor")
	b.run("go offline", cdpnetwork.Enable(), cdpnetwork.EmulateNetworkConditions(true, 0, -1, -1))
	b.typeText("#f-body", " Typed, never saved.", false)
	const want = "Saved text. Typed, never saved."

	// Another tab of the same browser sees the copy; then the first one
	// closes without a word (no beforeunload: the browser closes it).
	b2 := b.newTab()
	b2.open("/")
	b2.wait("the copy in storage", `JSON.parse(localStorage.getItem(`+key+`) || "{}").fields?.body === `+jsString(want))
	b.run("close the tab", chromedp.ActionFunc(func(ctx context.Context) error {
		return cdptarget.CloseTarget(chromedp.FromContext(b.root).Target.TargetID).Do(onBrowser(ctx))
	}))
	// Offline, its autosave failed if it fired before the close (on a busy
	// machine the wait above outlasts its delay): htmx logged that.
	b.forgive("htmx:sendError")
	b.forgive("htmx:afterRequest")
	if got := storedBrowserPost(a, p.ID); got.Body != "Saved text." {
		t.Fatalf("stored body %q: the test needs it unsaved", got.Body)
	}

	b2.open(urls.EditPost(p.Slug))
	b2.fullPage("the editor again")
	b2.wait("the offer", `!!document.querySelector("[data-testid=restore-offer]")`)
	if got := b2.text("[data-testid=restore]"); !strings.HasPrefix(got, "Restore what you typed at ") {
		t.Errorf("restore button = %q", got)
	}
	if got := b2.value("#f-body"); got != "Saved text." {
		t.Errorf("before restoring the field holds %q, want the server's text", got)
	}
	b2.click("[data-testid=restore]")
	if got := b2.value("#f-body"); got != want {
		t.Errorf("restored body = %q, want %q", got, want)
	}
	if b2.count("[data-testid=restore-offer]") != 0 {
		t.Error("the offer stayed after restoring")
	}

	b2.click("[data-testid=save]")
	b2.wait("the saved post", `!!document.querySelector("article#post")`)
	if got := storedBrowserPost(a, p.ID); got.Body != want {
		t.Errorf("stored body %q, want %q", got.Body, want)
	}
	if b2.is(`localStorage.getItem(` + key + `) !== null`) {
		t.Error("the browser's copy outlived the save")
	}

	// In the inline editor too; Discard declines the offer: the copy is
	// removed, the field keeps the server's text, and the next opening
	// offers nothing.
	b2.eval(`localStorage.setItem(`+key+`, JSON.stringify({version: document.querySelector("article#post").dataset.version,
		time: Date.now(), fields: {body: "Not wanted."}})), true`, new(bool))
	b2.click("[data-testid=edit]")
	b2.wait("the inline editor's offer", `!!document.querySelector("form#post [data-testid=restore-offer]")`)
	b2.click("[data-testid=restore-discard]")
	if b2.count("[data-testid=restore-offer]") != 0 || b2.value("#f-body") != want ||
		b2.is(`localStorage.getItem(`+key+`) !== null`) {
		t.Errorf("after Discard: offer shown %d, body %q, copy kept %v", b2.count("[data-testid=restore-offer]"),
			b2.value("#f-body"), b2.is(`localStorage.getItem(`+key+`) !== null`))
	}
	b2.click("[data-testid=cancel]")
	b2.wait("the post again", `!!document.querySelector("article#post")`)
	b2.click("[data-testid=edit]")
	b2.wait("the inline editor again", `!!document.querySelector("form#post #f-body")`)
	if b2.count("[data-testid=restore-offer]") != 0 {
		t.Error("an offer after Discard")
	}
}

// Autosave without a network keeps the text, says so, and keeps the
// browser's copy; the next autosave that reaches the site clears both.
func TestBrowserGuardAutosaveOffline(t *testing.T) {
	a, p, key := guardPost(t, "Draft text.", false)

	b := a.browser(t)
	d := b.dismissDialogs()
	b.signIn("alice")
	b.open(urls.EditPost(p.Slug))
	b.fullPage("the draft's editor")
	b.run("go offline", cdpnetwork.Enable(), cdpnetwork.EmulateNetworkConditions(true, 0, -1, -1))
	b.typeText("#f-body", " Offline words.", false)
	b.wait("the failure is explained", `document.querySelector("[data-testid=request-error]")?.textContent.includes("could not be reached")`)
	b.wait("the copy in storage", `JSON.parse(localStorage.getItem(`+key+`) || "{}").fields?.body === "Draft text. Offline words."`)
	if got := b.value("#f-body"); got != "Draft text. Offline words." {
		t.Errorf("body after the failed autosave = %q", got)
	}
	// Still unsaved: leaving asks.
	b.click(yourPosts)
	b.waitDialog(d, 1, "leaving after a failed autosave")

	b.run("go online", cdpnetwork.EmulateNetworkConditions(false, 0, -1, -1))
	b.typeText("#f-body", " Online.", false)
	b.wait("autosaved", `!document.querySelector("[data-testid=request-error]") && localStorage.getItem(`+key+`) === null`)
	if got := storedBrowserPost(a, p.ID); got.Body != "Draft text. Offline words. Online." {
		t.Errorf("stored body = %q", got.Body)
	}
	b.click(yourPosts)
	b.wait("your posts", `location.pathname === `+jsString(urls.Drafts()))
	if n := len(d.seen()); n != 1 {
		t.Errorf("leaving after the autosave asked: %v", d.seen())
	}
	b.forgive("htmx:") // htmx reports the failed request on the console: expected here
}

// Back from an editor reached by a boosted link is htmx's (popstate): it
// asks too, and staying keeps the editor at its address.
func TestBrowserGuardBack(t *testing.T) {
	a, _, _ := guardPost(t, "Saved text.", true)
	b := a.browser(t)
	d := b.dismissDialogs()
	b.signIn("alice")
	b.open("/")
	b.fullPage("home")
	b.mark()
	b.click(`header a[href="` + urls.NewPost() + `"]`)
	b.wait("the new post's editor", `location.pathname === `+jsString(urls.NewPost())+` && !!document.querySelector("#f-body")`)
	b.typeText("#f-body", "Words not saved yet.", true)
	b.back()
	b.waitDialog(d, 1, "Back from the editor")
	if got := d.seen()[0]; got != "confirm" {
		t.Errorf("dialog = %q, want confirm", got)
	}
	if b.path() != urls.NewPost() || b.value("#f-body") != "Words not saved yet." || !b.marked() {
		t.Errorf("after staying: at %s with body %q (same page: %v)", b.path(), b.value("#f-body"), b.marked())
	}
}
