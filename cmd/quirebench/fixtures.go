package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
)

// openDB connects to the private cluster through its socket, as pgbench does
// (no statement timeout: the bench's own queries may be long).
func (b *bench) openDB(ctx context.Context) (*sqlx.DB, error) {
	dsn := fmt.Sprintf("host=%s port=5432 user=quire dbname=quire sslmode=disable application_name=quirebench statement_timeout=0",
		b.socketDir())
	db, err := models.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect to the private cluster: %w", err)
	}
	db.SetMaxOpenConns(2)
	return db, nil
}

func (b *bench) socketDir() string { return filepath.Join(b.app.dataDir, "pgdata", "run") }

// prepare signs the admin in, creates the account the login case uses, and
// picks the post, author, tag and search word the cases ask for.
func (b *bench) prepare(ctx context.Context, adminPassword string) error {
	base := b.app.url("")
	fx := &b.fx

	admin := newClient()
	if err := signIn(admin, base, "benchadmin", adminPassword); err != nil {
		return err
	}
	var vals map[string]string
	fx.AdminCookie, vals = cookieHeader(admin, base)
	fx.AdminToken = vals["quire_session"]
	if fx.AdminToken == "" || vals["quire_csrf"] == "" {
		return fmt.Errorf("signing in as admin gave no quire_session and quire_csrf cookies (got %q)", fx.AdminCookie)
	}

	// The login case's own account, registered like any reader would.
	fx.LoginUser, fx.LoginPassword = "bench_login", "qb-"+rand.Text()
	reg := newClient()
	token, err := formToken(reg, base+"/register")
	if err != nil {
		return err
	}
	resp, body, err := postForm(reg, base+"/register", token, url.Values{
		"username": {fx.LoginUser}, "email": {"bench_login@example.com"}, "password": {fx.LoginPassword}})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("register %s: %s\n%s", fx.LoginUser, resp.Status, snippet(body))
	}
	// A CSRF cookie of a fresh visitor: readers and the login case send it.
	visitor := newClient()
	if fx.CSRFToken, err = formToken(visitor, base+"/login"); err != nil {
		return err
	}
	if _, vals := cookieHeader(visitor, base); vals["quire_csrf"] != "" {
		fx.CSRFCookie = vals["quire_csrf"]
	} else {
		return fmt.Errorf("GET /login set no quire_csrf cookie")
	}

	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	logf("picking the post, author, tag and search word")
	db, err := b.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	const public = `status = 'published' AND deleted_at IS NULL`
	steps := []struct {
		what string
		run  func() error
	}{
		{"published posts", func() error {
			return db.GetContext(ctx, &fx.Published, `SELECT count(*) FROM posts WHERE `+public)
		}},
		// A freshly seeded database has no statistics yet; autovacuum would
		// gather them in the middle of some case. Both the app and pgbench
		// get the plans a settled database has.
		{"(VACUUM ANALYZE first)", func() error {
			_, err := db.ExecContext(ctx, `VACUUM (ANALYZE)`)
			return err
		}},
		{"a post of median length", func() error {
			var med float64
			if err := db.GetContext(ctx, &med, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY length(body))
				FROM posts WHERE `+public); err != nil {
				return err
			}
			row := db.QueryRowxContext(ctx, `SELECT p.id, p.slug, u.id, u.username
			FROM posts p JOIN users u ON u.id = p.author_id
			WHERE p.status = 'published' AND p.deleted_at IS NULL
			ORDER BY abs(length(p.body) - $1), p.id LIMIT 1`, med)
			return row.Scan(&fx.PostID, &fx.Slug, &fx.AuthorID, &fx.Author)
		}},
		// The same post's neighbour in length, with comments as a lively
		// post has them: 30 approved comments and 10 replies, on one page.
		{"a post with 40 comments", func() error {
			var med float64
			if err := db.GetContext(ctx, &med, `SELECT length(body) FROM posts WHERE id = $1`, fx.PostID); err != nil {
				return err
			}
			if err := db.QueryRowxContext(ctx, `SELECT id, slug FROM posts
			WHERE status = 'published' AND deleted_at IS NULL AND id <> $2
			ORDER BY abs(length(body) - $1), id LIMIT 1`, med, fx.PostID).Scan(&fx.CommentedID, &fx.CommentedSlug); err != nil {
				return err
			}
			_, err := db.ExecContext(ctx, `WITH top AS (
				INSERT INTO comments (post_id, guest_name, guest_email, body, body_html, status, created_at)
				SELECT $1, 'Reader ' || i, 'reader' || i || '@example.org', 'A thought, number ' || i || ', on *this*.',
					'<p>A thought, number ' || i || ', on <em>this</em>.</p>', 'approved', now() - (40 - i) * interval '1 hour'
				FROM generate_series(1, 30) i RETURNING id)
			INSERT INTO comments (post_id, parent_id, guest_name, guest_email, body, body_html, status)
			SELECT $1, id, 'Answer', 'answer@example.org', 'Agreed.', '<p>Agreed.</p>', 'approved' FROM top ORDER BY id LIMIT 10`,
				fx.CommentedID)
			return err
		}},
		{"the most used tag", func() error {
			return db.GetContext(ctx, &fx.Tag, `SELECT t FROM posts, unnest(tags) t WHERE `+public+`
				GROUP BY t ORDER BY count(*) DESC, t LIMIT 1`)
		}},
		// A word about 5% of posts contain: a search with a few hundred
		// hits at 10,000 posts, like a reader's topical search. The words
		// come unstemmed ('simple') from a tenth of the posts, so the query
		// is a word as a reader types it; stop words are left out.
		{"a search word", func() error {
			return db.GetContext(ctx, &fx.Query, `SELECT word FROM ts_stat(
				'SELECT to_tsvector(''simple'', title || '' '' || body) FROM posts
				WHERE status = ''published'' AND deleted_at IS NULL AND id % 10 = 0')
			WHERE word ~ '^[a-z]{5,}$' AND numnode(plainto_tsquery('english', word)) > 0
			ORDER BY abs(ndoc - (SELECT count(*) / 200.0 FROM posts WHERE `+public+`)), word LIMIT 1`)
		}},
		// The rarest such word, and a two-word phrase from a title.
		{"a rare search word", func() error {
			return db.GetContext(ctx, &fx.Rare, `SELECT word FROM ts_stat(
				'SELECT to_tsvector(''simple'', title || '' '' || body) FROM posts
				WHERE status = ''published'' AND deleted_at IS NULL AND id % 10 = 0')
			WHERE word ~ '^[a-z]{5,}$' AND numnode(plainto_tsquery('english', word)) > 0
			ORDER BY ndoc, word LIMIT 1`)
		}},
		{"a search phrase", func() error {
			return db.GetContext(ctx, &fx.Phrase, `SELECT '"' || m[1] || ' ' || m[2] || '"' FROM posts p,
				regexp_match(lower(p.title), '([a-z]{4,}) ([a-z]{4,})') m
			WHERE `+public+` ORDER BY p.id LIMIT 1`)
		}},
		{"the admin account", func() error {
			return db.GetContext(ctx, &fx.AdminID, `SELECT id FROM users WHERE username = 'benchadmin'`)
		}},
		{"the login account", func() error {
			return db.GetContext(ctx, &fx.LoginUserID, `SELECT id FROM users WHERE username = $1`, fx.LoginUser)
		}},
	}
	for _, s := range steps {
		t0 := time.Now()
		if err := s.run(); err != nil {
			return fmt.Errorf("pick %s: %w", s.what, err)
		}
		if d := time.Since(t0); d > 5*time.Second {
			logf("picking %s took %s", s.what, d.Round(time.Second))
		}
	}
	if fx.Published < 500*readerPageSize {
		return fmt.Errorf("only %d published posts: the home page 500 case needs %d; seed more with --posts", fx.Published, 500*readerPageSize)
	}
	logf("fixtures: post /posts/%s, author @%s, tag %s, search %q, %q and %s, %d published", fx.Slug, fx.Author, fx.Tag,
		fx.Query, fx.Rare, fx.Phrase, fx.Published)
	return nil
}

func (b *bench) postgresVersion(ctx context.Context) string {
	db, err := b.openDB(ctx)
	if err != nil {
		return "unknown"
	}
	defer db.Close()
	var v string
	if err := db.GetContext(ctx, &v, `SHOW server_version`); err != nil {
		return "unknown"
	}
	return v
}
