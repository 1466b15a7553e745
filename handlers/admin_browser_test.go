package handlers_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quire/models"
)

// seedAdminBrowser makes the admin "boss", 1,000 users and 1,000 posts.
func seedAdminBrowser(t *testing.T, a *testApp) {
	t.Helper()
	ctx := context.Background()
	a.createUser("boss", models.RoleAdmin)
	r := rand.New(rand.NewPCG(7, 11))
	if n, _, err := a.users.SeedUsers(ctx, 1000, r); err != nil || n < 990 {
		t.Fatalf("seeded %d users: %v", n, err)
	}
	var authors []int64
	if err := a.db.Select(&authors, `SELECT id FROM users WHERE role = 'author'`); err != nil {
		t.Fatal(err)
	}
	if _, err := (&models.PostModel{DB: a.db}).SeedPosts(ctx, 1000, authors, nil, r); err != nil {
		t.Fatal(err)
	}
}

// firstCellJS is the username in the first row of the admin table.
const firstCellJS = `(document.querySelector('[data-testid=admin-list] tbody tr td[data-column=username]')?.textContent ?? "").trim()`

// TestAdminBrowserTable drives /admin/users in Chromium over 1,000 seeded
// accounts: sort by a header, search as you type, filter, page, and Back
// restoring the previous state; the table swaps in place every time.
func TestAdminBrowserTable(t *testing.T) {
	a := newApp(t)
	seedAdminBrowser(t, a)
	if _, err := a.db.Exec(`UPDATE users SET state = 'suspended' WHERE
		id IN (SELECT id FROM users WHERE username LIKE '%lovelace%' ORDER BY id LIMIT 3) OR
		id IN (SELECT id FROM users WHERE role = 'author' ORDER BY id LIMIT 4)`); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := a.db.Get(&total, `SELECT count(*) FROM users`); err != nil {
		t.Fatal(err)
	}
	b := a.browser(t)
	b.signIn("boss")
	b.open("/admin/users")
	b.fullPage("the users table")
	if got := b.text("[data-testid=admin-count]"); got != fmt.Sprintf("1–20 of %s users", adminThousands(total)) {
		t.Fatalf("count %q", got)
	}
	b.mark()

	// Sort by clicking a header; clicking again reverses.
	var first, last string
	if err := a.db.Get(&first, `SELECT username FROM users ORDER BY username, id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := a.db.Get(&last, `SELECT username FROM users ORDER BY username DESC, id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	b.click("[data-testid=sort-username]")
	b.wait("sorted by username", `location.search === "?sort=username" && `+firstCellJS+` === `+jsString(first))
	b.click("[data-testid=sort-username]")
	b.wait("sorted by username, descending", `location.search === "?sort=-username" && `+firstCellJS+` === `+jsString(last))
	if !b.is(`document.querySelector('th[aria-sort=descending] [data-testid=sort-username]')`) {
		t.Error("the sorted header is not marked")
	}

	// Search as you type: one request after the pause, not one per key.
	var matches int
	if err := a.db.Get(&matches, `SELECT count(*) FROM users WHERE username ILIKE '%lovelace%' OR email ILIKE '%lovelace%'`); err != nil {
		t.Fatal(err)
	}
	before := len(b.requests("/admin/users"))
	b.typeText("[data-testid=admin-search]", "lovelace", true)
	b.wait("search results", `location.search === "?q=lovelace&sort=-username" && `+
		`document.querySelector('[data-testid=admin-list]').dataset.total === "`+strconv.Itoa(matches)+`"`)
	if n := len(b.requests("/admin/users")) - before; n > 2 {
		t.Errorf("%d requests for one typed word: the search is not debounced", n)
	}
	if b.value("[data-testid=admin-search]") != "lovelace" {
		t.Error("the search box lost what was typed")
	}

	// Filter: the search and sort stay, the filter joins them.
	b.run("filter suspended", chromedp.Evaluate(`(() => {
		const s = document.querySelector('[data-testid=filter-state]');
		s.value = "suspended"; s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, nil))
	var suspendedMatches int
	if err := a.db.Get(&suspendedMatches, `SELECT count(*) FROM users WHERE state = 'suspended' AND (username ILIKE '%lovelace%' OR email ILIKE '%lovelace%')`); err != nil {
		t.Fatal(err)
	}
	if suspendedMatches != 3 {
		t.Fatalf("%d suspended users match, want 3", suspendedMatches)
	}
	b.wait("filtered", `location.search === "?q=lovelace&sort=-username&state=suspended" && `+
		`document.querySelector('[data-testid=admin-list]').dataset.total === "`+strconv.Itoa(suspendedMatches)+`"`)
	if !b.marked() {
		t.Error("a page load happened: the table did not swap in place")
	}

	// Page, then Back and Forward: each restores its state from the URL.
	b.open("/admin/users?sort=username")
	b.fullPage("sorted users")
	page1 := b.str(firstCellJS)
	b.mark()
	b.click("[data-testid=page-next]")
	b.wait("page 2", `location.search === "?page=2&sort=username" && `+firstCellJS+` !== `+jsString(page1))
	if got := b.text("[data-testid=admin-count]"); got != fmt.Sprintf("21–40 of %s users", adminThousands(total)) {
		t.Errorf("page 2 count %q", got)
	}
	page2 := b.str(firstCellJS)
	b.click("[data-testid=per-page-50]")
	b.wait("50 a page", `location.search === "?per_page=50&sort=username" && document.querySelectorAll('[data-testid=admin-list] tbody tr').length === 50`)
	if !b.marked() {
		t.Error("paging reloaded the page")
	}
	b.run("back", chromedp.NavigateBack())
	b.wait("back on page 2", `location.search === "?page=2&sort=username" && `+firstCellJS+` === `+jsString(page2))
	b.fullPage("page 2 after Back")
	b.run("back", chromedp.NavigateBack())
	b.wait("back on page 1", `location.search === "?sort=username" && `+firstCellJS+` === `+jsString(page1))
	if !b.is(`document.querySelector('th[aria-sort=ascending] [data-testid=sort-username]')`) {
		t.Error("Back lost the sort")
	}
	b.run("forward", chromedp.NavigateForward())
	b.wait("forward to page 2", `location.search === "?page=2&sort=username" && `+firstCellJS+` === `+jsString(page2))
}

// TestAdminBrowserBulkAndInline: select all on the page, hide them in bulk
// after a confirmation listing them, and change a role in place.
func TestAdminBrowserBulkAndInline(t *testing.T) {
	a := newApp(t)
	seedAdminBrowser(t, a)
	b := a.browser(t)
	b.signIn("boss")

	b.open("/admin/posts?status=published")
	b.fullPage("published posts")
	b.mark()
	b.click("[data-testid=select-page]")
	if n := b.count("input[name=id][form=bulk-form]:checked"); n != 20 {
		t.Fatalf("%d rows selected, want the 20 on the page", n)
	}
	if got := b.text("[data-selected-count]"); got != "20 selected" {
		t.Errorf("selected count %q", got)
	}
	var chosen []int64
	b.eval(`Array.from(document.querySelectorAll('input[name=id][form=bulk-form]')).map(e => Number(e.value))`, &chosen)
	b.run("choose hide", chromedp.SetValue("[data-testid=bulk-action]", "hide", chromedp.ByQuery))
	b.click("[data-testid=bulk-selected]")
	b.wait("the confirmation", `!!document.querySelector('[data-testid=confirm]')`)
	if h := b.text("#confirm-heading"); h != "Hide 20 posts?" {
		t.Errorf("heading %q", h)
	}
	if n := b.count("[data-testid=confirm-rows] tbody tr"); n != 20 {
		t.Errorf("confirmation lists %d posts", n)
	}
	b.typeText("[data-testid=confirm-reason]", "Spam campaign", true)
	b.click("[data-testid=confirm-submit]")
	b.wait("the notice", `document.querySelector('[data-testid=admin-notice]')?.textContent === "Hid 20 posts."`)
	if !b.marked() {
		t.Error("the bulk action reloaded the page")
	}
	var hidden, audited int
	ids := make([]string, len(chosen))
	for i, id := range chosen {
		ids[i] = strconv.FormatInt(id, 10)
	}
	if err := a.db.Get(&hidden, `SELECT count(*) FROM posts WHERE status = 'hidden' AND hidden_reason = 'Spam campaign'
		AND id = ANY(string_to_array($1, ',')::bigint[])`, strings.Join(ids, ",")); err != nil {
		t.Fatal(err)
	}
	if err := a.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'hide' AND model = 'posts'`); err != nil {
		t.Fatal(err)
	}
	if hidden != 20 || audited != 20 {
		t.Errorf("%d posts hidden, %d audited; want 20 and 20", hidden, audited)
	}

	// Inline role change.
	var u models.User
	if err := a.db.Get(&u, `SELECT id, username FROM users WHERE role = 'author' ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	b.open("/admin/users?q=" + u.Username)
	b.fullPage("one user")
	b.mark()
	cell := fmt.Sprintf("#cell-users-%d-role", u.ID)
	b.click(cell + " [data-testid=edit-role]")
	b.wait("the editor", `!!document.querySelector(`+jsString(cell+" [data-testid=editor-value]")+`)`)
	b.run("choose admin", chromedp.SetValue(cell+" [data-testid=editor-value]", "admin", chromedp.ByQuery))
	b.click(cell + " [data-testid=editor-save]")
	b.wait("the saved role", `document.querySelector(`+jsString(cell+" .badge")+`)?.textContent === "admin"`)
	if !b.marked() {
		t.Error("the inline edit reloaded the page")
	}
	var role string
	if err := a.db.Get(&role, `SELECT role FROM users WHERE id = $1`, u.ID); err != nil || role != "admin" {
		t.Errorf("role %q, %v", role, err)
	}
}

func adminThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
