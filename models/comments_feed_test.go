package models_test

import (
	"context"
	"io"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// TestCommentsAtMigration: posts.comments_at (sql/00032) moves when an
// approved comment comes or goes and not with a held one; the newest 50
// approved come newest first; the migration rolls back and forth.
func TestCommentsAtMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	ada := newUser(t, db, "ada", "")
	p, err := (&models.PostModel{DB: db}).Insert(ctx, ada, models.PostInput{Title: "Swifts", Body: "Back."})
	if err != nil {
		t.Fatal(err)
	}
	at := func() (t0 time.Time) {
		t.Helper()
		if err := db.Get(&t0, `SELECT comments_at FROM posts WHERE id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		return t0
	}
	add := func(status string, n int) {
		t.Helper()
		db.MustExec(`INSERT INTO comments (post_id, guest_name, guest_email, body, body_html, status, created_at)
SELECT $1, 'Guest ' || i, 'g@example.org', 'Hi', '<p>Hi</p>', $2, now() + i * interval '1 second' FROM generate_series(1, $3) AS i`, p.ID, status, n)
	}
	first := at()
	add(models.CommentHeld, 1)
	if !at().Equal(first) {
		t.Error("a held comment moved comments_at")
	}
	add(models.CommentApproved, 55)
	second := at()
	if !second.After(first) {
		t.Errorf("approved comments left comments_at at %v", second)
	}
	list, err := (&models.CommentModel{DB: db}).ListForFeed(ctx, p.ID)
	if err != nil || len(list) != models.FeedComments || list[0].Name != "Guest 55" || list[49].Name != "Guest 6" {
		t.Fatalf("feed comments: %v, %d, first %+v", err, len(list), list[0])
	}

	m := migrateDownThrough(t, db, 32)
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'posts' AND column_name = 'comments_at'`); err != nil || n != 0 {
		t.Fatalf("after down: %v, %d columns", err, n)
	}
	add(models.CommentApproved, 1) // the comment trigger works without it
	if err := m.Up(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	before := at()
	add(models.CommentApproved, 1)
	if !at().After(before) {
		t.Error("after up, a new approved comment left comments_at")
	}
}
