package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"quire/models"
)

// TestCommentsSuspendedCommenter: suspending an account takes its
// comments off the shared copy of a post page at once (a new ETag; the
// old one no longer revalidates) and out of the count; reactivating it
// brings them back under yet another ETag. A renamed commenter moves the
// stamp too.
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
