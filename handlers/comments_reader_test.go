package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"quire/models"
)

// seedComments adds n approved top-level comments by a guest to post id,
// a minute apart and oldest first, and returns their ids.
func (a *testApp) seedComments(id int64, n int) []int64 {
	a.t.Helper()
	var ids []int64
	err := a.db.Select(&ids, `INSERT INTO comments (post_id, guest_name, guest_email, body, body_html, status, created_at)
SELECT $1, 'Reader ' || i, 'r@example.org', 'Comment ' || i, '<p>Comment ' || i || '</p>', 'approved',
	now() - interval '1 day' + i * interval '1 minute'
FROM generate_series(1, $2) i ORDER BY i RETURNING id`, id, n)
	if err != nil {
		a.t.Fatal(err)
	}
	return ids
}

func commentsPath(id int64) string { return "/posts/" + strconv.FormatInt(id, 10) + "/comments" }

func commentPath(post, id int64) string { return commentsPath(post) + "/" + strconv.FormatInt(id, 10) }

// TestCommentReplies: each top-level comment has a Reply link; with htmx
// it brings the form (parent_id set, a Cancel reply that puts the link
// back), without JavaScript the post page with the form open under the
// comment; a reply posted with htmx swaps the section with the reply under
// its parent; a reply to a reply is refused with the text kept; the shared
// copy stays the same for everyone.
func TestCommentReplies(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	first := a.seedComments(p.ID, 2)[0]
	reply := commentPath(p.ID, first) + "/reply"

	_, shared := a.rawGet("/posts/swifts", "")
	link := a.client().get("/posts/swifts").doc.Find(`#reply-` + strconv.FormatInt(first, 10) + ` a[data-testid="reply"]`)
	if link.AttrOr("href", "") != reply || link.AttrOr("hx-get", "") != reply {
		t.Fatalf("no Reply link to %s under the comment: %q", reply, link.AttrOr("href", ""))
	}

	grace := a.createUser("grace", models.RoleContributor)
	c := a.client()
	c.login("grace", strongPassword)
	frag := c.get(reply, "HX-Request", "true")
	wantStatus(t, frag, http.StatusOK)
	form := frag.doc.Find(`form[data-testid="reply-form"]`)
	if strings.Contains(frag.body, "<html") || form.Find(`input[name="parent_id"]`).AttrOr("value", "") != strconv.FormatInt(first, 10) ||
		form.Find(`input[name="_csrf"]`).Length() != 1 || frag.doc.Find(`[data-testid="cancel-reply"]`).Length() != 1 {
		t.Fatalf("the htmx reply form: not a fragment with parent_id, a token and Cancel reply:\n%s", frag.body)
	}
	if ids := frag.doc.Find(`#f-reply-body`).Length(); ids != 1 {
		t.Errorf("the reply form's body has no id of its own (%d)", ids)
	}
	back := c.get(reply+"?cancel=1", "HX-Request", "true")
	if back.doc.Find(`a[data-testid="reply"]`).Length() != 1 || back.doc.Find("form").Length() != 0 {
		t.Errorf("Cancel reply did not put the link back:\n%s", back.body)
	}
	page := c.get(reply)
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`#comment-`+strconv.FormatInt(first, 10)).Parent().Find(`form[data-testid="reply-form"]`).Length() != 1 ||
		page.doc.Find(`form[data-testid="comment-form"]`).Length() != 1 || !strings.Contains(page.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("without JavaScript: the post page with the reply form under the comment, private:\n%s", page.body)
	}

	a.db.MustExec(`INSERT INTO comments (post_id, user_id, body, body_html, status) VALUES ($1, $2, 'Earlier.', '<p>Earlier.</p>', 'approved')`, p.ID, grace.ID)
	r := c.post(commentsPath(p.ID), a.commentForm(p.ID, "body", "I agree.", "parent_id", strconv.FormatInt(first, 10)), "HX-Request", "true")
	wantStatus(t, r, http.StatusOK)
	under := r.doc.Find(`#comment-` + strconv.FormatInt(first, 10)).Parent().Find(`.comment-replies [data-testid="comment"]`)
	if strings.Contains(r.body, "<html") || under.Length() != 1 || !strings.Contains(under.Text(), "I agree.") {
		t.Fatalf("the reply is not swapped in under its parent:\n%s", r.body)
	}
	var replyID int64
	a.db.Get(&replyID, `SELECT id FROM comments WHERE body = 'I agree.'`)
	r = c.post(commentsPath(p.ID), a.commentForm(p.ID, "body", "Deeper.", "parent_id", strconv.FormatInt(replyID, 10)))
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.fieldError("body"), "takes no replies") ||
		!strings.Contains(r.body, "Deeper.") {
		t.Errorf("a reply to a reply: %d %q", r.StatusCode, r.fieldError("body"))
	}
	if r := c.get(commentPath(p.ID, replyID)+"/reply", "HX-Request", "true"); r.StatusCode != http.StatusNotFound {
		t.Errorf("a reply form for a reply: %d, want 404", r.StatusCode)
	}

	_, again := a.rawGet("/posts/swifts", "")
	if strings.Contains(string(again), `name="_csrf"`) || strings.Contains(string(again), "Commenting as") {
		t.Errorf("the shared copy holds a token or the commenter's account")
	}
	if strings.Contains(string(shared), "reply-form") {
		t.Errorf("the shared copy opened a reply form")
	}
}

