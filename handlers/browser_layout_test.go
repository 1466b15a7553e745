package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quire/models"
)

// wideBody is a post whose table and code line are wider than any phone.
var wideBody = "Before the table.\n\n" +
	"| " + strings.Repeat("column | ", 12) + "\n|" + strings.Repeat("---|", 12) + "\n| " + strings.Repeat("a-long-cell-value | ", 12) + "\n\n" +
	"```\n" + strings.Repeat("a_very_long_line_of_code(", 12) + "\n```\n\n" +
	"> A quoted line.\n\nSome `inline code` too.\n"

// viewport sets the tab's window to a phone's or a laptop's width.
func (b *browserTab) viewport(w, h int64) {
	b.t.Helper()
	b.run("viewport", chromedp.EmulateViewport(w, h))
}

// sideways is how far the page scrolls sideways: 0 when nothing is wider
// than the screen.
const sidewaysJS = `document.documentElement.scrollWidth - document.documentElement.clientWidth`

// Wide tables and code scroll inside their own box on a 390 px phone; the
// editor's preview of them does not push the page sideways either; main
// keeps its top padding; quotes, tables and code are styled (issue 10,
// "Finish").
func TestBrowserLayoutFits(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Wide things", Body: wideBody}, true)
	b := a.browser(t)
	b.signIn("alice")
	for _, w := range []int64{390, 1280} {
		b.viewport(w, 900)
		b.open("/posts/" + p.Slug)
		b.fullPage("the post")
		if n := b.num(sidewaysJS); n > 0 {
			t.Errorf("%d px: the post scrolls %d px sideways", w, n)
		}
		if w == 390 && !b.is(`(t => t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX === "auto")(document.querySelector(".post-body table"))`) {
			t.Errorf("%d px: the table does not scroll in its own box", w)
		}
		if got := b.num(`parseFloat(getComputedStyle(document.querySelector("main")).paddingTop)`); got < 16 {
			t.Errorf("%d px: main's top padding is %d px", w, got)
		}
		for sel, css := range map[string]string{
			".post-body blockquote": "borderLeftWidth", ".post-body td": "borderTopWidth",
		} {
			if got := b.str(`getComputedStyle(document.querySelector(` + jsString(sel) + `)).` + css); got == "0px" {
				t.Errorf("%s is unstyled (%s %s)", sel, css, got)
			}
		}
		if got := b.str(`getComputedStyle(document.querySelector(".post-body p code")).backgroundColor`); got == "rgba(0, 0, 0, 0)" {
			t.Error("inline code has no background")
		}

		b.open("/posts/" + p.Slug + "/edit")
		b.fullPage("the editor")
		b.click("button[hx-post$=preview]")
		b.wait("the preview", `!!document.querySelector("#preview table")`)
		if n := b.num(sidewaysJS); n > 0 {
			t.Errorf("%d px: the editor with its preview scrolls %d px sideways", w, n)
		}
	}
}

// At 1,280 px every admin table shows each row's actions whole, without
// scrolling; the bulk action starts unchosen rather than on Delete.
func TestBrowserAdminTablesFit(t *testing.T) {
	a := newApp(t)
	seedAdminBrowser(t, a)
	b := a.browser(t)
	b.viewport(1280, 900)
	b.signIn("boss")
	for _, table := range []string{"users", "posts", "media", "invitations", "review", "audit"} {
		b.open("/admin/" + table)
		b.fullPage("the " + table + " table")
		if n := b.num(`(s => s.scrollWidth - s.clientWidth)(document.querySelector(".table-scroll"))`); n > 0 {
			t.Errorf("%s: the table is %d px wider than its box", table, n)
		}
		if n := b.num(sidewaysJS); n > 0 {
			t.Errorf("%s: the page scrolls %d px sideways", table, n)
		}
		if b.count("[data-testid=bulk-action]") > 0 {
			if got := b.value("[data-testid=bulk-action]"); got != "" {
				t.Errorf("%s: the bulk action starts on %q", table, got)
			}
		}
	}
}
