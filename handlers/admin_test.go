package handlers_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
)

func ownerOf(u models.User) sql.NullInt64 { return sql.NullInt64{Int64: u.ID, Valid: true} }

// adminApp is an app with an admin signed in on a client.
func adminApp(t *testing.T) (*testApp, *client, models.User) {
	t.Helper()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	c := a.client()
	c.login("boss", strongPassword)
	return a, c, boss
}

// auditRow is one audit log row as tests read it.
type auditRow struct {
	ActorID   *int64  `db:"actor_id"`
	ActorName string  `db:"actor_name"`
	Model     string  `db:"model"`
	ObjectID  int64   `db:"object_id"`
	Action    string  `db:"action"`
	Before    *string `db:"before"`
	After     *string `db:"after"`
	Note      string  `db:"note"`
}

func (a *testApp) audit() []auditRow {
	a.t.Helper()
	var rows []auditRow
	err := a.db.Select(&rows, `SELECT actor_id, actor_name, model, object_id, action, before::text, after::text, note
		FROM audit_log ORDER BY id`)
	if err != nil {
		a.t.Fatal(err)
	}
	return rows
}

// adminPost makes a post of author's through the model, published or draft.
func (a *testApp) adminPost(author models.User, title string, publish bool) models.Post {
	a.t.Helper()
	pm := &models.PostModel{DB: a.db}
	ctx := context.Background()
	p, err := pm.Insert(ctx, author.ID, models.PostInput{Title: title, Body: "Body of " + title})
	if err == nil && publish {
		p, err = pm.Publish(ctx, asAuthor(p), p.ID, p.Version)
	}
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

// storedPost reads a post back, even from the trash.
func (a *testApp) storedPost(id int64) models.Post {
	a.t.Helper()
	p, err := (&models.PostModel{DB: a.db}).GetAny(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

func (a *testApp) user(id int64) models.User {
	a.t.Helper()
	u, err := a.users.Get(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

func jsonOf(s *string) map[string]any {
	if s == nil {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(*s), &m)
	return m
}

func ids(vs ...int64) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(s, ",")
}

// TestAdminAccess: every admin route refuses anonymous visitors (sent to
// sign in), signed-in users (403) and suspended admins (their session ends,
// so they are sent to sign in); an admin gets every page. Nothing under
// /admin may be cached, refusals included.
func TestAdminAccess(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	user := a.createUser("someone", models.RoleAuthor)
	gone := a.createUser("gone_admin", models.RoleAdmin)
	target := a.createUser("target", models.RoleAuthor)
	post := a.adminPost(user, "A post", true)

	clients := map[string]*client{"anonymous": a.client(), "user": a.client(), "suspended": a.client(), "admin": a.client()}
	clients["anonymous"].get("/login")
	clients["user"].login("someone", strongPassword)
	clients["suspended"].login("gone_admin", strongPassword)
	clients["admin"].login("boss", strongPassword)
	a.suspend(gone.ID)
	setup := len(a.audit()) // the suspension above is not what this test checks

	uid, pid := strconv.FormatInt(target.ID, 10), strconv.FormatInt(post.ID, 10)
	routes := []struct {
		method, path string
		form         url.Values
		admin        int
	}{
		{"GET", "/admin", nil, 200},
		{"GET", "/admin/users", nil, 200},
		{"GET", "/admin/posts", nil, 200},
		{"GET", "/admin/media", nil, 200},
		{"GET", "/admin/audit", nil, 200},
		{"GET", "/admin/users/" + uid + "/suspend", nil, 200},
		{"GET", "/admin/users/" + uid + "/edit/role", nil, 200},
		{"GET", "/admin/users/" + uid + "/cell/role", nil, 200},
		{"GET", "/admin/posts/" + pid + "/hide", nil, 200},
		{"POST", "/admin/users/bulk", url.Values{"action": {"suspend"}, "id": {uid}}, 200},
		{"POST", "/admin/users/" + uid + "/suspend", url.Values{"confirm": {"1"}, "reason": {"spam"}}, 303},
		{"POST", "/admin/posts/" + pid + "/edit/title", url.Values{"value": {"Retitled"}, "version": {strconv.Itoa(post.Version)}}, 303},
		{"GET", "/admin/nonexistent", nil, 404},
	}
	for _, r := range routes {
		for _, who := range []string{"anonymous", "user", "suspended", "admin"} {
			c := clients[who]
			var res *response
			if r.method == "GET" {
				res = c.get(r.path)
			} else {
				form := url.Values{}
				for k, v := range r.form {
					form[k] = v
				}
				res = c.post(r.path, form)
			}
			want := map[string]int{"anonymous": 303, "user": 403, "suspended": 303, "admin": r.admin}[who]
			if res.StatusCode != want {
				t.Errorf("%s %s as %s: %d, want %d %s", r.method, r.path, who, res.StatusCode, want, res.doc.Find("h1").Text())
			}
			if want == 303 && who != "admin" && !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
				t.Errorf("%s %s as %s: Location %q, want the sign-in page", r.method, r.path, who, res.Header.Get("Location"))
			}
			if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s %s as %s: Cache-Control %q, want no-store", r.method, r.path, who, cc)
			}
		}
	}
	// Only the admin's two changes happened, each audited.
	if u := a.user(target.ID); u.State != models.StateSuspended || a.user(user.ID).State != models.StateActive {
		t.Errorf("state = %s", u.State)
	}
	if got := a.audit()[setup:]; len(got) != 2 || got[0].Action != "suspend" || got[1].Action != "edit" || got[0].ActorName != "boss" {
		t.Errorf("audit = %+v", got)
	}
	_ = boss
}

// TestAdminPages: full pages for a browser, the table fragment (with the
// URL to push) for htmx; admin pages are private to htmx's history too.
func TestAdminPages(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	for i := range 30 {
		a.createUser(fmt.Sprintf("member%02d", i), models.RoleAuthor)
	}
	page := c.get("/admin/users?sort=-username&per_page=20&page=2")
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`#page[hx-history="false"]`).Length() != 1 {
		t.Error("admin page is not marked hx-history=false")
	}
	if page.doc.Find(`script[src*="admin"]`).Length() != 1 {
		t.Error("admin script missing")
	}
	rows := page.doc.Find(`[data-testid="admin-list"] tbody tr`)
	if rows.Length() != 11 { // 31 accounts, 20 on page 1
		t.Errorf("%d rows on page 2, want 11", rows.Length())
	}
	if got := page.doc.Find(`[data-testid="admin-count"]`).Text(); got != "21–31 of 31 users" {
		t.Errorf("count = %q", got)
	}
	if v, _ := page.doc.Find(`#admin-filter-fields input[name="sort"]`).Attr("value"); v != "-username" {
		t.Errorf("filter form keeps sort %q", v)
	}
	if href, _ := page.doc.Find(`[data-testid="sort-username"]`).Attr("href"); href != "/admin/users?sort=username" {
		t.Errorf("header link %q, want ascending on page 1", href)
	}
	if s, _ := page.doc.Find(`th[aria-sort="descending"] a`).Attr("data-testid"); s != "sort-username" {
		t.Errorf("aria-sort on %q", s)
	}

	frag := c.get("/admin/users?q=member1&sort=username", "HX-Request", "true")
	wantStatus(t, frag, http.StatusOK)
	if frag.doc.Find("header.site-header").Length() != 0 || frag.doc.Find(`[data-testid="admin-list"]`).Length() != 1 {
		t.Error("htmx did not get the bare table fragment")
	}
	if got := frag.Header.Get("HX-Push-Url"); got != "/admin/users?q=member1&sort=username" {
		t.Errorf("HX-Push-Url = %q", got)
	}
	if got := c.get("/admin/users?sort=-joined&page=1", "HX-Request", "true").Header.Get("HX-Push-Url"); got != "/admin/users" {
		t.Errorf("HX-Push-Url = %q, want defaults left out", got)
	}
	if frag.doc.Find(`#admin-filter-fields[hx-swap-oob="true"]`).Length() != 1 {
		t.Error("fragment does not refresh the filter form's state out of band")
	}
	if n := frag.doc.Find(`[data-testid="admin-list"] tbody tr`).Length(); n != 10 {
		t.Errorf("search member1: %d rows", n)
	}
	if !slices.Contains(frag.Header.Values("Vary"), "HX-Request") {
		t.Errorf("Vary = %q", frag.Header.Values("Vary"))
	}
}

// TestAdminRejectsBadParameters: unknown keys and SQL in any parameter are
// a clear 400, never a database error; a search is only ever a search.
func TestAdminRejectsBadParameters(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	cases := []struct{ path, msg string }{
		{"/admin/users?sort=password_hash", `unknown sort key &#34;password_hash&#34;`},
		{"/admin/users?sort=" + url.QueryEscape("username;DROP TABLE users"), "unknown sort key"},
		{"/admin/posts?sort=" + url.QueryEscape("(SELECT 1)"), "unknown sort key"},
		{"/admin/users?page=" + url.QueryEscape("1 OR 1=1"), "page must be"},
		{"/admin/users?per_page=7", "per_page must be one of 20, 50, 100"},
		{"/admin/users?role=" + url.QueryEscape("admin' OR '1'='1"), "unknown role"},
		{"/admin/posts?status=deleted", "unknown status"},
		{"/admin/users?joined=" + url.QueryEscape("2024-01-01'::date"), "not a date"},
		{"/admin/audit?actor=" + url.QueryEscape("1;DELETE FROM audit_log"), "not an id"},
		{"/admin/media?used=maybe", "unknown in use"},
	}
	for _, tc := range cases {
		res := c.get(tc.path)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, tc.msg) {
			t.Errorf("GET %s: %d, want 400 saying %q", tc.path, res.StatusCode, tc.msg)
		}
	}
	res := c.get("/admin/users?q=" + url.QueryEscape("'; DROP TABLE users; --"))
	wantStatus(t, res, http.StatusOK)
	if res.doc.Find(`[data-testid="admin-empty"]`).Length() != 1 {
		t.Error("an injection attempt found rows")
	}
	if _, err := a.users.Get(context.Background(), 1); err != nil {
		t.Fatal("users table damaged:", err)
	}
	// Bulk forms refuse ids that are not ids and actions not declared.
	wantStatus(t, c.post("/admin/users/bulk", url.Values{"action": {"suspend"}, "id": {"1 OR 1=1"}}), http.StatusBadRequest)
	wantStatus(t, c.post("/admin/users/bulk", url.Values{"action": {"drop_table"}, "id": {"1"}}), http.StatusBadRequest)
	wantStatus(t, c.get("/admin/users/1/drop_table"), http.StatusNotFound)
	wantStatus(t, c.get("/admin/users/1/edit/password_hash"), http.StatusNotFound)
	wantStatus(t, c.get("/admin/audit/1/edit/note"), http.StatusNotFound)
}

