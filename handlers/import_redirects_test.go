package handlers_test

import (
	"net/http"
	"testing"

	"quire/models/importer"
)

// importWordPressSmall imports the small WordPress fixture.
// The old WordPress addresses of imported posts answer 301 to their new
// ones; old addresses of drafts, and addresses no route or import knows,
// stay 404.
func TestImportedOldAddressesRedirect(t *testing.T) {
	a := newApp(t)
	importWordPressFixture(t, a, importer.Options{})
	c := a.client()
	for _, tc := range []struct{ path, to string }{
		{"/lessons-from-shooting-at-night-and-what-comes-next-1/", "/posts/lessons-from-shooting-at-night-and-what-comes-next-1"},
		{"/lessons-from-shooting-at-night-and-what-comes-next-1", "/posts/lessons-from-shooting-at-night-and-what-comes-next-1"},
		{"/2024/02/16/lessons-from-shooting-at-night-and-what-comes-next-1/", "/posts/lessons-from-shooting-at-night-and-what-comes-next-1"},
		{"/?p=4", "/posts/lessons-from-shooting-at-night-and-what-comes-next-1"},
		{"/creme-brulee-%e6%9c%88%e9%a5%bc-a-rich-post-%f0%9f%8d%ae/", "/posts/creme-brulee-a-rich-post"},
		{"/creme-brulee-%E6%9C%88%E9%A5%BC-a-rich-post-%F0%9F%8D%AE/", "/posts/creme-brulee-a-rich-post"},
		{"/about-this-blog/colophon/", "/colophon"},
		{"/about-this-blog/", "/about-this-blog"},
		{"/?page_id=12", "/about-this-blog"},
	} {
		res := c.get(tc.path)
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != tc.to {
			t.Errorf("GET %s = %d → %q, want 301 → %s", tc.path, res.StatusCode, res.Header.Get("Location"), tc.to)
		}
	}
	for _, path := range []string{"/?p=999", "/no-such-post/", "/?p=11"} { // 11 is the scheduled post, a draft here
		res := c.get(path)
		if res.StatusCode == http.StatusMovedPermanently {
			t.Errorf("GET %s redirected to %s", path, res.Header.Get("Location"))
		}
	}
	if res := c.get("/?p=11"); res.StatusCode != http.StatusOK {
		t.Errorf("the home page with an unknown ?p= = %d, want 200", res.StatusCode)
	}
}
