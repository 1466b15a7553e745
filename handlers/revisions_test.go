package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestRevisionCompareOlderToNewer(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Walk", true)
	c := a.client()
	c.login("author", strongPassword)
	id := strconv.FormatInt(p.ID, 10)
	form := url.Values{"title": {"Walk"}, "body": {"We walked to the old harbour.\n"}, "tags": {"testing"}, "version": {strconv.Itoa(p.Version)}}
	wantStatus(t, c.post("/posts/"+id, form), http.StatusSeeOther)
	form.Set("body", "We walked to the new harbour.\n")
	form.Set("version", strconv.Itoa(p.Version+1))
	wantStatus(t, c.post("/posts/"+id, form), http.StatusSeeOther)

	list := c.get("/posts/" + id + "/revisions")
	href, _ := list.doc.Find(`[data-testid="revisions"] li a`).First().Attr("href") // the newest: "old harbour"
	page := c.get(href)
	wantStatus(t, page, http.StatusOK)
	heading := strings.Join(strings.Fields(page.doc.Find(`[data-testid="compare-heading"]`).Text()), " ")
	v1, v2 := strconv.Itoa(p.Version+1), strconv.Itoa(p.Version+2)
	if !strings.HasPrefix(heading, "Changes from version "+v1+" (") || !strings.Contains(heading, ") to version "+v2+", the current one (") {
		t.Fatalf("heading = %q", heading)
	}
	diff := page.doc.Find(`[data-testid="diff-body"]`)
	// Older to newer: what the later save wrote is added, what it replaced removed.
	if got := diff.Find("del").Text(); got != "[removed: old]" {
		t.Errorf("removed = %q, want the older version's word", got)
	}
	if got := diff.Find("ins").Text(); got != "[added: new]" {
		t.Errorf("added = %q, want the newer version's word", got)
	}
}
