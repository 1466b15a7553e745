package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var resetLinkRE = regexp.MustCompile(`https://blog\.example\.org/password/reset/[A-Za-z0-9_-]{43}`)

// requestReset asks for a reset link for email and returns the link mailed.
func requestReset(t *testing.T, a *testApp, email string) string {
	t.Helper()
	c := a.client()
	res := c.post("/password/reset", url.Values{"email": {email}}, "Host", "evil.example")
	wantStatus(t, res, http.StatusOK)
	m := a.smtp.Next(t, 5*time.Second)
	link := resetLinkRE.FindString(m.Body)
	if link == "" {
		t.Fatalf("no reset link built from the base URL in:\n%s", m.Body)
	}
	if m.To[0] != email {
		t.Fatalf("mail to %v", m.To)
	}
	return strings.TrimPrefix(link, "https://blog.example.org")
}

func TestPasswordResetSameAnswer(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	known := c.post("/password/reset", url.Values{"email": {"grace@example.com"}})
	unknown := c.post("/password/reset", url.Values{"email": {"nobody@example.com"}})
	wantStatus(t, known, http.StatusOK)
	wantStatus(t, unknown, http.StatusOK)
	k := strings.ReplaceAll(known.doc.Find("#notice").Text(), "grace@example.com", "X")
	u := strings.ReplaceAll(unknown.doc.Find("#notice").Text(), "nobody@example.com", "X")
	if k != u || k == "" {
		t.Fatalf("answers differ:\n%q\n%q", k, u)
	}
	a.smtp.Next(t, 5*time.Second) // the known account gets mail...
	a.smtp.None(t, 300*time.Millisecond)
	var n int
	if err := a.db.Get(&n, "SELECT count(*) FROM password_resets"); err != nil || n != 1 {
		t.Fatalf("reset tokens = %d (%v)", n, err)
	}
	// Only a hash of the token is stored.
	var stored []byte
	if err := a.db.Get(&stored, "SELECT token_hash FROM password_resets"); err != nil || len(stored) != 32 {
		t.Fatalf("stored token: %x %v", stored, err)
	}
	bad := c.post("/password/reset", url.Values{"email": {"not an email"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if bad.fieldError("email") == "" {
		t.Fatal("no error beside email")
	}
}

func TestPasswordResetFlow(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	signedIn := a.client()
	signedIn.login("grace", strongPassword)

	path := requestReset(t, a, "grace@example.com")
	c := a.client()
	form := c.get(path)
	wantStatus(t, form, http.StatusOK)
	if form.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Error("reset page may leak its token in Referer")
	}
	weak := c.post(path, url.Values{"password": {"password1234"}})
	wantStatus(t, weak, http.StatusUnprocessableEntity)
	if weak.fieldError("password") == "" {
		t.Fatal("weak password accepted")
	}
	const newPassword = "a completely different passphrase"
	res := c.post(path, url.Values{"password": {newPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	notice := a.smtp.Next(t, 5*time.Second)
	if !strings.Contains(notice.Subject, "password was changed") {
		t.Fatalf("notice subject %q", notice.Subject)
	}
	c.login("grace", newPassword)
	if signedIn.get("/").signedInAs() != "" {
		t.Fatal("the reset did not end the other session")
	}

	// Single use.
	wantStatus(t, c.get(path), http.StatusNotFound)
	again := a.client().post(path, url.Values{"password": {"yet another fine passphrase"}})
	wantStatus(t, again, http.StatusNotFound)
	a.client().login("grace", newPassword)
}

func TestPasswordResetExpired(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	path := requestReset(t, a, "grace@example.com")
	if _, err := a.db.Exec("UPDATE password_resets SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	wantStatus(t, c.get(path), http.StatusNotFound)
	wantStatus(t, c.post(path, url.Values{"password": {"a completely different passphrase"}}), http.StatusNotFound)
	c.login("grace", strongPassword)
}

func TestPasswordResetDiesWithPasswordChange(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	path := requestReset(t, a, "grace@example.com")
	c := a.client()
	c.login("grace", strongPassword)
	c.get("/settings/password")
	res := c.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {"a completely different passphrase"}})
	wantStatus(t, res, http.StatusSeeOther)
	a.smtp.Next(t, 5*time.Second) // the change notice
	wantStatus(t, a.client().get(path), http.StatusNotFound)
}

func TestSettingsPassword(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c, other := a.client(), a.client()
	c.login("grace", strongPassword)
	other.login("grace", strongPassword)
	page := c.get("/settings/password")
	wantStatus(t, page, http.StatusOK)
	if page.Header.Get("Cache-Control") != "no-store" {
		t.Error("settings page may be cached")
	}
	before := c.cookie("quire_session")

	wrong := c.post("/settings/password", url.Values{"current_password": {"not my password"}, "password": {"a completely different passphrase"}})
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	if wrong.fieldError("current_password") == "" {
		t.Fatal("wrong current password not reported beside its field")
	}
	short := c.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {"short"}})
	wantStatus(t, short, http.StatusUnprocessableEntity)
	if short.fieldError("password") == "" {
		t.Fatal("short password not reported")
	}

	res := c.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {"a completely different passphrase"}})
	wantStatus(t, res, http.StatusSeeOther)
	if c.cookie("quire_session") == before {
		t.Error("session token not renewed on password change")
	}
	if c.get("/").signedInAs() != "grace" {
		t.Fatal("the changing session was signed out")
	}
	if other.get("/").signedInAs() != "" {
		t.Fatal("other sessions survived the password change")
	}
	m := a.smtp.Next(t, 5*time.Second)
	if m.To[0] != "grace@example.com" || !strings.Contains(m.Body, "changed") {
		t.Fatalf("notice: %+v", m)
	}
}

