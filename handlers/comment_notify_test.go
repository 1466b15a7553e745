package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
)

// guestComment posts a guest's comment on post id, as a reader of the
// shared copy would (the token from its fragment); notify ticks "Email me
// replies".
func (a *testApp) guestComment(id int64, name, email, body string, notify bool, parent int64) {
	a.t.Helper()
	c := a.client()
	wantStatus(a.t, c.get("/posts/"+strconv.FormatInt(id, 10)+"/comments/token"), http.StatusOK)
	f := a.commentForm(id, "name", name, "email", email, "body", body)
	if notify {
		f.Set("notify_replies", "1")
	}
	if parent > 0 {
		f.Set("parent_id", strconv.FormatInt(parent, 10))
	}
	wantStatus(a.t, c.post("/posts/"+strconv.FormatInt(id, 10)+"/comments", f), http.StatusSeeOther)
}

// sendCommentMail runs the comment mailer once, as serve's does every
// poll, and fails the test when the run did.
func (a *testApp) sendCommentMail() models.CommentMailRun {
	a.t.Helper()
	r, err := a.app.CommentMailer().SendDue(context.Background())
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

// laterBatch moves every address's last comment mail past the interval,
// as if the minutes had gone by.
func (a *testApp) laterBatch() {
	a.db.MustExec(`UPDATE comment_mail_sent SET sent_at = sent_at - interval '1 hour'`)
}

func commentID(t *testing.T, a *testApp, body string) int64 {
	t.Helper()
	var id int64
	if err := a.db.Get(&id, `SELECT id FROM comments WHERE body = $1`, body); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCommentMailAuthorBatch: the post's author hears of two held
// comments in one plain-text mail, their markup inert; a third within the
// interval waits for the next batch, and nothing is sent twice.
func TestCommentMailAuthorBatch(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	xss := `<script>alert("x")</script>`
	a.guestComment(p.ID, xss+"Grace", "grace@example.org", "First **swift** seen. "+xss+` <img src=x onerror=alert(1)>`, false, 0)
	a.guestComment(p.ID, "Linus", "linus@example.org", "Second comment here.", false, 0)

	if r := a.sendCommentMail(); r.Mails != 1 {
		t.Fatalf("run %+v, want one mail", r)
	}
	m := a.smtp.Next(t, 5*time.Second)
	if len(m.To) != 1 || m.To[0] != "ada@example.com" || !strings.Contains(m.Subject, "New comments") {
		t.Fatalf("mail to %v, subject %q", m.To, m.Subject)
	}
	for _, want := range []string{"First **swift** seen.", "Second comment here.", xss + "Grace wrote on \"Swifts\"",
		"(held for moderation)", "https://blog.example.org/posts/swifts#comments"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("mail lacks %q:\n%s", want, m.Body)
		}
	}
	if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want plain text only", ct)
	}
	if m.Header.Get("List-Unsubscribe") != "" {
		t.Errorf("an author's mail carries a reply unsubscribe link")
	}
	a.smtp.None(t, 200*time.Millisecond)

	// Within the interval a new comment waits; after it, it comes alone.
	a.guestComment(p.ID, "Ken", "ken@example.org", "Third, a bit later.", false, 0)
	if r := a.sendCommentMail(); r.Mails != 0 {
		t.Fatalf("run %+v within the interval, want no mail", r)
	}
	a.laterBatch()
	a.sendCommentMail()
	m = a.smtp.Next(t, 5*time.Second)
	if !strings.Contains(m.Body, "Third, a bit later.") || strings.Contains(m.Body, "Second comment here.") {
		t.Errorf("the next batch:\n%s", m.Body)
	}
	a.laterBatch()
	if r := a.sendCommentMail(); r.Mails != 0 {
		t.Errorf("run %+v with nothing new, want no mail", r)
	}
}

// TestCommentMailSettingOff: with the setting off, authors hear nothing.
func TestCommentMailSettingOff(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	a.db.MustExec(`UPDATE site_settings SET comments_notify = 'off', version = version + 1`)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	a.guestComment(p.ID, "Grace", "grace@example.org", "Held, quietly.", false, 0)
	if r := a.sendCommentMail(); r.Mails != 0 {
		t.Errorf("run %+v, want no mail", r)
	}
}

