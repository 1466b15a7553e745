package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// newPage makes a page of author's directly through the model.
func (a *testApp) newPage(author models.User, in models.PostInput, publish bool) models.Post {
	a.t.Helper()
	pm := &models.PostModel{DB: a.db}
	ctx := context.Background()
	in.Kind = models.KindPage
	p, err := pm.Insert(ctx, author.ID, in)
	if err == nil && publish {
		p, err = pm.Publish(ctx, models.Actor{ID: author.ID, Name: author.Username, Role: author.Role}, p.ID, p.Version)
	}
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

// TestPageLifecycle: an admin creates a page with the posts' editor from
// /pages/new, publishes it, and readers find it at /about, with no byline,
// date or tags; edits show at once (the cached copy follows the page's
// stamp), a new address keeps the old one redirecting, and /posts/about
// redirects to the page, never the other way.
func TestPageLifecycle(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)
	c := a.client()
	c.login("boss", strongPassword)

	form := c.get("/pages/new")
	wantStatus(t, form, http.StatusOK)
	if v, _ := form.doc.Find(`input[name="kind"]`).Attr("value"); v != "page" {
		t.Fatalf("the new page form sends kind %q", v)
	}
	if form.doc.Find(`input[name="tags"]`).Length() != 0 || !strings.Contains(form.doc.Find("h1").Text(), "New page") {
		t.Errorf("the new page form: tags field %d, heading %q", form.doc.Find(`input[name="tags"]`).Length(), form.doc.Find("h1").Text())
	}
	res := c.post("/posts", url.Values{"title": {"About"}, "body": {"Who we are."}, "kind": {"page"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/posts/about/edit" {
		t.Fatalf("Location %q, want the editor", loc)
	}
	var p models.Post
	if err := a.db.Get(&p, `SELECT id, version, kind FROM posts WHERE slug = 'about'`); err != nil || p.Kind != models.KindPage {
		t.Fatalf("stored page: kind %q, %v", p.Kind, err)
	}
	id := strconv.FormatInt(p.ID, 10)

	// A draft page: its editor sees it, readers do not; it autosaves.
	reader := a.client()
	wantStatus(t, reader.get("/about"), http.StatusNotFound)
	editor := c.get("/posts/about/edit")
	wantStatus(t, editor, http.StatusOK)
	if editor.doc.Find(`input[name="kind"]`).Length() != 0 || editor.doc.Find(`input[name="tags"]`).Length() != 0 {
		t.Error("the page's editor has a kind or tags field")
	}
	if href, _ := editor.doc.Find(`a[href="/about"]`).Attr("href"); href != "/about" {
		t.Error("the page's editor does not link back to /about")
	}
	wantStatus(t, c.post("/posts/"+id+"/autosave", url.Values{"title": {"About"}, "body": {"Who we are, autosaved."},
		"version": {strconv.Itoa(p.Version)}}), http.StatusOK)
	own := c.get("/about")
	wantStatus(t, own, http.StatusOK)
	if own.doc.Find(`[data-testid="post-status"]`).Text() != "draft" {
		t.Errorf("the page's editor sees no draft badge:\n%s", own.body)
	}

	p = a.postByID(p.ID)
	res = c.post("/posts/"+id+"/publish", url.Values{"version": {strconv.Itoa(p.Version)}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/about" {
		t.Errorf("publish goes to %q, want /about", loc)
	}
	page := reader.get("/about")
	wantStatus(t, page, http.StatusOK)
	if h := page.doc.Find("h1").First().Text(); h != "About" {
		t.Errorf("/about shows %q", h)
	}
	if !strings.Contains(page.doc.Find(`[data-testid="post-body"]`).Text(), "autosaved") {
		t.Errorf("/about body: %q", page.doc.Find(`[data-testid="post-body"]`).Text())
	}
	if n := page.doc.Find(".byline, .tags, time").Length(); n != 0 {
		t.Errorf("/about shows a byline, date or tags (%d elements)", n)
	}
	if canon, _ := page.doc.Find(`link[rel="canonical"]`).Attr("href"); canon != testBase+"/about" {
		t.Errorf("canonical %q", canon)
	}
	if og, _ := page.doc.Find(`meta[property="og:type"]`).Attr("content"); og != "website" {
		t.Errorf("og:type %q, want website", og)
	}
	wantStatus(t, reader.get("/about"), http.StatusOK) // the shared copy

	// An edit shows at once; its old text is a revision.
	p = a.postByID(p.ID)
	res = c.post("/posts/"+id, url.Values{"title": {"About us"}, "body": {"Who we are now."}, "slug": {"about-us"},
		"version": {strconv.Itoa(p.Version)}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/about-us" {
		t.Errorf("save goes to %q, want /about-us", loc)
	}
	if body := reader.get("/about-us").doc.Find(`[data-testid="post-body"]`).Text(); !strings.Contains(body, "now") {
		t.Errorf("/about-us after the edit: %q", body)
	}
	if revs := c.get("/posts/" + id + "/revisions"); revs.StatusCode != http.StatusOK || !strings.Contains(revs.body, "About") {
		t.Errorf("revisions: %d", revs.StatusCode)
	}
	var rev int64
	if err := a.db.Get(&rev, `SELECT max(id) FROM post_revisions WHERE post_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	res = c.post("/posts/"+id+"/revisions/"+strconv.FormatInt(rev, 10)+"/restore",
		url.Values{"version": {strconv.Itoa(a.postByID(p.ID).Version)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/about-us" {
		t.Errorf("restoring a revision: %d to %q, want 303 to /about-us", res.StatusCode, res.Header.Get("Location"))
	}
	for path, want := range map[string]string{"/about": "/about-us", "/posts/about-us": "/about-us", "/posts/about": "/about-us"} {
		res := reader.get(path)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 301 to %s", path, res.StatusCode, res.Header.Get("Location"), want)
		}
	}
	// A post's slug is no page.
	post := a.newPost(a.createUser("author", models.RoleAuthor), "Hello", true)
	wantStatus(t, reader.get("/"+post.Slug), http.StatusNotFound)
	wantStatus(t, reader.get("/posts/"+post.Slug), http.StatusOK)
}

// TestPageDoesNotShadowRoutes: /{slug} is tried after every fixed route, so
// the site's pages answer as before with a page published, and no page can
// take their words.
func TestPageDoesNotShadowRoutes(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	a.newPage(boss, models.PostInput{Title: "About", Body: "Us."}, true)
	login := a.newPage(boss, models.PostInput{Title: "Login", Body: "Not the form."}, true)
	if login.Slug != "login-2" {
		t.Errorf("a page titled Login has the slug %q, want login-2", login.Slug)
	}
	data := []byte("an image")
	key := models.ContentKey(data, ".png")
	if err := (models.LocalStore{Dir: a.media}).Put(context.Background(), key, data); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	for _, tc := range []struct {
		path   string
		status int
		check  string // a selector or text the answer has
	}{
		{"/about", 200, `[data-testid="post-body"]`},
		{"/login", 200, `input[name="password"]`},
		{"/register", 200, `input[name="email"]`},
		{"/search?q=us", 200, `input[name="q"]`},
		{"/feed.xml", 200, "<rss"},
		{"/sitemap.xml", 200, testBase + "/about"},
		{"/robots.txt", 200, "Sitemap:"},
		{"/admin", 303, ""},
		{"/drafts", 303, ""},
		{"/media/" + key, 200, "an image"},
		{"/healthz", 200, ""},
		{"/", 200, "Latest posts"},
		{"/login-2", 200, "Not the form."},
		{"/no-such-page", 404, ""},
		{"/about/more", 404, ""},
	} {
		res := c.get(tc.path)
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, res.StatusCode, tc.status)
			continue
		}
		if tc.check != "" && !strings.Contains(res.body, tc.check) && res.doc.Find(tc.check).Length() == 0 {
			t.Errorf("%s lacks %q:\n%.400s", tc.path, tc.check, res.body)
		}
	}
}

// TestTopLevelRouteWordsAreReservedPageSlugs: every first word of a route
// that could be a slug is one no page can get. A new top-level route fails
// here until its word is reserved (models/pages.go).
func TestTopLevelRouteWordsAreReservedPageSlugs(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	words := 0
	for _, r := range a.app.Routes() {
		first, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		first = strings.TrimSuffix(first, "*") // "/assets/*" and the groups' "/*"
		if r.Method == echo.RouteNotFound || first == "" || strings.HasPrefix(first, ":") || !isSlug(first) {
			continue
		}
		words++
		if !models.ReservedPageSlug(first) {
			t.Errorf("route %s %s starts with %q, which is not a reserved page slug", r.Method, r.Path, first)
		}
	}
	if words < 10 {
		t.Fatalf("found %d top-level route words", words)
	}
}

// isSlug is markdown.ValidSlug's shape: a route word with a dot (feed.xml)
// or an @ can never be a page's slug.
func isSlug(s string) bool {
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// TestPagesNeverListed: a public page is in no list readers see: the home
// page, tag and author pages, every feed and search; the sitemap lists it.
func TestPagesNeverListed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	a.newPost(boss, "Quokka news", true) // tagged "testing"
	a.newPage(boss, models.PostInput{Title: "Quokka page", Body: "Quokka facts.", Tags: []string{"testing"}}, true)
	c := a.client()
	for _, path := range []string{"/", "/tags/testing", "/@boss", "/search?q=quokka", "/feed.xml", "/atom.xml",
		"/@boss/feed.xml", "/@boss/atom.xml", "/tags/testing/feed.xml", "/tags/testing/atom.xml"} {
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.body, "Quokka news") {
			t.Errorf("%s lacks the post", path)
		}
		if strings.Contains(res.body, "Quokka page") || strings.Contains(res.body, "quokka-page") {
			t.Errorf("%s lists the page", path)
		}
	}
	if sm := c.get("/sitemap.xml"); !strings.Contains(sm.body, "<loc>"+testBase+"/quokka-page</loc>") {
		t.Errorf("the sitemap lacks the page:\n%s", sm.body)
	}
}

// TestSitemapFollowsPages: publishing a page changes the sitemap's
// validators (its stamp is the posts' and the pages' together), so a
// cached copy is never kept past it.
func TestSitemapFollowsPages(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	a.newPost(boss, "A post", true)
	c := a.client()
	first := c.get("/sitemap.xml")
	etag := first.Header.Get("ETag")
	wantStatus(t, c.get("/sitemap.xml", "If-None-Match", etag), http.StatusNotModified)
	a.newPage(boss, models.PostInput{Title: "Colophon"}, true)
	again := c.get("/sitemap.xml", "If-None-Match", etag)
	wantStatus(t, again, http.StatusOK)
	if !strings.Contains(again.body, testBase+"/colophon") {
		t.Errorf("the sitemap lacks the new page:\n%s", again.body)
	}
}

// TestPagesAreForAdmins: only those who manage pages (admins, for now) may
// create, edit or see a draft page; an author's kind=page is refused and
// nothing is made; an unknown kind is said above the form.
func TestPagesAreForAdmins(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	author := a.createUser("author", models.RoleAuthor)
	admin, user := a.client(), a.client()
	admin.login("boss", strongPassword)
	user.login("author", strongPassword)

	wantStatus(t, user.get("/pages/new"), http.StatusForbidden)
	wantStatus(t, user.post("/posts", url.Values{"title": {"Mine"}, "body": {"b"}, "kind": {"page"}}), http.StatusForbidden)
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM posts`); err != nil || n != 0 {
		t.Fatalf("%d posts after a refused page, %v", n, err)
	}
	res := user.post("/posts", url.Values{"title": {"Mine"}, "body": {"b"}, "kind": {"poster"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.formError() != "Choose a post or a page." {
		t.Errorf("form error %q", res.formError())
	}

	// A page an author wrote before losing the right (or an admin's) is
	// theirs no more: only admins edit pages.
	own := a.newPage(author, models.PostInput{Title: "Old page"}, true)
	draft := a.newPage(boss, models.PostInput{Title: "Draft page"}, false)
	for _, tc := range []struct {
		c          *client
		path       string
		want       int
		method     string
		versionFor models.Post
	}{
		{user, "/posts/" + strconv.FormatInt(own.ID, 10) + "/editor", 403, "GET", models.Post{}},
		{user, "/posts/" + strconv.FormatInt(own.ID, 10) + "/unpublish", 403, "POST", own},
		{user, "/draft-page", 404, "GET", models.Post{}},
		{user, "/posts/" + strconv.FormatInt(draft.ID, 10) + "/editor", 404, "GET", models.Post{}},
		{admin, "/draft-page", 200, "GET", models.Post{}},
		{admin, "/posts/" + strconv.FormatInt(own.ID, 10) + "/editor", 200, "GET", models.Post{}},
		{admin, "/posts/" + strconv.FormatInt(own.ID, 10) + "/unpublish", 303, "POST", own},
	} {
		var res *response
		if tc.method == "GET" {
			res = tc.c.get(tc.path)
		} else {
			res = tc.c.post(tc.path, url.Values{"version": {strconv.Itoa(tc.versionFor.Version)}})
		}
		if res.StatusCode != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, res.StatusCode, tc.want)
		}
	}
	if drafts := admin.get("/drafts"); drafts.doc.Find(`[data-testid="new-page"]`).Length() != 1 {
		t.Error("an admin's posts page offers no New page")
	}
	if drafts := user.get("/drafts"); drafts.doc.Find(`[data-testid="new-page"]`).Length() != 0 {
		t.Error("an author's posts page offers New page")
	}
}

// TestPageInlineEditing: on the page itself, Edit swaps in the posts' form
// (without tags) and Save swaps the page back, at the page's own address.
func TestPageInlineEditing(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	p := a.newPage(boss, models.PostInput{Title: "Contact", Body: "Write to us."}, true)
	c := a.client()
	c.login("boss", strongPassword)
	id := strconv.FormatInt(p.ID, 10)

	view := c.get("/contact")
	if hx, _ := view.doc.Find(`[data-testid="edit"]`).Attr("hx-get"); hx != "/posts/"+id+"/editor" {
		t.Fatalf("the page's Edit asks for %q", hx)
	}
	form := c.get("/posts/"+id+"/editor", "HX-Request", "true")
	wantStatus(t, form, http.StatusOK)
	if form.doc.Find(`form#post`).Length() != 1 || form.doc.Find(`input[name="tags"]`).Length() != 0 {
		t.Errorf("inline form: %d forms, %d tags fields", form.doc.Find(`form#post`).Length(), form.doc.Find(`input[name="tags"]`).Length())
	}
	saved := c.post("/posts/"+id, url.Values{"title": {"Contact"}, "body": {"Write to us, or call."},
		"version": {strconv.Itoa(p.Version)}}, "HX-Request", "true")
	wantStatus(t, saved, http.StatusOK)
	if push := saved.Header.Get("HX-Push-Url"); push != "/contact" {
		t.Errorf("HX-Push-Url %q, want /contact", push)
	}
	if saved.doc.Find(".byline, .tags").Length() != 0 || !strings.Contains(saved.body, "or call") {
		t.Errorf("the swapped-in page:\n%s", saved.body)
	}
}
