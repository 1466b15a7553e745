package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/handlers"
	"quire/models"
)

// commentsMode sets who may comment, as the settings form would.
func (a *testApp) commentsMode(mode string) {
	a.t.Helper()
	a.db.MustExec(`UPDATE site_settings SET comments = $1, version = version + 1`, mode)
}

// commentForm is a filled comment form for post id, stamped a minute ago
// (past the minimum fill time).
func (a *testApp) commentForm(id int64, fields ...string) url.Values {
	a.t.Helper()
	var key []byte
	if err := a.db.Get(&key, `SELECT comments_form_key FROM site_settings`); err != nil {
		a.t.Fatal(err)
	}
	f := url.Values{"stamp": {handlers.CommentStamp(key, id, time.Now().Add(-time.Minute))}}
	for i := 0; i+1 < len(fields); i += 2 {
		f.Set(fields[i], fields[i+1])
	}
	return f
}

func (a *testApp) approveAll(postID int64) {
	a.t.Helper()
	var ids []int64
	if err := a.db.Select(&ids, `SELECT id FROM comments WHERE post_id = $1 AND status = 'held'`, postID); err != nil {
		a.t.Fatal(err)
	}
	cm := &models.CommentModel{DB: a.db}
	if _, err := cm.Approve(context.Background(), models.Actor{Name: "mod", Role: models.RoleEditor}, ids); err != nil {
		a.t.Fatal(err)
	}
}

// TestCommentGuestHeldThenShown: on a site open to guests, the shared copy
// of a post page carries a comment form without a token (the token comes
// in a fragment); a guest's first comment is held and says so; approving
// it moves the page's ETag and shows it, its name and body inert.
func TestCommentGuestHeldThenShown(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})

	res, page := a.rawGet("/posts/swifts", "")
	etag := res.Header.Get("ETag")
	if !strings.Contains(string(page), `data-testid="comment-form"`) || strings.Contains(string(page), `name="_csrf"`) {
		t.Fatalf("the shared post page: form missing, or a token in it:\n%s", page)
	}
	if ck := res.Header.Values("Set-Cookie"); len(ck) > 0 {
		t.Errorf("the shared post page set cookies %q", ck)
	}

	c := a.client()
	tok := c.get("/posts/" + strconv.FormatInt(p.ID, 10) + "/comments/token")
	wantStatus(t, tok, 200)
	if c.csrf == "" || c.cookie("quire_csrf") == "" || !strings.Contains(tok.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("the token fragment gave no token, cookie or no-store: %q", tok.body)
	}
	xss := `<script>alert("x")</script>`
	r := c.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments", a.commentForm(p.ID, "name", xss+"Grace",
		"email", "grace@example.org", "body", "Lovely *birds*. "+xss+` <img src=x onerror=alert(1)>`), "HX-Request", "true")
	wantStatus(t, r, 200)
	if n := r.doc.Find(`[data-testid="comment-notice"]`).Text(); !strings.Contains(n, "held for moderation") {
		t.Errorf("notice %q, want held for moderation", n)
	}
	if r.doc.Find(`[data-testid="comment"]`).Length() != 0 || strings.Contains(r.body, "<html") {
		t.Errorf("a held comment shown, or a whole page for htmx:\n%s", r.body)
	}

	a.approveAll(p.ID)
	res2, page2 := a.rawGet("/posts/swifts", "")
	if res2.Header.Get("ETag") == etag {
		t.Errorf("approving a comment left the post page's ETag at %s", etag)
	}
	body := string(page2)
	if !strings.Contains(body, "<em>birds</em>") || !strings.Contains(body, "&lt;script&gt;alert") {
		t.Errorf("the approved comment is missing or its name unescaped:\n%s", body)
	}
	if strings.Contains(body, xss) || strings.Contains(body, "onerror") || strings.Contains(body, `name="_csrf"`) {
		t.Errorf("the page holds live markup from the comment, or a token")
	}
}

// TestCommentWithoutJavaScript: a plain form post from the shared copy
// (no token, no cookie) comes back with the text kept and a token; sent
// again it is taken and the browser goes back to the post.
func TestCommentWithoutJavaScript(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	c := a.client()
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	form := a.commentForm(p.ID, "name", "Grace", "email", "grace@example.org", "body", "Typed with care.")
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := c.do(req)
	wantStatus(t, r, http.StatusForbidden)
	if r.formError() != "To post your comment, press Post comment again." || c.csrf == "" ||
		r.doc.Find(`textarea[name="body"]`).Text() != "Typed with care." {
		t.Fatalf("the form did not come back with the text and a token: %q\n%s", r.formError(), r.body)
	}
	var n int
	a.db.Get(&n, `SELECT count(*) FROM comments`)
	if n != 0 {
		t.Fatalf("a comment without a token was taken")
	}
	r = c.post(path, form)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/posts/swifts#comments" {
		t.Errorf("went to %q", loc)
	}
	if page := c.get("/posts/swifts"); !strings.Contains(page.body, "held for moderation") {
		t.Errorf("the post page did not say the comment is held")
	}
	// A token of the wrong kind is still refused outright.
	form.Set("_csrf", "forged")
	if r := c.post(path, form); r.StatusCode != http.StatusForbidden || strings.Contains(r.body, "press Post comment again") {
		t.Errorf("a forged token: %d", r.StatusCode)
	}
}

