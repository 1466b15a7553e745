package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
)

// TestReviewQueue: a contributor submits a draft; it waits in the editors'
// Review table; returned with a note it is a draft again, the note mailed
// to its author and shown on the post; submitted again and approved, it is
// published. Each step is audited.
func TestReviewQueue(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	cora := a.createUser("cora", models.RoleContributor)
	a.createUser("eve", models.RoleEditor)
	writer, editor := a.client(), a.client()
	writer.login("cora", strongPassword)
	editor.login("eve", strongPassword)
	pm := &models.PostModel{DB: a.db}
	post := a.newPost(cora, "Please publish me", false)
	id := strconv.FormatInt(post.ID, 10)

	submit := func() {
		t.Helper()
		page := writer.get("/posts/" + post.Slug)
		if page.doc.Find(`[data-testid="publish"]`).Length() != 0 || page.doc.Find(`[data-testid="submit"]`).Length() != 1 {
			t.Fatal("a contributor's draft offers Publish, or no Submit for review")
		}
		p, _ := pm.Get(t.Context(), post.ID)
		wantStatus(t, writer.post("/posts/"+id+"/submit", versionForm(p)), http.StatusSeeOther)
		if p, _ = pm.Get(t.Context(), post.ID); p.Status != models.PostSubmitted || p.ReviewNote != "" {
			t.Fatalf("after submitting: %s, note %q", p.Status, p.ReviewNote)
		}
	}
	submit()
	wantStatus(t, writer.get("/admin/review"), http.StatusForbidden)

	queue := editor.get("/admin/review")
	wantStatus(t, queue, http.StatusOK)
	if !strings.Contains(queue.doc.Find("tbody").Text(), "Please publish me") ||
		queue.doc.Find(`tbody a[href="/posts/`+post.Slug+`/edit"]`).Length() != 1 {
		t.Fatalf("the queue does not list the post with its Edit link:\n%s", queue.doc.Find("tbody").Text())
	}
	res := editor.post("/admin/review/"+id+"/return", url.Values{"confirm": {"1"}})
	wantStatus(t, res, http.StatusUnprocessableEntity) // no note
	wantStatus(t, editor.post("/admin/review/"+id+"/return", url.Values{"confirm": {"1"}, "reason": {"The title needs work."}}),
		http.StatusSeeOther)
	m := a.smtp.Next(t, 5*time.Second)
	if m.To[0] != cora.Email || !strings.Contains(m.Body, "The title needs work.") ||
		!strings.Contains(m.Body, "https://blog.example.org/posts/"+post.Slug+"/edit") {
		t.Errorf("the return mail: to %v\n%s", m.To, m.Body)
	}
	if p, _ := pm.Get(t.Context(), post.ID); p.Status != models.PostDraft {
		t.Errorf("returned post is %s, want draft", p.Status)
	}
	if note := writer.get("/posts/" + post.Slug).doc.Find(`[data-testid="review-note"]`).Text(); !strings.Contains(note, "The title needs work.") {
		t.Errorf("the author does not see the note: %q", note)
	}

	submit()
	wantStatus(t, editor.post("/admin/review/"+id+"/approve", nil), http.StatusSeeOther)
	p, _ := pm.Get(t.Context(), post.ID)
	if p.Status != models.PostPublished || !p.IsPublic() {
		t.Errorf("approved post is %s", p.Status)
	}
	if a.client().get("/posts/"+post.Slug).StatusCode != http.StatusOK {
		t.Error("readers cannot read the approved post")
	}
	var actions []string
	if err := a.db.Select(&actions, `SELECT action FROM audit_log WHERE model = 'posts' AND object_id = $1 ORDER BY id`, post.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, ",") != "return,approve" {
		t.Errorf("audit: %v, want return,approve", actions)
	}
}