// TestCommentPages: past the comments-per-page setting the post page
// shows the newest threads, with a link to older ones; each page is its
// own shared copy and ETag; a permalink names its page, and a reply on an
// older page goes back there.
func TestCommentPages(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.db.MustExec(`UPDATE site_settings SET comments_per_page = 10, version = version + 1`)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	ids := a.seedComments(p.ID, 25)
	a.db.MustExec(`INSERT INTO comments (post_id, parent_id, guest_name, body, body_html, status)
VALUES ($1, $2, 'Answer', 'On the first.', '<p>On the first.</p>', 'approved')`, p.ID, ids[0])

	res, newest := a.rawGet("/posts/swifts", "")
	body := string(newest)
	if n := strings.Count(body, `data-testid="comment"`); n != 5 || !strings.Contains(body, "Comment 25") || strings.Contains(body, "Comment 20<") {
		t.Errorf("the post page shows %d comments, want the newest 5", n)
	}
	if !strings.Contains(body, `href="/posts/swifts?page=2#comments"`) || strings.Contains(body, `data-testid="newer-comments"`) {
		t.Errorf("the newest page lacks its link to older comments")
	}
	res1, oldest := a.rawGet("/posts/swifts?page=1", "")
	body = string(oldest)
	if n := strings.Count(body, `data-testid="comment"`); n != 11 || !strings.Contains(body, "On the first.") || strings.Contains(body, "Comment 11<") {
		t.Errorf("page 1 shows %d comments, want 10 and the reply", n)
	}
	if !strings.Contains(body, `href="/posts/swifts?page=1#comment-`+strconv.FormatInt(ids[0], 10)+`"`) {
		t.Errorf("a permalink on page 1 does not name its page")
	}
	if res.Header.Get("ETag") == res1.Header.Get("ETag") {
		t.Errorf("two pages of comments share an ETag")
	}
	if _, again := a.rawGet("/posts/swifts?page=1", ""); string(again) != string(oldest) {
		t.Errorf("page 1's shared copy differs between readers")
	}

	a.createUser("grace", models.RoleAuthor)
	c := a.client()
	c.login("grace", strongPassword)
	a.db.MustExec(`INSERT INTO comments (post_id, user_id, body, body_html, status) SELECT $1, id, 'Hi.', '<p>Hi.</p>', 'approved' FROM users WHERE username = 'grace'`, p.ID)
	r := c.post(commentsPath(p.ID), a.commentForm(p.ID, "body", "Late answer.", "parent_id", strconv.FormatInt(ids[1], 10)))
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/posts/swifts?page=1#comment-") {
		t.Errorf("a reply on page 1 went to %q", loc)
	}
	if r := c.get("/posts/swifts?page=99"); r.doc.Find(`[data-testid="comment-page"]`).Text() != "Page 3 of 3 of comments." {
		t.Errorf("a page past the last: %q", r.doc.Find(`[data-testid="comment-page"]`).Text())
	}
}

// TestCommentsPerPageSetting: the setting is a field of /admin/settings,
// refused beside itself outside 10–500 and saved inside.
func TestCommentsPerPageSetting(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	if v := c.get("/admin/settings").doc.Find(`#f-comments_per_page`).AttrOr("value", ""); v != "50" {
		t.Errorf("comments per page shown %q, want the default 50", v)
	}
	for _, bad := range []string{"9", "501", "", "many"} {
		f := settingsForm("0")
		f.Set("comments_per_page", bad)
		r := c.post("/admin/settings", f)
		if r.StatusCode != http.StatusUnprocessableEntity || r.fieldError("comments_per_page") != "Give a number of comments per page from 10 to 500." {
			t.Errorf("%q: %d %q", bad, r.StatusCode, r.fieldError("comments_per_page"))
		}
	}
	f := settingsForm("0")
	f.Set("comments_per_page", "120")
	wantStatus(t, c.post("/admin/settings", f), http.StatusSeeOther)
	var n int
	a.db.Get(&n, `SELECT comments_per_page FROM site_settings`)
	if n != 120 {
		t.Errorf("saved %d, want 120", n)
	}
}

