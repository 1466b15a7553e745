package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pmezard/go-difflib/difflib"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/exporter"
	"quire/models/importer"
	"quire/views/urls"
)

func postOrPageURL(kind, slug string) string {
	if kind == models.KindPage {
		return urls.Page(slug)
	}
	return urls.Post(slug)
}

// Export a site, import the folder into an empty one: readers see the
// same pages (home, every post and page, every tag), drafts stay hidden
// in both, and a renamed post's old address still leads to it.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAdmin)
	bob := a.createUser("bob", models.RoleAuthor)
	if _, err := a.db.Exec(`UPDATE users SET display_name = 'Alice Adams' WHERE id = $1`, alice.ID); err != nil {
		t.Fatal(err)
	}
	uploads := &models.Uploads{Rows: &models.MediaModel{DB: a.db}, Files: models.LocalStore{Dir: a.media}}
	cover, err := uploads.Store(ctx, bytes.NewReader(testImage(t, 7)), alice.ID, "A blue line", models.PostImage)
	if err != nil {
		t.Fatal(err)
	}
	// As serve's: bodies' images from the library are sized (NewModels).
	posts := &models.PostModel{DB: a.db, MediaURL: urls.Media}
	day := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	publish := func(author models.User, in models.PostInput) models.Post {
		p, err := posts.Insert(ctx, author.ID, in)
		if err == nil {
			p, err = posts.Publish(ctx, models.Actor{ID: author.ID, Name: author.Username, Role: author.Role}, p.ID, p.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		// Distinct, known publish dates, as an old site's would be.
		day = day.Add(26 * time.Hour)
		if _, err := a.db.Exec(`UPDATE posts SET published_at = $2, created_at = $2, updated_at = $2 WHERE id = $1`, p.ID, day); err != nil {
			t.Fatal(err)
		}
		return p
	}
	harbour := publish(alice, models.PostInput{Title: "Harbour at dusk", Body: "A photo:\n\n![A blue line](" + urls.Media(cover.Key) + ")\n\n## Notes\n\n- one\n- two",
		Excerpt: "Boats, mostly.", Tags: []string{"photos", "sea"}, CoverKey: cover.Key, CoverAlt: "A blue line"})
	if _, err := posts.Update(ctx, harbour.ID, harbour.Version, models.PostInput{Title: harbour.Title, Body: harbour.Body,
		Excerpt: harbour.Excerpt, Tags: harbour.Tags, CoverKey: cover.Key, CoverAlt: "A blue line", Slug: "harbour"}, alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`UPDATE posts SET updated_at = published_at WHERE id = $1`, harbour.ID); err != nil {
		t.Fatal(err)
	}
	for i := range 12 { // more than a page of the home page
		publish([]models.User{alice, bob}[i%2], models.PostInput{Title: fmt.Sprintf("Note %d: café ☕", i),
			Body: fmt.Sprintf("Paragraph %d with *emphasis*, a [link](https://example.org/%d) and `code`.\n\n```go\nfmt.Println(%d)\n```", i, i, i),
			Tags: []string{"notes", []string{"sea", "中文"}[i%2]}})
	}
	publish(alice, models.PostInput{Title: "About", Body: "Who we are.", Kind: models.KindPage})
	if _, err := posts.Insert(ctx, bob.ID, models.PostInput{Title: "Unfinished", Body: "Draft."}); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "export")
	if _, err := exporter.Export(ctx, a.db, models.LocalStore{Dir: a.media}, dir,
		exporter.Options{MediaURL: urls.Media, PostURL: postOrPageURL}); err != nil {
		t.Fatal(err)
	}
	b := startApp(t, dbtest.New(t), appOptions{})
	sum, err := importer.ImportMarkdown(ctx, b.db, dir, importer.Options{MediaURL: urls.Media,
		Uploads: &models.Uploads{Rows: &models.MediaModel{DB: b.db}, Files: models.LocalStore{Dir: b.media}}})
	for _, n := range sum.Notes {
		t.Logf("%s: %s", n.Item, n.Text)
	}
	if err != nil {
		t.Fatal(err)
	}
	if sum.Posts.Created != 15 || sum.Users.Created != 2 {
		t.Errorf("import summary = %+v", sum)
	}

	paths := []string{urls.Home(), urls.Paged(urls.Home(), 2), urls.Page("about"), urls.Tag("photos"), urls.Tag("sea"),
		urls.Tag("notes"), urls.Tag("中文"), urls.Post("unfinished")}
	var slugs []string
	if err := a.db.Select(&slugs, `SELECT slug FROM posts WHERE kind = 'post' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	for _, s := range slugs {
		paths = append(paths, urls.Post(s))
	}
	// A post's version counts its edits, for the editor's conflict check:
	// the import is its first. Readers see nothing of it.
	version := regexp.MustCompile(` data-version="\d+"`)
	tagLines := strings.NewReplacer(">", ">\n")
	ca, cb := a.client(), b.client()
	for _, p := range paths {
		ra, rb := ca.get(p), cb.get(p)
		pa, pb := version.ReplaceAllString(ra.body, ""), version.ReplaceAllString(rb.body, "")
		if ra.StatusCode != rb.StatusCode || pa != pb {
			diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: difflib.SplitLines(tagLines.Replace(pa)),
				B: difflib.SplitLines(tagLines.Replace(pb)), FromFile: "exported site", ToFile: "imported site", Context: 2})
			t.Errorf("GET %s: %d and %d\n%s", p, ra.StatusCode, rb.StatusCode, diff)
		}
	}
	if r := cb.get(urls.Post("unfinished")); r.StatusCode != http.StatusNotFound {
		t.Errorf("the draft is public after the import: %d", r.StatusCode)
	}
	if r := cb.get(urls.Post("harbour-at-dusk")); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != urls.Post("harbour") {
		t.Errorf("the renamed post's old address = %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
}
