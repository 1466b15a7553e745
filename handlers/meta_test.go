package handlers_test

import (
	"net/http"
	"testing"
)

// A site without a tagline still describes its home page to search engines
// (Lighthouse's SEO audit: "Document does not have a meta description").
func TestHomeHasDescription(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	res := a.client().get("/")
	wantStatus(t, res, http.StatusOK)
	if d, _ := res.doc.Find(`meta[name=description]`).Attr("content"); d != "Posts from Quire." {
		t.Errorf("home description = %q", d)
	}
}
