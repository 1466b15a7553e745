package models

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// JanitorLockKey is the transaction-level advisory lock a sweep holds, so
// that of several replicas only one sweeps at a time. It is not goose's
// migration lock key.
const JanitorLockKey int64 = 0x71756972655f6a6e // "quire_jn"

// purgeBatch bounds one DELETE of posts, so a large backlog (the first sweep
// after an upgrade) stays within the connection's statement_timeout.
const purgeBatch = 500

// Janitor removes rows that nothing will ever read again: posts past their
// trash period, login failures outside the throttle window and expired
// password reset tokens; and media files nothing refers to. Sessions are
// left to scs's own cleanup; media rows stay, as they belong to their owners.
type Janitor struct {
	DB     *sqlx.DB
	Logger *slog.Logger
	// TrashDays is how long deleted posts stay restorable: 0 means the
	// package's TrashDays, and a smaller value is raised to it, since Restore
	// and the trash page promise that long.
	TrashDays int
	// Media, when set, is swept for files that no media row, avatar or post
	// refers to: an upload's files are written before its row is inserted,
	// so a crash in between leaves them, and a replaced avatar's file is
	// left too. Only files written more than MediaGrace ago go (0: an hour),
	// so an upload or avatar still on its way to its row is never touched.
	Media      MediaStore
	MediaGrace time.Duration
}

// DefaultMediaGrace is how old an unreferenced media file must be before
// the janitor removes it: far longer than any upload takes.
const DefaultMediaGrace = time.Hour

// SweepResult counts what one sweep removed.
type SweepResult struct {
	Skipped bool // another sweep held JanitorLockKey; nothing was done

	Posts     int64 // trashed posts past the trash period
	Revisions int64 // their revisions (removed by ON DELETE CASCADE)
	Slugs     int64 // their old slugs (removed by ON DELETE CASCADE)

	LoginFailures  int64
	PasswordResets int64
	MediaFiles     int64 // files nothing referred to
}

const janitorLockSQL = `SELECT pg_try_advisory_xact_lock($1)`

// The cut-off is the exact complement of Restore and ListTrash
// (deleted_at > now() - TrashDays): a post they still offer is never purged.
// Revisions and old slugs go by their foreign keys' ON DELETE CASCADE; the
// counts read them from the statement's snapshot, before the cascade runs.
// audit_log has no foreign key to posts, so history about the post stays.
const purgePostsSQL = `WITH gone AS (
	DELETE FROM posts
	WHERE id IN (SELECT id FROM posts WHERE deleted_at <= now() - make_interval(days => $1) ORDER BY id LIMIT $2)
		AND deleted_at <= now() - make_interval(days => $1)
	RETURNING id
)
SELECT count(*) AS posts,
	(SELECT count(*) FROM post_revisions WHERE post_id IN (SELECT id FROM gone)) AS revisions,
	(SELECT count(*) FROM post_slugs WHERE post_id IN (SELECT id FROM gone)) AS slugs
FROM gone`

// Throttling counts only failures with at > now() - LoginWindow; older ones
// can never count again.
const purgeLoginFailuresSQL = `DELETE FROM login_failures WHERE at <= now() - $1::interval`

// Lookup and redeem accept only expires_at > now(); an expired token can
// never work again.
const purgeResetsSQL = `DELETE FROM password_resets WHERE expires_at <= now()`

