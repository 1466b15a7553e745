package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// amplified is 160 KB of references to one long link, well inside the
// body's length limit, which would render to 40 times its size. (Headings
// were the amplifier once; only the first 256 of a post get anchors now.)
var amplified = strings.Repeat("[a][] ", 26_600) + "\n\n[a]: https://example.com/" + strings.Repeat("x", 200) + "\n"

// TestAmplifiedBodyRefused: a body whose HTML would pass the output budget
// is a 422 on the body field wherever it is sent, with the author's text
// kept in the form and the stored post untouched.
func TestAmplifiedBodyRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
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

// TestOversizedStoredPost: a post saved before the output budget whose
// HTML is over its cap shows readers its summary and a note instead of
// megabytes of headings; its author sees the same on its page.
func TestOversizedStoredPost(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Old headings", true)
	heading := `<h1 id="a">a <a class="anchor" href="#a" aria-hidden="true">#</a></h1>` + "\n"
	if _, err := a.db.Exec(`UPDATE posts SET body_html = $2 WHERE id = $1`, p.ID,
		strings.Repeat(heading, (3<<19)/len(heading))); err != nil {
		t.Fatal(err)
	}
	reader, own := a.client(), a.client()
	own.login("author", strongPassword)
	for who, c := range map[string]*client{"reader": reader, "author": own} {
		res := c.get("/posts/" + p.Slug)
		wantStatus(t, res, http.StatusOK)
		article := res.doc.Find("article")
		if len(res.body) > 64<<10 || article.Find("h1#a").Length() > 0 {
			t.Errorf("%s: %d bytes, %d stored headings shown", who, len(res.body), article.Find("h1#a").Length())
		}
		if text := article.Text(); !strings.Contains(text, "Body of Old headings") || !strings.Contains(text, "too large to show") {
			t.Errorf("%s: the summary and the note are missing: %.300s", who, text)
		}
	}
}

// TestRestoringAmplifiedRevisionRefused: a revision kept from before the
// output budget cannot come back past it; restoring it is a 422 that says
// why, not a 500.
func TestRestoringAmplifiedRevisionRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Draft", true)
	var rev int64
	if err := a.db.Get(&rev, `INSERT INTO post_revisions (post_id, version, title, body) VALUES ($1, 1, 'Old', $2) RETURNING id`,
		p.ID, amplified); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.login("author", strongPassword)
	c.get("/posts/" + p.Slug)
	res := c.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/revisions/"+strconv.FormatInt(rev, 10)+"/restore",
		url.Values{"version": {strconv.Itoa(p.Version)}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "too large to show") {
		t.Errorf("no reason given: %.300s", res.doc.Find("main").Text())
	}
	if got := a.postByID(p.ID); got.Version != p.Version {
		t.Errorf("the post changed to version %d", got.Version)
	}
}
