package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"quire/models"
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
