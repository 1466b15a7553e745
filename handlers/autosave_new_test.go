package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"quire/views/urls"
)

// TestNewPostAutosave: /posts/new autosaves from its first words into one
// draft, named by the form's key, however many autosaves race; nothing
// typed makes no post; Save then saves over that draft.
func TestNewPostAutosave(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	count := func() int { return a.postCount(author.ID) }

	for round := range 4 {
		page := c.get(urls.NewPost())
		wantStatus(t, page, http.StatusOK)
		key, _ := page.doc.Find(`input[name="draft_key"]`).Attr("value")
		if key == "" {
			t.Fatal("the new-post form has no draft key")
		}
		if got, _ := page.doc.Find(`[data-testid="body"]`).Attr("hx-post"); got != urls.AutosaveNewPost() {
			t.Fatalf("the new post's body autosaves to %q", got)
		}
		before := count()
		empty := c.post(urls.AutosaveNewPost(), url.Values{"title": {" "}, "body": {""}, "draft_key": {key}, "version": {"0"}}, "HX-Request", "true")
		wantStatus(t, empty, http.StatusOK)
		if count() != before {
			t.Fatal("an empty autosave created a post")
		}
		forged := c.post(urls.AutosaveNewPost(), url.Values{"title": {"T"}, "body": {"b"}, "draft_key": {"\x00\xff"}, "version": {"0"}}, "HX-Request", "true")
		wantStatus(t, forged, http.StatusBadRequest)

		// Two autosaves of the same form at once, as a slow network sends them.
		var wg sync.WaitGroup
		status := make([]int, 2)
		push := make([]string, 2)
		for i, body := range []string{"first words", "first words and more"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				form := url.Values{"title": {"Fresh"}, "body": {body}, "draft_key": {key}, "version": {"0"}, "_csrf": {c.csrf}}
				req, _ := http.NewRequest(http.MethodPost, a.srv.URL+urls.AutosaveNewPost(), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("HX-Request", "true")
				res, err := c.http.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				status[i], push[i] = res.StatusCode, res.Header.Get("HX-Push-Url")
			}()
		}
		wg.Wait()
		if status[0] != http.StatusOK || status[1] != http.StatusOK {
			t.Fatalf("round %d: racing autosaves answered %v", round, status)
		}
		if got := count(); got != before+1 {
			t.Fatalf("round %d: two racing autosaves made %d posts, want 1", round, got-before)
		}
		var id int64
		if err := a.db.Get(&id, `SELECT id FROM posts WHERE draft_key = $1`, key); err != nil {
			t.Fatal(err)
		}
		if push[0] != urls.PostEditor(id) || push[1] != urls.PostEditor(id) {
			t.Errorf("the editor is not moved to its draft: %q", push)
		}

		// Save from the same form lands on the same draft.
		save := c.post(urls.CreatePost(), url.Values{"title": {"Fresh"}, "body": {"saved at last"}, "draft_key": {key}, "version": {"0"}})
		wantStatus(t, save, http.StatusSeeOther)
		if got := count(); got != before+1 {
			t.Fatalf("Save after autosave made another post (%d)", got-before)
		}
		if p := a.postByID(id); p.Body != "saved at last" || p.Status != "draft" {
			t.Errorf("the draft after Save: %q, %s", p.Body, p.Status)
		}
	}
}

// postCount is how many posts authorID has, in any state.
func (a *testApp) postCount(authorID int64) int {
	a.t.Helper()
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM posts WHERE author_id = $1`, authorID); err != nil {
		a.t.Fatal(err)
	}
	return n
}