// TestCommentMailReplies: a commenter who ticked "Email me replies" hears
// of a reply, with a one-click unsubscribe link (RFC 8058); one who did
// not hears nothing; a tampered link is refused; once unsubscribed, the
// next reply sends nothing.
func TestCommentMailReplies(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	a.db.MustExec(`UPDATE site_settings SET comments_notify = 'off', version = version + 1`)
	ada := a.createUser("ada", models.RoleAuthor)
	p := a.addPost(ada, post{title: "Swifts", body: "They are back."})
	a.guestComment(p.ID, "Grace", "Grace@Example.org", "Tell me more.", true, 0)
	a.guestComment(p.ID, "Linus", "linus@example.org", "Nice.", false, 0)
	a.approveAll(p.ID)
	grace, linus := commentID(t, a, "Tell me more."), commentID(t, a, "Nice.")

	// The author answers both; her replies appear at once.
	c := a.client()
	c.login("ada", strongPassword)
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	wantStatus(t, c.post(path, a.commentForm(p.ID, "body", "Gladly: <b>soon</b>.", "parent_id", strconv.FormatInt(grace, 10))), http.StatusSeeOther)
	wantStatus(t, c.post(path, a.commentForm(p.ID, "body", "Thanks.", "parent_id", strconv.FormatInt(linus, 10))), http.StatusSeeOther)

	if r := a.sendCommentMail(); r.Mails != 1 {
		t.Fatalf("run %+v, want one mail (to the commenter who asked)", r)
	}
	m := a.smtp.Next(t, 5*time.Second)
	if len(m.To) != 1 || m.To[0] != "grace@example.org" {
		t.Fatalf("reply mail to %v", m.To)
	}
	if !strings.Contains(m.Body, "Gladly: <b>soon</b>.") || strings.Contains(m.Body, "Thanks.") {
		t.Errorf("reply mail:\n%s", m.Body)
	}
	link := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(link, "https://blog.example.org/comments/unsubscribe/") ||
		m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.Contains(m.Body, link) {
		t.Fatalf("unsubscribe headers %q / %q, body:\n%s", link, m.Header.Get("List-Unsubscribe-Post"), m.Body)
	}
	a.smtp.None(t, 200*time.Millisecond)

	u, _ := url.Parse(link)
	// The link shows a confirmation, and stops nothing by itself.
	page := a.client().get(u.Path)
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`form#unsubscribe-form button`).Length() != 1 {
		t.Fatalf("no confirm button:\n%s", page.body)
	}
	// A tampered token is refused, saying so, on the page and the POST.
	bad := u.Path[:len(u.Path)-1] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(u.Path, "0")]
	r := a.client().get(bad)
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, "This unsubscribe link is not valid") {
		t.Errorf("tampered link page:\n%s", r.body)
	}
	other := strings.Replace(u.Path, "/unsubscribe/"+strconv.FormatInt(grace, 10)+".", "/unsubscribe/"+strconv.FormatInt(linus, 10)+".", 1)
	res, err := http.PostForm(a.srv.URL+other, url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("another comment's id under this signature: %d, want 400", res.StatusCode)
	}
	// One click, as a mail provider sends it: no cookie, no CSRF token.
	res, err = http.PostForm(a.srv.URL+u.Path, url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", res.StatusCode)
	}

	// Grace's next reply is not mailed.
	wantStatus(t, c.post(path, a.commentForm(p.ID, "body", "And more.", "parent_id", strconv.FormatInt(grace, 10))), http.StatusSeeOther)
	a.laterBatch()
	if r := a.sendCommentMail(); r.Mails != 0 {
		t.Errorf("run %+v after unsubscribing, want no mail", r)
	}
	a.smtp.None(t, 200*time.Millisecond)
}

// TestCommentUnsubscribeForm: the confirmation form unsubscribes and says
// so; following it again changes nothing.
func TestCommentUnsubscribeForm(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	a.guestComment(p.ID, "Grace", "grace@example.org", "Tell me more.", true, 0)
	id := commentID(t, a, "Tell me more.")
	tok, err := (&models.CommentModel{DB: a.db}).UnsubscribeToken(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	c := a.client()
	page := c.get("/comments/unsubscribe/" + tok)
	r := c.post("/comments/unsubscribe/"+tok, url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	done := c.get(r.Header.Get("Location"))
	if !strings.Contains(done.body, "no more mail about replies") || page.StatusCode != 200 {
		t.Errorf("done page:\n%s", done.body)
	}
	var on bool
	a.db.Get(&on, `SELECT notify_replies FROM comments WHERE id = $1`, id)
	if on {
		t.Errorf("still subscribed")
	}
}

// TestAdminSettingsCommentMail: who hears of new comments is a setting of
// /admin/settings, "held only" by default, refused beside itself when
// unknown, saved when right.
func TestAdminSettingsCommentMail(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	page := c.get("/admin/settings")
	if v := page.doc.Find(`#f-comments_notify option[selected]`).AttrOr("value", ""); v != models.CommentNotifyHeld {
		t.Errorf("comment mail shown %q, want the default %q", v, models.CommentNotifyHeld)
	}
	bad := settingsForm("0")
	bad.Set("comments_notify", "sometimes")
	r := c.post("/admin/settings", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if r.fieldError("comments_notify") == "" {
		t.Errorf("no error beside comments_notify")
	}
	good := settingsForm("0")
	good.Set("comments_notify", models.CommentNotifyAll)
	wantStatus(t, c.post("/admin/settings", good), http.StatusSeeOther)
	var mode string
	if err := a.db.Get(&mode, `SELECT comments_notify FROM site_settings`); err != nil || mode != models.CommentNotifyAll {
		t.Errorf("saved %q (%v), want all", mode, err)
	}
}

// TestCommentMailListsOnce: a reply to the author's own comment on their
// post is news twice (a comment on the post, a reply to them), and is
// listed once.
func TestCommentMailListsOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	c := a.client()
	c.login("ada", strongPassword)
	path := "/posts/" + strconv.FormatInt(p.ID, 10) + "/comments"
	wantStatus(t, c.post(path, a.commentForm(p.ID, "body", "Ask me anything.", "notify_replies", "1")), http.StatusSeeOther)
	a.guestComment(p.ID, "Grace", "grace@example.org", "When do they leave?", false, commentID(t, a, "Ask me anything."))
	a.approveAll(p.ID)
	if r := a.sendCommentMail(); r.Mails != 1 {
		t.Fatalf("run %+v, want one mail", r)
	}
	m := a.smtp.Next(t, 5*time.Second)
	if m.To[0] != "ada@example.com" || strings.Count(m.Body, "When do they leave?") != 1 {
		t.Errorf("mail to %v:\n%s", m.To, m.Body)
	}
}
