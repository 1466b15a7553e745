package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
)

// withMenu is a new site's settings form with menu rows, each a place,
// label, kind and target.
func withMenu(version string, rows ...[4]string) url.Values {
	form := url.Values{"version": {version}, "title": {"Quire"}, "language": {"en"}, "time_zone": {"UTC"},
		"posts_per_page": {"10"}, "registration": {models.RegistrationClosed}}
	for i, r := range rows {
		n := strconv.Itoa(i + 1)
		form.Set("nav_position_"+n, r[0])
		form.Set("nav_label_"+n, r[1])
		form.Set("nav_kind_"+n, r[2])
		form.Set("nav_target_"+n, r[3])
	}
	return form
}

// menuOf is the header menu's links as label → href, in order, and the
// labels marked as the current page; the compact menu must say the same.
func menuOf(t *testing.T, r *response) (links []string, current []string) {
	t.Helper()
	read := func(sel string) (links, current []string) {
		r.doc.Find(sel + " a").Each(func(_ int, a *goquery.Selection) {
			links = append(links, a.Text()+" → "+a.AttrOr("href", ""))
			if a.AttrOr("aria-current", "") == "page" {
				current = append(current, a.Text())
			}
		})
		return links, current
	}
	links, current = read(`[data-testid="site-menu"] > ul.menu-wide`)
	compact, compactCurrent := read(`[data-testid="site-menu"] > details.menu-compact > ul`)
	if !slices.Equal(links, compact) || !slices.Equal(current, compactCurrent) {
		t.Errorf("%s: the compact menu %v (current %v) differs from the row %v (current %v)",
			r.Request.URL.Path, compact, compactCurrent, links, current)
	}
	return links, current
}