// Sweep runs every purge in one transaction under JanitorLockKey, then
// removes the media files that transaction found unreferenced: only once it
// has committed, since a purge rolled back could leave a restorable post
// whose cover was among them. When another sweep holds the lock it does
// nothing and reports Skipped.
func (j *Janitor) Sweep(ctx context.Context) (SweepResult, error) {
	days := max(j.TrashDays, TrashDays)
	grace := j.MediaGrace
	if grace <= 0 {
		grace = DefaultMediaGrace
	}
	cutoff := time.Now().Add(-grace)
	var r SweepResult
	var orphans []string
	err := inTx(ctx, j.DB, func(tx *sqlx.Tx) error {
		var locked bool
		if err := tx.GetContext(ctx, &locked, janitorLockSQL, JanitorLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if !locked {
			r.Skipped = true
			return nil
		}
		for {
			var b struct{ Posts, Revisions, Slugs int64 }
			if err := tx.GetContext(ctx, &b, purgePostsSQL, days, purgeBatch); err != nil {
				return fmt.Errorf("posts: %w", err)
			}
			r.Posts, r.Revisions, r.Slugs = r.Posts+b.Posts, r.Revisions+b.Revisions, r.Slugs+b.Slugs
			if b.Posts < purgeBatch {
				break
			}
		}
		var err error
		if r.LoginFailures, err = execCount(ctx, tx, purgeLoginFailuresSQL, interval(LoginWindow)); err != nil {
			return fmt.Errorf("login failures: %w", err)
		}
		if r.PasswordResets, err = execCount(ctx, tx, purgeResetsSQL); err != nil {
			return fmt.Errorf("password resets: %w", err)
		}
		if orphans, err = j.orphanMedia(ctx, tx, cutoff); err != nil {
			return fmt.Errorf("media files: %w", err)
		}
		return nil
	})
	if err != nil {
		return SweepResult{}, fmt.Errorf("models: janitor sweep: %w", err)
	}
	for _, key := range orphans {
		ok, err := j.Media.DeleteStale(ctx, key, cutoff)
		if err != nil {
			return r, fmt.Errorf("models: janitor sweep: media files: %w", err)
		}
		if ok {
			r.MediaFiles++
		}
	}
	return r, nil
}

// mediaBatch bounds the keys checked against the database at once.
const mediaBatch = 500

// unreferencedMediaSQL keeps, of the keys given, those no media row (by the
// key, or for a srcset copy "<hash>-wN.ext" by its image's key), no avatar
// and no post's cover refers to: anti-joins on indexed or hashed columns.
const unreferencedMediaSQL = `SELECT k FROM unnest($1::text[]) AS k
WHERE NOT EXISTS (SELECT 1 FROM media m WHERE m.key = regexp_replace(k, '-w[0-9]+[.]', '.'))
	AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar = k)
	AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.cover_key = k)`

// mediaInBodiesSQL keeps, of those, the ones a post's text (trashed posts
// too: they can be restored) still shows by their hash (a key's first 64
// characters), as
// AdminModel.DeleteMedia's check does. It reads every body, but only for
// files already found unreferenced, which are few.
const mediaInBodiesSQL = `SELECT k FROM unnest($1::text[]) AS k
WHERE EXISTS (SELECT 1 FROM posts p WHERE strpos(p.body, left(k, 64)) > 0)`

// orphanMedia returns the keys of the media files written before cutoff
// that nothing refers to, for Sweep to remove after the commit.
func (j *Janitor) orphanMedia(ctx context.Context, tx *sqlx.Tx, cutoff time.Time) ([]string, error) {
	if j.Media == nil {
		return nil, nil
	}
	var gone, batch []string
	flush := func() error {
		var orphans, shown []string
		if err := tx.SelectContext(ctx, &orphans, unreferencedMediaSQL, pq.Array(batch)); err != nil {
			return err
		}
		batch = batch[:0]
		if len(orphans) == 0 {
			return nil
		}
		if err := tx.SelectContext(ctx, &shown, mediaInBodiesSQL, pq.Array(orphans)); err != nil {
			return err
		}
		for _, key := range orphans {
			if !slices.Contains(shown, key) {
				gone = append(gone, key)
			}
		}
		return nil
	}
	err := j.Media.Stale(ctx, cutoff, func(key string) error {
		if batch = append(batch, key); len(batch) == mediaBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return gone, err
}

func execCount(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Run sweeps at once and then every interval until ctx ends. A failed sweep
// is logged and tried again at the next tick.
func (j *Janitor) Run(ctx context.Context, every time.Duration) {
	log := j.Logger
	if log == nil {
		log = slog.Default()
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		r, err := j.Sweep(ctx)
		switch {
		case ctx.Err() != nil:
			return // shutting down: the error is the cancellation
		case err != nil:
			log.Error("janitor: sweep failed", "err", err)
		case r.Skipped:
			log.Info("janitor: another replica is sweeping; skipped")
		default:
			log.Info("janitor: swept", "posts", r.Posts, "revisions", r.Revisions, "slugs", r.Slugs,
				"login_failures", r.LoginFailures, "password_resets", r.PasswordResets, "media_files", r.MediaFiles)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
