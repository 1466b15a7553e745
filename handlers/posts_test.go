package handlers_test

import (
	"context"
	"encoding/json"
	"image"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
	"quire/models/markdown/markdowntest"
)

// newPost makes a post of author's directly through the model.
func (a *testApp) newPost(author models.User, title string, publish bool) models.Post {
	a.t.Helper()
	pm := &models.PostModel{DB: a.db}
	ctx := context.Background()
	p, err := pm.Insert(ctx, author.ID, models.PostInput{Title: title, Body: "Body of " + title, Tags: []string{"testing"}})
	if err != nil {
		a.t.Fatal(err)
	}
	if publish {
		if p, err = pm.Publish(ctx, asAuthor(p), p.ID, p.Version); err != nil {
			a.t.Fatal(err)
		}
	}
	return p
}

func (a *testApp) postByID(id int64) models.Post {
	a.t.Helper()
	p, err := (&models.PostModel{DB: a.db}).GetAny(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

// TestAuthoringAuthorization is the matrix of who may do what to a post:
// anonymous visitors are sent to sign in, other users get 404 for posts
// they cannot see and 403 for changes to posts they can, the author and
// admins may do everything, and a suspended user is signed out.
func TestAuthoringAuthorization(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	a.createUser("other", "author")
	a.createUser("boss", "admin")
	suspended := a.createUser("gone", "author")

	clients := map[string]*client{"anonymous": a.client(), "author": a.client(), "other": a.client(), "admin": a.client(), "suspended": a.client()}
	clients["anonymous"].get("/login")
	clients["author"].login("author", strongPassword)
	clients["other"].login("other", strongPassword)
	clients["admin"].login("boss", strongPassword)
	clients["suspended"].login("gone", strongPassword)
	a.suspend(suspended.ID)

	const login = -http.StatusSeeOther // a 303 to the sign-in page (a plain 303 is a success)
	type want struct{ anonymous, author, other, admin, suspended int }
	cases := []struct {
		name      string
		published bool
		method    string
		path      string // {id} and {slug} are filled in
		form      url.Values
		want      want
	}{
		{"new post form", false, "GET", "/posts/new", nil, want{login, 200, 200, 200, login}},
		{"create", false, "POST", "/posts", url.Values{"title": {"T"}, "body": {"b"}}, want{login, 303, 303, 303, login}},
		{"read draft", false, "GET", "/posts/{slug}", nil, want{404, 200, 404, 200, 404}},
		{"read published", true, "GET", "/posts/{slug}", nil, want{200, 200, 200, 200, 200}},
		{"edit page of draft", false, "GET", "/posts/{slug}/edit", nil, want{login, 200, 404, 200, login}},
		{"edit page of published", true, "GET", "/posts/{slug}/edit", nil, want{login, 200, 403, 200, login}},
		{"inline editor of draft", false, "GET", "/posts/{id}/editor", nil, want{login, 200, 404, 200, login}},
		{"inline editor of published", true, "GET", "/posts/{id}/editor", nil, want{login, 200, 403, 200, login}},
		{"rendered fragment", true, "GET", "/posts/{id}/view", nil, want{login, 200, 403, 200, login}},
		{"save draft", false, "POST", "/posts/{id}", url.Values{"title": {"New"}, "body": {"b"}, "version": {"1"}}, want{login, 303, 404, 303, login}},
		{"save published", true, "POST", "/posts/{id}", url.Values{"title": {"New"}, "body": {"b"}, "version": {"2"}}, want{login, 303, 403, 303, login}},
		{"autosave draft", false, "POST", "/posts/{id}/autosave", url.Values{"title": {"New"}, "body": {"b"}, "version": {"1"}}, want{login, 200, 404, 200, login}},
		{"preview", false, "POST", "/posts/{id}/preview", url.Values{"body": {"*b*"}}, want{login, 200, 404, 200, login}},
		{"publish", false, "POST", "/posts/{id}/publish", url.Values{"version": {"1"}}, want{login, 303, 404, 303, login}},
		{"unpublish", true, "POST", "/posts/{id}/unpublish", url.Values{"version": {"2"}}, want{login, 303, 403, 303, login}},
		{"delete confirmation", true, "GET", "/posts/{id}/delete", nil, want{login, 200, 403, 200, login}},
		{"delete", true, "POST", "/posts/{id}/delete", nil, want{login, 303, 403, 303, login}},
		{"revisions", true, "GET", "/posts/{id}/revisions", nil, want{login, 200, 403, 200, login}},
		{"my posts", false, "GET", "/drafts", nil, want{login, 200, 200, 200, login}},
		{"media library", false, "GET", "/media", nil, want{login, 200, 200, 200, login}},
	}
	for _, tc := range cases {
		for _, who := range []string{"anonymous", "author", "other", "admin", "suspended"} {
			p := a.newPost(author, tc.name+" "+who, tc.published)
			path := strings.NewReplacer("{id}", strconv.FormatInt(p.ID, 10), "{slug}", p.Slug).Replace(tc.path)
			c := clients[who]
			var res *response
			if tc.method == "GET" {
				res = c.get(path)
			} else {
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				res = c.post(path, form)
			}
			expected := map[string]int{"anonymous": tc.want.anonymous, "author": tc.want.author, "other": tc.want.other,
				"admin": tc.want.admin, "suspended": tc.want.suspended}[who]
			got := res.StatusCode
			if got == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login") {
				got = login
			}
			if got != expected {
				t.Errorf("%s as %s: %s %s = %d (Location %q), want %d", tc.name, who, tc.method, path, res.StatusCode,
					res.Header.Get("Location"), expected)
			}
		}
	}
}

func TestCreateEditPublishFlow(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	c.get("/posts/new")

	bad := c.post("/posts", url.Values{"title": {""}, "body": {"kept text"}, "tags": {"a,b,c,d,e,f,g,h,i,j,k,l"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if bad.fieldError("title") == "" || bad.fieldError("tags") == "" {
		t.Fatalf("errors: title %q tags %q", bad.fieldError("title"), bad.fieldError("tags"))
	}
	if bad.doc.Find(`textarea[name="body"]`).Text() != "kept text" {
		t.Fatal("body lost on a validation error")
	}

	res := c.post("/posts", url.Values{"title": {"First steps"}, "body": {"# Hello\n\nSome *text*."}, "tags": {"Go, Web Dev"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/posts/first-steps/edit" {
		t.Fatalf("Location = %q", loc)
	}
	var p models.Post
	if err := a.db.Get(&p, "SELECT id, slug, version, status, tags FROM posts"); err != nil {
		t.Fatal(err)
	}
	if p.Status != "draft" || strings.Join(p.Tags, ",") != "go,web-dev" {
		t.Fatalf("created %+v", p)
	}
	wantStatus(t, a.client().get("/posts/first-steps"), http.StatusNotFound) // drafts are private

	id := strconv.FormatInt(p.ID, 10)
	res = c.post("/posts/"+id+"/publish", url.Values{"version": {strconv.Itoa(p.Version)}})
	wantStatus(t, res, http.StatusSeeOther)
	page := a.client().get("/posts/first-steps")
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`[data-testid="post-body"] h1`).Text() == "" {
		t.Fatalf("rendered body: %s", page.doc.Find(`[data-testid="post-body"]`).Text())
	}
	if c, _ := page.doc.Find(`link[rel="canonical"]`).Attr("href"); c != "https://blog.example.org/posts/first-steps" {
		t.Errorf("canonical = %q", c)
	}
	if og, _ := page.doc.Find(`meta[property="og:title"]`).Attr("content"); og != "First steps" {
		t.Errorf("og:title = %q", og)
	}
	if page.doc.Find(`link[rel="alternate"][type="application/rss+xml"]`).Length() == 0 {
		t.Error("no feed link")
	}

	// Inline save (htmx) answers with the rendered post in place.
	cur := a.postByID(p.ID)
	frag := c.post("/posts/"+id, url.Values{"title": {"First steps, revised"}, "body": {"New body"}, "tags": {"go"}, "version": {strconv.Itoa(cur.Version)}},
		"HX-Request", "true")
	wantStatus(t, frag, http.StatusOK)
	if frag.doc.Find("article#post h1").Text() != "First steps, revised" || strings.Contains(strings.ToLower(frag.body), "<!doctype") {
		t.Fatalf("inline save answered: %.300s", frag.body)
	}
	// The published post keeps its address and the old text as a revision.
	if got := a.postByID(p.ID); got.Slug != "first-steps" {
		t.Fatalf("slug changed to %q", got.Slug)
	}
	revs := c.get("/posts/" + id + "/revisions")
	if revs.doc.Find(`[data-testid="revisions"] li`).Length() != 1 {
		t.Fatalf("revisions: %s", revs.doc.Find("main").Text())
	}
}

func TestSaveConflict(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Shared", false)
	one, two := a.client(), a.client()
	one.login("author", strongPassword)
	two.login("author", strongPassword)
	id := strconv.FormatInt(p.ID, 10)
	v := strconv.Itoa(p.Version)
	wantStatus(t, one.post("/posts/"+id, url.Values{"title": {"Shared"}, "body": {"first tab's text"}, "version": {v}}), http.StatusSeeOther)
	res := two.post("/posts/"+id, url.Values{"title": {"Shared"}, "body": {"second tab's text"}, "version": {v}}, "HX-Request", "true")
	wantStatus(t, res, http.StatusConflict)
	if res.doc.Find(`textarea[name="body"]`).Text() != "second tab's text" {
		t.Fatal("the conflicting text was not kept in the form")
	}
	if !strings.Contains(res.doc.Find(`[data-testid="conflict-body"] del`).Text(), "first") {
		t.Fatal("the other change is not shown")
	}
	if got := a.postByID(p.ID).Body; got != "first tab's text" {
		t.Fatalf("stored body = %q", got)
	}
	newV, _ := res.doc.Find(`input[name="version"]`).Attr("value")
	wantStatus(t, two.post("/posts/"+id, url.Values{"title": {"Shared"}, "body": {"second tab's text"}, "version": {newV}}), http.StatusSeeOther)
	if got := a.postByID(p.ID).Body; got != "second tab's text" {
		t.Fatalf("deliberate overwrite failed: %q", got)
	}
}

func TestAutosave(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Draft", false)
	c := a.client()
	c.login("author", strongPassword)
	id := strconv.FormatInt(p.ID, 10)
	res := c.post("/posts/"+id+"/autosave", url.Values{"title": {"Draft"}, "body": {"typed so far"}, "version": {strconv.Itoa(p.Version)}}, "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if !strings.Contains(res.doc.Find(`[data-testid="save-status"]`).Text(), "Saved at") {
		t.Fatalf("status: %s", res.body)
	}
	if v, _ := res.doc.Find(`#post-version[hx-swap-oob]`).Attr("value"); v != strconv.Itoa(p.Version+1) {
		t.Fatalf("new version not sent out of band: %q", v)
	}
	if a.postByID(p.ID).Body != "typed so far" {
		t.Fatal("autosave did not store the text")
	}
	stale := c.post("/posts/"+id+"/autosave", url.Values{"title": {"Draft"}, "body": {"older tab"}, "version": {strconv.Itoa(p.Version)}}, "HX-Request", "true")
	wantStatus(t, stale, http.StatusConflict)
	if a.postByID(p.ID).Body != "typed so far" {
		t.Fatal("a stale autosave overwrote newer text")
	}
}

func TestDeleteAndRestore(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Doomed", true)
	c := a.client()
	c.login("author", strongPassword)
	id := strconv.FormatInt(p.ID, 10)
	confirm := c.get("/posts/" + id + "/delete")
	wantStatus(t, confirm, http.StatusOK)
	if confirm.doc.Find(`[data-testid="confirm"]`).Length() != 1 {
		t.Fatal("no confirmation step")
	}
	wantStatus(t, c.post("/posts/"+id+"/delete", nil), http.StatusSeeOther)
	wantStatus(t, a.client().get("/posts/"+p.Slug), http.StatusNotFound)
	drafts := c.get("/drafts")
	if !strings.Contains(drafts.doc.Find(`[data-testid="trash"]`).Text(), "Doomed") {
		t.Fatal("deleted post not listed for restore")
	}
	wantStatus(t, c.post("/posts/"+id+"/restore", nil), http.StatusSeeOther)
	wantStatus(t, a.client().get("/posts/"+p.Slug), http.StatusOK)
}

// TestXSSInert puts attack payloads everywhere a user can write and checks
// every page and fragment that shows them.
func TestXSSInert(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	payload := `<script>alert(1)</script><img src=x onerror=alert(1)>"'><svg onload=alert(1)>`
	author := a.createUser("mallory", "author")
	if _, _, err := a.users.UpdateProfile(context.Background(), author.ID, models.Profile{
		Username: "mallory", Email: "mallory@example.com", DisplayName: `<img src=x onerror=alert(1)>`, Bio: payload,
	}); err != nil {
		t.Fatal(err)
	}
	pm := &models.PostModel{DB: a.db}
	p, err := pm.Insert(context.Background(), author.ID, models.PostInput{
		Title: "Zebra " + payload,
		Body:  "Zebra text " + payload + "\n\n[x](javascript:alert(1)) ![alt" + payload + "](javascript:alert(1))",
		Tags:  []string{"zebra"}, CoverKey: strings.Repeat("a", 64) + ".jpg", CoverAlt: payload,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pm.Publish(context.Background(), asAuthor(p), p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	for path, sel := range map[string]string{
		"/":                "#main",
		"/posts/" + p.Slug: "#main",
		"/tags/zebra":      "#main",
		"/@mallory":        "#main",
		"/search?q=zebra":  "#results",
	} {
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		html, _ := res.doc.Find(sel).Html()
		if html == "" {
			t.Fatalf("%s: nothing at %s", path, sel)
		}
		markdowntest.AssertInert(t, html)
		// A JSON-LD block is data browsers never run; it must stay one whole
		// JSON document, so nothing in it can end the element early.
		if n := res.doc.Find(`script:not([src]):not([type="application/ld+json"]), [onerror], [onload]`).Length(); n > 0 {
			t.Errorf("%s: %d active elements", path, n)
		}
		res.doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
			if !json.Valid([]byte(s.Text())) {
				t.Errorf("%s: JSON-LD is not one JSON document: %s", path, s.Text())
			}
		})
	}
	// The editor and its fragment show the payloads as text.
	owner := a.client()
	owner.login("mallory", strongPassword)
	for _, path := range []string{"/posts/" + p.Slug + "/edit", "/posts/" + strconv.FormatInt(p.ID, 10) + "/editor"} {
		res := owner.get(path, "HX-Request", "true")
		wantStatus(t, res, http.StatusOK)
		if n := res.doc.Find("script:not([src]), [onerror], [onload], svg").Length(); n > 0 {
			t.Errorf("%s: %d active elements", path, n)
		}
		if v, _ := res.doc.Find(`input[name="title"]`).Attr("value"); v != "Zebra "+payload {
			t.Errorf("%s: title field = %q", path, v)
		}
	}
}

func TestUploadVariantsAndCoverSrcset(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	c.get("/media")
	res := c.postMultipart("/media", url.Values{"alt": {"A gradient"}}, "file", "photo.jpg", jpegWithEXIF(t))
	wantStatus(t, res, http.StatusOK)
	code := res.doc.Find(`[data-testid="uploaded"] code`).Text()
	key := strings.TrimSuffix(strings.TrimPrefix(code, "![A gradient](/media/"), ")")
	if !models.ValidKey(key) {
		t.Fatalf("upload answered %q", code)
	}
	p := a.newPost(author, "With cover", true)
	if _, err := a.db.Exec(`UPDATE posts SET cover_key = $1, cover_alt = 'A gradient' WHERE id = $2`, key, p.ID); err != nil {
		t.Fatal(err)
	}
	page := a.client().get("/posts/" + p.Slug)
	srcset, _ := page.doc.Find("img.cover").Attr("srcset")
	for _, w := range []string{"480w", "960w", "1200w"} {
		if !strings.Contains(srcset, w) {
			t.Fatalf("srcset %q lacks %s", srcset, w)
		}
	}
	small := strings.Fields(srcset)[0]
	img := a.client().get(small)
	wantStatus(t, img, http.StatusOK)
	if cfg, _, err := image.DecodeConfig(strings.NewReader(img.body)); err != nil || cfg.Width != 480 {
		t.Fatalf("480w copy is %dx%d (%v)", cfg.Width, cfg.Height, err)
	}
	if og, _ := page.doc.Find(`meta[property="og:image"]`).Attr("content"); og != "https://blog.example.org/media/"+key {
		t.Errorf("og:image = %q", og)
	}
	var rows int
	if err := a.db.Get(&rows, "SELECT count(*) FROM media"); err != nil || rows != 1 {
		t.Fatalf("media rows = %d (%v)", rows, err)
	}
}

// TestPostKeptUntilItChanges: a public post is read once per change and
// then comes from memory; its author and admins always get it fresh.
func TestPostKeptUntilItChanges(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	p := a.addPost(alice, post{title: "Kept", body: "The first text."})
	reader := a.client()
	if r := reader.get("/posts/kept"); !strings.Contains(r.body, "The first text.") {
		t.Fatalf("post page: %d\n%.300s", r.StatusCode, r.body)
	}
	// Text changed without moving updated_at: readers still get the kept copy.
	a.db.MustExec(`UPDATE posts SET body_html = '<p>Changed unseen.</p>' WHERE id = $1`, p.ID)
	if r := reader.get("/posts/kept"); strings.Contains(r.body, "Changed unseen.") || !strings.Contains(r.body, "<p>The first text.</p>") {
		t.Errorf("the post was read again although it did not change")
	}
	author := a.client()
	author.login("alice", strongPassword)
	if r := author.get("/posts/kept"); !strings.Contains(r.body, "Changed unseen.") {
		t.Errorf("the author got a kept copy")
	}
	// A rename is in the stamp, as in the ETag.
	a.db.MustExec(`UPDATE users SET display_name = 'Alice Liddell' WHERE id = $1`, alice.ID)
	if r := reader.get("/posts/kept"); !strings.Contains(r.body, "Alice Liddell") || !strings.Contains(r.body, "Changed unseen.") {
		t.Errorf("after the rename the post lacks the new name or text")
	}
	// So is any save, and unpublishing takes the post away at once.
	a.db.MustExec(`UPDATE posts SET body_html = '<p>Saved.</p>', updated_at = now() WHERE id = $1`, p.ID)
	if r := reader.get("/posts/kept"); !strings.Contains(r.body, "Saved.") {
		t.Errorf("after a save the post lacks the new text")
	}
	a.db.MustExec(`UPDATE posts SET status = 'draft' WHERE id = $1`, p.ID)
	wantStatus(t, reader.get("/posts/kept"), http.StatusNotFound)
}

// A suspended author's published posts leave every public page, list, feed
// and search, and come back when the account is reactivated; an admin can
// still open them.
func TestSuspendedAuthorsPostsAreHidden(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.discardMail(t)
	alice := a.createUser("alice", models.RoleAuthor)
	a.createUser("boss", models.RoleAdmin)
	a.addPost(alice, post{title: "Quokka sightings", body: "A quokka smiled.", tags: []string{"wildlife"}})
	reader := a.client()
	admin := a.client()
	admin.login("boss", strongPassword)
	pages := []string{"/", "/tags/wildlife", "/search?q=quokka", "/feed.xml", "/atom.xml", "/tags/wildlife/feed.xml", "/sitemap.xml"}
	shows := func(step string, want bool) {
		t.Helper()
		for _, p := range pages {
			if got := strings.Contains(reader.get(p).body, "quokka-sightings"); got != want {
				t.Errorf("%s: %s lists the post: %v, want %v", step, p, got, want)
			}
		}
		want404 := !want
		if got := reader.get("/posts/quokka-sightings").StatusCode == http.StatusNotFound; got != want404 {
			t.Errorf("%s: the post page is 404: %v, want %v", step, got, want404)
		}
	}
	shows("published", true)

	a.suspend(alice.ID)
	shows("author suspended", false)
	wantStatus(t, reader.get("/@alice"), http.StatusNotFound)
	if r := admin.get("/posts/quokka-sightings"); r.StatusCode != http.StatusOK || !strings.Contains(r.body, "A quokka smiled.") ||
		r.doc.Find("[data-testid=author-suspended]").Length() != 1 {
		t.Errorf("the admin cannot open the hidden post, or is not told why it is hidden: %d", r.StatusCode)
	}

	a.reactivate(alice.ID)
	shows("author reactivated", true)
}