// TestSiteMenu: an admin edits the header's menu in the settings: bad rows
// are refused beside their fields with the input kept and nothing saved;
// a good menu, ordered by the rows' places, shows at once on every page
// (the shared signed-out copy too: its ETag changes), marks the page it
// leads to, leads to an About page that works, and leaves the feeds as
// they were. Clearing a row removes it; a page unpublished since is
// pointed out when the settings open, and refused when they are saved.
func TestSiteMenu(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	about := a.newPage(boss, models.PostInput{Title: "About", Body: "Who writes here."}, true)
	a.newPage(boss, models.PostInput{Title: "Contact", Body: "Write to us."}, false)
	a.newPost(boss, "First light", true)

	reader := a.client()
	reader.get("/") // kept and shared from here on
	home := reader.get("/")
	etag := home.Header.Get("ETag")
	if home.doc.Find(`[data-testid="site-menu"]`).Length() != 0 {
		t.Fatal("a menu before any was set")
	}
	feedBefore := reader.get("/feed.xml").body

	c.get("/admin/settings")
	bad := withMenu("0",
		[4]string{"1", "Contact", "page", "contact"},           // a draft
		[4]string{"2", " ", "tag", "travel"},                   // no label
		[4]string{"3", "Run me", "url", "javascript:alert(1)"}, // not a web address
		[4]string{"4", "Nobody", "author", "nobody"},           // no such account
		[4]string{"5", "Odd", "script", "x"},                   // no such kind
	)
	res := c.post("/admin/settings", bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	for _, f := range []string{"nav_target_1", "nav_label_2", "nav_target_3", "nav_target_4", "nav_kind_5"} {
		if res.fieldError(f) == "" {
			t.Errorf("no error beside %s", f)
		}
	}
	if msg := res.fieldError("nav_target_1"); !strings.Contains(msg, "not published") {
		t.Errorf("the draft page's message: %q", msg)
	}
	if v := res.doc.Find("#f-nav_target_3").AttrOr("value", ""); v != "javascript:alert(1)" {
		t.Errorf("the refused address was not kept: %q", v)
	}
	if v := res.doc.Find("#f-nav_label_4").AttrOr("value", ""); v != "Nobody" {
		t.Errorf("the label was not kept: %q", v)
	}
	if settingsAudits(t, a) != 0 || reader.get("/").doc.Find(`[data-testid="site-menu"]`).Length() != 0 {
		t.Fatal("a refused menu was saved")
	}

	// Places order the rows; a row without one keeps its own; an empty row is none.
	good := withMenu("0",
		[4]string{"3", "Boss", "author", "@Boss"},
		[4]string{"1", "About", "page", "/about"},
		[4]string{"2", "Testing", "tag", "#Testing"},
		[4]string{"", "Elsewhere", "url", "https://example.org/x"},
		[4]string{"5", "", "page", ""},
	)
	wantStatus(t, c.post("/admin/settings", good), http.StatusSeeOther)
	want := []string{"About → /about", "Testing → /tags/testing", "Boss → /@boss", "Elsewhere → https://example.org/x"}

	home = reader.get("/")
	wantStatus(t, home, http.StatusOK)
	if links, current := menuOf(t, home); !slices.Equal(links, want) || len(current) != 0 {
		t.Errorf("home page menu %v, current %v; want %v, none current", links, current, want)
	}
	if home.Header.Get("ETag") == etag {
		t.Error("the home page kept its ETag across the menu's change")
	}
	if r := reader.get("/", "If-None-Match", etag); r.StatusCode != http.StatusOK {
		t.Errorf("revalidating the old home page: %d, want 200", r.StatusCode)
	}
	if n := home.doc.Find(`nav[aria-label="Site"] a`).Length(); n < 2 {
		t.Errorf("the header's own links are gone: %d", n)
	}
	if home.doc.Find("[style], style, script:not([src])").Length() != 0 {
		t.Error("the menu brought an inline style or script")
	}
	if settingsAudits(t, a) != 1 {
		t.Errorf("%d settings audit entries, want 1", settingsAudits(t, a))
	}

	// The About link leads to the page, marked current there, also in
	// the copy shared by signed-out readers.
	href := home.doc.Find(`.menu-wide a`).First().AttrOr("href", "")
	for range 2 {
		page := reader.get(href)
		wantStatus(t, page, http.StatusOK)
		if h := page.doc.Find("h1").First().Text(); !strings.Contains(h, "About") {
			t.Errorf("%s shows %q", href, h)
		}
		if _, current := menuOf(t, page); !slices.Equal(current, []string{"About"}) {
			t.Errorf("on %s the current link is %v", href, current)
		}
	}
	if _, current := menuOf(t, reader.get("/tags/testing")); !slices.Equal(current, []string{"Testing"}) {
		t.Errorf("on the tag page the current link is %v", current)
	}
	signedIn := c.get(href)
	if links, _ := menuOf(t, signedIn); !slices.Equal(links, want) || signedIn.signedInAs() != "boss" {
		t.Errorf("signed in: menu %v, as %q", links, signedIn.signedInAs())
	}

	// The feed carries no menu: only its dates follow the settings' save.
	dates := regexp.MustCompile(`<lastBuildDate>[^<]*</lastBuildDate>|<pubDate>[^<]*</pubDate>`)
	if after := reader.get("/feed.xml").body; dates.ReplaceAllString(after, "") != dates.ReplaceAllString(feedBefore, "") {
		t.Errorf("the feed changed with the menu:\n%s\nwas\n%s", after, feedBefore)
	}

	// The form shows the menu in its order, with room for more; clearing a
	// row removes it; a row given a taken place goes before the row there.
	form := c.get("/admin/settings")
	for i, w := range []string{"About", "Testing", "Boss", "Elsewhere", ""} {
		n := strconv.Itoa(i + 1)
		if v := form.doc.Find("#f-nav_label_"+n).AttrOr("value", ""); v != w {
			t.Errorf("row %s: label %q, want %q", n, v, w)
		}
		if v := form.doc.Find("#f-nav_position_"+n).AttrOr("value", ""); v != n {
			t.Errorf("row %s: place %q", n, v)
		}
	}
	if v := form.doc.Find(`#f-nav_kind_3 option[selected]`).AttrOr("value", ""); v != "author" {
		t.Errorf("row 3's kind %q", v)
	}
	cleared := withMenu("1",
		[4]string{"1", "About", "page", "about"},
		[4]string{"2", "", "tag", ""},
		[4]string{"3", "Boss", "author", "boss"},
		[4]string{"1", "Café", "tag", "Café"}, // moved to first place
	)
	wantStatus(t, c.post("/admin/settings", cleared), http.StatusSeeOther)
	want = []string{"Café → /tags/caf%C3%A9", "About → /about", "Boss → /@boss"}
	if links, _ := menuOf(t, reader.get("/")); !slices.Equal(links, want) {
		t.Errorf("after clearing a row and moving one: %v, want %v", links, want)
	}
	// However the address is spelt, the link to it is the current one.
	for _, path := range []string{"/tags/caf%C3%A9", "/tags/caf%c3%a9"} {
		if _, current := menuOf(t, reader.get(path)); !slices.Equal(current, []string{"Café"}) {
			t.Errorf("on %s the current link is %v", path, current)
		}
	}

	// The page goes back to draft: the settings say so when opened, and
	// refuse to save the menu as it is.
	pm := &models.PostModel{DB: a.db}
	if _, err := pm.Unpublish(context.Background(), models.Actor{ID: boss.ID, Name: "boss", Role: models.RoleAdmin},
		about.ID, a.postByID(about.ID).Version); err != nil {
		t.Fatal(err)
	}
	form = c.get("/admin/settings")
	wantStatus(t, form, http.StatusOK)
	if msg := form.fieldError("nav_target_2"); !strings.Contains(msg, "not published") { // About, second
		t.Errorf("the settings page says of the unpublished page: %q", msg)
	}
	res = c.post("/admin/settings", withMenu("2", [4]string{"1", "About", "page", "about"}))
	wantStatus(t, res, http.StatusUnprocessableEntity)
}

func settingsAudits(t *testing.T, a *testApp) int {
	t.Helper()
	n := 0
	for _, r := range a.audit() {
		if r.Model == "settings" {
			n++
		}
	}
	return n
}
