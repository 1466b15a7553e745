package handlers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"quire/assets"
	"quire/models"
	"quire/models/markdown/markdowntest"
)

const testBase = "https://blog.example.org"

// rssDoc is what a feed reader reads from RSS 2.0 with the content, dc and
// atom extensions.
type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		// Self comes before Link: an unqualified field would also take atom:link.
		Self          []xmlLink `xml:"http://www.w3.org/2005/Atom link"`
		Title         string    `xml:"title"`
		Link          string    `xml:"link"`
		Description   string    `xml:"description"`
		LastBuildDate string    `xml:"lastBuildDate"`
		Items         []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
			GUID  struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
			PubDate     string   `xml:"pubDate"`
			Creator     string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories  []string `xml:"category"`
			Description string   `xml:"description"`
			Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"item"`
	} `xml:"channel"`
}

type xmlLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// atomDoc is an Atom 1.0 feed as a reader sees it.
type atomDoc struct {
	XMLName xml.Name  `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string    `xml:"http://www.w3.org/2005/Atom id"`
	Title   atomText  `xml:"http://www.w3.org/2005/Atom title"`
	Updated string    `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []xmlLink `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID        string    `xml:"http://www.w3.org/2005/Atom id"`
		Title     atomText  `xml:"http://www.w3.org/2005/Atom title"`
		Links     []xmlLink `xml:"http://www.w3.org/2005/Atom link"`
		Published string    `xml:"http://www.w3.org/2005/Atom published"`
		Updated   string    `xml:"http://www.w3.org/2005/Atom updated"`
		Author    struct {
			Name string `xml:"http://www.w3.org/2005/Atom name"`
			URI  string `xml:"http://www.w3.org/2005/Atom uri"`
		} `xml:"http://www.w3.org/2005/Atom author"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"http://www.w3.org/2005/Atom category"`
		Summary atomText `xml:"http://www.w3.org/2005/Atom summary"`
		Content atomText `xml:"http://www.w3.org/2005/Atom content"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// post is a test post: published unless state says otherwise, at the given
// time so feeds have a known order.
type post struct {
	title, body string
	tags        []string
	state       string // "" published, "draft", "hidden", "deleted"
	published   time.Time
}

func (a *testApp) addPost(author models.User, p post) models.Post {
	a.t.Helper()
	ctx := context.Background()
	pm := models.PostModel{DB: a.db}
	got, err := pm.Insert(ctx, author.ID, models.PostInput{Title: p.title, Body: p.body, Tags: p.tags})
	if err != nil {
		a.t.Fatal(err)
	}
	if p.state == "draft" {
		return got
	}
	if got, err = pm.Publish(ctx, asAuthor(got), got.ID, got.Version); err != nil {
		a.t.Fatal(err)
	}
	if !p.published.IsZero() {
		if _, err := a.db.ExecContext(ctx, `UPDATE posts SET published_at = $2 WHERE id = $1`, got.ID, p.published); err != nil {
			a.t.Fatal(err)
		}
	}
	switch p.state {
	case "hidden":
		_, err = (&models.AdminModel{DB: a.db}).HidePosts(ctx, models.Actor{Name: "test", Role: models.RoleAdmin}, []int64{got.ID}, "spam")
	case "deleted":
		err = pm.SoftDelete(ctx, asAuthor(got), got.ID)
	}
	if err != nil {
		a.t.Fatal(err)
	}
	got, _ = pm.GetAny(ctx, got.ID)
	return got
}

func parseRSS(t *testing.T, r *response) rssDoc {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/rss+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var doc rssDoc
	if err := xml.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatalf("RSS does not parse: %v\n%s", err, r.body)
	}
	if doc.Version != "2.0" {
		t.Errorf("rss version %q", doc.Version)
	}
	return doc
}

func parseAtom(t *testing.T, r *response) atomDoc {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var doc atomDoc
	if err := xml.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatalf("Atom does not parse: %v\n%s", err, r.body)
	}
	return doc
}

func (d rssDoc) titles() []string {
	var out []string
	for _, it := range d.Channel.Items {
		out = append(out, it.Title)
	}
	return out
}

func (d atomDoc) titles() []string {
	var out []string
	for _, e := range d.Entries {
		out = append(out, e.Title.Value)
	}
	return out
}

func wantTitles(t *testing.T, feed string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: titles %q, want %q", feed, got, want)
	}
}

// feedFixture is two authors' posts in every state, published a day apart.
func feedFixture(a *testApp) (alice, bob models.User, posts map[string]models.Post) {
	alice = a.createUser("alice", models.RoleAuthor)
	bob = a.createUser("bob", models.RoleAuthor)
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	posts = map[string]models.Post{}
	for i, p := range []struct {
		author models.User
		post
	}{
		{alice, post{title: "Alice one", body: "First [see](/posts/alice-two) ![chart](/media/abc.png) [top](#top)", tags: []string{"go"}}},
		{bob, post{title: "Bob one", body: "Rust things.", tags: []string{"rust"}}},
		{alice, post{title: "Alice two", body: "Second.", tags: []string{"go", "web"}}},
		{alice, post{title: "Alice draft", body: "Not yet.", tags: []string{"go"}, state: "draft"}},
		{bob, post{title: "Bob hidden", body: "Spam.", tags: []string{"go"}, state: "hidden"}},
		{alice, post{title: "Alice deleted", body: "Gone.", tags: []string{"go"}, state: "deleted"}},
	} {
		p.published = day.AddDate(0, 0, i)
		posts[p.title] = a.addPost(p.author, p.post)
	}
	return alice, bob, posts
}

func TestSiteFeeds(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, _, posts := feedFixture(a)
	c := a.client()

	// Links come from the configured base URL, whatever Host the request names.
	rss := parseRSS(t, c.get("/feed.xml", "Host", "evil.example"))
	wantTitles(t, "rss", rss.titles(), "Alice two", "Bob one", "Alice one")
	ch := rss.Channel
	if ch.Link != testBase+"/" || len(ch.Self) != 1 || ch.Self[0].Href != testBase+"/feed.xml" || ch.Self[0].Rel != "self" {
		t.Errorf("channel link %q, self %+v", ch.Link, ch.Self)
	}
	one := posts["Alice one"]
	it := ch.Items[2]
	if it.Link != testBase+"/posts/"+one.Slug {
		t.Errorf("item link %q", it.Link)
	}
	if it.GUID.IsPermaLink != "false" || it.GUID.Value != "tag:blog.example.org,2025-03-01:posts/"+strconv.FormatInt(one.ID, 10) {
		t.Errorf("guid %+v", it.GUID)
	}
	if pub, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil || !pub.Equal(*one.PublishedAt) {
		t.Errorf("pubDate %q (%v), want %v", it.PubDate, err, one.PublishedAt)
	}
	if it.Creator != "alice" || !slices.Equal(it.Categories, []string{"go"}) || it.Description != "First see top" {
		t.Errorf("creator %q, categories %q, description %q", it.Creator, it.Categories, it.Description)
	}
	// Relative links in the body are resolved against the post's URL.
	for _, want := range []string{
		`href="` + testBase + `/posts/alice-two"`, `src="` + testBase + `/media/abc.png"`,
		`href="` + testBase + `/posts/` + one.Slug + `#top"`,
	} {
		if !strings.Contains(it.Content, want) {
			t.Errorf("content lacks %s:\n%s", want, it.Content)
		}
	}
	if strings.Contains(c.get("/feed.xml").body, "evil.example") {
		t.Error("the Host header leaked into the feed")
	}

	atom := parseAtom(t, c.get("/atom.xml", "Host", "evil.example"))
	wantTitles(t, "atom", atom.titles(), "Alice two", "Bob one", "Alice one")
	if atom.ID != testBase+"/atom.xml" || !hasLink(atom.Links, "self", testBase+"/atom.xml") || !hasLink(atom.Links, "alternate", testBase+"/") {
		t.Errorf("feed id %q, links %+v", atom.ID, atom.Links)
	}
	if _, err := time.Parse(time.RFC3339, atom.Updated); err != nil {
		t.Errorf("feed updated %q: %v", atom.Updated, err)
	}
	e := atom.Entries[2]
	if e.ID != it.GUID.Value || !hasLink(e.Links, "alternate", it.Link) {
		t.Errorf("entry id %q, links %+v: want the RSS guid and link", e.ID, e.Links)
	}
	if pub, err := time.Parse(time.RFC3339, e.Published); err != nil || !pub.Equal(one.PublishedAt.Truncate(time.Second)) {
		t.Errorf("published %q, want %v", e.Published, one.PublishedAt)
	}
	if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
		t.Errorf("updated %q: %v", e.Updated, err)
	}
	if e.Author.Name != "alice" || e.Author.URI != testBase+"/@alice" || len(e.Categories) != 1 || e.Categories[0].Term != "go" {
		t.Errorf("author %+v, categories %+v", e.Author, e.Categories)
	}
	if e.Title.Type != "text" || e.Summary.Type != "text" || e.Summary.Value != "First see top" ||
		e.Content.Type != "html" || e.Content.Value != it.Content {
		t.Errorf("title %+v, summary %+v, content %+v", e.Title, e.Summary, e.Content)
	}
}

func TestFilteredFeeds(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, bob, _ := feedFixture(a)
	c := a.client()

	rss := parseRSS(t, c.get("/@alice/feed.xml"))
	wantTitles(t, "alice rss", rss.titles(), "Alice two", "Alice one")
	if rss.Channel.Self[0].Href != testBase+"/@alice/feed.xml" || rss.Channel.Link != testBase+"/@alice" {
		t.Errorf("self %q, link %q", rss.Channel.Self[0].Href, rss.Channel.Link)
	}
	// Usernames are case-insensitive, as on the author page.
	atom := parseAtom(t, c.get("/@Bob/atom.xml"))
	wantTitles(t, "bob atom", atom.titles(), "Bob one")
	if !hasLink(atom.Links, "self", testBase+"/@bob/atom.xml") {
		t.Errorf("links %+v", atom.Links)
	}

	wantTitles(t, "go rss", parseRSS(t, c.get("/tags/go/feed.xml")).titles(), "Alice two", "Alice one")
	wantTitles(t, "go atom", parseAtom(t, c.get("/tags/go/atom.xml")).titles(), "Alice two", "Alice one")
	wantTitles(t, "web rss", parseRSS(t, c.get("/tags/web/feed.xml")).titles(), "Alice two")

	// A tag nobody uses yet is an empty, valid feed.
	empty := parseAtom(t, c.get("/tags/nothing-yet/atom.xml"))
	if len(empty.Entries) != 0 || empty.Updated == "" {
		t.Errorf("empty feed: %d entries, updated %q", len(empty.Entries), empty.Updated)
	}
	if rss := parseRSS(t, c.get("/tags/caf%C3%A9/feed.xml")); len(rss.Channel.Items) != 0 {
		t.Errorf("café: %d items", len(rss.Channel.Items))
	}

	// A suspended author's feeds are gone, like their page.
	a.suspend(bob.ID)
	for _, path := range []string{
		"/@bob/feed.xml", "/@bob/atom.xml", "/@nobody/feed.xml", "/@nobody/atom.xml",
		"/@ab/feed.xml", "/@bad-name/feed.xml", "/@" + strings.Repeat("a", 31) + "/atom.xml",
		"/@..%2Fadmin/feed.xml", "/@alice%2F..%2Fbob/feed.xml",
		"/tags/a%2Fb/feed.xml", "/tags/..%2F..%2Fetc/atom.xml", "/tags/go,rust/feed.xml",
		"/tags/%3Cscript%3E/feed.xml", "/tags/" + strings.Repeat("x", 31) + "/atom.xml",
		"/tags/%25/feed.xml", "/tags/%20/feed.xml", "/tags/a%00b/feed.xml",
		// One URL per feed: only the tag's stored form answers, as on its page.
		"/tags/Go/feed.xml", "/tags/%23go/atom.xml", "/tags/slow%20travel/feed.xml",
	} {
		if r := c.get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, r.StatusCode)
		}
	}
	// Paths that clean to something else never reach a feed with odd values.
	for _, path := range []string{"/tags/../feed.xml", "/@alice/../feed.xml", "/tags/%2e%2e/feed.xml"} {
		if r := c.get(path); r.StatusCode >= 500 {
			t.Errorf("GET %s: status %d", path, r.StatusCode)
		}
	}
}

func TestFeedsEscapeHostileText(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	mallory := a.createUser("mallory", models.RoleAuthor)
	const title = `<script>alert(1)</script>`
	a.addPost(mallory, post{
		title: title,
		body:  "Hello <img src=x onerror=alert(1)> [click](javascript:alert(1)) <script>alert(2)</script>\n\n<iframe src=//evil.example></iframe>",
		tags:  []string{"xss"},
	})
	c := a.client()

	r := c.get("/feed.xml")
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, "<img") {
		t.Errorf("markup unescaped in RSS:\n%s", r.body)
	}
	rss := parseRSS(t, r)
	it := rss.Channel.Items[0]
	if it.Title != title {
		t.Errorf("title %q, want the literal text", it.Title)
	}
	markdowntest.AssertInert(t, it.Content)
	markdowntest.AssertInert(t, it.Description)

	r = c.get("/atom.xml")
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, "<img") {
		t.Errorf("markup unescaped in Atom:\n%s", r.body)
	}
	e := parseAtom(t, r).Entries[0]
	if e.Title.Type != "text" || e.Title.Value != title {
		t.Errorf("title %+v", e.Title)
	}
	markdowntest.AssertInert(t, e.Content.Value)
}

func TestSitemapAndRobots(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, _, posts := feedFixture(a)
	c := a.client()

	r := c.get("/sitemap.xml", "Host", "evil.example")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var set struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []struct {
			Loc     string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 loc"`
			LastMod string `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 lastmod"`
		} `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 url"`
	}
	if err := xml.Unmarshal([]byte(r.body), &set); err != nil {
		t.Fatalf("sitemap does not parse: %v\n%s", err, r.body)
	}
	var locs []string
	for _, u := range set.URLs {
		locs = append(locs, u.Loc)
		if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
			t.Errorf("%s: lastmod %q: %v", u.Loc, u.LastMod, err)
		}
	}
	// Posts oldest first (a new one goes last: a big site's files stay put),
	// then the authors' and tags' pages (issue 13).
	want := []string{testBase + "/"}
	for _, title := range []string{"Alice one", "Bob one", "Alice two"} {
		want = append(want, testBase+"/posts/"+posts[title].Slug)
	}
	want = append(want, testBase+"/@alice", testBase+"/@bob", testBase+"/tags/go", testBase+"/tags/rust", testBase+"/tags/web")
	if !slices.Equal(locs, want) {
		t.Errorf("sitemap locations\n%q\nwant\n%q", locs, want)
	}

	r = c.get("/robots.txt", "Host", "evil.example")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, line := range []string{
		"User-agent: *", "Disallow: /settings/", "Disallow: /admin/", "Disallow: /posts/new", "Disallow: /pages/new", "Disallow: /drafts",
		"Disallow: /login", "Disallow: /register", "Disallow: /password/", "Sitemap: " + testBase + "/sitemap.xml",
	} {
		if !slices.Contains(strings.Split(r.body, "\n"), line) {
			t.Errorf("robots.txt lacks %q:\n%s", line, r.body)
		}
	}
	// Readers' pages stay open to crawlers.
	if strings.Contains(r.body, "Disallow: /\n") {
		t.Errorf("robots.txt disallows everything:\n%s", r.body)
	}
}

