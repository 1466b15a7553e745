package handlers_test

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"quire/handlers"
	"quire/models"
)

// TestSitemapIndex: past one file's URLs (lowered here to 3), /sitemap.xml
// is an index of files of at most that many, which together list the home
// page, the public pages and posts (none left out), and the pages of
// authors with public posts and of tags, never a suspended author's or a
// draft's; a file past the last is 404, and a file revalidates. Not
// parallel: it changes the package's file size while it runs.
func TestSitemapIndex(t *testing.T) {
	was := *handlers.SitemapFileURLs
	*handlers.SitemapFileURLs = 3
	t.Cleanup(func() { *handlers.SitemapFileURLs = was })
	a := newApp(t)
	alice, bob, carol := a.createUser("alice", models.RoleAuthor), a.createUser("bob", models.RoleAuthor), a.createUser("carol", models.RoleAuthor)
	want := []string{testBase + "/", testBase + "/about", testBase + "/@alice", testBase + "/@bob",
		testBase + "/tags/go", testBase + "/tags/sea", testBase + "/tags/sky"}
	for i, tc := range []struct {
		who  models.User
		tags []string
	}{{alice, []string{"go"}}, {alice, []string{"sky"}}, {alice, nil}, {alice, []string{"go", "sea"}}, {bob, nil}, {bob, []string{"sky"}}, {bob, nil}} {
		p := a.addPost(tc.who, post{title: "Post " + strconv.Itoa(i), body: "Text.", tags: tc.tags})
		want = append(want, testBase+"/posts/"+p.Slug)
	}
	a.addPost(alice, post{title: "Unfinished", state: "draft", tags: []string{"draft-only"}})
	a.addPost(carol, post{title: "Hidden", tags: []string{"hidden-only"}})
	a.suspend(carol.ID)
	a.newPage(alice, models.PostInput{Title: "About", Body: "Us."}, true)

	type doc struct {
		XMLName xml.Name
		Locs    []string `xml:"url>loc"`
		Files   []string `xml:"sitemap>loc"`
	}
	read := func(path string) doc {
		t.Helper()
		res, body := a.rawGet(path, "")
		var d doc
		if res.StatusCode != http.StatusOK || xml.Unmarshal(body, &d) != nil {
			t.Fatalf("%s: %d\n%s", path, res.StatusCode, body)
		}
		return d
	}
	idx := read("/sitemap.xml")
	wantFiles := []string{"pages", "posts-1", "posts-2", "posts-3", "authors-1", "tags-1"}
	for i, f := range wantFiles {
		wantFiles[i] = testBase + "/sitemap-" + f + ".xml"
	}
	if idx.XMLName.Local != "sitemapindex" || !slices.Equal(idx.Files, wantFiles) {
		t.Fatalf("sitemap index %s lists\n%q\nwant\n%q", idx.XMLName.Local, idx.Files, wantFiles)
	}
	var got []string
	for _, f := range idx.Files {
		d := read(strings.TrimPrefix(f, testBase))
		if d.XMLName.Local != "urlset" || len(d.Locs) == 0 || len(d.Locs) > 3 {
			t.Errorf("%s: a %s of %d URLs", f, d.XMLName.Local, len(d.Locs))
		}
		got = append(got, d.Locs...)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the files list\n%q\nwant\n%q", got, want)
	}
	for _, path := range []string{"/sitemap-posts-4.xml", "/sitemap-posts-0.xml", "/sitemap-users-1.xml", "/sitemap-posts-01.xml", "/sitemap-pages"} {
		if res, _ := a.rawGet(path, ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
	res, _ := a.rawGet("/sitemap-posts-3.xml", "")
	if res, _ := a.rawGet("/sitemap-posts-3.xml", "", "If-None-Match", res.Header.Get("ETag")); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating an unchanged file: %d", res.StatusCode)
	}
	// A new post lands in the last file, which grows to a fourth.
	p := a.addPost(bob, post{title: "Newest", body: "Text."})
	if d := read("/sitemap-posts-3.xml"); !slices.Contains(d.Locs, testBase+"/posts/"+p.Slug) {
		t.Errorf("the last file lacks the new post: %q", d.Locs)
	}
}
