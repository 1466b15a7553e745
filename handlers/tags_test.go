package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTagListsCostLittle: a URL or a form carrying tens of thousands of tags
// is refused quickly, without parsing them (before, 80,000 tags in a URL
// took 33 s of CPU, and a post with 60,000 tags 17 s). The tag's own page
// and feed still answer to its stored form only.
func TestTagListsCostLittle(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)

	tags := make([]string, 80_000)
	for i := range tags {
		tags[i] = "t" + strconv.Itoa(i)
	}
	many := strings.Join(tags, ",")
	// Past the server's 8 KiB address limit a tag list is refused before it
	// is routed (414); under it, the tag page reads one tag at most (404).
	within := strings.Join(tags[:1000], ",")
	for path, want := range map[string]int{
		"/tags/" + many: http.StatusRequestURITooLong, "/tags/" + many + "/feed.xml": http.StatusRequestURITooLong,
		"/tags/" + strings.Repeat("x", 200_000): http.StatusRequestURITooLong,
		"/tags/" + within:                       http.StatusNotFound, "/tags/" + within + "/feed.xml": http.StatusNotFound,
		"/tags/" + strings.Repeat("x", 7000): http.StatusNotFound,
	} {
		start := time.Now()
		res := a.client().get(path)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("GET %.30s... (%d bytes) took %v", path, len(path), took)
		}
		wantStatus(t, res, want)
	}

	c.get("/posts/new")
	start := time.Now()
	res := c.post("/posts", url.Values{"title": {"Tagged"}, "body": {"Text."}, "tags": {strings.Join(tags[:60_000], ", ")}})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("saving a post with 60,000 tags took %v", took)
	}
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.fieldError("tags") == "" {
		t.Error("no message beside the tags field")
	}

	// The stored form of a tag still has its page; other spellings do not.
	res = c.post("/posts", url.Values{"title": {"Tagged"}, "body": {"Text."}, "tags": {"Slow Travel, Café"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantStatus(t, a.client().get("/tags/slow-travel"), http.StatusOK)
	wantStatus(t, a.client().get("/tags/caf%C3%A9"), http.StatusOK)
	for _, path := range []string{"/tags/Slow-Travel", "/tags/slow%20travel", "/tags/%23slow-travel", "/tags/slow-travel,cafe"} {
		wantStatus(t, a.client().get(path), http.StatusNotFound)
	}
}
