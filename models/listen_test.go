package models_test

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"

	"quire/models"
	"quire/models/dbtest"
)

// TestChangeNoticesOnCommitOnly: sql/00030's triggers notify of the
// statements that move reader pages' stamps once they commit. A rolled
// back change and an update of an account that renames no one say
// nothing; notices come in commit order, so the first one heard after
// them is the next committed change.
func TestChangeNoticesOnCommitOnly(t *testing.T) {
	t.Parallel()
	dsn := dbtest.URL(t)
	db, err := models.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := pq.NewListener(dsn, 10*time.Millisecond, time.Second, nil)
	defer l.Close()
	if err := l.Listen("quire_changes"); err != nil {
		t.Fatal(err)
	}
	next := func() string {
		t.Helper()
		select {
		case n := <-l.Notify:
			if n == nil {
				t.Fatal("the listener reconnected")
			}
			return n.Extra
		case <-time.After(5 * time.Second):
			t.Fatal("no notice within 5 s")
		}
		return ""
	}
	exec := func(q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	exec(`INSERT INTO users (username, email, password_hash, role) VALUES ('ada', 'ada@example.com', 'x', 'author')`)
	exec(`UPDATE site_settings SET tagline = 'one'`)
	if got := next(); got != "site_settings" {
		t.Fatalf("a committed settings change notified %q", got)
	}

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE site_settings SET tagline = 'never'`,
		`INSERT INTO posts (author_id, title, slug, body, status, published_at)
			SELECT id, 'Never', 'never', 'Never.', 'published', now() FROM users WHERE username = 'ada'`,
		`UPDATE users SET display_name = 'Never' WHERE username = 'ada'`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE users SET session_epoch = session_epoch + 1`)                         // renames no one
	exec(`UPDATE posts SET title = title WHERE false`)                                 // changes no row
	exec(`INSERT INTO post_slugs (slug, post_id) SELECT 'old', id FROM posts LIMIT 0`) // no row either
	exec(`UPDATE site_settings SET tagline = 'two'`)
	if got := next(); got != "site_settings" {
		t.Fatalf("after a rollback and an update renaming no one, the first notice came from %q, want site_settings", got)
	}

	for _, c := range []struct{ q, table string }{
		{`INSERT INTO posts (author_id, title, slug, body) SELECT id, 'Draft', 'draft', 'Draft.' FROM users`, "posts"},
		{`UPDATE users SET display_name = 'Ada L.'`, "users"},
		{`INSERT INTO post_list_stats (author_id, tag, posts, changed_at) VALUES (7, 'x', 0, now())`, "post_list_stats"},
		{`INSERT INTO post_slugs (slug, post_id) SELECT 'old-draft', id FROM posts`, "post_slugs"},
		{`DELETE FROM post_slugs`, "post_slugs"},
	} {
		exec(c.q)
		if got := next(); got != c.table {
			t.Errorf("%s notified %q, want %s", c.q, got, c.table)
		}
	}
}
