package models_test

import (
	"context"
	"slices"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestDeepPagesReadFromTheNearEnd: every page of the home page holds the
// posts a newest-first walk gives it (ties in published_at broken by id),
// and a page past the middle is read from the oldest end: the last page
// reads about its own rows from the index, not every row before it.
func TestDeepPagesReadFromTheNearEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	db.SetMaxOpenConns(1) // the index statistics below are this one backend's
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	// 300 public posts, three to an hour (ties), and a draft.
	if _, err := db.Exec(`INSERT INTO posts (author_id, title, slug, status, published_at)
		SELECT $1, 'Post ' || i, 'post-' || i, 'published', now() - (i / 3) * interval '1 hour'
		FROM generate_series(1, 300) i`, ada); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO posts (author_id, title, slug) VALUES ($1, 'Draft', 'draft')`, ada); err != nil {
		t.Fatal(err)
	}
	var want []int64
	if err := db.Select(&want, `SELECT id FROM posts WHERE status = 'published' ORDER BY published_at DESC, id DESC`); err != nil {
		t.Fatal(err)
	}
	const size = 7
	var got []int64
	for n := 1; n <= (len(want)+size-1)/size; n++ {
		l, err := pm.ListPublished(ctx, models.Page{Number: n, Size: size})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Posts {
			got = append(got, p.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages walked in turn give\n%v\nwant\n%v", got, want)
	}

	read := func() int {
		var n int
		if err := db.Get(&n, `SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE indexrelname = 'posts_published_idx'`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// As on a big site, where the index is the only way: a table this
	// small would otherwise be read whole and sorted.
	if _, err := db.Exec(`SET enable_seqscan = off; SET enable_sort = off; SELECT pg_stat_force_next_flush()`); err != nil {
		t.Fatal(err)
	}
	before := read()
	if _, err := db.Exec(`SELECT pg_stat_force_next_flush()`); err != nil {
		t.Fatal(err)
	}
	if _, err := pm.ListPublished(ctx, models.Page{Number: (len(want) + size - 1) / size, Size: size}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`SELECT pg_stat_force_next_flush()`); err != nil {
		t.Fatal(err)
	}
	n := read() - before
	t.Logf("the last page read %d index entries", n)
	if n == 0 || n > 4*size {
		t.Errorf("the last page read %d index entries; want about its own %d", n, size)
	}
}
