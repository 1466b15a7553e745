package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// saveSite saves settings as a script would (another replica, say),
// starting from the current version.
func saveSite(t *testing.T, a *testApp, edit func(*models.SiteInput)) models.Settings {
	t.Helper()
	sm := &models.SettingsModel{DB: a.db}
	cur, err := sm.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	in := cur.SiteInput
	edit(&in)
	s, err := sm.Save(context.Background(), models.Actor{Name: "test"}, cur.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSiteSettingsReplicas: two apps on one database, like two replicas. A
// settings change made elsewhere shows on the next request to the other,
// on pages it had kept (the shared signed-out copies, feeds), and a
// reader's revalidation of an old copy gets the new page, not a 304.
func TestSiteSettingsReplicas(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	one := startApp(t, db, appOptions{})
	two := startApp(t, db, appOptions{})
	ada := one.createUser("ada", models.RoleAuthor)
	post := one.newPost(ada, "Hello there", true)

	reader := two.client()
	pages := []string{"/", "/posts/" + post.Slug, "/@ada", "/tags/testing", "/feed.xml", "/atom.xml", "/tags/testing/feed.xml"}
	etags, modified := map[string]string{}, map[string]string{}
	for _, path := range pages {
		reader.get(path) // the first render is kept and shared
		res := reader.get(path)
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.body, "Quire") {
			t.Errorf("%s before the change does not name Quire", path)
		}
		etags[path], modified[path] = res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	}
	if got := reader.get("/", "If-None-Match", etags["/"]); got.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidating the home page before the change: %d", got.StatusCode)
	}

	time.Sleep(1100 * time.Millisecond) // Last-Modified counts whole seconds
	saveSite(t, one, func(in *models.SiteInput) {
		in.Title, in.Tagline, in.Language = "Field Notes", "Birds and weather.", "fr"
	})

	for _, path := range pages {
		res := reader.get(path)
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.body, "Field Notes") || strings.Contains(res.body, "· Quire") {
			t.Errorf("%s after the change:\n%s", path, res.body)
		}
		if res.Header.Get("ETag") == etags[path] {
			t.Errorf("%s kept its ETag across the change", path)
		}
		if r := reader.get(path, "If-None-Match", etags[path]); r.StatusCode != http.StatusOK {
			t.Errorf("%s revalidated with the old ETag: %d, want 200", path, r.StatusCode)
		}
		if m := modified[path]; m != "" {
			if r := reader.get(path, "If-Modified-Since", m); r.StatusCode != http.StatusOK {
				t.Errorf("%s revalidated by date: %d, want 200", path, r.StatusCode)
			}
		}
	}
	home := reader.get("/")
	if lang, _ := home.doc.Find("html").Attr("lang"); lang != "fr" {
		t.Errorf("html lang %q", lang)
	}
	if title := home.doc.Find("title").Text(); title != "Latest posts · Field Notes" {
		t.Errorf("title %q", title)
	}
	if d, _ := home.doc.Find(`meta[name="description"]`).Attr("content"); d != "Birds and weather." {
		t.Errorf("home description %q, want the tagline", d)
	}
	if b := strings.TrimSpace(home.doc.Find(".brand").Text()); b != "Field Notes" {
		t.Errorf("brand %q", b)
	}
	post2 := reader.get("/posts/" + post.Slug)
	if s, _ := post2.doc.Find(`meta[property="og:site_name"]`).Attr("content"); s != "Field Notes" {
		t.Errorf("og:site_name %q", s)
	}
	rss := reader.get("/feed.xml").body
	for _, want := range []string{"<title>Field Notes</title>", "<description>Birds and weather.</description>", "<language>fr</language>"} {
		if !strings.Contains(rss, want) {
			t.Errorf("RSS lacks %s:\n%s", want, rss)
		}
	}
	atom := reader.get("/atom.xml").body
	if !strings.Contains(atom, `xml:lang="fr"`) || !strings.Contains(atom, `<title type="text">Field Notes</title>`) {
		t.Errorf("Atom feed:\n%s", atom)
	}
	if tag := reader.get("/tags/testing/feed.xml").body; !strings.Contains(tag, "<title>#testing · Field Notes</title>") {
		t.Errorf("tag feed:\n%s", tag)
	}
	// Error pages name the site too.
	if nf := reader.get("/posts/no-such-post"); nf.StatusCode != http.StatusNotFound || !strings.Contains(nf.doc.Find("title").Text(), "Field Notes") {
		t.Errorf("404 page: %d %q", nf.StatusCode, nf.doc.Find("title").Text())
	}
}

// TestSiteSettingsInMail: mail names the site by its current title, also
// when the replica composing it has shown no page since the change (a
// password change answers with a redirect).
func TestSiteSettingsInMail(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("ada", models.RoleAuthor)
	ada := a.client()
	ada.login("ada", strongPassword)
	ada.get("/settings/password") // this replica reads the settings as they are
	other := startApp(t, a.db, appOptions{})
	saveSite(t, other, func(in *models.SiteInput) { in.Title = "Field Notes" })
	res := ada.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {"a different long passphrase"}})
	wantStatus(t, res, http.StatusSeeOther)
	m := a.smtp.Next(t, 10*time.Second)
	if m.Subject != "Your Field Notes password was changed" || !strings.Contains(m.Body, "the Field Notes account ada") {
		t.Errorf("mail %q:\n%s", m.Subject, m.Body)
	}
}
