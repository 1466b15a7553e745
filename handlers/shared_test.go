package handlers_test

import (
	"bytes"
	"strings"
	"testing"

	"quire/models"
)

// Signed-out readers all get the same copy of a reader page, with no CSRF
// token in it and no cookie, gzipped once; a signed-in reader gets their own.
func TestSignedOutReadersShareOnePage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	p := a.addPost(alice, post{title: "Shared light", body: "The first text.", tags: []string{"sky"}})
	for _, path := range []string{"/", "/tags/sky", "/@alice", "/posts/shared-light"} {
		res, first := a.rawGet(path, "")
		wantStatus(t, &response{Response: res}, 200)
		if !bytes.Contains(first, []byte("Shared light")) {
			t.Fatalf("%s lacks the post:\n%.300s", path, first)
		}
		for _, secret := range []string{`name="_csrf"`, "X-CSRF-Token"} {
			if bytes.Contains(first, []byte(secret)) {
				t.Errorf("%s: a signed-out reader's page holds %s", path, secret)
			}
		}
		if ck := res.Header.Values("Set-Cookie"); len(ck) > 0 {
			t.Errorf("%s: a signed-out reader was sent cookies %q", path, ck)
		}
		res2, second := a.rawGet(path, "")
		if !bytes.Equal(first, second) || res.Header.Get("ETag") != res2.Header.Get("ETag") {
			t.Errorf("%s: two signed-out readers got different pages or ETags", path)
		}
		zres, zipped := a.rawGet(path, "br;q=1, gzip;q=0.5")
		if zres.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, zipped), first) {
			t.Errorf("%s: gzip answer %q is not the page", path, zres.Header.Get("Content-Encoding"))
		}
		if !strings.Contains(strings.Join(zres.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s: Vary %q", path, zres.Header.Values("Vary"))
		}
		pres, plain := a.rawGet(path, "gzip;q=0, *")
		if pres.Header.Get("Content-Encoding") != "" || !bytes.Equal(plain, first) {
			t.Errorf("%s: a reader refusing gzip got %q", path, pres.Header.Get("Content-Encoding"))
		}
		_, frag := a.rawGet(path, "", "HX-Request", "true")
		if bytes.Equal(frag, first) || bytes.Contains(frag, []byte("<html")) {
			t.Errorf("%s: htmx got the page where its fragment belongs", path)
		}
	}

	// A page with a form sets the cookie its token needs.
	if res, _ := a.rawGet("/login", ""); !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), ";"), "quire_csrf=") {
		t.Errorf("the sign-in page set no CSRF cookie: %q", res.Header.Values("Set-Cookie"))
	}

	// Signed in, the page is the reader's own, with their token.
	c := a.client()
	c.login("alice", strongPassword)
	_, shared := a.rawGet("/", "")
	if r := c.get("/"); r.body == string(shared) || !strings.Contains(r.body, `name="_csrf"`) {
		t.Errorf("a signed-in reader got the shared page")
	}

	// A save changes the post page's ETag, and with it the shared copy.
	a.db.MustExec(`UPDATE posts SET body_html = '<p>Saved.</p>', updated_at = now() WHERE id = $1`, p.ID)
	if _, b := a.rawGet("/posts/shared-light", "gzip"); !bytes.Contains(gunzip(t, b), []byte("<p>Saved.</p>")) {
		t.Errorf("after a save the shared post page lacks the new text")
	}
}
