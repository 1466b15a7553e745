package handlers_test

import (
	"net/http"
	"testing"

	"quire/models"
)

// Lists show a post's cover above its title, as Ghost's do; a post
// without one shows none.
func TestListsShowCovers(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	with := a.addPost(alice, post{title: "With a cover", body: "Words.", tags: []string{"garden"}})
	a.addPost(alice, post{title: "Without a cover", body: "Words.", tags: []string{"garden"}})
	key := "5a2046efc6b1ee1d99793eff2103d0a52db9abb8372a8b4a0a84810ebf88bb89.png"
	if _, err := a.db.Exec(`UPDATE posts SET cover_key = $1 WHERE id = $2`, key, with.ID); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/tags/garden", "/@alice"} {
		res := a.client().get(path)
		wantStatus(t, res, http.StatusOK)
		covers := res.doc.Find(`[data-testid=post-item] [data-testid=item-cover]`)
		if src, _ := covers.Attr("src"); covers.Length() != 1 || src != "/media/"+key {
			t.Errorf("%s: %d covers, first %q; want the one post's cover", path, covers.Length(), src)
		}
	}
}
