package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// amplified is 160 KB of one-character headings, well inside the body's
// length limit, which used to render to 24 times its size.
var amplified = strings.Repeat("# a\n", 40_000)

// TestAmplifiedBodyRefused: a body whose HTML would pass the output budget
// is a 422 on the body field wherever it is sent, with the author's text
// kept in the form and the stored post untouched.
func TestAmplifiedBodyRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "user")
	p := a.newPost(author, "Draft", false)
	id := strconv.FormatInt(p.ID, 10)
	c := a.client()
	c.login("author", strongPassword)
	form := url.Values{"title": {"Headings"}, "body": {amplified}, "version": {strconv.Itoa(p.Version)}}

	for _, path := range []string{"/posts", "/posts/" + id} {
		res := c.post(path, form)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := res.fieldError("body"); !strings.Contains(msg, "too large") {
			t.Errorf("POST %s: body error %q", path, msg)
		}
		if got := res.doc.Find(`textarea[name="body"]`).Text(); strings.TrimSpace(got) != strings.TrimSpace(amplified) {
			t.Errorf("POST %s: the author's text was not kept (%d bytes in the form)", path, len(got))
		}
	}

	res := c.post("/posts/"+id+"/autosave", form, "HX-Request", "true")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.doc.Find(`[data-testid="save-status"]`).Text(); !strings.Contains(msg, "too large") {
		t.Errorf("autosave status %q", msg)
	}
	if got := a.postByID(p.ID); got.Body != p.Body || got.Version != p.Version {
		t.Errorf("the post changed: version %d, body %.40q", got.Version, got.Body)
	}

	res = c.post("/posts/"+id+"/preview", url.Values{"body": {amplified}}, "HX-Request", "true")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "too large") || strings.Contains(res.body, "<h1") || len(res.body) > 4096 {
		t.Errorf("preview: %d bytes: %.300s", len(res.body), res.body)
	}
}
