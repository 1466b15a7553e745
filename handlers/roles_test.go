package handlers_test

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
)

// asAuthor is p's author acting on it, with an author's role.
func asAuthor(p models.Post) models.Actor {
	return models.Actor{ID: p.AuthorID.Int64, Name: p.AuthorUsername, Role: models.RoleAuthor}
}

// TestContributorRole: a contributor writes drafts but cannot publish them
// (the answer says why), cannot change a post once it is public, and
// uploads images only up to models.ContributorUploadBytes.
func TestContributorRole(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	cora := a.createUser("cora", models.RoleContributor)
	c := a.client()
	c.login("cora", strongPassword)

	draft := a.newPost(cora, "First try", false)
	wantStatus(t, c.get("/posts/"+draft.Slug+"/edit"), http.StatusOK)
	res := c.post("/posts/"+strconv.FormatInt(draft.ID, 10)+"/publish", versionForm(draft))
	wantStatus(t, res, http.StatusForbidden)
	if !strings.Contains(res.body, "submit the post for review") {
		t.Errorf("the refusal does not say why:\n%s", res.body)
	}
	if p, _ := (&models.PostModel{DB: a.db}).Get(t.Context(), draft.ID); p.Status != models.PostDraft {
		t.Errorf("the draft is %s after a refused publish", p.Status)
	}

	// Published by someone else (an editor's approval): no longer hers to change.
	if _, err := a.db.Exec(`UPDATE posts SET status = 'published', published_at = now() WHERE id = $1`, draft.ID); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.get("/posts/"+draft.Slug+"/edit"), http.StatusForbidden)

	big := noisePNG(1200, 1200)
	if len(big) <= models.ContributorUploadBytes {
		t.Fatalf("the test image is only %d bytes", len(big))
	}
	c.get("/media")
	res = c.postMultipart("/media", url.Values{"alt": {"Noise"}}, "file", "noise.png", big)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "larger than 2 MiB") {
		t.Errorf("the refused upload does not say the limit:\n%s", res.doc.Find("main").Text())
	}
	author := a.client()
	a.createUser("abe", models.RoleAuthor)
	author.login("abe", strongPassword)
	author.get("/media")
	wantStatus(t, author.postMultipart("/media", url.Values{"alt": {"Noise"}}, "file", "noise.png", big), http.StatusOK)
}

// TestEditorRole: an editor publishes anyone's drafts, uses the posts
// table but not the rest of the admin area, and the header's Admin link
// takes them to the posts table.
func TestEditorRole(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	abe := a.createUser("abe", models.RoleAuthor)
	a.createUser("eve", models.RoleEditor)
	c := a.client()
	c.login("eve", strongPassword)

	draft := a.newPost(abe, "Abe's draft", false)
	wantStatus(t, c.post("/posts/"+strconv.FormatInt(draft.ID, 10)+"/publish", versionForm(draft)), http.StatusSeeOther)
	if p, _ := (&models.PostModel{DB: a.db}).Get(t.Context(), draft.ID); p.Status != models.PostPublished {
		t.Errorf("the draft is %s after an editor published it", p.Status)
	}
	home := c.get("/")
	if href, _ := home.doc.Find(`nav a:contains("Admin")`).Attr("href"); href != "/admin/posts" {
		t.Errorf("the editor's Admin link goes to %q, want /admin/posts", href)
	}
	list := c.get("/admin/posts")
	wantStatus(t, list, http.StatusOK)
	var tabs []string
	list.doc.Find(`nav[aria-label="Admin"] a`).Each(func(_ int, s *goquery.Selection) {
		tabs = append(tabs, strings.TrimSpace(s.Text()))
	})
	if strings.Join(tabs, ",") != "Posts,Invitations,Review,Comments" {
		t.Errorf("an editor's admin tabs: %v, want Posts, Invitations, Review and Comments", tabs)
	}
	if n := list.doc.Find(`tbody a[href^="/admin/audit"]`).Length(); n != 0 {
		t.Errorf("an editor's posts table links %d rows to the audit log, which is the admins'", n)
	}
	for _, path := range []string{"/admin", "/admin/users", "/admin/media", "/admin/audit"} {
		wantStatus(t, c.get(path), http.StatusForbidden)
	}
}

// TestAdminSetsFourRoles: the users table offers the four roles and saves
// each; the old role "user" is refused.
func TestAdminSetsFourRoles(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)
	u := a.createUser("abe", models.RoleAuthor)
	c := a.client()
	c.login("boss", strongPassword)
	id := strconv.FormatInt(u.ID, 10)
	ed := c.get("/admin/users/" + id + "/edit/role")
	var offered []string
	ed.doc.Find(`select[name="value"] option`).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		offered = append(offered, v)
	})
	if strings.Join(offered, ",") != "contributor,author,editor,admin" {
		t.Errorf("roles offered: %v", offered)
	}
	version := u.Version
	for _, role := range []string{models.RoleContributor, models.RoleEditor, models.RoleAuthor} {
		res := c.post("/admin/users/"+id+"/edit/role", url.Values{"value": {role}, "version": {strconv.Itoa(version)}})
		wantStatus(t, res, http.StatusSeeOther)
		got, err := a.users.Get(t.Context(), u.ID)
		if err != nil || got.Role != role {
			t.Fatalf("role after setting %s: %q, %v", role, got.Role, err)
		}
		version = got.Version
	}
	res := c.post("/admin/users/"+id+"/edit/role", url.Values{"value": {"user"}, "version": {strconv.Itoa(version)}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
}

// noisePNG is a w×h image of random pixels: it does not compress.
func noisePNG(w, h int) []byte {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range m.Pix {
		m.Pix[i] = byte(r.Uint32())
	}
	for i := 3; i < len(m.Pix); i += 4 {
		m.Pix[i] = 255
	}
	var b bytes.Buffer
	_ = png.Encode(&b, m)
	return b.Bytes()
}
