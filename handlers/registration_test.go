package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestRegistrationModes: closed answers /register with a 404 saying so,
// invitation-only with a 403 pointing to the invitation; neither creates
// an account, and the header and sign-in page offer Register only when
// registration is open.
func TestRegistrationModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode    string
		status  int
		message string
	}{
		{models.RegistrationClosed, http.StatusNotFound, "Registration is closed"},
		{models.RegistrationInvite, http.StatusForbidden, "Registration is by invitation"},
		{models.RegistrationOpen, http.StatusOK, "Create your account"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			a := startApp(t, dbtest.New(t), appOptions{registration: tc.mode})
			c := a.client()
			res := c.get("/register")
			wantStatus(t, res, tc.status)
			if !strings.Contains(res.doc.Find("main").Text(), tc.message) {
				t.Errorf("/register does not say %q:\n%s", tc.message, res.doc.Find("main").Text())
			}
			open := tc.mode == models.RegistrationOpen
			if got := c.get("/").doc.Find(`header a[href="/register"]`).Length() == 1; got != open {
				t.Errorf("header offers Register: %v, want %v", got, open)
			}
			if got := c.get("/login").doc.Find(`main a[href="/register"]`).Length() == 1; got != open {
				t.Errorf("sign-in page offers an account: %v, want %v", got, open)
			}
			res = c.post("/register", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"}, "password": {strongPassword}})
			if open {
				wantStatus(t, res, http.StatusSeeOther)
				return
			}
			wantStatus(t, res, tc.status)
			if _, err := a.users.GetByUsername(t.Context(), "newbie"); err == nil {
				t.Error("a sign-up made an account while registration is " + tc.mode)
			}
		})
	}
}
