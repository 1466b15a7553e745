package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
)

var inviteLinkRE = regexp.MustCompile(`https://blog\.example\.org/invitations/([A-Za-z0-9_-]{43})`)

// invite sends an invitation from c's account and returns the token its
// mail carries.
func (a *testApp) invite(c *client, email, role string) string {
	a.t.Helper()
	c.get("/admin/invitations/new")
	res := c.post("/admin/invitations", url.Values{"email": {email}, "role": {role}})
	wantStatus(a.t, res, http.StatusSeeOther)
	token, to := a.mailedToken(inviteLinkRE)
	if to[0] != email {
		a.t.Fatalf("the invitation went to %v, not %s", to, email)
	}
	return token
}

// TestInvitations: an admin invites by email with a role; the mailed link
// opens a form with the address fixed, makes the account with that role,
// signs it in and works once. A used, revoked, expired or altered link
// gets one clear page; editors invite only contributors and authors.
func TestInvitations(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)
	boss := a.client()
	boss.login("boss", strongPassword)

	token := a.invite(boss, "ed@example.com", models.RoleEditor)
	var hash []byte
	if err := a.db.Get(&hash, `SELECT token_hash FROM invitations WHERE email = 'ed@example.com'`); err != nil || len(hash) != 32 ||
		strings.Contains(string(hash), token) {
		t.Fatalf("the token is not stored as its SHA-256: %x, %v", hash, err)
	}

	ed := a.client()
	form := ed.get("/invitations/" + token)
	wantStatus(t, form, http.StatusOK)
	if !strings.Contains(form.body, "ed@example.com") || form.doc.Find(`input[name="email"]`).Length() != 0 {
		t.Error("the form does not show the invited address as fixed")
	}
	if cc := form.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("the invitation page may be stored: Cache-Control %q", cc)
	}
	res := ed.post("/invitations/"+token, url.Values{"username": {"eddie"}, "password": {"short"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.fieldError("password") == "" || res.doc.Find(`input[name="username"]`).AttrOr("value", "") != "eddie" {
		t.Error("a weak password is not refused beside its field with the username kept")
	}
	res = ed.post("/invitations/"+token, url.Values{"username": {"eddie"}, "password": {strongPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	u, err := a.users.GetByUsername(t.Context(), "eddie")
	if err != nil || u.Role != models.RoleEditor || u.Email != "ed@example.com" || !u.EmailVerified {
		t.Fatalf("the invited account: %+v, %v", u, err)
	}
	if got := ed.get("/").signedInAs(); got != "eddie" {
		t.Errorf("signed in as %q after accepting, want eddie", got)
	}

	// Used, altered, revoked, expired: the same page, never a 500.
	bad := func(what, tok string) {
		t.Helper()
		res := a.client().get("/invitations/" + tok)
		wantStatus(t, res, http.StatusNotFound)
		if !strings.Contains(res.body, "This invitation link does not work") {
			t.Errorf("%s link: no clear message", what)
		}
		res = a.client().post("/invitations/"+tok, url.Values{"username": {"late" + strconv.Itoa(len(what))}, "password": {strongPassword}})
		wantStatus(t, res, http.StatusNotFound)
	}
	bad("used", token)
	bad("altered", token[:42]+"A")
	bad("short", "abc")

	revoked := a.invite(boss, "rev@example.com", models.RoleAuthor)
	var revokedID int64
	if err := a.db.Get(&revokedID, `SELECT id FROM invitations WHERE email = 'rev@example.com'`); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, boss.post("/admin/invitations/"+strconv.FormatInt(revokedID, 10)+"/revoke", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	bad("revoked", revoked)

	expired := a.invite(boss, "late@example.com", models.RoleAuthor)
	if _, err := a.db.Exec(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = 'late@example.com'`); err != nil {
		t.Fatal(err)
	}
	bad("expired", expired)

	// The table says what became of each; the audit log has them all.
	list := boss.get("/admin/invitations?sort=email")
	wantStatus(t, list, http.StatusOK)
	statuses := map[string]string{}
	list.doc.Find("tbody tr").Each(func(_ int, r *goquery.Selection) {
		statuses[strings.TrimSpace(r.Find("td").Eq(1).Text())] = strings.TrimSpace(r.Find(".badge").Eq(1).Text())
	})
	want := map[string]string{"ed@example.com": "accepted", "rev@example.com": "revoked", "late@example.com": "expired"}
	for email, st := range want {
		if statuses[email] != st {
			t.Errorf("%s is %q in the table, want %s (%v)", email, statuses[email], st, statuses)
		}
	}
	var actions []string
	if err := a.db.Select(&actions, `SELECT action FROM audit_log WHERE model = 'invitations' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, ",") != "invite,accept,invite,revoke,invite" {
		t.Errorf("audit: %v", actions)
	}

	// An address with an account is refused beside the field.
	res = boss.post("/admin/invitations", url.Values{"email": {"ed@example.com"}, "role": {models.RoleAuthor}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.fieldError("email"), "already exists") {
		t.Errorf("inviting a member: %q", res.fieldError("email"))
	}

	// Editors invite writers, not staff.
	edForm := ed.get("/admin/invitations/new")
	var roles []string
	edForm.doc.Find(`select[name="role"] option`).Each(func(_ int, s *goquery.Selection) {
		roles = append(roles, s.AttrOr("value", ""))
	})
	if strings.Join(roles, ",") != "contributor,author" {
		t.Errorf("an editor may invite as %v, want contributor,author", roles)
	}
	res = ed.post("/admin/invitations", url.Values{"email": {"boss2@example.com"}, "role": {models.RoleAdmin}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if n := 0; a.db.Get(&n, `SELECT count(*) FROM invitations WHERE email = 'boss2@example.com'`) != nil || n != 0 {
		t.Error("an editor's invitation as admin was stored")
	}
}

// TestInvitationAcceptThrottled: the accept form is limited per client
// address like sign-up: each try probes whether a username is taken.
func TestInvitationAcceptThrottled(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)
	a.createUser("taken_name", models.RoleAuthor)
	boss := a.client()
	boss.login("boss", strongPassword)
	token := a.invite(boss, "new@example.com", models.RoleAuthor)
	c := a.client()
	c.get("/invitations/" + token)
	for i := range models.InviteAcceptLimit.Max {
		res := c.post("/invitations/"+token, url.Values{"username": {"taken_name"}, "password": {strongPassword}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: %d, want 422 (taken)", i+1, res.StatusCode)
		}
	}
	res := c.post("/invitations/"+token, url.Values{"username": {"free_name"}, "password": {strongPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || !strings.Contains(res.formError(), "Too many attempts") {
		t.Errorf("the 429 does not say when to try again: %q", res.formError())
	}
}

// TestInvitationForTakenEmail: an invitation whose address has an account
// since (an open sign-up) says so on the form and makes nothing.
func TestInvitationForTakenEmail(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)
	boss := a.client()
	boss.login("boss", strongPassword)
	token := a.invite(boss, "twice@example.com", models.RoleAuthor)
	a.createUser("twice", models.RoleAuthor) // twice@example.com
	c := a.client()
	c.get("/invitations/" + token)
	res := c.post("/invitations/"+token, url.Values{"username": {"second"}, "password": {strongPassword}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.formError(), "exists already") {
		t.Errorf("form error %q", res.formError())
	}
	if _, err := a.users.GetByUsername(t.Context(), "second"); err == nil {
		t.Error("an account was made")
	}
}