// TestCommentRefusals: each refusal keeps the text and says why, with its
// status: signed out where accounts only comment (403), a closed post
// (403), the author's own draft (403), a missing body (422), the honeypot
// and a form sent too fast (422).
func TestCommentRefusals(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ada := a.createUser("ada", models.RoleAuthor)
	p := a.addPost(ada, post{title: "Swifts", body: "They are back."})
	draft := a.addPost(ada, post{title: "Later", body: "Soon.", state: "draft"})
	path := func(id int64) string { return "/posts/" + strconv.FormatInt(id, 10) + "/comments" }
	guest := a.client()
	r := guest.post(path(p.ID), a.commentForm(p.ID, "name", "G", "email", "g@example.org", "body", "Kept words."))
	if r.StatusCode != 403 || !strings.Contains(r.formError(), "Sign in") || !strings.Contains(r.body, "Kept words.") {
		t.Errorf("a guest where accounts comment: %d %q", r.StatusCode, r.formError())
	}
	u := a.createUser("grace", models.RoleContributor)
	_ = u
	c := a.client()
	c.login("grace", strongPassword)
	if r := c.post(path(p.ID), a.commentForm(p.ID, "body", "")); r.StatusCode != 422 || r.fieldError("body") != "Write your comment." {
		t.Errorf("empty body: %d %q", r.StatusCode, r.fieldError("body"))
	}
	if r := c.post(path(p.ID), a.commentForm(p.ID, "body", "Buy now", "website", "spam.example")); r.StatusCode != 422 ||
		!strings.Contains(r.body, "Buy now") {
		t.Errorf("the honeypot: %d", r.StatusCode)
	}
	fresh := url.Values{"body": {"Too quick"}}
	page := c.get("/posts/swifts")
	fresh.Set("stamp", page.doc.Find(`input[name="stamp"]`).AttrOr("value", ""))
	if r := c.post(path(p.ID), fresh); r.StatusCode != 422 || !strings.Contains(r.formError(), "Wait a moment") {
		t.Errorf("sent at once: %d %q", r.StatusCode, r.formError())
	}
	a.db.MustExec(`UPDATE posts SET comments_closed = true WHERE id = $1`, p.ID)
	if r := c.post(path(p.ID), a.commentForm(p.ID, "body", "Closed words.")); r.StatusCode != 403 ||
		r.formError() != "Comments are closed on this post." || !strings.Contains(r.body, "Closed words.") {
		t.Errorf("a closed post: %d %q", r.StatusCode, r.formError())
	}
	if r := c.post(path(draft.ID), a.commentForm(draft.ID, "body", "Draft words.")); r.StatusCode != 404 {
		t.Errorf("someone else's draft: %d, want 404", r.StatusCode)
	}
	owner := a.client()
	owner.login("ada", strongPassword)
	if r := owner.post(path(draft.ID), a.commentForm(draft.ID, "body", "Draft words.")); r.StatusCode != 403 ||
		!strings.Contains(r.body, "Draft words.") {
		t.Errorf("the author's own draft: %d", r.StatusCode)
	}
	var n int
	a.db.Get(&n, `SELECT count(*) FROM comments`)
	if n != 0 {
		t.Errorf("%d comments taken, want none", n)
	}
}

// TestCommentAccountApprovedAfterFirst: an account's first comment is
// held; once one is approved the next appears at once, and the plain form
// post goes to its permalink.
func TestCommentAccountApprovedAfterFirst(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	a.createUser("grace", models.RoleContributor)
	c := a.client()
	c.login("grace", strongPassword)
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	wantStatus(t, c.post(path, a.commentForm(p.ID, "body", "First.")), http.StatusSeeOther)
	a.approveAll(p.ID)
	r := c.post(path, a.commentForm(p.ID, "body", "Second."))
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/posts/swifts#comment-") {
		t.Errorf("went to %q, want the comment's permalink", loc)
	}
	page := c.get("/posts/swifts")
	if got := page.doc.Find(`[data-testid="comment-name"]`).Length(); got != 2 || !strings.Contains(page.body, "Second.") {
		t.Errorf("%d comments shown, want 2", got)
	}
	// A reply shows under the comment it answers.
	var first int64
	a.db.Get(&first, `SELECT min(id) FROM comments`)
	wantStatus(t, c.post(path, a.commentForm(p.ID, "body", "A reply.", "parent_id", strconv.FormatInt(first, 10))), http.StatusSeeOther)
	page = c.get("/posts/swifts")
	if r := page.doc.Find(`#comment-` + strconv.FormatInt(first, 10)).Parent().Find(`.comment-replies [data-testid="comment"]`); r.Length() != 1 ||
		!strings.Contains(r.Text(), "A reply.") {
		t.Errorf("the reply is not under its parent:\n%s", page.body)
	}
}