// Feeds are the same for everyone: they set no cookies and start no session.
func TestFeedsSetNoCookies(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	for _, path := range []string{"/feed.xml", "/atom.xml", "/tags/go/feed.xml", "/sitemap.xml", "/robots.txt"} {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		if sc := r.Header.Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("%s sets cookies: %q", path, sc)
		}
	}
}

func hasLink(links []xmlLink, rel, href string) bool {
	for _, l := range links {
		if l.Rel == rel && l.Href == href {
			return true
		}
	}
	return false
}

func TestFeedConditionalGET(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	p := a.addPost(alice, post{title: "Hello", body: "First words.", tags: []string{"go"}})
	c := a.client()

	for _, path := range []string{"/feed.xml", "/atom.xml", "/@alice/feed.xml", "/tags/go/atom.xml", "/sitemap.xml"} {
		first := c.get(path)
		wantStatus(t, first, http.StatusOK)
		etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		if !strings.HasPrefix(etag, `W/"`) || lastMod == "" {
			t.Fatalf("%s: ETag %q, Last-Modified %q", path, etag, lastMod)
		}
		if lm, err := http.ParseTime(lastMod); err != nil || !lm.Equal(p.UpdatedAt.Truncate(time.Second)) {
			t.Errorf("%s: Last-Modified %q (%v), want %v", path, lastMod, err, p.UpdatedAt)
		}
		if cc := first.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}

		for _, h := range [][]string{
			{"If-None-Match", etag},
			{"If-None-Match", strings.TrimPrefix(etag, "W/")}, // weak comparison
			{"If-None-Match", `"stale", ` + etag},
			{"If-None-Match", "*"},
			{"If-Modified-Since", lastMod},
			{"If-Modified-Since", time.Now().UTC().Add(time.Hour).Format(http.TimeFormat)},
		} {
			r := c.get(path, h...)
			wantStatus(t, r, http.StatusNotModified)
			if r.body != "" || r.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s %q: 304 with body %q, encoding %q", path, h, r.body, r.Header.Get("Content-Encoding"))
			}
			if r.Header.Get("ETag") != etag || !slices.Contains(r.Header.Values("Vary"), "Accept-Encoding") {
				t.Errorf("%s %q: 304 headers %v", path, h, r.Header)
			}
		}
		for _, h := range [][]string{
			{"If-None-Match", `W/"stale"`},
			// If-None-Match decides alone when both are sent.
			{"If-None-Match", `W/"stale"`, "If-Modified-Since", lastMod},
			{"If-Modified-Since", p.UpdatedAt.Add(-time.Hour).UTC().Format(http.TimeFormat)},
			{"If-Modified-Since", "yesterday"},
		} {
			if r := c.get(path, h...); r.StatusCode != http.StatusOK || r.body == "" {
				t.Errorf("%s %q: status %d, body %d bytes; want the feed", path, h, r.StatusCode, len(r.body))
			}
		}
	}

	// Each feed has its own tag, so a copy of one never revalidates another.
	tags := map[string]string{}
	for _, path := range []string{"/feed.xml", "/atom.xml", "/@alice/feed.xml", "/@alice/atom.xml", "/tags/go/feed.xml", "/sitemap.xml"} {
		etag := c.get(path).Header.Get("ETag")
		if other, dup := tags[etag]; dup {
			t.Errorf("%s and %s share ETag %s", path, other, etag)
		}
		tags[etag] = path
	}

	// An edit changes the tag: the reader's copy is stale.
	before := c.get("/feed.xml").Header.Get("ETag")
	pm := models.PostModel{DB: a.db}
	if _, err := pm.Update(context.Background(), p.ID, p.Version, models.PostInput{Title: "Hello again", Body: "New words.", Tags: []string{"go"}}, alice.ID); err != nil {
		t.Fatal(err)
	}
	r := c.get("/feed.xml", "If-None-Match", before)
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("ETag") == before || !strings.Contains(r.body, "Hello again") {
		t.Errorf("after an edit: ETag %s (was %s), body:\n%s", r.Header.Get("ETag"), before, r.body)
	}

	// So does a post leaving the feed, though nothing left in it changed.
	second := a.addPost(alice, post{title: "Second", body: "More."})
	before = c.get("/feed.xml").Header.Get("ETag")
	if err := pm.SoftDelete(context.Background(), asAuthor(second), second.ID); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.get("/feed.xml", "If-None-Match", before), http.StatusOK)

	// A feed without posts has a tag but no Last-Modified.
	empty := c.get("/tags/none/feed.xml")
	if empty.Header.Get("ETag") == "" || empty.Header.Get("Last-Modified") != "" {
		t.Errorf("empty feed: ETag %q, Last-Modified %q", empty.Header.Get("ETag"), empty.Header.Get("Last-Modified"))
	}
	wantStatus(t, c.get("/tags/none/feed.xml", "If-None-Match", empty.Header.Get("ETag")), http.StatusNotModified)
}

