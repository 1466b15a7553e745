package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
	"quire/models/markdown/markdowntest"
)

// TestAdminCommentsTable: an editor moderates /admin/comments: held
// comments by filter and search, their names inert, a bulk approval that
// shows them under the post and is audited once each, then spam and
// restore on a row; an author may not open the table.
func TestAdminCommentsTable(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	g := a.client()
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	xss := `<img src=x onerror=alert(1)>`
	for _, body := range []string{"First swift.", "Second swift.", "About herons."} {
		wantStatus(t, g.post(path, a.commentForm(p.ID, "name", xss+"Grace", "email", "g@example.org", "body", body)), http.StatusSeeOther)
	}
	a.createUser("eddie", models.RoleEditor)
	c := a.client()
	c.login("eddie", strongPassword)
	list := c.get("/admin/comments?status=held&q=herons")
	wantStatus(t, list, http.StatusOK)
	if n := list.doc.Find("tbody tr[data-id]").Length(); n != 1 {
		t.Fatalf("held comments matching herons: %d rows, want 1\n%s", n, list.body)
	}
	if n := c.get("/admin/comments?status=approved").doc.Find("tbody tr[data-id]").Length(); n != 0 {
		t.Errorf("approved comments: %d rows, want none", n)
	}
	if strings.Contains(list.body, xss) || !strings.Contains(list.body, "&lt;img") {
		t.Errorf("a commenter's name is live markup in the table")
	}
	var ids []int64
	a.db.Select(&ids, `SELECT id FROM comments WHERE body LIKE '%swift%' ORDER BY id`)
	wantStatus(t, c.bulk("comments", "approve", nil, ids...), http.StatusSeeOther)
	if page := g.get("/posts/swifts"); page.doc.Find(`[data-testid="comment"]`).Length() != 2 {
		t.Errorf("after approval the post shows %d comments, want 2", page.doc.Find(`[data-testid="comment"]`).Length())
	}
	var audited int
	a.db.Get(&audited, `SELECT count(*) FROM audit_log WHERE model = 'comments' AND action = 'approve' AND actor_name = 'eddie'`)
	if audited != 2 {
		t.Errorf("%d approvals audited, want 2", audited)
	}
	wantStatus(t, c.bulk("comments", "spam", nil, ids[0]), http.StatusSeeOther)
	wantStatus(t, c.bulk("comments", "restore", nil, ids[0]), http.StatusSeeOther)
	var status string
	a.db.Get(&status, `SELECT status FROM comments WHERE id = $1`, ids[0])
	if status != models.CommentApproved {
		t.Errorf("spam then restore left %s, want approved", status)
	}

	a.createUser("alan", models.RoleAuthor)
	au := a.client()
	au.login("alan", strongPassword)
	wantStatus(t, au.get("/admin/comments"), http.StatusForbidden)
}

