package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestFirstRunSetup: a site without an administrator says so on every page
// but its one-time setup address, which creates the administrator, signs
// them in, and is gone after.
func TestFirstRunSetup(t *testing.T) {
	t.Parallel()
	a := startApp(t, dbtest.New(t), appOptions{setup: "the-token"})
	c := a.client()

	for _, path := range []string{"/", "/login", "/register", "/search?q=x"} {
		res := c.get(path)
		wantStatus(t, res, http.StatusServiceUnavailable)
		if !strings.Contains(res.body, "not set up yet") || res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: does not say the site is not set up (Retry-After %q)", path, res.Header.Get("Retry-After"))
		}
	}
	wantStatus(t, c.get("/setup/not-the-token"), http.StatusNotFound)
	wantStatus(t, c.get("/healthz"), http.StatusOK)

	wantStatus(t, c.get("/setup/the-token"), http.StatusOK)
	bad := c.post("/setup/the-token", url.Values{"title": {"  "}, "username": {"owner"}, "email": {"owner@example.com"}, "password": {"short"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if bad.fieldError("password") == "" || bad.fieldError("title") == "" {
		t.Error("a short password and an empty title were not refused beside their fields")
	}
	if v, _ := bad.doc.Find(`input[name="email"]`).Attr("value"); v != "owner@example.com" {
		t.Errorf("the email given was not kept: %q", v)
	}

	res := c.post("/setup/the-token", url.Values{"title": {"Field Notes"}, "username": {"owner"}, "email": {"owner@example.com"},
		"password": {strongPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/settings" {
		t.Errorf("after setup: to %q, want /admin/settings", loc)
	}
	home := c.get("/")
	wantStatus(t, home, http.StatusOK)
	if who := home.signedInAs(); who != "owner" {
		t.Errorf("signed in as %q after setup, want owner", who)
	}
	if title := a.client().get("/").doc.Find("title").Text(); !strings.Contains(title, "Field Notes") {
		t.Errorf("a reader's home page is titled %q, want the name given at setup", title)
	}
	u, err := a.users.GetByUsername(context.Background(), "owner")
	if err != nil || u.Role != models.RoleAdmin {
		t.Fatalf("the owner's account: %+v, %v", u, err)
	}
	wantStatus(t, c.get("/admin"), http.StatusOK)
	// Used once: the address is gone, for everyone.
	wantStatus(t, c.get("/setup/the-token"), http.StatusNotFound)
	wantStatus(t, a.client().get("/setup/the-token"), http.StatusNotFound)
}

// An administrator made from a terminal while the setup page waits ends the
// gate as well.
func TestSetupEndsWithCreateadmin(t *testing.T) {
	t.Parallel()
	a := startApp(t, dbtest.New(t), appOptions{setup: "the-token"})
	c := a.client()
	wantStatus(t, c.get("/"), http.StatusServiceUnavailable)
	a.createUser("admin", models.RoleAdmin)
	wantStatus(t, c.get("/"), http.StatusOK)
	wantStatus(t, c.get("/setup/the-token"), http.StatusNotFound)
}