// rawGet fetches path with exactly the Accept-Encoding given ("" for
// none): the transport neither adds gzip nor decodes it.
func (a *testApp) rawGet(path, acceptEncoding string, headers ...string) (*http.Response, []byte) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	setHeaders(req, headers)
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return res, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

func TestCompression(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	for _, title := range []string{"One", "Two", "Three"} {
		a.addPost(alice, post{title: title, body: strings.Repeat("Words worth compressing. ", 40)})
	}

	res, b := a.rawGet("/feed.xml", "gzip")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("feed with gzip: status %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if !slices.Contains(res.Header.Values("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q", res.Header.Values("Vary"))
	}
	plain := gunzip(t, b)
	var doc rssDoc
	if err := xml.Unmarshal(plain, &doc); err != nil || len(doc.Channel.Items) != 3 {
		t.Fatalf("gunzipped feed: %v, %d items", err, len(doc.Channel.Items))
	}

	res, b = a.rawGet("/feed.xml", "")
	if res.Header.Get("Content-Encoding") != "" || !bytes.HasPrefix(b, []byte("<?xml")) {
		t.Errorf("feed without gzip: Content-Encoding %q, body starts %q", res.Header.Get("Content-Encoding"), b[:min(len(b), 20)])
	}
	if !bytes.Equal(b, plain) {
		t.Error("plain and gunzipped feeds differ")
	}

	// A 304 has no body, compressed or not, and keeps Vary.
	res, b = a.rawGet("/feed.xml", "gzip", "If-None-Match", res.Header.Get("ETag"))
	if res.StatusCode != http.StatusNotModified || len(b) != 0 || res.Header.Get("Content-Encoding") != "" ||
		!slices.Contains(res.Header.Values("Vary"), "Accept-Encoding") {
		t.Errorf("304: status %d, %d bytes, headers %v", res.StatusCode, len(b), res.Header)
	}

	// Pages rendered through render.go's buffer, fragments and assets are
	// compressed too.
	for _, tc := range []struct {
		path    string
		headers []string
		want    string
	}{
		{"/login", nil, `name="password"`},
		{"/register", []string{"HX-Request", "true"}, `name="username"`},
		{assets.Path("css/site.css"), nil, "{"},
	} {
		res, b := a.rawGet(tc.path, "gzip", tc.headers...)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: status %d, Content-Encoding %q", tc.path, res.StatusCode, res.Header.Get("Content-Encoding"))
			continue
		}
		if body := gunzip(t, b); !bytes.Contains(body, []byte(tc.want)) {
			t.Errorf("%s: gunzipped body lacks %q", tc.path, tc.want)
		}
	}

	// Small responses are not worth it; images are compressed already; the
	// metrics endpoint compresses itself.
	c := a.client()
	c.login("alice", strongPassword)
	wantStatus(t, c.upload(testImage(t, 7)), http.StatusOK)
	var key string
	if err := a.db.Get(&key, `SELECT key FROM media`); err != nil {
		t.Fatal(err)
	}
	if res, b := a.rawGet("/media/"+key, "gzip"); res.StatusCode != http.StatusOK || len(b) < 1024 {
		t.Fatalf("/media/%s: status %d, %d bytes; want an image worth compressing, were it text", key, res.StatusCode, len(b))
	}
	for _, path := range []string{"/robots.txt", "/healthz", "/media/" + key} {
		if res, _ := a.rawGet(path, "gzip"); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding %q", path, res.Header.Get("Content-Encoding"))
		}
	}
	res, b = a.rawGet("/metrics", "gzip")
	if res.Header.Get("Content-Encoding") == "gzip" {
		b = gunzip(t, b)
	}
	if !bytes.Contains(b, []byte("quire_http_requests_total")) {
		t.Errorf("/metrics does not decode to metrics (compressed twice?): %q", b[:min(len(b), 40)])
	}
	// Range requests get the bytes they asked for, uncompressed.
	res, b = a.rawGet(assets.Path("css/site.css"), "gzip", "Range", "bytes=0-9")
	if res.StatusCode != http.StatusPartialContent || len(b) != 10 || res.Header.Get("Content-Encoding") != "" {
		t.Errorf("range request: status %d, Content-Encoding %q, %d bytes", res.StatusCode, res.Header.Get("Content-Encoding"), len(b))
	}
}

