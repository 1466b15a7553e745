package handlers_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"quire/models"
)

// focused describes the focused element, for assertions and messages.
const focusedJS = `(e => e ? e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.dataset.testid ? "[" + e.dataset.testid + "]" : "") + " " + (e.textContent || "").trim().slice(0, 30) : "none")(document.activeElement)`

func (b *browserTab) focused() string { b.t.Helper(); return b.str(focusedJS) }

func (b *browserTab) key(k string) {
	b.t.Helper()
	b.run("press "+k, chromedp.KeyEvent(k))
}

// Focus follows the inline editor: into the title after Edit, back to the
// post's heading after Save and after Cancel. A skip link comes first.
func TestBrowserFocusInlineEditor(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "First title", Body: "Some text."}, true)
	b := a.browser(t)
	b.signIn("alice")
	b.open("/posts/" + p.Slug)
	b.fullPage("the post")

	b.key(kb.Tab)
	if got := b.focused(); got != "a Skip to content" {
		t.Errorf("the first Tab focuses %q, want the skip link", got)
	}
	b.key(kb.Enter)
	b.wait("main focused", `document.activeElement === document.querySelector("main")`)

	for _, leave := range []string{"save", "cancel"} {
		b.click("[data-testid=edit]")
		b.wait("the editor", `!!document.querySelector("form#post #f-title")`)
		b.wait("focus in the title after Edit", `document.activeElement?.id === "f-title"`)
		b.click("[data-testid=" + leave + "]")
		b.wait("the post after "+leave, `!!document.querySelector("article#post")`)
		b.wait("focus on the heading after "+leave, `document.activeElement === document.querySelector("article#post h1")`)
	}
}

// In an admin table, sorting keeps focus on the sort link (in the new
// table); Escape closes a cell editor (focus back on its Edit link) and a
// confirmation.
func TestBrowserFocusAdminTable(t *testing.T) {
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)
	for i := range 5 {
		a.createUser(fmt.Sprintf("writer%d", i), models.RoleAuthor)
	}
	b := a.browser(t)
	b.signIn("boss")
	b.open("/admin/users")
	b.fullPage("the users table")

	b.click("[data-testid=sort-username]")
	b.wait("sorted", `document.querySelector("[data-testid=sort-username]")?.closest("th").getAttribute("aria-sort") === "ascending"`)
	b.wait("focus on the sort link", `document.activeElement?.dataset.testid === "sort-username" && document.activeElement.isConnected`)

	b.click("[data-testid=edit-role]")
	b.wait("the cell editor", `document.activeElement?.dataset.testid === "editor-value"`)
	// As a person would, Escape comes after the editor's swap has settled
	// (htmx focuses it during the swap, 20 ms before): focus.js restores
	// focus for the last request that settled.
	b.wait("the cell editor settled", `!document.querySelector(".htmx-settling, .htmx-request")`)
	b.key(kb.Escape)
	b.wait("the cell editor closed", `!document.querySelector("[data-testid=cell-editor]")`)
	b.wait("focus on the cell's Edit link", `document.activeElement?.dataset.testid === "edit-role"`)

	b.click("a[data-testid=row-suspend]")
	b.wait("the confirmation", `!!document.querySelector("[data-testid=confirm]")`)
	b.key(kb.Escape)
	b.wait("the confirmation closed", `!document.querySelector("[data-testid=confirm]") && !!document.querySelector("[data-testid=admin-list]")`)
	if got := b.focused(); got == "body " || got == "none" {
		t.Errorf("focus after closing the confirmation: %q", got)
	}
}

// Typing in a live search box (the readers' and the admin's) replaces the
// history entry rather than pushing one per pause: Back leaves the search.
func TestBrowserLiveSearchHistory(t *testing.T) {
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	for i := range 3 {
		seedBrowserPost(a, boss, models.PostInput{Title: fmt.Sprintf("Garden %d", i), Body: "Gardens and more gardens."}, true)
	}
	b := a.browser(t)
	b.signIn("boss")
	for _, tc := range []struct{ page, input, results string }{
		{"/search", "[data-testid=search-input]", "[data-testid=result-count]"},
		{"/admin/users", "[data-testid=admin-search]", "[data-testid=admin-count]"},
	} {
		b.open("/")
		b.fullPage("home")
		b.open(tc.page)
		b.fullPage(tc.page)
		before := b.num(`history.length`)
		for i, word := range []string{"gar", "den", "s"} {
			b.typeText(tc.input, word, false)
			b.wait(fmt.Sprintf("search %d answered", i), `location.search.includes("q=")`)
			want := []string{"gar", "garden", "gardens"}[i]
			b.wait("the address says "+want, `new URLSearchParams(location.search).get("q") === `+jsString(want))
		}
		if after := b.num(`history.length`); after != before {
			t.Errorf("%s: history grew from %d to %d entries while typing", tc.page, before, after)
		}
		b.back()
		b.wait("Back leaves the search", `location.pathname === "/" && document.readyState === "complete"`)
	}
}

// "Load more" appends the next page in place, moves focus to the first new
// post, brings the pager below the list to that page, and keeps one
// history entry; Back from a post found there returns to it.
func TestBrowserLoadMoreKeepsPlace(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	for i := range 25 {
		seedBrowserPost(a, alice, models.PostInput{Title: fmt.Sprintf("Post number %02d", i), Body: "Words."}, true)
	}
	b := a.browser(t)
	b.viewport(1280, 700)
	b.open("/")
	b.fullPage("home")
	if got := b.text("#pager-label"); got != "Page 1 of 3" {
		t.Fatalf("pager %q", got)
	}
	before := b.num(`history.length`)
	b.click("[data-testid=load-more]")
	b.wait("20 posts", `document.querySelectorAll("#posts li.post-item").length === 20`)
	b.wait("focus on the first new post", `document.activeElement === document.querySelectorAll("#posts li.post-item h2 a")[10]`)
	if got, next := b.text("#pager-label"), b.str(`document.querySelector("#pager-next")?.getAttribute("href") ?? ""`); got != "Page 2 of 3" || next != "/?page=3" {
		t.Errorf("pager after Load more: %q, next %q; want page 2 of 3 and /?page=3", got, next)
	}
	if after := b.num(`history.length`); after != before || b.path() != "/?page=2" {
		t.Errorf("after Load more: %s, history %d → %d entries", b.path(), before, after)
	}

	// A post far down the list, then Back.
	title := b.text("#posts li.post-item:nth-child(17) h2 a")
	b.eval(`document.querySelectorAll("#posts li.post-item")[16].scrollIntoView(), true`, new(bool))
	b.click("#posts li.post-item:nth-child(17) h2 a")
	b.wait("the post", `document.querySelector("[data-testid=post-title]")?.textContent === `+jsString(title))
	b.back()
	b.wait("back on the list, at that post", `location.pathname === "/" && document.readyState === "complete" && document.activeElement?.textContent === `+jsString(title))
	if !b.is(`(r => r.top >= 0 && r.bottom <= innerHeight)(document.activeElement.getBoundingClientRect())`) {
		t.Errorf("the post %q is not on screen after Back", title)
	}
}