// bulk posts a confirmed bulk action, as the confirmation form does.
func (c *client) bulk(table, action string, form url.Values, rowIDs ...int64) *response {
	c.a.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("action", action)
	form.Set("confirm", "1")
	form.Set("ids", ids(rowIDs...))
	return c.post("/admin/"+table+"/bulk", form)
}

// TestBulkConfirmThenApply: without JavaScript, choosing rows and an action
// shows a confirmation listing them; confirming changes exactly those rows,
// writes one audit row each, and reports what was done on the list.
func TestBulkConfirmThenApply(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	x := a.createUser("xavier", models.RoleAuthor)
	y := a.createUser("yolanda", models.RoleAuthor)
	z := a.createUser("zed", models.RoleAuthor)
	page := c.get("/admin/users?sort=username")
	wantStatus(t, page, http.StatusOK)
	back, _ := page.doc.Find(`#bulk-form input[name="back"]`).Attr("value")

	confirm := c.post("/admin/users/bulk", url.Values{"action": {"suspend"}, "id": {ids(x.ID), ids(y.ID)}, "back": {back}})
	wantStatus(t, confirm, http.StatusOK)
	listed := confirm.doc.Find(`[data-testid="confirm-rows"] tbody tr`)
	if listed.Length() != 2 || !strings.Contains(listed.Text(), "xavier") || !strings.Contains(listed.Text(), "yolanda") {
		t.Fatalf("confirmation lists %q", listed.Text())
	}
	if h := confirm.doc.Find("#confirm-heading").Text(); h != "Suspend 2 users?" {
		t.Errorf("heading %q", h)
	}
	if n := len(a.audit()); n != 0 {
		t.Fatal("asking for confirmation changed something")
	}
	// Without a reason it is refused in place.
	form := url.Values{"back": {back}}
	res := c.bulk("users", "suspend", form, x.ID, y.ID)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.doc.Find(`[data-testid="confirm-error"]`).Text() != "Give a reason." {
		t.Errorf("error %q", res.doc.Find(`[data-testid="confirm-error"]`).Text())
	}
	form.Set("reason", "Spam links")
	res = c.bulk("users", "suspend", form, x.ID, y.ID)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/users?sort=username" {
		t.Errorf("back to %q", loc)
	}
	list := c.get(res.Header.Get("Location"))
	if got := list.doc.Find(".flash.ok").Text(); got != "Suspended 2 users." {
		t.Errorf("notice %q", got)
	}
	if a.user(x.ID).State != models.StateSuspended || a.user(y.ID).State != models.StateSuspended ||
		a.user(z.ID).State != models.StateActive || a.user(boss.ID).State != models.StateActive {
		t.Error("suspension did not change exactly the chosen accounts")
	}
	log := a.audit()
	if len(log) != 2 {
		t.Fatalf("audit rows: %+v", log)
	}
	for i, id := range []int64{x.ID, y.ID} {
		e := log[i]
		if e.Model != "users" || e.ObjectID != id || e.Action != "suspend" || e.Note != "Spam links" ||
			*e.ActorID != boss.ID || e.ActorName != "boss" {
			t.Errorf("audit %d: %+v", i, e)
		}
		if b, af := jsonOf(e.Before), jsonOf(e.After); b["state"] != "active" || af["state"] != "suspended" ||
			af["suspended_reason"] != "Spam links" {
			t.Errorf("audit %d before %v after %v", i, b, af)
		}
	}

	// htmx: the same confirmation comes as a fragment, the result as the
	// table with a notice in place.
	frag := c.post("/admin/users/bulk", url.Values{"action": {"reactivate"}, "id": {ids(x.ID), ids(z.ID)}}, "HX-Request", "true")
	wantStatus(t, frag, http.StatusOK)
	if frag.doc.Find("header.site-header").Length() != 0 || frag.doc.Find(`[data-testid="confirm"]`).Length() != 1 {
		t.Fatal("htmx confirmation is not a fragment")
	}
	res = c.bulk("users", "reactivate", nil, x.ID, z.ID)
	wantStatus(t, res, http.StatusSeeOther)
	frag = c.post("/admin/users/bulk", url.Values{"action": {"reactivate"}, "confirm": {"1"}, "ids": {ids(y.ID)}}, "HX-Request", "true")
	wantStatus(t, frag, http.StatusOK)
	if got := frag.doc.Find(`[data-testid="admin-notice"]`).Text(); got != "Reactivated 1 user." {
		t.Errorf("htmx notice %q", got)
	}
	if a.user(y.ID).State != models.StateActive {
		t.Error("not reactivated")
	}
	if log := a.audit(); len(log) != 4 || log[2].ObjectID != x.ID || log[3].ObjectID != y.ID {
		t.Errorf("reactivation audit (zed was already active): %+v", log)
	}

	// Nothing selected: said in place.
	res = c.post("/admin/users/bulk", url.Values{"action": {"suspend"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.doc.Find(`[data-testid="admin-error"]`).Text(), "Select at least one user") {
		t.Error("no message for an empty selection")
	}
}

// TestBulkAllMatching acts on every row the search and filters match, not
// only the page shown.
func TestBulkAllMatching(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	var spam []int64
	for i := range 25 {
		spam = append(spam, a.createUser(fmt.Sprintf("spammer%02d", i), models.RoleAuthor).ID)
	}
	keep := a.createUser("keeper", models.RoleAuthor)
	back := "q=spammer&per_page=20"
	confirm := c.post("/admin/users/bulk", url.Values{"action": {"suspend"}, "all": {"1"}, "back": {back}})
	wantStatus(t, confirm, http.StatusOK)
	got, _ := confirm.doc.Find(`input[name="ids"]`).Attr("value")
	want := slices.Clone(spam)
	slices.Reverse(want) // the list's order: newest first
	if got != ids(want...) {
		t.Fatalf("all matching = %s", got)
	}
	if h := confirm.doc.Find("#confirm-heading").Text(); h != "Suspend 25 users?" {
		t.Errorf("heading %q", h)
	}
	res := c.bulk("users", "suspend", url.Values{"reason": {"spam"}, "back": {back}}, spam...)
	wantStatus(t, res, http.StatusSeeOther)
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM users WHERE state = 'suspended'`); err != nil || n != 25 {
		t.Errorf("%d suspended, want 25", n)
	}
	if a.user(keep.ID).State != models.StateActive || a.user(boss.ID).State != models.StateActive {
		t.Error("a row outside the search was suspended")
	}
	if len(a.audit()) != 25 {
		t.Errorf("%d audit rows, want 25", len(a.audit()))
	}
	page := c.get("/admin/users?q=spammer")
	if v := page.doc.Find(`[data-testid="bulk-all"]`).Text(); v != "Apply to all 25 matching" {
		t.Errorf("all-matching button %q", v)
	}
}

// TestInlineEdit: the editor opens in place, saves in place (200 with the
// new cell), refuses an invalid value in place (422) and a stale version
// (409), and every save is audited.
func TestInlineEdit(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	u := a.createUser("editable", models.RoleAuthor)
	path := fmt.Sprintf("/admin/users/%d/edit/role", u.ID)

	ed := c.get(path, "HX-Request", "true")
	wantStatus(t, ed, http.StatusOK)
	if ed.doc.Find(`form[data-testid="cell-editor"][hx-post]`).Length() != 1 || ed.doc.Find("header.site-header").Length() != 0 {
		t.Fatal("inline editor is not an htmx fragment")
	}
	version, _ := ed.doc.Find(`input[name="version"]`).Attr("value")

	bad := c.post(path, url.Values{"value": {"superuser"}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.doc.Find(`[data-testid="editor-error"]`).Text(), "Choose one of") {
		t.Error("no message beside an invalid role")
	}
	ok := c.post(path, url.Values{"value": {"admin"}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, ok, http.StatusOK)
	if got := ok.doc.Find(".badge").Text(); got != "admin" {
		t.Errorf("saved cell shows %q", got)
	}
	if a.user(u.ID).Role != models.RoleAdmin {
		t.Fatal("role not saved")
	}
	stale := c.post(path, url.Values{"value": {"author"}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, stale, http.StatusConflict)
	if !strings.Contains(stale.doc.Find(`[data-testid="editor-conflict"]`).Text(), "changed this user meanwhile") {
		t.Error("no conflict message")
	}
	newer, _ := stale.doc.Find(`input[name="version"]`).Attr("value")
	if newer == version || a.user(u.ID).Role != models.RoleAdmin {
		t.Errorf("conflict: version %s -> %s, role %s", version, newer, a.user(u.ID).Role)
	}
	log := a.audit()
	if len(log) != 1 || log[0].Action != "edit" || jsonOf(log[0].Before)["role"] != "author" ||
		jsonOf(log[0].After)["role"] != "admin" || *log[0].ActorID != boss.ID {
		t.Errorf("audit = %+v", log)
	}

	// Posts: the title, without JavaScript (a page, then a redirect back).
	p := a.adminPost(u, "Old title", true)
	tpath := fmt.Sprintf("/admin/posts/%d/edit/title", p.ID)
	page := c.get(tpath + "?back=" + url.QueryEscape("sort=title"))
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`form[data-testid="cell-editor"][hx-post]`).Length() != 0 || page.doc.Find("header.site-header").Length() != 1 {
		t.Error("editor page without JavaScript should be a full page with a plain form")
	}
	empty := c.post(tpath, url.Values{"value": {"   "}, "version": {strconv.Itoa(p.Version)}})
	wantStatus(t, empty, http.StatusUnprocessableEntity)
	if got := empty.doc.Find(`[data-testid="editor-error"]`).Text(); got != "Give the post a title." {
		t.Errorf("empty title: %q", got)
	}
	long := c.post(tpath, url.Values{"value": {strings.Repeat("x", 201)}, "version": {strconv.Itoa(p.Version)}})
	wantStatus(t, long, http.StatusUnprocessableEntity)
	res := c.post(tpath, url.Values{"value": {"New title"}, "version": {strconv.Itoa(p.Version)}, "back": {"sort=title"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/posts?sort=title" {
		t.Errorf("back to %q", loc)
	}
	saved := a.storedPost(p.ID)
	if saved.Title != "New title" || saved.Slug != p.Slug {
		t.Errorf("title %q slug %q", saved.Title, saved.Slug)
	}
	var revs int
	if err := a.db.Get(&revs, `SELECT count(*) FROM post_revisions WHERE post_id = $1 AND title = 'Old title'`, p.ID); err != nil || revs != 1 {
		t.Errorf("the published text before the edit was not kept as a revision (%d)", revs)
	}
	// Status: draft and published only; a hidden post is refused in place.
	spath := fmt.Sprintf("/admin/posts/%d/edit/status", p.ID)
	res = c.post(spath, url.Values{"value": {"draft"}, "version": {strconv.Itoa(saved.Version)}}, "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if got := a.storedPost(p.ID).Status; got != models.PostDraft {
		t.Errorf("status %s", got)
	}
	wantStatus(t, c.post(spath, url.Values{"value": {"hidden"}, "version": {strconv.Itoa(saved.Version + 1)}}, "HX-Request", "true"),
		http.StatusUnprocessableEntity)
}

// TestUserActions: each user action changes what it says, with its audit
// rows; suspension ends the account's sessions at once; a reset link is
// mailed and works; deletion keeps or removes posts as chosen.
func TestUserActions(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	victim := a.createUser("victim", models.RoleAuthor)
	vc := a.client()
	vc.login("victim", strongPassword)
	if vc.get("/settings/profile").StatusCode != http.StatusOK {
		t.Fatal("victim not signed in")
	}

	// Row action with confirmation: suspend.
	path := fmt.Sprintf("/admin/users/%d/suspend", victim.ID)
	confirm := c.get(path + "?back=" + url.QueryEscape("q=vic"))
	wantStatus(t, confirm, http.StatusOK)
	if h := confirm.doc.Find("#confirm-heading").Text(); h != "Suspend victim?" {
		t.Errorf("heading %q", h)
	}
	res := c.post(path, url.Values{"confirm": {"1"}, "reason": {"abuse"}, "back": {"q=vic"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/users?q=vic" {
		t.Errorf("Location %q", loc)
	}
	if r := vc.get("/settings/profile"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("suspended user's session still works: %d", r.StatusCode)
	}
	if u := a.user(victim.ID); u.State != models.StateSuspended || u.SuspendedReason != "abuse" {
		t.Errorf("user %+v", u)
	}

	// A direct row action: reactivate needs no confirmation.
	res = c.post(fmt.Sprintf("/admin/users/%d/reactivate", victim.ID), nil, "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if a.user(victim.ID).State != models.StateActive {
		t.Error("not reactivated")
	}

	// Change role needs an explicit choice.
	rpath := fmt.Sprintf("/admin/users/%d/change_role", victim.ID)
	wantStatus(t, c.post(rpath, url.Values{"confirm": {"1"}}), http.StatusUnprocessableEntity)
	wantStatus(t, c.post(rpath, url.Values{"confirm": {"1"}, "option": {"root"}}), http.StatusUnprocessableEntity)
	wantStatus(t, c.post(rpath, url.Values{"confirm": {"1"}, "option": {"admin"}}), http.StatusSeeOther)
	if a.user(victim.ID).Role != models.RoleAdmin {
		t.Error("role not changed")
	}

	// Send password reset: a working link by mail.
	res = c.post(fmt.Sprintf("/admin/users/%d/send_reset", victim.ID), url.Values{"confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	msg := a.smtp.Next(t, 5*time.Second)
	link := strings.TrimPrefix(resetLinkRE.FindString(msg.Body), "https://blog.example.org")
	if msg.To[0] != "victim@example.com" || link == "" {
		t.Fatalf("mail to %v:\n%s", msg.To, msg.Body)
	}
	wantStatus(t, a.client().get(link), http.StatusOK)

	log := a.audit()
	acts := make([]string, len(log))
	for i, e := range log {
		acts[i] = e.Action
	}
	if !slices.Equal(acts, []string{"suspend", "reactivate", "change_role", "send_reset"}) {
		t.Errorf("audit actions %v", acts)
	}
}

func TestDeleteUserKeepsOrRemovesPosts(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	keep := a.createUser("keep_posts", models.RoleAuthor)
	drop := a.createUser("drop_posts", models.RoleAuthor)
	kp := a.adminPost(keep, "Kept post", true)
	dp1, dp2 := a.adminPost(drop, "Removed one", true), a.adminPost(drop, "Removed two", false)

	del := func(u models.User, option string) *response {
		return c.post(fmt.Sprintf("/admin/users/%d/delete", u.ID), url.Values{"confirm": {"1"}, "option": {option}})
	}
	// No silent default: the admin must choose.
	wantStatus(t, del(keep, ""), http.StatusUnprocessableEntity)
	wantStatus(t, del(keep, "keep"), http.StatusSeeOther)
	wantStatus(t, del(drop, "remove"), http.StatusSeeOther)

	if p := a.storedPost(kp.ID); p.AuthorID.Valid {
		t.Errorf("kept post still has author %v", p.AuthorID)
	}
	if page := a.client().get("/posts/" + kp.Slug); !strings.Contains(page.body, "a deleted user") {
		t.Error("kept post does not show the deleted-user placeholder")
	}
	var left int
	if err := a.db.Get(&left, `SELECT count(*) FROM posts WHERE id = ANY(ARRAY[$1, $2]::bigint[])`, dp1.ID, dp2.ID); err != nil || left != 0 {
		t.Errorf("%d removed posts remain", left)
	}
	var deletes []string
	for _, e := range a.audit() {
		deletes = append(deletes, fmt.Sprintf("%s:%d:%s", e.Model, e.ObjectID, e.Note))
	}
	want := []string{
		fmt.Sprintf("users:%d:posts kept under a deleted user", keep.ID),
		fmt.Sprintf("posts:%d:removed with its author's account", dp1.ID),
		fmt.Sprintf("posts:%d:removed with its author's account", dp2.ID),
		fmt.Sprintf("users:%d:posts removed", drop.ID),
	}
	if !slices.Equal(deletes, want) {
		t.Errorf("audit:\n%v\nwant\n%v", deletes, want)
	}
}

// TestAdminSafety: the last active admin cannot be demoted, suspended or
// deleted, and an admin cannot suspend or delete themselves; each refusal
// is a 409 with the reason and changes nothing.
func TestAdminSafety(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	other := a.createUser("other_admin", models.RoleAdmin)
	id := strconv.FormatInt(boss.ID, 10)

	res := c.post("/admin/users/"+id+"/suspend", url.Values{"confirm": {"1"}, "reason": {"x"}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.doc.Find(`[data-testid="confirm-error"]`).Text(), "cannot suspend yourself") {
		t.Errorf("message %q", res.doc.Find(`[data-testid="confirm-error"]`).Text())
	}
	wantStatus(t, c.post("/admin/users/"+id+"/delete", url.Values{"confirm": {"1"}, "option": {"keep"}}), http.StatusConflict)

	// With two admins, one may go; then the other is the last.
	wantStatus(t, c.post(fmt.Sprintf("/admin/users/%d/suspend", other.ID), url.Values{"confirm": {"1"}, "reason": {"left"}}), http.StatusSeeOther)
	for _, form := range []url.Values{
		{"confirm": {"1"}, "option": {"author"}},
	} {
		res := c.post("/admin/users/"+id+"/change_role", form)
		wantStatus(t, res, http.StatusConflict)
		if !strings.Contains(res.doc.Find(`[data-testid="confirm-error"]`).Text(), "last active admin") {
			t.Errorf("message %q", res.doc.Find(`[data-testid="confirm-error"]`).Text())
		}
	}
	ed := c.post("/admin/users/"+id+"/edit/role", url.Values{"value": {"author"}, "version": {strconv.Itoa(a.user(boss.ID).Version)}}, "HX-Request", "true")
	wantStatus(t, ed, http.StatusUnprocessableEntity)
	if !strings.Contains(ed.doc.Find(`[data-testid="editor-error"]`).Text(), "last active admin") {
		t.Error("inline demotion of the last admin not refused in place")
	}
	if u := a.user(boss.ID); u.Role != models.RoleAdmin || u.State != models.StateActive {
		t.Errorf("last admin changed: %+v", u)
	}
	if len(a.audit()) != 1 {
		t.Errorf("refusals were audited: %+v", a.audit())
	}
}

// TestPostActions: hide (with a reason the author sees), unhide, publish,
// unpublish and delete, each changing exactly its posts, with audit rows.
func TestPostActions(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	author := a.createUser("writer", models.RoleAuthor)
	pub := a.adminPost(author, "Published one", true)
	draft := a.adminPost(author, "A draft", false)
	other := a.adminPost(author, "Untouched", true)

	res := c.bulk("posts", "hide", url.Values{"reason": {"Off-topic advertising"}}, pub.ID, draft.ID)
	wantStatus(t, res, http.StatusSeeOther)
	for _, id := range []int64{pub.ID, draft.ID} {
		if p := a.storedPost(id); p.Status != models.PostHidden || p.HiddenReason != "Off-topic advertising" {
			t.Errorf("post %d: %s %q", id, p.Status, p.HiddenReason)
		}
	}
	if a.storedPost(other.ID).Status != models.PostPublished {
		t.Error("an unselected post changed")
	}
	ac := a.client()
	ac.login("writer", strongPassword)
	if page := ac.get("/posts/" + pub.Slug); !strings.Contains(page.body, "Off-topic advertising") {
		t.Error("the author does not see the reason")
	}
	wantStatus(t, a.client().get("/posts/"+pub.Slug), http.StatusNotFound)

	wantStatus(t, c.bulk("posts", "unhide", nil, pub.ID, other.ID), http.StatusSeeOther)
	if p := a.storedPost(pub.ID); p.Status != models.PostDraft || p.HiddenReason != "" {
		t.Errorf("unhidden: %s %q", p.Status, p.HiddenReason)
	}
	if a.storedPost(other.ID).Status != models.PostPublished {
		t.Error("unhide touched a post that was not hidden")
	}
	wantStatus(t, c.post(fmt.Sprintf("/admin/posts/%d/publish", pub.ID), nil), http.StatusSeeOther)
	if p := a.storedPost(pub.ID); p.Status != models.PostPublished || p.PublishedAt == nil {
		t.Errorf("publish: %+v", p.Status)
	}
	wantStatus(t, c.post(fmt.Sprintf("/admin/posts/%d/unpublish", pub.ID), nil), http.StatusSeeOther)
	if a.storedPost(pub.ID).Status != models.PostDraft {
		t.Error("not unpublished")
	}
	wantStatus(t, c.bulk("posts", "delete", nil, other.ID), http.StatusSeeOther)
	if p := a.storedPost(other.ID); p.DeletedAt == nil {
		t.Error("not deleted")
	}
	list := c.get("/admin/posts")
	if strings.Contains(list.body, "Untouched") {
		t.Error("a deleted post is still listed")
	}
	if n := list.doc.Find(`a[href$="/revisions"]`).Length(); n != 2 {
		t.Errorf("%d revision links", n)
	}

	var got []string
	for _, e := range a.audit() {
		got = append(got, fmt.Sprintf("%s:%d", e.Action, e.ObjectID))
	}
	want := []string{fmt.Sprintf("hide:%d", draft.ID), fmt.Sprintf("hide:%d", pub.ID), fmt.Sprintf("unhide:%d", pub.ID),
		fmt.Sprintf("publish:%d", pub.ID), fmt.Sprintf("unpublish:%d", pub.ID), fmt.Sprintf("delete:%d", other.ID)}
	slices.Sort(want[:2])
	slices.Sort(got[:min(2, len(got))])
	if !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

// TestMediaDelete: deleting an image a post uses is refused, naming the
// post, unless the admin chooses to break it; the file goes with its last row.
func TestMediaDelete(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	owner := a.createUser("uploader", models.RoleAuthor)
	ctx := context.Background()
	media := &models.MediaModel{DB: a.db}
	store := models.LocalStore{Dir: a.media}
	key := strings.Repeat("ab", 32) + ".png"
	unusedKey := strings.Repeat("cd", 32) + ".png"
	for _, k := range []string{key, unusedKey} {
		if err := store.Put(ctx, k, []byte("png")); err != nil {
			t.Fatal(err)
		}
	}
	used, err := media.Insert(ctx, models.Media{OwnerID: ownerOf(owner), Key: key, Width: 10, Height: 10, Bytes: 3, ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	unused, err := media.Insert(ctx, models.Media{OwnerID: ownerOf(owner), Key: unusedKey, Width: 10, Height: 10, Bytes: 3, ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	pm := &models.PostModel{DB: a.db}
	p, err := pm.Insert(ctx, owner.ID, models.PostInput{Title: "With picture", Body: "![x](/media/" + key + ")"})
	if err != nil {
		t.Fatal(err)
	}

	list := c.get("/admin/media?used=yes")
	if rows := list.doc.Find(`[data-testid="admin-list"] tbody tr`); rows.Length() != 1 || !strings.Contains(rows.Text(), "With picture") {
		t.Errorf("where used: %q", rows.Text())
	}
	res := c.bulk("media", "delete", url.Values{"option": {"refuse"}}, used.ID, unused.ID)
	wantStatus(t, res, http.StatusConflict)
	if msg := res.doc.Find(`[data-testid="confirm-error"]`).Text(); !strings.Contains(msg, "“With picture”") {
		t.Errorf("refusal %q does not name the post", msg)
	}
	if _, err := media.GetByKey(ctx, unusedKey); err != nil {
		t.Error("a refused bulk delete removed the unused image anyway")
	}
	wantStatus(t, c.bulk("media", "delete", url.Values{"option": {"break"}}, used.ID, unused.ID), http.StatusSeeOther)
	for _, k := range []string{key, unusedKey} {
		if _, err := store.Open(ctx, k); err == nil {
			t.Errorf("file %s still stored", k)
		}
	}
	log := a.audit()
	if len(log) != 2 || !strings.Contains(log[0].Note, strconv.FormatInt(p.ID, 10)) || jsonOf(log[0].Before)["key"] != key {
		t.Errorf("audit %+v", log)
	}
}

// TestAuditAtomic: a failure midway through a bulk action leaves neither
// the changes nor the audit rows. A trigger makes the database refuse the
// audit row of the second post, after the first post's change was made.
func TestAuditAtomic(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	author := a.createUser("writer", models.RoleAuthor)
	p1, p2 := a.adminPost(author, "First", true), a.adminPost(author, "Second", true)
	_, err := a.db.Exec(fmt.Sprintf(`
		CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.object_id = %d THEN RAISE EXCEPTION 'injected failure'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_audit();`, p2.ID))
	if err != nil {
		t.Fatal(err)
	}
	res := c.bulk("posts", "hide", url.Values{"reason": {"r"}}, p1.ID, p2.ID)
	wantStatus(t, res, http.StatusInternalServerError)
	if a.storedPost(p1.ID).Status != models.PostPublished || a.storedPost(p2.ID).Status != models.PostPublished {
		t.Error("a change survived the failed transaction")
	}
	if n := len(a.audit()); n != 0 {
		t.Errorf("%d audit rows survived", n)
	}
	// And the other way round: the change fails after audit rows of other
	// objects were written.
	if _, err := a.db.Exec(`DROP TRIGGER fail_audit ON audit_log`); err != nil {
		t.Fatal(err)
	}
	x, y := a.createUser("xx_user", models.RoleAuthor), a.createUser("yy_user", models.RoleAuthor)
	_, err = a.db.Exec(fmt.Sprintf(`
		CREATE FUNCTION fail_users() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.id = %d THEN RAISE EXCEPTION 'injected failure'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER fail_users BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION fail_users();`, y.ID))
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.bulk("users", "suspend", url.Values{"reason": {"r"}}, x.ID, y.ID), http.StatusInternalServerError)
	if a.user(x.ID).State != models.StateActive || len(a.audit()) != 0 {
		t.Error("part of a failed bulk suspension survived")
	}
}

// TestAuditTable: the log is a table like the others, filterable by admin,
// model, action, date and object; each object's History link lands there.
func TestAuditTable(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	u := a.createUser("subject", models.RoleAuthor)
	p := a.adminPost(u, "Subject post", true)
	wantStatus(t, c.post(fmt.Sprintf("/admin/users/%d/suspend", u.ID), url.Values{"confirm": {"1"}, "reason": {"why"}}), http.StatusSeeOther)
	wantStatus(t, c.post(fmt.Sprintf("/admin/users/%d/reactivate", u.ID), nil), http.StatusSeeOther)
	wantStatus(t, c.bulk("posts", "hide", url.Values{"reason": {"because"}}, p.ID), http.StatusSeeOther)

	count := func(query string) int {
		t.Helper()
		res := c.get("/admin/audit" + query)
		wantStatus(t, res, http.StatusOK)
		n, _ := strconv.Atoi(res.doc.Find(`[data-testid="admin-list"]`).AttrOr("data-total", "-1"))
		return n
	}
	today := "2000-01-01.." // every entry is after this
	cases := map[string]int{
		"":                         3,
		"?model=users":             2,
		"?model=posts":             1,
		"?action=suspend":          1,
		"?actor=" + ids(boss.ID):   3,
		"?actor=999999":            0,
		"?at=" + today:             3,
		"?at=..2000-01-01":         0,
		"?q=because":               1,
		"?model=users&action=hide": 0,
	}
	for q, want := range cases {
		if got := count(q); got != want {
			t.Errorf("/admin/audit%s: %d entries, want %d", q, got, want)
		}
	}
	list := c.get("/admin/users?q=subject")
	history, ok := list.doc.Find(`.row-actions a:contains("History")`).Attr("href")
	if !ok {
		t.Fatal("no History link")
	}
	res := c.get(history)
	wantStatus(t, res, http.StatusOK)
	if n := res.doc.Find(`[data-testid="admin-list"] tbody tr`).Length(); n != 2 {
		t.Errorf("history of the user: %d entries", n)
	}
	if !strings.Contains(res.doc.Find(`[data-testid="filter-object"]`).Text(), ids(u.ID)) {
		t.Error("the object filter is not shown")
	}
	if !strings.Contains(res.body, "suspended") {
		t.Error("changes not shown")
	}
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	u := a.createUser("newbie", models.RoleAuthor)
	a.adminPost(u, "Fresh post", true)
	wantStatus(t, c.post(fmt.Sprintf("/admin/users/%d/suspend", u.ID), url.Values{"confirm": {"1"}, "reason": {"test"}}), http.StatusSeeOther)
	res := c.get("/admin")
	wantStatus(t, res, http.StatusOK)
	users := res.doc.Find(`[data-testid="count-Users"]`).Text()
	if !strings.Contains(users, "Suspended1") {
		t.Errorf("user counts: %q", users)
	}
	// Objects are named as people know them (issue 10: "users #503" before).
	if recent := res.doc.Find(`[data-testid="recent-actions"]`).Text(); !strings.Contains(recent, "newbie") || strings.Contains(recent, "#") {
		t.Errorf("recent actions name the suspended user by id, not name: %q", recent)
	}
	if !strings.Contains(res.doc.Find(`[data-testid="new-users"]`).Text(), "newbie") ||
		!strings.Contains(res.doc.Find(`[data-testid="new-posts"]`).Text(), "Fresh post") {
		t.Error("newest users or posts missing")
	}
}

// suspend suspends the accounts as an admin does (AdminModel.Suspend).
func (a *testApp) suspend(ids ...int64) {
	a.t.Helper()
	admin := &models.AdminModel{DB: a.db}
	if res, err := admin.Suspend(context.Background(), models.Actor{Name: "test"}, ids, "spam"); err != nil || res.Changed != len(ids) {
		a.t.Fatalf("suspend %v = %+v, %v", ids, res, err)
	}
}

// reactivate reactivates the accounts as an admin does (AdminModel.Reactivate).
func (a *testApp) reactivate(ids ...int64) {
	a.t.Helper()
	admin := &models.AdminModel{DB: a.db}
	if res, err := admin.Reactivate(context.Background(), models.Actor{Name: "test"}, ids); err != nil || res.Changed != len(ids) {
		a.t.Fatalf("reactivate %v = %+v, %v", ids, res, err)
	}
}