// TestPublicListsKeptUntilTheyChange: feeds, the sitemap and the pages of
// the home, tag and author lists are read once per change of their list and
// then come from memory.
func TestPublicListsKeptUntilTheyChange(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	a.addPost(alice, post{title: "First light", tags: []string{"sky"}})
	docs := []string{"/feed.xml", "/atom.xml", "/tags/sky/feed.xml", "/sitemap.xml"}
	pages := []string{"/", "/tags/sky", "/@alice"}
	c := a.client()
	before := map[string][]byte{}
	for _, p := range docs {
		res, b := a.rawGet(p, "")
		wantStatus(t, &response{Response: res}, http.StatusOK)
		before[p] = b
	}
	for _, p := range pages {
		if r := c.get(p); !strings.Contains(r.body, "First light") {
			t.Fatalf("%s lacks the post: %d\n%.300s", p, r.StatusCode, r.body)
		}
	}

	// A change made behind the triggers' back leaves every stamp as it
	// was, so what was kept is sent: proof it comes from memory.
	for _, q := range []string{
		`ALTER TABLE posts DISABLE TRIGGER posts_list_stats_update`,
		`UPDATE posts SET title = 'Changed unseen', slug = 'changed-unseen'`,
		`ALTER TABLE posts ENABLE TRIGGER posts_list_stats_update`,
	} {
		a.db.MustExec(q)
	}
	for _, p := range docs {
		if _, b := a.rawGet(p, ""); !bytes.Equal(b, before[p]) {
			t.Errorf("%s was rendered again although its list did not change", p)
		}
	}
	for _, p := range pages {
		if r := c.get(p); !strings.Contains(r.body, "First light") || strings.Contains(r.body, "Changed unseen") {
			t.Errorf("%s was read again although its list did not change", p)
		}
	}

	// Renaming the author changes what the lists show: read afresh.
	a.db.MustExec(`UPDATE users SET display_name = 'Alice Liddell' WHERE id = $1`, alice.ID)
	for _, p := range docs[:3] {
		if _, b := a.rawGet(p, ""); !bytes.Contains(b, []byte("Alice Liddell")) || !bytes.Contains(b, []byte("Changed unseen")) {
			t.Errorf("%s after the rename lacks the new name or title:\n%.400s", p, b)
		}
	}
	for _, p := range pages {
		if r := c.get(p); !strings.Contains(r.body, "Alice Liddell") || !strings.Contains(r.body, "Changed unseen") {
			t.Errorf("%s after the rename lacks the new name or title", p)
		}
	}
	// A new post changes every list it is in.
	a.addPost(alice, post{title: "Second light", tags: []string{"sky"}})
	for _, p := range docs {
		if _, b := a.rawGet(p, ""); !bytes.Contains(b, []byte("second-light")) {
			t.Errorf("%s lacks the new post", p)
		}
	}
	for _, p := range pages {
		if r := c.get(p); !strings.Contains(r.body, "Second light") {
			t.Errorf("%s lacks the new post", p)
		}
	}
}

