package models_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/admintable"
	"quire/models/dbtest"
)

func countRows(t *testing.T, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func mustExec(t *testing.T, db *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func sweep(t *testing.T, j *models.Janitor) models.SweepResult {
	t.Helper()
	r, err := j.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestJanitorPurgesExpiredTrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	admin := &models.AdminModel{DB: db}
	ada := newUser(t, db, "ada", "")
	root := models.Actor{ID: newUser(t, db, "root", ""), Name: "root", Role: models.RoleAdmin}

	// edit saves a text change; a published post keeps its old text as a revision.
	edit := func(p models.Post, body, slug string) models.Post {
		t.Helper()
		in := inputOf(p)
		in.Body, in.Slug = body, slug
		p, err := pm.Update(ctx, p.ID, p.Version, in, ada)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Old: 2 revisions, 1 old slug, 2 audit rows; deleted 31 days ago.
	old := publishedPost(t, pm, ada, models.PostInput{Title: "Old news", Body: "one", Tags: []string{"gone", "shared"}})
	old = edit(old, "two", "old-news-renamed")
	edit(old, "three", "")
	if _, err := admin.HidePosts(ctx, root, []int64{old.ID}, "spam"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.DeletePosts(ctx, root, []int64{old.ID}); err != nil {
		t.Fatal(err)
	}
	// Recent: 1 revision; deleted 29 days ago, still in the trash.
	recent := publishedPost(t, pm, ada, models.PostInput{Title: "Recent", Body: "one", Tags: []string{"shared"}})
	edit(recent, "two", "")
	if err := pm.SoftDelete(ctx, asAuthor(recent), recent.ID); err != nil {
		t.Fatal(err)
	}
	// Live: 1 revision, 1 old slug.
	live := publishedPost(t, pm, ada, models.PostInput{Title: "Live", Body: "one", Tags: []string{"shared"}})
	edit(live, "two", "live-renamed")
	mustExec(t, db, `UPDATE posts SET deleted_at = now() - interval '31 days' WHERE id = $1`, old.ID)
	mustExec(t, db, `UPDATE posts SET deleted_at = now() - interval '29 days' WHERE id = $1`, recent.ID)

	if got := countRows(t, db, `SELECT count(*) FROM post_revisions`); got != 4 {
		t.Fatalf("set-up: %d revisions, want 4", got)
	}
	if got := countRows(t, db, `SELECT count(*) FROM post_slugs`); got != 2 {
		t.Fatalf("set-up: %d old slugs, want 2", got)
	}
	auditBefore, err := history(ctx, db, "posts", old.ID)
	if err != nil || len(auditBefore) != 2 {
		t.Fatalf("set-up: history of the old post = %d entries, %v; want 2", len(auditBefore), err)
	}

	// A longer trash period keeps everything; a shorter one is raised to
	// TrashDays, so the 29-day-old post is not purged early.
	if r := sweep(t, &models.Janitor{DB: db, TrashDays: 60}); r != (models.SweepResult{}) {
		t.Errorf("sweep with 60 trash days = %+v, want nothing removed", r)
	}
	want := models.SweepResult{Posts: 1, Revisions: 2, Slugs: 1}
	if r := sweep(t, &models.Janitor{DB: db, TrashDays: 1}); r != want {
		t.Errorf("sweep = %+v, want %+v", r, want)
	}

	if got := countRows(t, db, `SELECT count(*) FROM posts`); got != 2 {
		t.Errorf("%d posts left, want 2", got)
	}
	if _, err := pm.GetAny(ctx, old.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("GetAny of the purged post = %v, want ErrNotFound", err)
	}
	for _, c := range []struct {
		query string
		want  int
	}{
		{`SELECT count(*) FROM posts WHERE id <> $1`, 2},
		{`SELECT count(*) FROM post_revisions WHERE post_id = $1`, 0},
		{`SELECT count(*) FROM post_slugs WHERE post_id = $1`, 0},
		{`SELECT count(*) FROM post_revisions WHERE post_id <> $1`, 2},
		{`SELECT count(*) FROM post_slugs WHERE post_id <> $1`, 1},
		{`SELECT count(*) FROM posts WHERE tags @> '{gone}' OR id = $1`, 0},
		{`SELECT count(*) FROM posts WHERE tags @> '{shared}' AND id <> $1`, 2},
		{`SELECT count(*) FROM audit_log WHERE model = 'posts' AND object_id = $1`, 2},
	} {
		if got := countRows(t, db, c.query, old.ID); got != c.want {
			t.Errorf("%s = %d, want %d", c.query, got, c.want)
		}
	}
	auditAfter, err := history(ctx, db, "posts", old.ID)
	if err != nil || len(auditAfter) != 2 || auditAfter[0].Values["action"] != "delete" || auditAfter[1].Values["action"] != "hide" {
		t.Errorf("history of the purged post = %+v, %v; want its delete and hide entries", auditAfter, err)
	}

	if r := sweep(t, &models.Janitor{DB: db}); r != (models.SweepResult{}) {
		t.Errorf("second sweep = %+v, want nothing removed", r)
	}
	// The promise holds: the 29-day-old post can still be restored, whole.
	if p, err := pm.Restore(ctx, recent.ID); err != nil || p.Body != "two" {
		t.Errorf("restore the recent post = %+v, %v", p, err)
	}
	if revs, err := pm.Revisions(ctx, recent.ID); err != nil || len(revs) != 1 {
		t.Errorf("revisions of the restored post = %d, %v; want 1", len(revs), err)
	}
	if _, moved, err := pm.Resolve(ctx, "live"); err != nil || !moved {
		t.Errorf("old slug of the live post: moved=%v, %v", moved, err)
	}
}

func TestJanitorPurgesInBatches(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	// More than two batches' worth, plus one post on the far side of the cut-off.
	mustExec(t, db, `INSERT INTO posts (title, slug, deleted_at)
		SELECT 'p' || g, 'p-' || g, now() - interval '40 days' FROM generate_series(1, 1201) g`)
	mustExec(t, db, `INSERT INTO posts (title, slug, deleted_at) VALUES ('kept', 'kept', now() - interval '29 days')`)
	if r := sweep(t, &models.Janitor{DB: db}); r != (models.SweepResult{Posts: 1201}) {
		t.Errorf("sweep = %+v, want 1201 posts", r)
	}
	if got := countRows(t, db, `SELECT count(*) FROM posts`); got != 1 {
		t.Errorf("%d posts left, want 1", got)
	}
}

func TestJanitorPurgesExpiredThrottleAndResets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	tm := &models.ThrottleModel{DB: db}
	rm := &models.ResetModel{DB: db}

	// ada: MaxLoginFailures failures, the oldest two 14 minutes ago: still
	// throttling. mallory: 3 failures 16 minutes ago: outside the window.
	for range models.MaxLoginFailures {
		if err := tm.Reserve(ctx, "ada", "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := tm.Reserve(ctx, "mallory", "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, db, `UPDATE login_failures SET at = at - interval '14 minutes'
		WHERE id IN (SELECT id FROM login_failures WHERE account = 'ada' ORDER BY id LIMIT 2)`)
	mustExec(t, db, `UPDATE login_failures SET at = at - interval '16 minutes' WHERE account = 'mallory'`)
	before, err := retryAfter(ctx, tm, "ada", "10.0.0.2")
	if err != nil || before <= 0 {
		t.Fatalf("set-up: ada's retry after = %v, %v; want throttled", before, err)
	}

	// One token each: ada's expired a second ago, bob's has a minute left,
	// carol's the full hour.
	tokens := map[string]string{}
	for _, name := range []string{"ada", "bob", "carol"} {
		tok, err := rm.Create(ctx, newUser(t, db, name, ""))
		if err != nil {
			t.Fatal(err)
		}
		tokens[name] = tok
	}
	mustExec(t, db, `UPDATE password_resets SET expires_at = now() - interval '1 second'
		WHERE user_id = (SELECT id FROM users WHERE username = 'ada')`)
	mustExec(t, db, `UPDATE password_resets SET expires_at = now() + interval '1 minute'
		WHERE user_id = (SELECT id FROM users WHERE username = 'bob')`)

	want := models.SweepResult{LoginFailures: 3, PasswordResets: 1}
	if r := sweep(t, &models.Janitor{DB: db}); r != want {
		t.Errorf("sweep = %+v, want %+v", r, want)
	}
	if got := countRows(t, db, `SELECT count(*) FROM login_failures WHERE account = 'ada'`); got != models.MaxLoginFailures {
		t.Errorf("ada has %d failures left, want %d", got, models.MaxLoginFailures)
	}
	if got := countRows(t, db, `SELECT count(*) FROM login_failures`); got != models.MaxLoginFailures {
		t.Errorf("%d failures left, want %d", got, models.MaxLoginFailures)
	}
	if after, err := retryAfter(ctx, tm, "ada", "10.0.0.2"); err != nil || after <= 0 || after > before {
		t.Errorf("after the sweep ada's retry after = %v, %v; want throttled as before (%v)", after, err, before)
	}
	if got := countRows(t, db, `SELECT count(*) FROM password_resets`); got != 2 {
		t.Errorf("%d reset tokens left, want 2", got)
	}
	for _, name := range []string{"bob", "carol"} {
		if _, err := rm.Lookup(ctx, tokens[name]); err != nil {
			t.Errorf("%s's live token after the sweep: %v", name, err)
		}
	}
	if r := sweep(t, &models.Janitor{DB: db}); r != (models.SweepResult{}) {
		t.Errorf("second sweep = %+v, want nothing removed", r)
	}
}

func TestJanitorSkipsWhileAnotherSweeps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	if _, err := (&models.ResetModel{DB: db}).Create(ctx, newUser(t, db, "ada", "")); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE password_resets SET expires_at = now() - interval '1 second'`)

	// Another replica's sweep, holding the lock in its transaction.
	other, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Rollback() }()
	if _, err := other.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, models.JanitorLockKey); err != nil {
		t.Fatal(err)
	}
	if r := sweep(t, &models.Janitor{DB: db}); r != (models.SweepResult{Skipped: true}) {
		t.Errorf("sweep while locked = %+v, want skipped", r)
	}
	if got := countRows(t, db, `SELECT count(*) FROM password_resets`); got != 1 {
		t.Errorf("a skipped sweep left %d reset tokens, want 1", got)
	}

	if err := other.Rollback(); err != nil {
		t.Fatal(err)
	}
	if r := sweep(t, &models.Janitor{DB: db}); r != (models.SweepResult{PasswordResets: 1}) {
		t.Errorf("sweep after the lock is free = %+v, want 1 reset token", r)
	}
}

// syncBuffer is a log destination the test reads while Run writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestJanitorRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := dbtest.New(t)
	ada := newUser(t, db, "ada", "")
	expiredToken := func() {
		t.Helper()
		if _, err := (&models.ResetModel{DB: db}).Create(ctx, ada); err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, `UPDATE password_resets SET expires_at = now() - interval '1 second'`)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	tokens := func() int { return countRows(t, db, `SELECT count(*) FROM password_resets`) }

	var logs syncBuffer
	expiredToken()
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&models.Janitor{DB: db, Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Run(ctx, 20*time.Millisecond)
	}()
	waitFor("the first sweep", func() bool { return tokens() == 0 })
	waitFor("the first sweep's log", func() bool { return strings.Contains(logs.String(), "password_resets=1") })

	// A failing sweep is logged and the next one runs.
	mustExec(t, db, `ALTER TABLE password_resets RENAME TO password_resets_away`)
	waitFor("a failure in the log", func() bool { return strings.Contains(logs.String(), "janitor: sweep failed") })
	mustExec(t, db, `ALTER TABLE password_resets_away RENAME TO password_resets`)
	expiredToken()
	waitFor("a later sweep", func() bool { return tokens() == 0 })

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// retryAfter is how long sign-in stays refused for account from addr: zero
// (and one attempt counted) when it is not.
func retryAfter(ctx context.Context, tm *models.ThrottleModel, account, addr string) (time.Duration, error) {
	var te *models.ThrottledError
	if err := tm.Reserve(ctx, account, addr); errors.As(err, &te) {
		return te.RetryAfter, nil
	} else if err != nil {
		return 0, err
	}
	return 0, nil
}

// history is an object's page of the audit log, newest first, as an admin
// opens it from the log (/admin/audit?model=posts&object=ID).
func history(ctx context.Context, db *sqlx.DB, model string, id int64) ([]admintable.Row, error) {
	q, err := models.AuditTable.Parse(url.Values{"model": {model}, "object": {strconv.FormatInt(id, 10)}})
	if err != nil {
		return nil, err
	}
	res, err := models.AuditTable.List(ctx, db, q)
	return res.Rows, err
}
