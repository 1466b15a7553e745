package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
)

// Scheduled publishing: an author who may publish a post gives it a time
// (Schedule), and the post waits as PostScheduled, not public, until the
// Scheduler publishes it. Schedule, Unschedule and the scheduler's
// publication are post changes (post_changes.go), so the role checks and
// the audit entries are the ones publishing has.

// ScheduleLockKey is the transaction-level advisory lock a scheduler run
// holds, so that of several replicas only one publishes at a time.
const ScheduleLockKey int64 = 0x71756972655f7363 // "quire_sc"

// ScheduleInterval is how often serve's scheduler looks for due posts when
// none is due sooner: a post is published within it of its time.
const ScheduleInterval = 30 * time.Second

// scheduleBatch bounds the posts one statement publishes, so a long
// downtime's backlog stays within the connection's statement_timeout.
const scheduleBatch = 200

// ErrPastSchedule is a publish time already gone by.
var ErrPastSchedule = errors.New("models: the publish time has passed")

// ScheduleGrace is how far in the past a publish time may be: a time
// within the current minute is taken as "now" and published at the
// scheduler's next run.
const ScheduleGrace = time.Minute

const (
	schedulePostsSQL = `UPDATE posts SET status = 'scheduled', scheduled_at = $2, version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	unschedulePostsSQL = `UPDATE posts SET status = 'draft', scheduled_at = NULL, version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	// published_at is the time the post was scheduled for, not the time a
	// scheduler caught up with it after a downtime.
	publishDuePostsSQL = `UPDATE posts SET status = 'published', published_at = scheduled_at, scheduled_at = NULL,
	review_note = '', version = version + 1, updated_at = now() WHERE id = ANY($1)`
)

// auditTime is a time as the audit log keeps it: UTC, to the second; ""
// for none.
func auditTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// scheduleChange gives drafts, posts waiting for review and scheduled ones
// (a new time) a publish time. It asks what publishing asks.
func scheduleChange(at time.Time) postChange {
	return postChange{applies: statusIn(PostDraft, PostSubmitted, PostScheduled), own: PermPublish, others: PermEditAny,
		rowChange: rowChange{action: "schedule", after: map[string]any{"status": PostScheduled, "scheduled_at": auditTime(&at)},
			update: schedulePostsSQL, args: []any{at}, version: -1}}
}

// unscheduleChange returns scheduled posts to drafts.
func unscheduleChange() postChange {
	return postChange{applies: statusIn(PostScheduled), own: PermPublish, others: PermEditAny,
		rowChange: rowChange{action: "unschedule", after: map[string]any{"status": PostDraft, "scheduled_at": ""},
			update: unschedulePostsSQL, version: -1}}
}

// dueChange publishes scheduled posts whose time has come; PublishDue
// picks them.
func dueChange() postChange {
	return postChange{applies: statusIn(PostScheduled), others: PermEditAny, rowChange: rowChange{action: "publish",
		after: map[string]any{"status": PostPublished, "scheduled_at": ""}, update: publishDuePostsSQL,
		note: "as scheduled", version: -1}}
}

// schedulerActor is who the audit log says published a scheduled post.
// Whoever scheduled it was allowed to publish it then (Schedule asks), so
// it acts with the right to publish anyone's post.
var schedulerActor = Actor{Name: "scheduler", Role: RoleEditor}

// Schedule has the post published at at (a draft, a post waiting for
// review, or a scheduled post given a new time), if who may publish it.
// A time more than ScheduleGrace ago is ErrPastSchedule; a post in another
// state, or moved on from version, is ErrConflict.
func (m *PostModel) Schedule(ctx context.Context, who Actor, id int64, version int, at time.Time) (Post, error) {
	if at.Before(time.Now().Add(-ScheduleGrace)) {
		return Post{}, ErrPastSchedule
	}
	ch := scheduleChange(at.Truncate(time.Second))
	ch.version = version
	return m.change(ctx, who, id, ch)
}

