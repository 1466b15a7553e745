package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quire/handlers"
	"quire/models"
)

// flashFor gives a signed-out visitor a session holding msg as the one-time
// notice of their next page, as the application's own session manager
// would (the password reset flow does this for real, see below), and
// returns the Cookie header that carries it.
func (a *testApp) flashFor(msg string) string {
	a.t.Helper()
	sm := handlers.NewSessionManager(models.NewSessionStore(a.db.DB, 0), true)
	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		a.t.Fatal(err)
	}
	sm.Put(ctx, "flash", msg)
	token, _, err := sm.Commit(ctx)
	if err != nil {
		a.t.Fatal(err)
	}
	return sm.Cookie.Name + "=" + token
}

// A one-time notice is the visitor's own: it is shown to them once, and
// never to the next signed-out reader, whichever reader page it lands on
// and whatever it says.
func TestFlashNeverEntersSharedPage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	for i := range 11 { // two pages of the home list
		a.addPost(alice, post{title: "Flash check " + strings.Repeat("i", i+1), body: "Text.", tags: []string{"sky"}})
	}
	pages := []string{"/", "/?page=2", "/tags/sky", "/@alice", "/posts/flash-check-i"}
	// Every notice the application gives, by kind.
	notices := []string{
		"Your password has been changed. Sign in with your new password.",
		"Your password has been changed. Other devices have been signed out.",
		"Welcome to Quire, visitor.",
		"Your profile has been saved.",
		"Draft saved.", "Saved.", "Published.",
		"“A post” was deleted. You can restore it below for 30 days.",
		"The earlier version was restored; the text it replaced is kept as a revision.",
		"2 users suspended.",
	}
	for _, path := range pages {
		for _, msg := range notices {
			r := a.client().get(path, "Cookie", a.flashFor(msg))
			wantStatus(t, r, http.StatusOK)
			if !strings.Contains(r.body, htmlText(msg)) {
				t.Fatalf("%s: the visitor was not shown their notice %q", path, msg)
			}
			for _, enc := range []string{"", "gzip"} {
				res, b := a.rawGet(path, enc)
				if enc != "" && res.Header.Get("Content-Encoding") == "gzip" {
					b = gunzip(t, b)
				}
				if strings.Contains(string(b), htmlText(msg)) {
					t.Fatalf("%s: another reader (Accept-Encoding %q) was shown the notice %q", path, enc, msg)
				}
			}
		}
	}

	// The same through the real flow: a password reset signs the visitor
	// out with a notice; the next reader's home page does not carry it.
	a.createUser("grace", models.RoleAuthor)
	link := requestReset(t, a, "grace@example.com")
	v := a.client()
	v.get(link)
	wantStatus(t, v.post(link, url.Values{"password": {"another long horse battery"}}), http.StatusSeeOther)
	if r := v.get("/tags/sky"); !strings.Contains(r.body, "Your password has been changed") {
		t.Fatalf("the visitor's next page lacks their notice:\n%.400s", r.body)
	}
	if _, b := a.rawGet("/tags/sky", ""); strings.Contains(string(b), "Your password has been changed") {
		t.Fatal("the next signed-out reader got the visitor's notice")
	}
}

// htmlText is msg as templ escapes it in a page.
func htmlText(msg string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(msg)
}
