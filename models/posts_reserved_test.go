package models_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestReservedSlugs: a post never gets a slug that a route under /posts/
// uses (a post with the slug "new" was unreachable: /posts/new is the
// editor). Such slugs are numbered as if taken.
func TestReservedSlugs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	for _, tc := range []struct {
		in   models.PostInput
		want string
	}{
		{models.PostInput{Title: "New"}, "new-2"},
		{models.PostInput{Title: "new!"}, "new-3"},
		{models.PostInput{Title: "Anything", Slug: "new"}, "new-4"},
		{models.PostInput{Title: "Edit"}, "edit-2"},
		{models.PostInput{Title: "Revisions"}, "revisions-2"},
		{models.PostInput{Title: "New things"}, "new-things"},
	} {
		if p := newPost(t, pm, ada, tc.in); p.Slug != tc.want {
			t.Errorf("post %q (slug %q) got slug %q, want %q", tc.in.Title, tc.in.Slug, p.Slug, tc.want)
		}
	}

	// Asking for a reserved slug at an edit numbers it too.
	p := publishedPost(t, pm, ada, models.PostInput{Title: "Plain"})
	in := inputOf(p)
	in.Slug = "preview"
	if p, err := pm.Update(ctx, p.ID, p.Version, in, ada); err != nil || p.Slug != "preview-2" {
		t.Errorf("edit to slug preview = %q, %v; want preview-2", p.Slug, err)
	}

	// Posts saved before the words were reserved: the migration numbers
	// them, and so would their next save.
	old := publishedPost(t, pm, ada, models.PostInput{Title: "Old news"})
	draft := newPost(t, pm, ada, models.PostInput{Title: "Draft"})
	if _, err := db.Exec(`UPDATE posts SET slug = CASE id WHEN $1 THEN 'new' ELSE 'delete' END WHERE id IN ($1, $2)`, old.ID, draft.ID); err != nil {
		t.Fatal(err)
	}
	old, _ = pm.Get(ctx, old.ID)
	if p, err := pm.Update(ctx, old.ID, old.Version, inputOf(old), ada); err != nil || p.Slug != "new-5" {
		t.Errorf("saving a public post whose slug is new = %q, %v; want new-5", p.Slug, err)
	}
	draft, _ = pm.Get(ctx, draft.ID)
	if p, err := pm.Update(ctx, draft.ID, draft.Version, inputOf(draft), ada); err != nil || p.Slug != "draft" {
		t.Errorf("saving a draft whose slug is delete = %q, %v; want its title's slug, draft", p.Slug, err)
	}

	if _, err := db.Exec(`UPDATE posts SET slug = 'new' WHERE id = $1`, old.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(migrationUp(t, "00010_reserved_slugs.sql")); err != nil {
		t.Fatal(err)
	}
	if old, _ = pm.Get(ctx, old.ID); old.Slug != "new-5" {
		t.Errorf("after the migration the post's slug is %q, want new-5", old.Slug)
	}
}

// migrationUp is the Up statement of one migration file.
func migrationUp(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(models.MigrationFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	begin, end := strings.Index(s, "-- +goose StatementBegin"), strings.Index(s, "-- +goose StatementEnd")
	if begin < 0 || end < begin {
		t.Fatalf("%s has no statement block", name)
	}
	return s[begin+len("-- +goose StatementBegin") : end]
}
