package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"quire/models"
)

// addApprovedComment posts a guest's comment on p and approves it.
func (a *testApp) addApprovedComment(p models.Post, name, body string) {
	a.t.Helper()
	g := a.client()
	wantStatus(a.t, g.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments",
		a.commentForm(p.ID, "name", name, "email", strings.ToLower(name)+"@example.org", "body", body)), http.StatusSeeOther)
	a.approveAll(p.ID)
}

// TestCommentCountsOnLists: the home, tag, author and search lists show
// "N comments" linking to a post's comments once it has approved ones, and
// nothing before; approving a comment moves the home page's ETag.
func TestCommentCountsOnLists(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	ada := a.createUser("ada", models.RoleAuthor)
	p := a.addPost(ada, post{title: "Swifts", body: "They are back.", tags: []string{"birds"}})
	lists := []string{"/", "/tags/birds", "/@ada", "/search?q=swifts"}
	for _, path := range lists {
		if got := a.client().get(path).doc.Find(`[data-testid="item-comments"]`).Length(); got != 0 {
			t.Errorf("%s shows a comment count on a post without comments", path)
		}
	}
	res, _ := a.rawGet("/", "")
	etag := res.Header.Get("ETag")

	a.addApprovedComment(p, "Grace", "Hello.")
	a.addApprovedComment(p, "Linus", "Welcome back.")
	res, _ = a.rawGet("/", "", "If-None-Match", etag)
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == etag {
		t.Errorf("after approvals the home page answered %d with ETag %q (was %q)", res.StatusCode, res.Header.Get("ETag"), etag)
	}
	for _, path := range lists {
		link := a.client().get(path).doc.Find(`[data-testid="item-comments"]`)
		if href, _ := link.Attr("href"); strings.TrimSpace(link.Text()) != "2 comments" || href != "/posts/swifts#comments" {
			t.Errorf("%s: comment count %q linking to %q, want \"2 comments\" to /posts/swifts#comments", path, link.Text(), href)
		}
	}
}
