package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"quire/models"
	"quire/models/importer"
)

// redirectID is the id of the redirect from path.
func (a *testApp) redirectID(path string) int64 {
	a.t.Helper()
	var id int64
	if err := a.db.Get(&id, `SELECT id FROM redirects WHERE path = $1`, path); err != nil {
		a.t.Fatalf("redirect %s: %v", path, err)
	}
	return id
}

// wantRedirect checks that GET path answers 301 to to (404 when to is "").
func (c *client) wantRedirect(path, to string) {
	c.a.t.Helper()
	res := c.get(path)
	switch {
	case to == "" && res.StatusCode != http.StatusNotFound:
		c.a.t.Errorf("GET %s = %d → %q, want 404", path, res.StatusCode, res.Header.Get("Location"))
	case to != "" && (res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != to):
		c.a.t.Errorf("GET %s = %d → %q, want 301 → %s", path, res.StatusCode, res.Header.Get("Location"), to)
	}
}

// TestAddRedirectForm: "Add a redirect" refuses Quire's own addresses, a
// page readers reach and targets that lead nowhere, beside their fields,
// keeping the input; what it adds answers 301 (a post by its address,
// following it when its slug changes; a page, a tag, another address here,
// an https address elsewhere), each addition audited.
func TestAddRedirectForm(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	post := a.adminPost(boss, "Night trains", true)
	a.newPage(boss, models.PostInput{Title: "About"}, true)
	reader := a.client()

	list := c.get("/admin/redirects")
	wantStatus(t, list, http.StatusOK)
	if href, _ := list.doc.Find(`[data-testid="table-create"]`).Attr("href"); href != "/admin/redirects/new" {
		t.Fatalf("no Add a redirect link (%q)", href)
	}
	form := c.get("/admin/redirects/new")
	wantStatus(t, form, http.StatusOK)
	if form.doc.Find(`#redirect-form input[name="from"]`).Length() != 1 || form.doc.Find(`#redirect-form input[name="to"]`).Length() != 1 {
		t.Fatal("the form lacks its fields")
	}

	for _, tc := range []struct{ from, to, field, msg string }{
		{"/admin/old", "/", "from", "Quire answers the addresses starting with /admin itself"},
		{"/posts/gone", "/", "from", "starting with /posts itself"},
		{"/@someone/", "/", "from", "starting with /@ itself"},
		{"/feed.xml/", "/", "from", "starting with /feed.xml itself"},
		{"/about", "/", "from", "the page “About”"},
		{"/about/", "/", "from", "the page “About”"},
		{"/old.php?id=3", "/", "from", "path alone"},
		{"/x/", "/nothing/here/", "to", "Nothing on this site answers /nothing/here/"},
		{"/x/", "/posts/no-such-post", "to", "No post"},
		{"/x/", "http://elsewhere.example/", "to", "https://"},
		{"/x/", "//elsewhere.example/", "to", "one slash"},
		{"/x/", "javascript:alert(1)", "to", "Give an address"},
	} {
		res := c.post("/admin/redirects", url.Values{"from": {tc.from}, "to": {tc.to}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.fieldError(tc.field), tc.msg) {
			t.Errorf("%s → %s: %d, %s says %q; want 422 and %q", tc.from, tc.to, res.StatusCode, tc.field, res.fieldError(tc.field), tc.msg)
		}
		if v, _ := res.doc.Find(`input[name="from"]`).Attr("value"); v != tc.from {
			t.Errorf("the old address typed was not kept: %q", v)
		}
	}

	for _, tc := range []struct{ from, to, want string }{
		{"/2019/05/night-trains/", "/posts/" + post.Slug, "/posts/" + post.Slug},
		{"https://old.example.com/who-we-are", "https://blog.example.org/about", "/about"},
		{"/category/travel/", "/tags/Travel", "/tags/travel"},
		{"/rss", "/feed.xml", "/feed.xml"},
		{"/find/", "/search?q=trains", "/search?q=trains"},
		{"/shop/", "https://shop.example/books?x=1", "https://shop.example/books?x=1"},
	} {
		res := c.post("/admin/redirects", url.Values{"from": {tc.from}, "to": {tc.to}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/redirects" {
			t.Fatalf("%s → %s: %d %q %q", tc.from, tc.to, res.StatusCode, res.fieldError("from"), res.fieldError("to"))
		}
		from, _ := models.OldPath(tc.from)
		reader.wantRedirect(from, tc.want)
		reader.wantRedirect(strings.TrimSuffix(from, "/")+"/", tc.want)
	}
	if !strings.Contains(c.get("/admin/redirects").doc.Find(`[data-testid="admin-notice"], .flash`).Text(), "Redirect added") {
		t.Error("no notice after adding")
	}

	// The post's address moved: the redirect follows it.
	moved, err := (&models.PostModel{DB: a.db}).Update(context.Background(), post.ID, post.Version,
		models.PostInput{Title: post.Title, Body: "Moved.", Slug: "sleeper-trains"}, boss.ID)
	if err != nil {
		t.Fatal(err)
	}
	reader.wantRedirect("/2019/05/night-trains/", "/posts/"+moved.Slug)

	log := a.audit()
	if len(log) != 6 || log[0].Model != "redirects" || log[0].Action != "create" || *log[0].ActorID != boss.ID ||
		jsonOf(log[0].After)["path"] != "/2019/05/night-trains/" || jsonOf(log[0].After)["to"] != fmt.Sprintf("post %d", post.ID) {
		t.Errorf("audit = %+v", log)
	}
	if rows := c.get("/admin/redirects?to=url").doc.Find(`[data-testid="admin-list"] tbody tr`); rows.Length() != 1 ||
		!strings.Contains(rows.Text(), "https://shop.example/books") || !strings.Contains(rows.Text(), "Added by an admin") {
		t.Errorf("filtered to other sites: %q", rows.Text())
	}
	if rows := c.get("/admin/redirects?q=night").doc.Find(`[data-testid="admin-list"] tbody tr`); rows.Length() != 1 ||
		!strings.Contains(rows.Text(), "Night trains") {
		t.Errorf("searched for night: %q", rows.Text())
	}
}

// TestRedirectsTable: imported old addresses are listed with where they
// came from; where one leads is edited in place as an address (refused
// beside the cell when it leads nowhere, 409 over a newer version); rows
// are deleted one by one and in bulk; each change is audited.
func TestRedirectsTable(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	importWordPressFixture(t, a, importer.Options{})
	reader := a.client()
	imported := c.get("/admin/redirects?origin=wordpress&per_page=200")
	total, _ := imported.doc.Find(`[data-testid="admin-list"]`).Attr("data-total")
	if n, _ := strconv.Atoi(total); n < 5 || !strings.Contains(imported.doc.Find("tbody").Text(), "WordPress import") {
		t.Errorf("%s WordPress redirects listed", total)
	}

	old := "/2024/02/16/lessons-from-shooting-at-night-and-what-comes-next-1/"
	id := a.redirectID(old)
	path := fmt.Sprintf("/admin/redirects/%d/edit/to", id)
	ed := c.get(path, "HX-Request", "true")
	wantStatus(t, ed, http.StatusOK)
	if v, _ := ed.doc.Find(`[name="value"]`).Attr("value"); v != "/posts/lessons-from-shooting-at-night-and-what-comes-next-1" {
		t.Errorf("the editor starts from %q, not the address it leads to", v)
	}
	version, _ := ed.doc.Find(`input[name="version"]`).Attr("value")
	bad := c.post(path, url.Values{"value": {"/no/such/place"}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.doc.Find(`[data-testid="editor-error"]`).Text(), "Nothing on this site answers") {
		t.Errorf("no reason beside the cell: %q", bad.doc.Find(`[data-testid="editor-error"]`).Text())
	}
	ok := c.post(path, url.Values{"value": {"/tags/night"}, "version": {version}}, "HX-Request", "true")
	wantStatus(t, ok, http.StatusOK)
	if !strings.Contains(ok.doc.Text(), "tag night") {
		t.Errorf("the saved cell says %q", ok.doc.Text())
	}
	reader.wantRedirect(old, "/tags/night")
	wantStatus(t, c.post(path, url.Values{"value": {"/"}, "version": {version}}, "HX-Request", "true"), http.StatusConflict)

	one, two, three := a.redirectID("/?p=4"), a.redirectID("/about-this-blog/"), a.redirectID("/about-this-blog/colophon/")
	wantStatus(t, c.post(fmt.Sprintf("/admin/redirects/%d/delete", one), url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	wantStatus(t, c.bulk("redirects", "delete", nil, two, three), http.StatusSeeOther)
	reader.wantRedirect("/about-this-blog/colophon/", "")
	if res := reader.get("/?p=4"); res.StatusCode != http.StatusOK {
		t.Errorf("a deleted ?p= redirect: %d, want the home page", res.StatusCode)
	}

	log := a.audit()
	if len(log) != 4 || log[0].Action != "edit" || log[0].ObjectID != id || jsonOf(log[0].After)["to"] != "tag night" ||
		log[1].Action != "delete" || jsonOf(log[1].Before)["path"] != "/?p=4" || log[3].Action != "delete" || *log[3].ActorID != boss.ID {
		t.Errorf("audit = %+v", log)
	}
}