// TestFeedEntriesBounded: twenty posts whose stored HTML is half a megabyte
// each (as posts saved before the output budget can be) make a feed of a
// bounded size, each entry its summary and a link to read on, and repeat
// requests are answered from the kept copy: a change to a post's text that
// no stamp saw does not show, so the feed was not rebuilt.
func TestFeedEntriesBounded(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", models.RoleAuthor)
	day := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	heading := `<h1 id="a">a <a class="anchor" href="#a" aria-hidden="true">#</a></h1>` + "\n"
	huge := strings.Repeat(heading, (512<<10)/len(heading))
	for i := range 20 {
		p := a.addPost(author, post{title: "Post " + strconv.Itoa(i), body: "Opening words.", published: day.AddDate(0, 0, i)})
		if i == 0 {
			continue // the oldest stays short and whole
		}
		if _, err := a.db.Exec(`UPDATE posts SET body_html = $2 WHERE id = $1`, p.ID, huge); err != nil {
			t.Fatal(err)
		}
	}
	c := a.client()
	for _, path := range []string{"/feed.xml", "/atom.xml"} {
		cpu := cpuTime()
		r := c.get(path)
		first := cpuTime() - cpu
		if len(r.body) > 1<<20 {
			t.Errorf("%s: %d bytes for 20 entries, more than 1 MiB", path, len(r.body))
		}
		var contents []string
		if path == "/feed.xml" {
			for _, it := range parseRSS(t, r).Channel.Items {
				contents = append(contents, it.Content)
			}
		} else {
			for _, e := range parseAtom(t, r).Entries {
				contents = append(contents, e.Content.Value)
			}
		}
		if len(contents) != 20 {
			t.Fatalf("%s: %d entries", path, len(contents))
		}
		for i, content := range contents[:19] {
			want := `<a href="` + testBase + `/posts/post-` + strconv.Itoa(19-i) + `">Continue reading “Post ` + strconv.Itoa(19-i) + `”</a>`
			if !strings.Contains(content, "Opening words.") || !strings.Contains(content, want) || len(content) > 1024 {
				t.Errorf("%s entry %d: %d bytes: %.200s", path, i, len(content), content)
			}
		}
		if got := contents[19]; !strings.Contains(got, "<p>Opening words.</p>") || strings.Contains(got, "Continue reading") {
			t.Errorf("%s: the short post is not whole: %q", path, got)
		}
		const repeats = 10
		cpu = cpuTime()
		for range repeats {
			c.get(path)
		}
		t.Logf("%s: %d bytes; CPU %v for the first request, %v a repeat", path, len(r.body), first, (cpuTime()-cpu)/repeats)
	}

	// Change a post's HTML behind the stamps' back: a kept feed does not see it.
	if _, err := a.db.Exec(`ALTER TABLE posts DISABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`UPDATE posts SET body_html = '<p>Rewritten.</p>', summary = 'Rewritten.'`); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/feed.xml", "/atom.xml"} {
		if r := c.get(path); strings.Contains(r.body, "Rewritten.") {
			t.Errorf("%s was built again for a repeat request", path)
		}
	}
}

// cpuTime is the CPU this process (the test and the server in it) has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestRSSChannelDescriptionEscaped: readers take an RSS channel's
// description for HTML, as they do an item's, and an author's feed names
// the author in it.
func TestRSSChannelDescriptionEscaped(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	mallory := a.createUser("mallory", models.RoleAuthor)
	const name = `<img src=x onerror=alert(1)>`
	if _, err := a.db.Exec(`UPDATE users SET display_name = $2 WHERE id = $1`, mallory.ID, name); err != nil {
		t.Fatal(err)
	}
	a.addPost(mallory, post{title: "Hello", body: "Hi."})
	rss := parseRSS(t, a.client().get("/@mallory/feed.xml"))
	markdowntest.AssertInert(t, rss.Channel.Description)
	if !strings.Contains(rss.Channel.Description, "&lt;img") {
		t.Errorf("description %q does not show the name as text", rss.Channel.Description)
	}
}
