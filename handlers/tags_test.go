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
	a.createUser("author", "user")
	c := a.client()
	c.login("author", strongPassword)

	tags := make([]string, 80_000)
	for i := range tags {
		tags[i] = "t" + strconv.Itoa(i)
	}
	many := strings.Join(tags, ",")
	for _, path := range []string{"/tags/" + many, "/tags/" + many + "/feed.xml", "/tags/" + strings.Repeat("x", 200_000)} {
		start := time.Now()
		res := a.client().get(path)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("GET %.30s... (%d bytes) took %v", path, len(path), took)
		}
		wantStatus(t, res, http.StatusNotFound)
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