// TestPasswordResetRateLimited: reset mail is limited per address (the
// answer stays the same, and the links already sent keep working) and
// requests per client (429).
func TestPasswordResetRateLimited(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	var links []string
	for range 4 {
		res := c.post("/password/reset", url.Values{"email": {"grace@example.com"}})
		wantStatus(t, res, http.StatusOK)
		if len(links) < 3 {
			links = append(links, resetLinkRE.FindString(a.smtp.Next(t, 5*time.Second).Body))
		}
	}
	a.smtp.None(t, 500*time.Millisecond) // the fourth request for one address sends nothing
	for i := range 6 {
		wantStatus(t, c.post("/password/reset", url.Values{"email": {"nobody" + strconv.Itoa(i) + "@example.com"}}), http.StatusOK)
	}
	res := c.post("/password/reset", url.Values{"email": {"grace@example.com"}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if !strings.Contains(res.formError(), "Too many reset requests") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("message %q, Retry-After %q", res.formError(), res.Header.Get("Retry-After"))
	}
	// A link mailed before the limit still works.
	path := strings.TrimPrefix(links[0], "https://blog.example.org")
	wantStatus(t, a.client().get(path), http.StatusOK)
}

// TestPasswordResetAnswersBeforeItsWork: the request does the same work
// for every address; looking the account up, storing a token and mailing
// happen afterwards. With the token table locked, a known address is
// still answered at once, and the link goes out once the lock is gone.
func TestPasswordResetAnswersBeforeItsWork(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	tx, err := a.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("LOCK TABLE password_resets IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.get("/password/reset")
	start := time.Now()
	res := c.post("/password/reset", url.Values{"email": {"grace@example.com"}})
	took := time.Since(start)
	_ = tx.Rollback()
	wantStatus(t, res, http.StatusOK)
	if took > 3*time.Second {
		t.Fatalf("a known address waited %v for its token to be stored", took)
	}
	if link := resetLinkRE.FindString(a.smtp.Next(t, 10*time.Second).Body); link == "" {
		t.Fatal("no link mailed after the lock was released")
	}
}

// TestPasswordResetTiming measures the answer to known and unknown
// addresses (median of 50 each, alternating) and logs it; the bound is
// generous, the figures are for the record.
func TestPasswordResetTiming(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.discardMail(t)
	a.createUser("grace", "author")
	c := a.client()
	c.get("/password/reset")
	const n = 50
	var known, unknown []time.Duration
	for i := range 2 * n {
		_, _ = a.db.Exec("DELETE FROM rate_limit_hits") // the limits are not what is measured
		email, into := "grace@example.com", &known
		if i%2 == 1 {
			email, into = "nobody@example.com", &unknown
		}
		start := time.Now()
		res := c.post("/password/reset", url.Values{"email": {email}})
		*into = append(*into, time.Since(start))
		wantStatus(t, res, http.StatusOK)
	}
	k, u := median(known), median(unknown)
	t.Logf("password reset answer, median of %d: known address %v, unknown address %v", n, k, u)
	if k > 3*u+5*time.Millisecond { // only a gross difference: the CPU is shared
		t.Errorf("known addresses answer in %v, unknown in %v: the work differs", k, u)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
