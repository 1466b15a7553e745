package models_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

func TestPostRevisions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "Ada")
	bob := newUser(t, db, "bob", "")

	p := newPost(t, pm, ada, models.PostInput{Title: "Draft title", Body: "draft body"})
	edit := func(p models.Post, title, body string, tags []string, editor int64) models.Post {
		t.Helper()
		in := inputOf(p)
		in.Title, in.Body, in.Tags = title, body, tags
		p, err := pm.Update(ctx, p.ID, p.Version, in, editor)
		if err != nil {
			t.Fatalf("edit to %q: %v", title, err)
		}
		return p
	}

	// Drafts keep no history.
	p = edit(p, "T0", "B0", []string{"zero"}, ada)
	if revs, _ := pm.Revisions(ctx, p.ID); len(revs) != 0 {
		t.Fatalf("a draft edit made %d revisions", len(revs))
	}
	p, err := pm.Publish(ctx, asAuthor(p), p.ID, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	v0 := p.Version
	p = edit(p, "T1", "B1", []string{"one"}, ada)
	p = edit(p, "T2", "B2", nil, bob)
	// Saving without changes adds nothing.
	p = edit(p, "T2", "B2", nil, bob)

	revs, err := pm.Revisions(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range revs {
		titles = append(titles, r.Title)
	}
	if !slices.Equal(titles, []string{"T1", "T0"}) {
		t.Fatalf("revision titles = %q, want [T1 T0] (newest first)", titles)
	}
	if revs[0].Version != v0+1 || revs[1].Version != v0 || revs[0].EditorName != "bob" || revs[1].EditorName != "Ada" ||
		!slices.Equal(revs[1].Tags, []string{"zero"}) || revs[0].Body != "" {
		t.Errorf("revisions = %+v", revs)
	}
	full, err := pm.Revision(ctx, p.ID, revs[1].ID)
	if err != nil || full.Body != "B0" || full.Title != "T0" || full.EditedBy.Int64 != ada {
		t.Errorf("Revision = %+v, %v", full, err)
	}
	other := newPost(t, pm, ada, models.PostInput{Title: "Other"})
	if _, err := pm.Revision(ctx, other.ID, revs[1].ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another post's revision = %v, want ErrNotFound", err)
	}

	// Restoring is an edit: the text it replaces becomes a revision too.
	if _, err := pm.RestoreRevision(ctx, p.ID, revs[1].ID, p.Version-1, bob); !errors.Is(err, models.ErrConflict) {
		t.Errorf("restore from a stale version = %v, want ErrConflict", err)
	}
	r, err := pm.RestoreRevision(ctx, p.ID, revs[1].ID, p.Version, bob)
	if err != nil || r.Title != "T0" || r.Body != "B0" || !slices.Equal(r.Tags, []string{"zero"}) || r.Version != p.Version+1 {
		t.Fatalf("RestoreRevision = %+v, %v", r, err)
	}
	revs, err = pm.Revisions(ctx, p.ID)
	if err != nil || len(revs) != 3 || revs[0].Title != "T2" || revs[0].EditedBy.Int64 != bob {
		t.Errorf("after restore: %d revisions, newest %+v, %v", len(revs), revs[0], err)
	}
}
