package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
)

var verifyLinkRE = regexp.MustCompile(`https://blog\.example\.org/verify/([A-Za-z0-9_-]{43})`)

func (a *testApp) verifyLink() string {
	a.t.Helper()
	token, _ := a.mailedToken(verifyLinkRE)
	return token
}

// mailedToken reads the next mail and the token of the link re finds in
// it (re's first group).
func (a *testApp) mailedToken(re *regexp.Regexp) (token string, to []string) {
	a.t.Helper()
	m := a.smtp.Next(a.t, 5*time.Second)
	link := re.FindStringSubmatch(m.Body)
	if link == nil {
		a.t.Fatalf("no link in the mail %q to %v:\n%s", m.Subject, m.To, m.Body)
	}
	return link[1], m.To
}

// TestEmailVerification: an open sign-up is signed in and may write and
// edit its profile, but publishing is refused (403, saying why, with a
// button sending a new link, rate-limited) until the mailed link is
// followed; a link works once, and a used, altered or expired one gets one
// clear page.
func TestEmailVerification(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	c.get("/register")
	wantStatus(t, c.post("/register", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"}, "password": {strongPassword}}),
		http.StatusSeeOther)
	first := a.verifyLink()
	u, err := a.users.GetByUsername(t.Context(), "newbie")
	if err != nil || u.EmailVerified {
		t.Fatalf("a new sign-up: verified %v, %v", u.EmailVerified, err)
	}
	wantStatus(t, c.get("/settings/profile"), http.StatusOK)

	draft := a.newPost(u, "Hello", false)
	publish := func() *response {
		c.get("/posts/" + draft.Slug)
		p, _ := (&models.PostModel{DB: a.db}).Get(t.Context(), draft.ID)
		return c.post("/posts/"+strconv.FormatInt(draft.ID, 10)+"/publish", versionForm(p))
	}
	res := publish()
	wantStatus(t, res, http.StatusForbidden)
	if !strings.Contains(res.body, "Confirm your email address before you publish") ||
		res.doc.Find(`form[action="/verify/resend"] button`).Length() != 1 {
		t.Fatalf("the refusal does not say why with a resend button:\n%s", res.doc.Find("main").Text())
	}

	for i := range models.VerifyResendLimit.Max {
		wantStatus(t, c.post("/verify/resend", nil), http.StatusSeeOther)
		if i < models.VerifyResendLimit.Max-1 {
			a.verifyLink()
		}
	}
	last := a.verifyLink()
	res = c.post("/verify/resend", nil)
	wantStatus(t, res, http.StatusTooManyRequests)
	a.smtp.None(t, 200*time.Millisecond)

	bad := func(what, token string) {
		t.Helper()
		res := a.client().get("/verify/" + token)
		wantStatus(t, res, http.StatusNotFound)
		if !strings.Contains(res.body, "This confirmation link does not work") {
			t.Errorf("%s link: no clear message", what)
		}
	}
	bad("altered", last[:42]+"x")
	wantStatus(t, a.client().get("/verify/"+first), http.StatusSeeOther) // any of the links, followed anywhere
	bad("used", first)
	bad("another of the same account", last) // the account's other links went with it
	if res := publish(); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("publishing once verified: %d", res.StatusCode)
	}

	// An expired link.
	v := a.createUser("later", models.RoleAuthor)
	if _, err := a.db.Exec(`UPDATE users SET email_verified = false WHERE id = $1`, v.ID); err != nil {
		t.Fatal(err)
	}
	token, _, err := a.users.IssueVerification(t.Context(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`UPDATE email_verifications SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	bad("expired", token)
}
