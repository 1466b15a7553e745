package handlers_test

import (
	"context"
	"net/http"
	"testing"

	"quire/models"
	"quire/models/importer"
)

// Front matter aliases (Hugo) and redirect_from (Jekyll) answer 301 to
// the imported post; a draft's alias leads nowhere.
func TestImportedMarkdownAliasesRedirect(t *testing.T) {
	a := newApp(t)
	a.createUser("owner", models.RoleAdmin) // the fixture's files name no author
	if _, err := importer.ImportMarkdown(context.Background(), a.db, "../models/importer/testdata/markdown-small", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	for _, tc := range []struct{ path, to string }{
		{"/2025/11/night-trains/", "/posts/night-trains-field-guide"},
		{"/2025/11/night-trains", "/posts/night-trains-field-guide"},
		{"/posts/old-night-trains-post/", "/posts/night-trains-field-guide"},
		{"/2025/11/15/creme-brulee/", "/posts/creme-brulee-and-mooncakes"},
		{"/recipes/creme-brulee.html", "/posts/creme-brulee-and-mooncakes"},
		// Where Hugo and Jekyll put them by their default permalinks.
		{"/posts/night-trains-field-guide/", "/posts/night-trains-field-guide"},
		{"/recipes/desserts/2025/11/15/creme-brulee-and-mooncakes.html", "/posts/creme-brulee-and-mooncakes"},
	} {
		res := c.get(tc.path)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != tc.to {
			t.Errorf("GET %s = %d → %q, want 301 → %s", tc.path, res.StatusCode, res.Header.Get("Location"), tc.to)
		}
	}
	if res := c.get("/letters/2030/"); res.StatusCode != http.StatusNotFound { // the 2030 letter is a draft here
		t.Errorf("GET /letters/2030/ = %d, want 404", res.StatusCode)
	}
}
