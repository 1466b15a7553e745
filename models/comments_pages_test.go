package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"quire/models"
)

// planRows is the most rows any node of a query's plan produced.
func planRows(t *testing.T, plan []byte) float64 {
	t.Helper()
	var doc []struct{ Plan map[string]any }
	if err := json.Unmarshal(plan, &doc); err != nil || len(doc) == 0 {
		t.Fatalf("plan: %v", err)
	}
	var most func(n map[string]any) float64
	most = func(n map[string]any) float64 {
		m, _ := n["Actual Rows"].(float64)
		kids, _ := n["Plans"].([]any)
		for _, k := range kids {
			m = max(m, most(k.(map[string]any)))
		}
		return m
	}
	return most(doc[0].Plan)
}

// TestCommentPageBounded: on a post with 100,000 comments a page reads one
// page of threads from the nearer end (the newest page no more rows than
// it shows), with the replies of its threads under them, and the last page
// number comes from the kept thread count.
func TestCommentPageBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	const threads, per = 100_000, 50
	// One statement of 100,000 rows (and their triggers) may pass the
	// application's 10 s statement timeout on a busy machine: the setup
	// runs without it.
	tx := db.MustBegin()
	tx.MustExec(`SET LOCAL statement_timeout = 0`)
	tx.MustExec(`INSERT INTO comments (post_id, guest_name, body, body_html, status, created_at)
SELECT $1, 'R', 'C ' || i, '<p>C ' || i || '</p>', 'approved', now() - interval '1 year' + i * interval '1 second'
FROM generate_series(1, $2) i`, p.ID, threads)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var newest, oldest int64
	db.Get(&newest, `SELECT max(id) FROM comments`)
	db.Get(&oldest, `SELECT min(id) FROM comments`)
	db.MustExec(`INSERT INTO comments (post_id, parent_id, guest_name, body, body_html, status) VALUES
($1, $2, 'A', 'On the newest.', '<p>On the newest.</p>', 'approved'), ($1, $3, 'A', 'On the oldest.', '<p>On the oldest.</p>', 'approved')`,
		p.ID, newest, oldest)
	db.MustExec(`ANALYZE comments`)

	for _, tc := range []struct {
		name  string
		n     int
		first string
		reply string
	}{
		{"newest", 0, "C 99951", "On the newest."},
		{"oldest", 1, "C 1", "On the oldest."},
		{"middle", 1000, "C 49951", ""},
	} {
		start := time.Now()
		pg, err := cm.Page(ctx, p.ID, tc.n, per)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Pages != threads/per || len(pg.Comments) < per || pg.Comments[0].Body != tc.first {
			t.Fatalf("%s page: %d of %d, %d comments from %q", tc.name, pg.Page, pg.Pages, len(pg.Comments), pg.Comments[0].Body)
		}
		if tc.reply != "" && pg.Comments[len(pg.Comments)-1].Body != tc.reply {
			t.Errorf("%s page: the reply is missing", tc.name)
		}
		t.Logf("%s page of %d threads: %v", tc.name, threads, took)
	}

	var plan []byte
	err := db.Get(&plan, `EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM comments WHERE post_id = $1 AND status = 'approved'
AND parent_id IS NULL ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET 0`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rows := planRows(t, plan); rows > per {
		t.Errorf("the newest page read %v rows, want at most %d", rows, per)
	}
	n, pages, err := cm.PageOf(ctx, p.ID, oldest, per)
	if err != nil || n != 1 || pages != threads/per {
		t.Errorf("the oldest comment's page: %d of %d, %v", n, pages, err)
	}
}

// TestCommentModerationOwnPosts: an author moderates the comments on their
// own posts and no others, and only with a writing role.
func TestCommentModerationOwnPosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	var ada, id int64
	db.Get(&ada, `SELECT author_id FROM posts WHERE id = $1`, p.ID)
	db.Get(&id, `INSERT INTO comments (post_id, guest_name, body, body_html) VALUES ($1, 'G', 'Hi.', '<p>Hi.</p>') RETURNING id`, p.ID)
	bob := newUser(t, db, "bob", "Bob")
	if _, err := cm.Approve(ctx, models.Actor{ID: bob, Name: "bob", Role: models.RoleAuthor}, []int64{id}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("another author approved: %v", err)
	}
	if _, err := cm.Approve(ctx, models.Actor{ID: ada, Name: "ada", Role: ""}, []int64{id}); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an account without PermWrite approved: %v", err)
	}
	if res, err := cm.Approve(ctx, models.Actor{ID: ada, Name: "ada", Role: models.RoleAuthor}, []int64{id}); err != nil || res.Changed != 1 {
		t.Errorf("the post's author could not approve: %+v %v", res, err)
	}
}