// TestAdminSettingsComments: the comment settings are fields of
// /admin/settings, refused beside themselves when wrong, saved and used
// when right (a blocklisted word holds even an approved commenter's
// comment).
func TestAdminSettingsComments(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	page := c.get("/admin/settings")
	if v := page.doc.Find(`#f-comments option[selected]`).AttrOr("value", ""); v != models.CommentsAccounts {
		t.Errorf("comments mode shown %q, want the default %q", v, models.CommentsAccounts)
	}
	bad := settingsForm("0")
	bad.Set("comments", "everyone")
	bad.Set("comments_close_days", "soon")
	bad.Set("comments_max_links", "99")
	r := c.post("/admin/settings", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for _, f := range []string{"comments", "comments_close_days", "comments_max_links"} {
		if r.fieldError(f) == "" {
			t.Errorf("no error beside %s", f)
		}
	}
	good := settingsForm("0")
	good.Set("comments", models.CommentsAnyone)
	good.Set("comments_close_days", "30")
	good.Set("comments_max_links", "1")
	good.Set("comments_blocklist", "  casino \n\n pills ")
	wantStatus(t, c.post("/admin/settings", good), http.StatusSeeOther)
	var mode, list string
	var days, links int
	if err := a.db.QueryRow(`SELECT comments, comments_close_days, comments_max_links, comments_blocklist FROM site_settings`).
		Scan(&mode, &days, &links, &list); err != nil {
		t.Fatal(err)
	}
	if mode != models.CommentsAnyone || days != 30 || links != 1 || list != "casino\npills" {
		t.Errorf("saved %q %d %d %q", mode, days, links, list)
	}
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	g := a.client()
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	g.post(path, a.commentForm(p.ID, "name", "Grace", "email", "g@example.org", "body", "Hello."))
	a.approveAll(p.ID)
	g.post(path, a.commentForm(p.ID, "name", "Grace", "email", "g@example.org", "body", "Cheap PILLS here."))
	var status, reason string
	if err := a.db.QueryRow(`SELECT status, held_reason FROM comments ORDER BY id DESC LIMIT 1`).Scan(&status, &reason); err != nil {
		t.Fatal(err)
	}
	if status != models.CommentHeld || reason != models.HeldBlocklist {
		t.Errorf("a blocklisted comment: %s (%s)", status, reason)
	}
}

// TestCommentCountInFeed: the RSS feed carries each post's approved
// comments as slash:comments, and a new approval reaches it.
func TestCommentCountInFeed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	if _, feed := a.rawGet("/feed.xml", ""); !strings.Contains(string(feed), `xmlns:slash="http://purl.org/rss/1.0/modules/slash/"`) ||
		!strings.Contains(string(feed), "<slash:comments>0</slash:comments>") {
		t.Fatalf("the feed lacks slash:comments:\n%s", feed)
	}
	g := a.client()
	wantStatus(t, g.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments",
		a.commentForm(p.ID, "name", "Grace", "email", "g@example.org", "body", "Hello.")), http.StatusSeeOther)
	a.approveAll(p.ID)
	if _, feed := a.rawGet("/feed.xml", ""); !strings.Contains(string(feed), "<slash:comments>1</slash:comments>") {
		t.Errorf("after an approval the feed says:\n%s", feed)
	}
}

// TestCommentOfDeletedAccount: deleting an account keeps its comments,
// shown as Anonymous (never a blank name), and the post page's shared
// copy changes at once.
func TestCommentOfDeletedAccount(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	grace := a.createUser("grace", models.RoleContributor)
	c := a.client()
	c.login("grace", strongPassword)
	wantStatus(t, c.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments", a.commentForm(p.ID, "body", "Lovely birds.")), http.StatusSeeOther)
	a.approveAll(p.ID)
	reader := a.client()
	before := reader.get("/posts/swifts")
	if got := before.doc.Find(`[data-testid="comment-name"]`).Text(); got != "grace" {
		t.Fatalf("comment by %q before, want grace", got)
	}
	if _, err := a.db.Exec(`DELETE FROM users WHERE id = $1`, grace.ID); err != nil {
		t.Fatal(err)
	}
	after := reader.get("/posts/swifts", "If-None-Match", before.Header.Get("ETag"))
	wantStatus(t, after, http.StatusOK)
	if got := after.doc.Find(`[data-testid="comment-name"]`).Text(); got != "Anonymous" || !strings.Contains(after.body, "Lovely birds.") {
		t.Errorf("after the account was deleted the comment is by %q (want Anonymous) or gone:\n%s", got, after.body)
	}
}
