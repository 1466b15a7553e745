package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestCommentRateLimitReplicas: two apps on one database, like two
// replicas. An account's comments count together wherever they land: the
// sixth in a minute is refused with 429, Retry-After and the text kept in
// the form, plain and with htmx; an editor is not limited.
func TestCommentRateLimitReplicas(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	one := startApp(t, db, appOptions{})
	two := startApp(t, db, appOptions{})
	p := one.addPost(one.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	one.createUser("grace", models.RoleContributor)
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	c1, c2 := one.client(), two.client()
	c1.login("grace", strongPassword)
	c2.login("grace", strongPassword)
	for i := range models.CommentAccountMinuteLimit.Max {
		c := []*client{c1, c2}[i%2]
		wantStatus(t, c.post(path, one.commentForm(p.ID, "body", "Swift number "+strconv.Itoa(i)+".")), http.StatusSeeOther)
	}
	kept := "One more about *swifts* & <b>screaming</b> parties."
	for _, hx := range []bool{false, true} {
		var headers []string
		if hx {
			headers = []string{"HX-Request", "true"}
		}
		res := c2.post(path, one.commentForm(p.ID, "body", kept), headers...)
		wantStatus(t, res, http.StatusTooManyRequests)
		if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 61 {
			t.Errorf("htmx %v: Retry-After %q, want 1 to 61 seconds", hx, res.Header.Get("Retry-After"))
		}
		if got := res.doc.Find(`textarea[name="body"]`).Text(); got != kept {
			t.Errorf("htmx %v: the form keeps %q, want %q", hx, got, kept)
		}
		if msg := res.formError(); !strings.Contains(msg, "many comments") {
			t.Errorf("htmx %v: message %q", hx, msg)
		}
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM comments`)
	if want := models.CommentAccountMinuteLimit.Max; n != want {
		t.Errorf("%d comments stored, want %d", n, want)
	}

	one.createUser("eddie", models.RoleEditor)
	ed := two.client()
	ed.login("eddie", strongPassword)
	for i := range models.CommentClientHourLimit.Max/2 + 1 {
		wantStatus(t, ed.post(path, one.commentForm(p.ID, "body", "Editor's note "+strconv.Itoa(i)+".")), http.StatusSeeOther)
	}
}

// TestCommentRateLimitGuestAddress: a guest's address is limited by the
// hour on its own, whichever client sends it; another address from the
// same client still comments.
func TestCommentRateLimitGuestAddress(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	g := a.client()
	for i := range models.CommentGuestHourLimit.Max {
		if i > 0 && i%models.CommentClientMinuteLimit.Max == 0 { // a minute later
			a.db.MustExec(`UPDATE rate_limit_hits SET at = at - interval '61 seconds' WHERE key LIKE 'comment-client-minute %'`)
		}
		wantStatus(t, g.post(path, a.commentForm(p.ID, "name", "Grace", "email", "grace@example.org",
			"body", "Swift "+strconv.Itoa(i)+".")), http.StatusSeeOther)
	}
	a.db.MustExec(`UPDATE rate_limit_hits SET at = at - interval '61 seconds' WHERE key LIKE 'comment-client-minute %'`)
	res := a.client().post(path, a.commentForm(p.ID, "name", "Grace", "email", "GRACE@example.org", "body", "Again."))
	wantStatus(t, res, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 60 || ra > 3601 {
		t.Errorf("Retry-After %q, want up to an hour", res.Header.Get("Retry-After"))
	}
	if res.doc.Find(`input[name="email"]`).AttrOr("value", "") != "GRACE@example.org" {
		t.Errorf("the guest's address is not kept in the form")
	}
	wantStatus(t, g.post(path, a.commentForm(p.ID, "name", "Alan", "email", "alan@example.org", "body", "Hello.")), http.StatusSeeOther)
}