// TestAdminCommentsFilters: /admin/comments filters by post, account and
// kind of writer, searches the whole body, a guest's name and the post's
// title, sorts by author, and keeps its state in the links it makes.
func TestAdminCommentsFilters(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	ada := a.createUser("ada", models.RoleAuthor)
	swifts := a.addPost(ada, post{title: "Swifts", body: "They are back."})
	herons := a.addPost(ada, post{title: "Herons", body: "They stand still."})
	grace := a.createUser("grace", models.RoleContributor)
	gc := a.client()
	gc.login("grace", strongPassword)
	g := a.client()
	long := strings.Repeat("Swifts sleep on the wing. ", 12) + "kestrel"
	send := func(c *client, p models.Post, fields ...string) {
		t.Helper()
		wantStatus(t, c.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments", a.commentForm(p.ID, fields...)), http.StatusSeeOther)
	}
	send(gc, swifts, "body", long)
	send(gc, herons, "body", "Grace on herons.")
	send(g, swifts, "name", "walter", "email", "w@example.org", "body", "Walter on swifts.")
	a.createUser("eddie", models.RoleEditor)
	c := a.client()
	c.login("eddie", strongPassword)
	rows := func(path string) []string {
		t.Helper()
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		var out []string
		res.doc.Find(`tbody tr[data-id] td[data-column="comment"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.Fields(s.Text())[0])
		})
		return out
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/admin/comments?post_id=" + id(herons.ID), []string{"Grace"}},
		{"/admin/comments?account=" + id(grace.ID) + "&sort=posted", []string{"Swifts", "Grace"}},
		{"/admin/comments?writer=guest", []string{"Walter"}},
		{"/admin/comments?q=kestrel", []string{"Swifts"}},
		{"/admin/comments?q=walter", []string{"Walter"}},
		{"/admin/comments?q=herons", []string{"Grace"}},
		{"/admin/comments?post_id=" + id(swifts.ID) + "&sort=-author", []string{"Walter", "Swifts"}},
		{"/admin/comments?post_state=trash", nil},
	} {
		if got := rows(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rows %q, want %q", tc.path, got, tc.want)
		}
	}
	res := c.get("/admin/comments?status=held&writer=account&sort=-author")
	href, _ := res.doc.Find(`th a[data-testid="sort-posted"]`).Attr("href")
	if !strings.Contains(href, "status=held") || !strings.Contains(href, "writer=account") {
		t.Errorf("the sort link %q drops the filters", href)
	}
	if n := res.doc.Find(`select[name="post_id"] option`).Length(); n != 3 {
		t.Errorf("the post filter offers %d options, want All and two posts", n)
	}
}

// TestAdminCommentsInlineEdit: an editor rewrites a comment's text in
// place: rendered and sanitised as a new comment is, refused when empty
// (422, the text kept), refused over a newer version (409), audited with
// the text before and after (inert in the audit log), and an approved
// comment's new text reaches the shared post page under a new ETag.
func TestAdminCommentsInlineEdit(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	grace := a.createUser("grace", models.RoleContributor)
	a.db.MustExec(`UPDATE users SET display_name = '"><svg onload=alert(4)>' WHERE id = $1`, grace.ID)
	gc := a.client()
	gc.login("grace", strongPassword)
	wantStatus(t, gc.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments", a.commentForm(p.ID, "body", "Swifts are fast.")), http.StatusSeeOther)
	a.approveAll(p.ID)
	var cm struct {
		ID      int64 `db:"id"`
		Version int   `db:"version"`
	}
	a.db.Get(&cm, `SELECT id, version FROM comments`)
	before, _ := a.rawGet("/posts/swifts", "")

	a.createUser("eddie", models.RoleEditor)
	c := a.client()
	c.login("eddie", strongPassword)
	path := "/admin/comments/" + strconv.FormatInt(cm.ID, 10) + "/edit/comment"
	ed := c.get(path, "HX-Request", "true")
	wantStatus(t, ed, http.StatusOK)
	if got := ed.doc.Find(`textarea[name="value"]`).Text(); got != "Swifts are fast." {
		t.Fatalf("the editor starts from %q", got)
	}
	version := strconv.Itoa(cm.Version)
	empty := c.post(path, url.Values{"value": {"  "}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, empty, http.StatusUnprocessableEntity)
	if !strings.Contains(empty.doc.Find(`[data-testid="editor-error"]`).Text(), "Write your comment.") {
		t.Errorf("an empty comment's message: %q", empty.doc.Find(`[data-testid="editor-error"]`).Text())
	}
	xss := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	text := "Swifts are **very** fast. [see](javascript:alert(3)) " + xss
	saved := c.post(path, url.Values{"value": {text}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, saved, http.StatusOK)
	if strings.Contains(saved.body, "<script>") || !strings.Contains(saved.body, "&lt;script&gt;") {
		t.Errorf("the saved cell is not inert:\n%s", saved.body)
	}
	var html string
	a.db.Get(&html, `SELECT body_html FROM comments WHERE id = $1`, cm.ID)
	if !strings.Contains(html, "<strong>very</strong>") || strings.Contains(html, "<script") ||
		strings.Contains(html, "javascript:") || strings.Contains(html, "onerror") {
		t.Errorf("the edited comment renders as %q", html)
	}
	stale := c.post(path, url.Values{"value": {"Mine instead."}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, stale, http.StatusConflict)
	if stale.doc.Find(`textarea[name="value"]`).Text() != "Mine instead." {
		t.Errorf("the conflict lost the editor's text")
	}

	rows := a.audit()
	last := rows[len(rows)-1]
	if last.Model != "comments" || last.Action != "edit" || last.ActorName != "eddie" || last.Before == nil || last.After == nil ||
		!strings.Contains(*last.Before, "Swifts are fast.") || !strings.Contains(*last.After, "**very**") {
		t.Fatalf("the audit entry: %+v", last)
	}
	a.createUser("boss", models.RoleAdmin)
	boss := a.client()
	boss.login("boss", strongPassword)
	log := boss.get("/admin/audit")
	wantStatus(t, log, http.StatusOK)
	if !strings.Contains(log.body, "&lt;script&gt;") {
		t.Errorf("the audit log does not show the edit")
	}
	for _, res := range []*response{log, c.get("/admin/comments"), c.get("/admin/comments?q=very", "HX-Request", "true")} {
		cells := res.doc.Find(`[data-testid="admin-list"] td[data-column]`)
		cells.Find(".cell-edit").Remove()
		if cells.Length() == 0 {
			t.Fatalf("%s: no table", res.Request.URL)
		}
		cells.Each(func(_ int, cell *goquery.Selection) {
			html, _ := cell.Html()
			markdowntest.AssertInert(t, html)
		})
		if n := res.doc.Find(`script:not([src]), [onerror], [onload], svg`).Length(); n > 0 {
			t.Errorf("%s: %d active elements", res.Request.URL, n)
		}
	}

	after, page := a.rawGet("/posts/swifts", "")
	if after.Header.Get("ETag") == before.Header.Get("ETag") || !strings.Contains(string(page), "<strong>very</strong>") {
		t.Errorf("the shared post page kept ETag %s or the old text", after.Header.Get("ETag"))
	}
}
