package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	wantStatus(t, c.get("/register"), http.StatusOK)
	res := c.post("/register", url.Values{"username": {"Ada_L"}, "email": {"ada@example.com"}, "password": {strongPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/@ada_l" {
		t.Fatalf("Location = %q, want /@ada_l", loc)
	}
	page := c.get("/@ada_l")
	wantStatus(t, page, http.StatusOK)
	if got := page.signedInAs(); got != "ada_l" {
		t.Fatalf("signed in as %q after registering", got)
	}
	if !strings.Contains(page.doc.Find(".flash").Text(), "Welcome") {
		t.Fatal("no welcome notice after registering")
	}
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("taken_name", "author")
	cases := []struct {
		name                      string
		username, email, password string
		field, msg                string
	}{
		{"short username", "ab", "x@example.com", strongPassword, "username", "3 to 30"},
		{"bad characters", "ada-l!", "x@example.com", strongPassword, "username", "3 to 30"},
		{"long username", strings.Repeat("a", 31), "x@example.com", strongPassword, "username", "3 to 30"},
		{"no email", "someone", "", strongPassword, "email", "Enter your email"},
		{"bad email", "someone", "not-an-email", strongPassword, "email", "valid email"},
		{"short password", "someone", "x@example.com", "short pass", "password", "at least 12"},
		{"long password", "someone", "x@example.com", strings.Repeat("wordy ", 43), "password", "at most 256"},
		{"common password", "someone", "x@example.com", "password1234", "password", "too common"},
		{"password is username", "someone_long", "x@example.com", "Someone_Long", "password", "username or email"},
		{"duplicate username other case", "TAKEN_NAME", "x@example.com", strongPassword, "username", "taken"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := a.client()
			res := c.post("/register", url.Values{"username": {tc.username}, "email": {tc.email}, "password": {tc.password}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if got := res.fieldError(tc.field); !strings.Contains(got, tc.msg) {
				t.Fatalf("error beside %s = %q, want it to contain %q", tc.field, got, tc.msg)
			}
			if v, _ := res.doc.Find(`input[name="email"]`).Attr("value"); v != strings.TrimSpace(tc.email) {
				t.Errorf("email input not kept: %q", v)
			}
			if _, has := res.doc.Find(`input[name="password"]`).Attr("value"); has {
				t.Error("password echoed back into the form")
			}
			if strings.Contains(res.body, tc.password) && len(tc.password) > 8 && tc.field != "username" {
				t.Error("password appears in the page")
			}
		})
	}
	var n int
	if err := a.db.Get(&n, "SELECT count(*) FROM users"); err != nil || n != 1 {
		t.Fatalf("users = %d (%v), want only the pre-existing one", n, err)
	}
}

func TestRegisterPasswordUnicodeNotTruncated(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	// 80 characters of 4-byte runes: bcrypt would truncate at 72 bytes; argon2id must not.
	var pw string
	for r := rune(0x1F600); r < 0x1F650; r++ { // 80 different emoticons: one part repeated is refused
		pw += string(r)
	}
	c := a.client()
	wantStatus(t, c.post("/register", url.Values{"username": {"fox"}, "email": {"fox@example.com"}, "password": {pw}}), http.StatusSeeOther)
	other := a.client()
	res := other.post("/login", url.Values{"login": {"fox"}, "password": {pw[:len(pw)-4]}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	other.login("fox", pw)
}

func TestLoginSessionAndNext(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	c.get("/login")
	c.post("/login", url.Values{"login": {"nobody"}, "password": {"x"}}) // starts an anonymous session
	before := c.cookie("quire_session")
	res := c.post("/login", url.Values{"login": {"GRACE@example.com"}, "password": {strongPassword}, "next": {"/settings/profile"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/settings/profile" {
		t.Fatalf("Location = %q", loc)
	}
	after := c.cookie("quire_session")
	if after == "" || after == before {
		t.Fatalf("session token not renewed at login: before %q after %q", before, after)
	}
	setCookie := res.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Secure"} {
		if !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), ";"), attr) {
			t.Errorf("session cookie lacks %s: %s", attr, setCookie)
		}
	}
	if got := c.get("/").signedInAs(); got != "grace" {
		t.Fatalf("signed in as %q", got)
	}
}

func TestLoginOpenRedirectRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x", "\\\\evil.example"} {
		c := a.client()
		res := c.post("/login", url.Values{"login": {"grace"}, "password": {strongPassword}, "next": {next}})
		wantStatus(t, res, http.StatusSeeOther)
		loc := res.Header.Get("Location")
		if u, err := url.Parse(loc); err != nil || u.Host != "" || strings.HasPrefix(loc, "//") || strings.Contains(loc, "\\") {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestLoginFailuresLookTheSame(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	wrong := c.post("/login", url.Values{"login": {"grace"}, "password": {"wrong password here"}})
	unknown := c.post("/login", url.Values{"login": {"nosuchuser"}, "password": {"wrong password here"}})
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	wantStatus(t, unknown, http.StatusUnprocessableEntity)
	if wrong.formError() == "" || wrong.formError() != unknown.formError() {
		t.Fatalf("messages differ: %q vs %q", wrong.formError(), unknown.formError())
	}
	if v, _ := wrong.doc.Find(`input[name="login"]`).Attr("value"); v != "grace" {
		t.Errorf("login input not kept: %q", v)
	}
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	a.createUser("alan", "author")
	c := a.client()
	bad := url.Values{"login": {"grace"}, "password": {"wrong password here"}}

	// Four failures, then a success resets the account's count.
	for range 4 {
		wantStatus(t, c.post("/login", bad), http.StatusUnprocessableEntity)
	}
	c.login("grace", strongPassword)
	c.post("/logout", nil)

	// Five failures by username and email together lock the account...
	for i := range 5 {
		login := "grace"
		if i%2 == 1 {
			login = "grace@example.com"
		}
		wantStatus(t, c.post("/login", url.Values{"login": {login}, "password": {"wrong password here"}},
			"X-Forwarded-For", "10.0.0."+strconv.Itoa(i)), http.StatusUnprocessableEntity)
	}
	res := c.post("/login", url.Values{"login": {"grace"}, "password": {strongPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra < 60 || ra > 15*60+1 {
		t.Fatalf("Retry-After = %q", res.Header.Get("Retry-After"))
	}
	if !strings.Contains(res.formError(), "Too many failed sign-in attempts") {
		t.Fatalf("message = %q", res.formError())
	}
	if _, err := a.db.Exec("UPDATE login_failures SET at = at - interval '16 minutes'"); err != nil {
		t.Fatal(err)
	}
	c.login("grace", strongPassword)
}

func TestLoginThrottlePerAddress(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("alan", "author")
	c := a.client()
	// Failures against many accounts from one address.
	for i := range 5 {
		wantStatus(t, c.post("/login", url.Values{"login": {"user" + strconv.Itoa(i)}, "password": {"wrong password here"}}), http.StatusUnprocessableEntity)
	}
	res := c.post("/login", url.Values{"login": {"alan"}, "password": {strongPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	c.login("grace", strongPassword)
	token := c.cookie("quire_session")
	if res := c.get("/logout"); res.StatusCode != http.StatusMethodNotAllowed && res.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /logout: status %d", res.StatusCode)
	}
	if got := c.get("/").signedInAs(); got != "grace" {
		t.Fatal("GET /logout signed the user out")
	}
	wantStatus(t, c.post("/logout", nil), http.StatusSeeOther)
	if got := c.get("/").signedInAs(); got != "" {
		t.Fatalf("still signed in as %q", got)
	}
	var n int
	if err := a.db.Get(&n, "SELECT count(*) FROM sessions WHERE token = $1", token); err != nil || n != 0 {
		t.Fatalf("session row survives logout: %d %v", n, err)
	}
}

func TestSuspendedCannotLogIn(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	u := a.createUser("grace", "author")
	active := a.client()
	active.login("grace", strongPassword)
	a.suspend(u.ID)
	if got := active.get("/").signedInAs(); got != "" {
		t.Fatal("suspension did not end the existing session")
	}
	// The right password hears what a wrong one hears: it is not confirmed.
	c := a.client()
	right := c.post("/login", url.Values{"login": {"grace"}, "password": {strongPassword}})
	wrong := c.post("/login", url.Values{"login": {"grace"}, "password": {"wrong password here"}})
	wantStatus(t, right, http.StatusUnprocessableEntity)
	wantStatus(t, wrong, http.StatusUnprocessableEntity)
	if right.formError() == "" || right.formError() != wrong.formError() {
		t.Fatalf("answers differ: %q vs %q", right.formError(), wrong.formError())
	}
	if got := c.get("/").signedInAs(); got != "" {
		t.Fatalf("suspended account signed in as %q", got)
	}
}

func TestRequireUserRedirectsToLogin(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := a.client().get("/settings/profile")
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/login?next=%2Fsettings%2Fprofile" {
		t.Fatalf("Location = %q", loc)
	}
	res = a.client().get("/settings/profile", "HX-Request", "true")
	if res.Header.Get("HX-Redirect") == "" {
		t.Fatal("htmx request not redirected with HX-Redirect")
	}
}

// TestSettingsPasswordCountsAsGuess: the current-password check is a
// guess like a sign-in, counted by the same throttle, so a borrowed session
// cannot try passwords there past the sign-in limit.
func TestSettingsPasswordCountsAsGuess(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	c.login("grace", strongPassword)
	c.get("/settings/password")
	const next = "a completely different passphrase"
	for range 5 {
		res := c.post("/settings/password", url.Values{"current_password": {"not my password"}, "password": {next}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
	}
	res := c.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {next}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if !strings.Contains(res.formError(), "Try again in") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("message %q, Retry-After %q", res.formError(), res.Header.Get("Retry-After"))
	}
	// The same count holds at the login form.
	wantStatus(t, a.client().post("/login", url.Values{"login": {"grace"}, "password": {strongPassword}}), http.StatusTooManyRequests)
	if _, err := a.db.Exec("UPDATE login_failures SET at = at - interval '16 minutes'"); err != nil {
		t.Fatal(err)
	}
	res = c.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {next}})
	wantStatus(t, res, http.StatusSeeOther)
	a.client().login("grace", next)
}

// TestRegisterTakenEmail: a sign-up with an address that has an account
// creates nothing, answers "check your email" as a password reset does, and
// mails the owner how to sign in instead (once an hour, however often).
func TestRegisterTakenEmail(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	for i := range 2 {
		c := a.client()
		res := c.post("/register", url.Values{"username": {"newcomer"}, "email": {"Grace@EXAMPLE.com"}, "password": {strongPassword}})
		wantStatus(t, res, http.StatusOK)
		if got := res.doc.Find("#notice h1").Text(); got != "Check your email" {
			t.Fatalf("heading %q", got)
		}
		if strings.Contains(res.body, "already") || c.get("/").signedInAs() != "" {
			t.Fatal("the answer tells that the address has an account")
		}
		if i == 0 {
			m := a.smtp.Next(t, 5*time.Second)
			if m.To[0] != "grace@example.com" || !strings.Contains(m.Body, "already belongs to the account grace") ||
				!strings.Contains(m.Body, "https://blog.example.org/password/reset") {
				t.Fatalf("notice to the owner: %+v", m)
			}
		}
	}
	a.smtp.None(t, 300*time.Millisecond)
	var n int
	if err := a.db.Get(&n, "SELECT count(*) FROM users"); err != nil || n != 1 {
		t.Fatalf("users = %d (%v), want only grace", n, err)
	}
}

// TestRegisterRateLimited: sign-ups that reach the database (new accounts
// and taken names alike) are limited per client; forms refused for their
// input are not counted.
func TestRegisterRateLimited(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	for range 3 {
		res := a.client().post("/register", url.Values{"username": {"weakling"}, "email": {"w@example.com"}, "password": {"password1234"}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
	}
	for i := range 10 {
		name := "newcomer" + strconv.Itoa(i)
		want := http.StatusSeeOther
		if i%3 == 0 {
			name, want = "grace", http.StatusUnprocessableEntity
		}
		res := a.client().post("/register", url.Values{"username": {name}, "email": {name + strconv.Itoa(i) + "@example.com"}, "password": {strongPassword}})
		wantStatus(t, res, want)
	}
	res := a.client().post("/register", url.Values{"username": {"one_too_many"}, "email": {"late@example.com"}, "password": {strongPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if !strings.Contains(res.formError(), "Too many sign-up attempts") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("message %q, Retry-After %q", res.formError(), res.Header.Get("Retry-After"))
	}
	if v, _ := res.doc.Find(`input[name="username"]`).Attr("value"); v != "one_too_many" {
		t.Errorf("username input not kept: %q", v)
	}
	var n int
	if err := a.db.Get(&n, "SELECT count(*) FROM users WHERE username = 'one_too_many'"); err != nil || n != 0 {
		t.Fatalf("refused sign-up created an account: %d %v", n, err)
	}
}
