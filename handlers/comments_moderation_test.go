package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"quire/models"
)

// TestCommentsSuspendedCommenter: suspending an account takes its
// comments off the shared copy of a post page at once (a new ETag; the
// old one no longer revalidates) and out of the count; reactivating it
// brings them back under yet another ETag. The moderation table marks the
// author as suspended. A renamed commenter moves the stamp too.
func TestCommentsSuspendedCommenter(t *testing.T) {
	t.Parallel()
	a, boss, _ := adminApp(t)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	grace := a.createUser("grace", models.RoleContributor)
	a.createUser("alan", models.RoleContributor)
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	for _, w := range []struct{ who, body string }{{"grace", "Grace saw swifts."}, {"alan", "Alan heard them."}} {
		c := a.client()
		c.login(w.who, strongPassword)
		wantStatus(t, c.post(path, a.commentForm(p.ID, "body", w.body)), http.StatusSeeOther)
	}
	a.approveAll(p.ID)

	shared := func() (string, string) {
		a.rawGet("/posts/swifts", "") // the first render is kept and shared
		res, body := a.rawGet("/posts/swifts", "")
		return res.Header.Get("ETag"), string(body)
	}
	count := func() (n int) {
		a.db.Get(&n, `SELECT comment_count FROM posts WHERE id = $1`, p.ID)
		return n
	}
	etag, body := shared()
	if !strings.Contains(body, "Grace saw swifts.") || count() != 2 {
		t.Fatalf("before the suspension: Grace's comment missing or count %d", count())
	}
	suspend := url.Values{"confirm": {"1"}, "reason": {"spam"}}
	wantStatus(t, boss.post("/admin/users/"+strconv.FormatInt(grace.ID, 10)+"/suspend", suspend), http.StatusSeeOther)
	suspended, body := shared()
	if suspended == etag || strings.Contains(body, "Grace saw swifts.") || !strings.Contains(body, "Alan heard them.") {
		t.Errorf("after the suspension the shared copy (ETag %s, was %s) still shows Grace, or lost Alan", suspended, etag)
	}
	if res, _ := a.rawGet("/posts/swifts", "", "If-None-Match", etag); res.StatusCode != http.StatusOK {
		t.Errorf("revalidating the old copy: %d, want 200", res.StatusCode)
	}
	if n := count(); n != 1 {
		t.Errorf("comment count %d after the suspension, want 1", n)
	}
	author := boss.get("/admin/comments?account=" + strconv.FormatInt(grace.ID, 10)).doc.Find(`td[data-column="author"]`).Text()
	if !strings.Contains(author, "grace (suspended)") {
		t.Errorf("the moderation table names the author %q, want them marked suspended", author)
	}

	wantStatus(t, boss.post("/admin/users/"+strconv.FormatInt(grace.ID, 10)+"/reactivate", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	back, body := shared()
	if back == suspended || back == etag || !strings.Contains(body, "Grace saw swifts.") || count() != 2 {
		t.Errorf("after reactivation: ETag %s (suspended %s, first %s), count %d, Grace shown %v",
			back, suspended, etag, count(), strings.Contains(body, "Grace saw swifts."))
	}

	a.db.MustExec(`UPDATE users SET display_name = 'Grace Hopper' WHERE id = $1`, grace.ID)
	if renamed, body := shared(); renamed == back || !strings.Contains(body, "Grace Hopper") {
		t.Errorf("after a rename the ETag stayed %s or the new name is missing", renamed)
	}
}

// TestCommentsOfTrashedPost: a trashed post keeps its comments as they
// were; the moderation table marks them as a trashed post's and filters
// them apart; restoring the post shows them again, held ones still held;
// purging it for good deletes them.
func TestCommentsOfTrashedPost(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ada := a.createUser("ada", models.RoleAuthor)
	p := a.addPost(ada, post{title: "Swifts", body: "They are back."})
	a.createUser("grace", models.RoleContributor)
	gc := a.client()
	gc.login("grace", strongPassword)
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	wantStatus(t, gc.post(path, a.commentForm(p.ID, "body", "Grace saw swifts.")), http.StatusSeeOther)
	a.approveAll(p.ID)
	wantStatus(t, gc.post(path, a.commentForm(p.ID, "body", "Another, held for links: [a](https://a.example) [b](https://b.example) [c](https://c.example).")), http.StatusSeeOther)
	states := func() (out []string) {
		a.db.Select(&out, `SELECT status FROM comments WHERE post_id = $1 ORDER BY id`, p.ID)
		return out
	}
	was := states()
	if len(was) != 2 || was[0] != models.CommentApproved || was[1] != models.CommentHeld {
		t.Fatalf("before: %q, want approved and held", was)
	}

	author := a.client()
	author.login("ada", strongPassword)
	wantStatus(t, author.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/delete", nil), http.StatusSeeOther)
	if got := states(); !slices.Equal(got, was) {
		t.Errorf("in the trash: %q, want %q", got, was)
	}
	a.createUser("eddie", models.RoleEditor)
	ed := a.client()
	ed.login("eddie", strongPassword)
	list := ed.get("/admin/comments")
	posts := list.doc.Find(`tbody tr[data-id] td[data-column="post"]`)
	if posts.Length() != 2 || !strings.Contains(posts.First().Text(), "Swifts (in the trash)") {
		t.Errorf("the table does not mark the trashed post's comments: %q", posts.Text())
	}
	if n := ed.get("/admin/comments?post_state=live").doc.Find("tbody tr[data-id]").Length(); n != 0 {
		t.Errorf("live posts' comments: %d rows, want none", n)
	}
	if n := ed.get("/admin/comments?post_state=trash").doc.Find("tbody tr[data-id]").Length(); n != 2 {
		t.Errorf("trashed posts' comments: %d rows, want 2", n)
	}

	wantStatus(t, author.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/restore", nil), http.StatusSeeOther)
	if got := states(); !slices.Equal(got, was) {
		t.Errorf("restored: %q, want %q", got, was)
	}
	page := a.client().get("/posts/swifts")
	if n := page.doc.Find(`[data-testid="comment"]`).Length(); n != 1 || !strings.Contains(page.body, "Grace saw swifts.") {
		t.Errorf("the restored post shows %d comments, want Grace's approved one", n)
	}
	if n := ed.get("/admin/comments?post_state=live").doc.Find("tbody tr[data-id]").Length(); n != 2 {
		t.Errorf("after restoring, live posts' comments: %d rows, want 2", n)
	}

	wantStatus(t, author.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/delete", nil), http.StatusSeeOther)
	a.db.MustExec(`UPDATE posts SET deleted_at = now() - interval '31 days' WHERE id = $1`, p.ID)
	if _, err := (&models.Janitor{DB: a.db}).Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	a.db.Get(&n, `SELECT count(*) FROM comments`)
	if n != 0 {
		t.Errorf("%d comments left after the post was purged, want none", n)
	}
}
