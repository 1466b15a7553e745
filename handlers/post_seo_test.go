package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// jsonLDOf decodes the page's one JSON-LD script.
func jsonLDOf(t *testing.T, r *response) map[string]any {
	t.Helper()
	s := r.doc.Find(`script[type="application/ld+json"]`)
	if s.Length() != 1 {
		t.Fatalf("%d JSON-LD scripts, want 1", s.Length())
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(s.Text()), &d); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, s.Text())
	}
	return d
}

func attr(r *response, sel, name string) string {
	v, _ := r.doc.Find(sel).Attr(name)
	return v
}

func TestPostSEOFields(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	p := a.newPost(author, "Plain post", true)
	id := strconv.FormatInt(p.ID, 10)
	save := func(extra url.Values, headers ...string) *response {
		cur := a.postByID(p.ID)
		form := url.Values{"title": {`Title </script><script>alert(1)</script>`}, "body": {"Body."},
			"version": {strconv.Itoa(cur.Version)}}
		for k, v := range extra {
			form[k] = v
		}
		return c.post("/posts/"+id, form, headers...)
	}

	// Without the fields the page falls back to the post's own.
	page := a.client().get("/posts/" + p.Slug)
	wantStatus(t, page, http.StatusOK)
	if got := attr(page, `meta[name="description"]`, "content"); got != "Body of Plain post" {
		t.Errorf("default description %q", got)
	}
	if page.doc.Find(`meta[name="robots"]`).Length() != 0 {
		t.Error("a post without noindex asks robots to skip it")
	}
	d := jsonLDOf(t, page)
	if d["@type"] != "BlogPosting" || d["headline"] != "Plain post" || d["url"] != testBase+"/posts/"+p.Slug {
		t.Errorf("JSON-LD %v", d)
	}
	if author, _ := d["author"].(map[string]any); author["name"] != "author" || author["url"] != testBase+"/@author" {
		t.Errorf("JSON-LD author %v", d["author"])
	}
	if pub, err := time.Parse(time.RFC3339, d["datePublished"].(string)); err != nil || !pub.Equal(p.PublishedAt.Truncate(time.Second)) {
		t.Errorf("datePublished %v (%v), want %v", d["datePublished"], err, p.PublishedAt)
	}

	// Bad input: 422, every field kept as typed, nothing saved.
	long := strings.Repeat("é", 301)
	bad := save(url.Values{"meta_description": {long}, "canonical_url": {"javascript:alert(1)"},
		"social_image": {"../../etc/passwd"}, "social_title": {"Kept title"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	for _, f := range []string{"meta_description", "canonical_url", "social_image"} {
		if bad.fieldError(f) == "" {
			t.Errorf("no error for %s", f)
		}
	}
	if bad.doc.Find(`textarea[name="meta_description"]`).Text() != long ||
		attr(bad, `input[name="canonical_url"]`, "value") != "javascript:alert(1)" ||
		attr(bad, `input[name="social_title"]`, "value") != "Kept title" {
		t.Error("the typed fields were not kept")
	}
	if a.postByID(p.ID).CanonicalURL != "" {
		t.Fatal("an invalid form was saved")
	}

	key := strings.Repeat("ab", 32) + ".jpg"
	res := save(url.Values{"meta_description": {"  What  search\nengines show.  "}, "social_title": {"Share me"},
		"social_image": {key}, "canonical_url": {"https://elsewhere.example/original"}, "noindex": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	saved := a.postByID(p.ID)
	if saved.MetaDescription != "What search engines show." || !saved.NoIndex || saved.SocialTitle != "Share me" {
		t.Fatalf("saved %+v", saved.SEO)
	}
	editor := c.get("/posts/" + saved.Slug + "/edit")
	if attr(editor, `input[name="canonical_url"]`, "value") != "https://elsewhere.example/original" ||
		editor.doc.Find(`input[name="noindex"][checked]`).Length() != 1 {
		t.Error("the editor does not show the saved fields")
	}

	page = a.client().get("/posts/" + saved.Slug)
	wantStatus(t, page, http.StatusOK)
	for sel, want := range map[string]string{
		`meta[name="description"]`:        "What search engines show.",
		`meta[property="og:title"]`:       "Share me",
		`meta[property="og:description"]`: "What search engines show.",
		`meta[property="og:image"]`:       testBase + "/media/" + key,
		`meta[name="robots"]`:             "noindex",
	} {
		if got := attr(page, sel, "content"); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := attr(page, `link[rel="canonical"]`, "href"); got != "https://elsewhere.example/original" {
		t.Errorf("canonical %q", got)
	}
	// A hostile title cannot end the JSON-LD script early.
	if strings.Contains(page.body, "</script><script>alert(1)") {
		t.Error("the title broke out of the JSON-LD script")
	}
	d = jsonLDOf(t, page)
	if d["headline"] != `Title </script><script>alert(1)</script>` || d["description"] != "What search engines show." {
		t.Errorf("JSON-LD %v", d)
	}
	if main, _ := d["mainEntityOfPage"].(map[string]any); main["@id"] != "https://elsewhere.example/original" {
		t.Errorf("mainEntityOfPage %v", d["mainEntityOfPage"])
	}
	if img, _ := d["image"].([]any); len(img) != 1 || img[0] != testBase+"/media/"+key {
		t.Errorf("JSON-LD image %v", d["image"])
	}

	// noindex (and a canonical address elsewhere) keeps it out of the sitemap.
	if strings.Contains(a.client().get("/sitemap.xml").body, saved.Slug) {
		t.Error("a noindex post is in the sitemap")
	}
	res = save(url.Values{})
	wantStatus(t, res, http.StatusSeeOther)
	if !strings.Contains(a.client().get("/sitemap.xml").body, "/posts/"+a.postByID(p.ID).Slug) {
		t.Error("clearing the fields did not bring the post back to the sitemap")
	}
}

// jsonFeed is a JSON Feed 1.1 as a reader decodes it.
type jsonFeed struct {
	Version     string `json:"version"`
	Title       string `json:"title"`
	HomePageURL string `json:"home_page_url"`
	FeedURL     string `json:"feed_url"`
	Items       []struct {
		ID            string   `json:"id"`
		URL           string   `json:"url"`
		Title         string   `json:"title"`
		ContentHTML   string   `json:"content_html"`
		Summary       string   `json:"summary"`
		DatePublished string   `json:"date_published"`
		Tags          []string `json:"tags"`
		Authors       []struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"authors"`
	} `json:"items"`
}

func parseJSONFeed(t *testing.T, r *response) jsonFeed {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/feed+json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var f jsonFeed
	if err := json.Unmarshal([]byte(r.body), &f); err != nil {
		t.Fatalf("JSON Feed does not parse: %v\n%s", err, r.body)
	}
	if f.Version != "https://jsonfeed.org/version/1.1" {
		t.Errorf("version %q", f.Version)
	}
	return f
}

func (f jsonFeed) titles() []string {
	var out []string
	for _, it := range f.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestJSONFeed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	_, _, posts := feedFixture(a)
	c := a.client()

	f := parseJSONFeed(t, c.get("/feed.json", "Host", "evil.example"))
	wantTitles(t, "json", f.titles(), "Alice two", "Bob one", "Alice one")
	if f.FeedURL != testBase+"/feed.json" || f.HomePageURL != testBase+"/" {
		t.Errorf("feed_url %q, home_page_url %q", f.FeedURL, f.HomePageURL)
	}
	rss := parseRSS(t, c.get("/feed.xml"))
	one, it := posts["Alice one"], f.Items[2]
	if it.ID != rss.Channel.Items[2].GUID.Value || it.URL != testBase+"/posts/"+one.Slug {
		t.Errorf("item id %q url %q: want the RSS guid and link", it.ID, it.URL)
	}
	if it.ContentHTML != rss.Channel.Items[2].Content || it.Summary != "First see top" {
		t.Errorf("content %q summary %q", it.ContentHTML, it.Summary)
	}
	if pub, err := time.Parse(time.RFC3339, it.DatePublished); err != nil || !pub.Equal(one.PublishedAt.Truncate(time.Second)) {
		t.Errorf("date_published %q (%v)", it.DatePublished, err)
	}
	if len(it.Authors) != 1 || it.Authors[0].Name != "alice" || it.Authors[0].URL != testBase+"/@alice" || !slices.Equal(it.Tags, []string{"go"}) {
		t.Errorf("authors %+v tags %q", it.Authors, it.Tags)
	}
	wantTitles(t, "alice json", parseJSONFeed(t, c.get("/@alice/feed.json")).titles(), "Alice two", "Alice one")
	wantTitles(t, "go json", parseJSONFeed(t, c.get("/tags/go/feed.json")).titles(), "Alice two", "Alice one")
	wantStatus(t, c.get("/@nobody/feed.json"), http.StatusNotFound)

	// Pages name it beside RSS and Atom.
	home := c.get("/")
	if got := attr(home, `link[rel="alternate"][type="application/feed+json"]`, "href"); got != testBase+"/feed.json" {
		t.Errorf("home's JSON Feed link %q", got)
	}
	// A second ask with the ETag is a 304, as for the other formats.
	first := c.get("/feed.json")
	again := c.get("/feed.json", "If-None-Match", first.Header.Get("ETag"))
	wantStatus(t, again, http.StatusNotModified)
}
