package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quire/models"
)

// A username given up by a rename or a deletion is held: nobody else can
// take it (and with it the old author page and feeds), the old address of
// a renamed account leads to the new one, a deleted account's is gone.
func TestFreedUsernamesHeld(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	a.createUser("grace", "author")
	alan := a.createUser("alan", "author")
	mallory := a.createUser("mallory", "author")
	grace := a.client()
	grace.login("grace", strongPassword)
	wantStatus(t, grace.postMultipart("/settings/profile", profileFields("grace_h", "grace@example.com"), "", "", nil), http.StatusSeeOther)

	reader := a.client()
	for path, want := range map[string]string{
		"/@grace":          "/@grace_h",
		"/@GRACE?page=2":   "/@grace_h?page=2",
		"/@grace/feed.xml": "/@grace_h/feed.xml",
		"/@grace/atom.xml": "/@grace_h/atom.xml",
	} {
		res := reader.get(path)
		wantStatus(t, res, http.StatusMovedPermanently)
		if loc := res.Header.Get("Location"); loc != want {
			t.Errorf("%s: Location %q, want %q", path, loc, want)
		}
	}
	wantStatus(t, reader.get("/@grace_h"), http.StatusOK)

	// Nobody else may take the old name: not by registering, not by a rename.
	reg := a.client().post("/register", url.Values{"username": {"grace"}, "email": {"imposter@example.com"}, "password": {strongPassword}})
	wantStatus(t, reg, http.StatusUnprocessableEntity)
	if !strings.Contains(reg.fieldError("username"), "taken") {
		t.Fatalf("register a held name: %q", reg.fieldError("username"))
	}
	m := a.client()
	m.login("mallory", strongPassword)
	res := m.postMultipart("/settings/profile", profileFields("grace", mallory.Email), "", "", nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.fieldError("username"), "taken") {
		t.Fatalf("rename to a held name: %q", res.fieldError("username"))
	}

	// The account itself may take its old name back; then the other one is held.
	wantStatus(t, grace.postMultipart("/settings/profile", profileFields("grace", "grace@example.com"), "", "", nil), http.StatusSeeOther)
	wantStatus(t, reader.get("/@grace"), http.StatusOK)
	if loc := reader.get("/@grace_h").Header.Get("Location"); loc != "/@grace" {
		t.Fatalf("/@grace_h after renaming back: Location %q", loc)
	}

	// A deleted account's name is gone, for its page and feeds, and held too.
	if _, err := (&models.AdminModel{DB: a.db}).DeleteUsers(context.Background(), models.Actor{ID: boss.ID, Name: "boss"}, []int64{alan.ID}, false); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/@alan", "/@alan/feed.xml", "/@alan/atom.xml"} {
		wantStatus(t, reader.get(path), http.StatusGone)
	}
	wantStatus(t, a.client().post("/register", url.Values{"username": {"alan"}, "email": {"alan2@example.com"}, "password": {strongPassword}}),
		http.StatusUnprocessableEntity)

	// After the hold, the name is free and its old address an ordinary 404.
	if _, err := a.db.Exec(`UPDATE username_holds SET held_until = now() - interval '1 second' WHERE username = 'alan'`); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, reader.get("/@alan"), http.StatusNotFound)
	wantStatus(t, a.client().post("/register", url.Values{"username": {"alan"}, "email": {"alan2@example.com"}, "password": {strongPassword}}),
		http.StatusSeeOther)
}
