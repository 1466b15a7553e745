package models_test

import (
	"context"
	"slices"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestSearchRanksNewestMatches: a word in more than SearchRanked posts is
// ranked over the newest SearchRanked of them only, and counted as "more"
// (SearchRanked+1), so its cost stays bounded at any size. A word in fewer
// posts is counted exactly and ranked over all, best first.
func TestSearchRanksNewestMatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	// One old post with the word in its title, then SearchRanked+20 newer
	// ones with it in the body only.
	if _, err := db.Exec(`INSERT INTO posts (author_id, title, slug, body, status, published_at)
		VALUES ($1, 'Rye bread', 'rye-bread', 'An old favourite.', 'published', now() - interval '10 years')`, ada); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO posts (author_id, title, slug, body, status, published_at)
		SELECT $1, 'Baking day ' || i, 'baking-day-' || i, 'We baked rye again.', 'published', now() - i * interval '1 hour'
		FROM generate_series(1, $2::int) i`, ada, models.SearchRanked+20); err != nil {
		t.Fatal(err)
	}

	hits, total, err := pm.Search(ctx, "rye", models.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if total != models.SearchRanked+1 || len(hits) == 0 {
		t.Fatalf("common word: total %d, %d hits; want %d (more than %d)", total, len(hits), models.SearchRanked+1, models.SearchRanked)
	}
	if hits[0].Post.Slug == "rye-bread" || hits[0].Post.Slug != "baking-day-1" {
		t.Errorf("common word: first hit %s; want the newest match (the old title match is past the ranked ones)", hits[0].Post.Slug)
	}
	last := models.Page{Number: models.SearchRanked / 10, Size: 10}
	if hits, _, err := pm.Search(ctx, "rye", last); err != nil || len(hits) != 10 {
		t.Errorf("the last ranked page: %d hits, %v; want 10", len(hits), err)
	}
	past := models.Page{Number: models.SearchRanked/10 + 1, Size: 10}
	if hits, _, err := pm.Search(ctx, "rye", past); err != nil || len(hits) != 0 {
		t.Errorf("past the ranked matches: %d hits, %v; want none", len(hits), err)
	}

	// A rarer word: exact, and the title match ranks first however old.
	if _, err := db.Exec(`UPDATE posts SET title = 'Spelt and rye' WHERE slug = 'rye-bread'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE posts SET body = body || ' Spelt too.' WHERE slug IN ('baking-day-1', 'baking-day-2')`); err != nil {
		t.Fatal(err)
	}
	hits, total, err = pm.Search(ctx, "spelt", models.Page{})
	slugs := []string{}
	for _, h := range hits {
		slugs = append(slugs, h.Post.Slug)
	}
	if err != nil || total != 3 || !slices.Equal(slugs, []string{"rye-bread", "baking-day-1", "baking-day-2"}) {
		t.Errorf("rare word = %v of %d, %v; want the title match, then the newest", slugs, total, err)
	}
}
