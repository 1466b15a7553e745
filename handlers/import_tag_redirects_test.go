package handlers_test

import (
	"context"
	"net/http"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"

	"quire/models/importer"
	"quire/views/urls"
)

// Old tag and category addresses (WordPress's /category/x/, nested
// /category/parent/child/ and /tag/x/; Ghost's /tag/x/) and Ghost's post
// and page addresses (/slug/) answer 301 to the new pages; a Ghost draft's
// and the internal tag's do not.
func TestImportedTagAddressesRedirect(t *testing.T) {
	a := newApp(t)
	for _, f := range []struct {
		path string
		read func(context.Context, *sqlx.DB, *os.File, string) error
	}{
		{"../models/importer/testdata/wordpress-small.xml", func(ctx context.Context, db *sqlx.DB, f *os.File, name string) error {
			_, err := importer.ImportWordPress(ctx, db, f, name, importer.Options{})
			return err
		}},
		{"../models/importer/testdata/ghost-small.json", func(ctx context.Context, db *sqlx.DB, f *os.File, name string) error {
			_, err := importer.ImportGhost(ctx, db, f, name, importer.Options{})
			return err
		}},
	} {
		file, err := os.Open(f.path)
		if err != nil {
			t.Fatal(err)
		}
		err = f.read(context.Background(), a.db, file, f.path)
		_ = file.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := a.client()
	for _, tc := range []struct{ path, to string }{
		{"/category/recipes/", urls.Tag("recipes")},
		{"/category/recipes/desserts/", urls.Tag("desserts")},
		{"/category/recipes/desserts", urls.Tag("desserts")},
		{"/category/cafe-culture/", urls.Tag("café-culture")},
		{"/tag/creme-brulee/", urls.Tag("crème-brûlée")},
		{"/tag/%e4%b8%ad%e6%96%87/", urls.Tag("中文")},
		{"/tag/cooking/", urls.Tag("cooking")},
		{"/tag/zhong-wen/", urls.Tag("中文")},
		{"/harbour-at-dusk-a-rich-post/", urls.Post("harbour-at-dusk-a-rich-post")},
		{"/a-post-from-the-old-mobiledoc-editor", urls.Post("a-post-from-the-old-mobiledoc-editor")},
		{"/contact/", urls.Page("contact")},
	} {
		res := c.get(tc.path)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != tc.to {
			t.Errorf("GET %s = %d → %q, want 301 → %s", tc.path, res.StatusCode, res.Header.Get("Location"), tc.to)
		}
	}
	for _, path := range []string{"/category/uncategorized/", "/tag/hash-fixture/", "/draft-notes-on-cafe-culture/",
		"/members-only-behind-the-paywall-less-wall/", "/tag/no-such-tag/"} {
		if res := c.get(path); res.StatusCode == http.StatusMovedPermanently {
			t.Errorf("GET %s redirected to %s", path, res.Header.Get("Location"))
		}
	}
	if res := c.get(urls.Tag("desserts")); res.StatusCode != http.StatusOK {
		t.Errorf("the tag page a category leads to = %d", res.StatusCode)
	}
}
