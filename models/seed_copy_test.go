package models_test

import (
	"context"
	"slices"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestSeedCopyKeepsDerivedData: posts copied in by seeding carry their
// tags, dates and search vector, count in the list stats like inserted
// ones, and a batch meeting a taken slug skips that post instead of
// failing.
func TestSeedCopyKeepsDerivedData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	if n, err := pm.CopySeedSlugs(ctx, ada, []string{"alpha-1", "beta-2"}); err != nil || n != 2 {
		t.Fatalf("copy = %d, %v; want 2", n, err)
	}
	if n, err := pm.CopySeedSlugs(ctx, ada, []string{"gamma-3", "alpha-1", "delta-4"}); err != nil || n != 2 {
		t.Fatalf("copy over a taken slug = %d, %v; want the other 2", n, err)
	}
	l, err := pm.ListByTag(ctx, "notes", models.Page{})
	if err != nil || l.Total != 4 || len(l.Posts) != 4 {
		t.Fatalf("tag list over copied posts = %d of %d, %v; want 4 of 4", len(l.Posts), l.Total, err)
	}
	if p := l.Posts[0]; !slices.Equal(p.Tags, []string{"go", "notes"}) || p.PublishedAt == nil ||
		p.PublishedAt.UTC().Format("2006-01-02 15:04:05.000000") != "2024-01-02 03:04:05.123457" {
		t.Errorf("copied post: tags %v, published %v", p.Tags, p.PublishedAt)
	}
	if hits, total, err := pm.Search(ctx, "gamma", models.Page{}); err != nil || total != 1 || hits[0].Post.Slug != "gamma-3" {
		t.Errorf("search over copied posts = %d, %v", total, err)
	}
}