// TestCommentAvatars: an account's comment shows its avatar, a guest's the
// default one, both sized and from this site.
func TestCommentAvatars(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	grace := a.createUser("grace", models.RoleAuthor)
	a.db.MustExec(`UPDATE users SET avatar = 'abc123.png' WHERE id = $1`, grace.ID)
	a.seedComments(p.ID, 1) // a day old
	a.db.MustExec(`INSERT INTO comments (post_id, user_id, body, body_html, status) VALUES ($1, $2, 'Mine.', '<p>Mine.</p>', 'approved')`, p.ID, grace.ID)
	page := a.client().get("/posts/swifts")
	imgs := page.doc.Find(`[data-testid="comment-avatar"]`)
	if imgs.Length() != 2 {
		t.Fatalf("%d avatars, want 2", imgs.Length())
	}
	if src := imgs.Eq(1).AttrOr("src", ""); src != "/media/abc123.png" {
		t.Errorf("the account's avatar is %q", src)
	}
	if src := imgs.Eq(0).AttrOr("src", ""); !strings.Contains(src, "avatar") || !strings.HasPrefix(src, "/") {
		t.Errorf("the guest's avatar is %q, want the default from this site", src)
	}
	if imgs.Eq(1).AttrOr("width", "") != "32" || imgs.Eq(1).AttrOr("height", "") != "32" {
		t.Errorf("an avatar without its size")
	}
}

// TestCommentModerationFromPost: the post's author sees its held comments
// on the post page (never on the shared copy) and approves one with htmx
// (the section swaps, the comment shown) and spams one with a plain form;
// another author may not moderate them, by route or by model.
func TestCommentModerationFromPost(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	ada := a.createUser("ada", models.RoleAuthor)
	p := a.addPost(ada, post{title: "Swifts", body: "They are back."})
	g := a.client()
	for _, body := range []string{"Please approve.", "Buy pills."} {
		wantStatus(t, g.post(commentsPath(p.ID), a.commentForm(p.ID, "name", "Guest", "email", "g"+strconv.Itoa(len(body))+"@example.org", "body", body)), http.StatusSeeOther)
	}
	var ids []int64
	a.db.Select(&ids, `SELECT id FROM comments ORDER BY id`)

	if _, shared := a.rawGet("/posts/swifts", ""); strings.Contains(string(shared), "Please approve.") || strings.Contains(string(shared), "comments-held") {
		t.Fatalf("the shared copy shows held comments")
	}
	c := a.client()
	c.login("ada", strongPassword)
	page := c.get("/posts/swifts")
	if page.doc.Find(`[data-testid="held-comment"]`).Length() != 2 || !strings.Contains(page.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("the author's page: %d held comments shown", page.doc.Find(`[data-testid="held-comment"]`).Length())
	}
	approve := commentPath(p.ID, ids[0]) + "/approve"
	if page.doc.Find(`form[action="`+approve+`"][hx-post="`+approve+`"] button`).Length() != 1 {
		t.Errorf("no Approve button for the first held comment")
	}
	r := c.post(approve, nil, "HX-Request", "true")
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.body, "<html") || r.doc.Find(`.comment-list > li [data-testid="comment"]`).Length() != 1 ||
		r.doc.Find(`[data-testid="held-comment"]`).Length() != 1 || r.doc.Find(`[data-testid="moderation-notice"]`).Length() != 1 {
		t.Errorf("approving with htmx did not swap the section in place:\n%s", r.body)
	}
	r = c.post(commentPath(p.ID, ids[1])+"/spam", nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/posts/swifts#comments" {
		t.Errorf("spam without JavaScript: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	var status string
	a.db.Get(&status, `SELECT status FROM comments WHERE id = $1`, ids[1])
	if status != models.CommentSpam {
		t.Errorf("the spammed comment is %s", status)
	}

	bob := a.createUser("bob", models.RoleAuthor)
	b := a.client()
	b.login("bob", strongPassword)
	if r := b.post(commentPath(p.ID, ids[0])+"/trash", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("another author trashed a comment: %d", r.StatusCode)
	}
	if b.get("/posts/swifts").doc.Find(`[data-testid="comments-held"]`).Length() != 0 {
		t.Errorf("another author sees the held comments")
	}
	cm := &models.CommentModel{DB: a.db}
	if _, err := cm.Trash(context.Background(), models.ActorOf(bob), ids[:1]); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("the model let another author trash a comment: %v", err)
	}
	if res, err := cm.Trash(context.Background(), models.ActorOf(ada), ids[:1]); err != nil || res.Changed != 1 {
		t.Errorf("the post's author could not trash its comment: %+v %v", res, err)
	}
}
