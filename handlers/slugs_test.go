package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// TestRouteWordsAreReservedSlugs: every fixed word a route uses under
// /posts/ is a slug no post can get, so /posts/{slug} always reaches its
// post. A new route under /posts/ fails here until its word is reserved.
func TestRouteWordsAreReservedSlugs(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	words := 0
	for _, r := range a.app.Routes() {
		rest, ok := strings.CutPrefix(r.Path, "/posts/")
		if !ok || r.Method == echo.RouteNotFound {
			continue
		}
		for _, seg := range strings.Split(rest, "/") {
			if seg == "" || strings.HasPrefix(seg, ":") || seg == "*" {
				continue
			}
			words++
			if !models.ReservedSlug(seg) {
				t.Errorf("route %s %s uses %q, which is not a reserved slug", r.Method, r.Path, seg)
			}
		}
	}
	if words == 0 {
		t.Fatal("found no routes under /posts/")
	}

	// A post titled "New" is reachable at its own address.
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	c.get("/posts/new")
	res := c.post("/posts", url.Values{"title": {"New"}, "body": {"Fresh."}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/posts/new-2/edit" {
		t.Fatalf("Location = %q, want /posts/new-2/edit", loc)
	}
	var p models.Post
	if err := a.db.Get(&p, "SELECT id, version FROM posts WHERE slug = 'new-2'"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/publish", url.Values{"version": {strconv.Itoa(p.Version)}}), http.StatusSeeOther)
	page := a.client().get("/posts/new-2")
	wantStatus(t, page, http.StatusOK)
	if h := page.doc.Find("h1").First().Text(); h != "New" {
		t.Errorf("/posts/new-2 shows %q", h)
	}
}