// Unschedule cancels a post's schedule: it is a draft again.
func (m *PostModel) Unschedule(ctx context.Context, who Actor, id int64, version int) (Post, error) {
	ch := unscheduleChange()
	ch.version = version
	return m.change(ctx, who, id, ch)
}

// Scheduler publishes scheduled posts when their time comes, one replica
// at a time (ScheduleLockKey). Everything already due is published at its
// first run, so a downtime delays posts but loses none.
type Scheduler struct {
	DB     *sqlx.DB
	Logger *slog.Logger
}

// ScheduleRun says what one run did.
type ScheduleRun struct {
	Skipped   bool // another replica's run held ScheduleLockKey
	Published int
}

const scheduleLockSQL = `SELECT pg_try_advisory_xact_lock($1)`

// The rows are locked here, so nobody cancels or moves a schedule between
// this choice and the change; a post someone is saving just now is left
// for the next run rather than waited for.
const duePostsSQL = `SELECT id FROM posts
WHERE status = 'scheduled' AND scheduled_at <= now() AND deleted_at IS NULL
ORDER BY scheduled_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`

// PublishDue publishes every post whose time has come, with its audit
// entry, in one transaction under ScheduleLockKey. The lists', feeds' and
// sitemap's stamps move as for any publication (the posts' triggers). When
// another run holds the lock it does nothing and reports Skipped.
func (s *Scheduler) PublishDue(ctx context.Context) (ScheduleRun, error) {
	var r ScheduleRun
	err := inTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var locked bool
		if err := tx.GetContext(ctx, &locked, scheduleLockSQL, ScheduleLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if !locked {
			r.Skipped = true
			return nil
		}
		for {
			var ids []int64
			if err := tx.SelectContext(ctx, &ids, duePostsSQL, scheduleBatch); err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			entries, err := changePosts(ctx, tx, schedulerActor, ids, dueChange())
			if err != nil {
				return err
			}
			if err := Audit(ctx, tx, schedulerActor, entries...); err != nil {
				return err
			}
			r.Published += len(entries)
			if len(ids) < scheduleBatch {
				return nil
			}
		}
	})
	if err != nil {
		return ScheduleRun{}, fmt.Errorf("models: publish scheduled posts: %w", err)
	}
	return r, nil
}

// The wait is measured by the database's clock, the one due is judged by.
const nextDueSQL = `SELECT extract(epoch FROM min(scheduled_at) - now()) FROM posts
WHERE status = 'scheduled' AND deleted_at IS NULL`

// nextDue is how long until the next scheduled post is due (0 when one is
// due now), or false when none is scheduled.
func (s *Scheduler) nextDue(ctx context.Context) (time.Duration, bool, error) {
	var secs sql.NullFloat64
	if err := s.DB.GetContext(ctx, &secs, nextDueSQL); err != nil {
		return 0, false, fmt.Errorf("models: next scheduled post: %w", err)
	}
	if !secs.Valid {
		return 0, false, nil
	}
	return max(0, time.Duration(secs.Float64*float64(time.Second))), true, nil
}

// Run publishes what is due at once, then again at each post's time or
// every interval, whichever comes first (a post scheduled meanwhile, here
// or on another replica, is seen within interval), until ctx ends. A
// failed run is logged and tried again.
func (s *Scheduler) Run(ctx context.Context, every time.Duration) {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		r, err := s.PublishDue(ctx)
		switch {
		case ctx.Err() != nil:
			return // shutting down: the error is the cancellation
		case err != nil:
			log.Error("scheduler: run failed", "err", err)
		case r.Published > 0:
			log.Info("scheduler: published scheduled posts", "posts", r.Published)
		}
		wait := every
		if err == nil && !r.Skipped { // else the replica holding the lock publishes, or the database needs a rest
			if next, ok, err := s.nextDue(ctx); err == nil && ok && next < wait {
				// A moment past the time, so the post is due when the run
				// looks; not at once again when one due was being saved.
				wait = max(next+10*time.Millisecond, 200*time.Millisecond)
			}
		}
		timer.Reset(wait)
	}
}
