package models

import (
	"context"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// A post's state changes are written once, here: an author's Publish on
// one post and an admin's bulk publish run the same postChange through
// changePosts, so a rule (published_at set the first time only, hidden
// posts not published) cannot differ between them.

// postSnap is what a change reads, and locks, before changing a post.
type postSnap struct {
	ID           int64  `db:"id"`
	AuthorID     int64  `db:"author_id"` // 0: a deleted user's
	Title        string `db:"title"`
	Status       string `db:"status"`
	HiddenReason string `db:"hidden_reason"`
	Version      int    `db:"version"`
	// ScheduledAt is set while the post is PostScheduled (schedule.go).
	ScheduledAt *time.Time `db:"scheduled_at"`
}

// field is the snapshot's value of a field a change makes.
func (p postSnap) field(name string) any {
	switch name {
	case "title":
		return p.Title
	case "status":
		return p.Status
	case "hidden_reason":
		return p.HiddenReason
	case "deleted":
		return false
	case "scheduled_at":
		return auditTime(p.ScheduledAt)
	}
	return nil
}

// postChange is one kind of state change applied to one or many posts.
type postChange struct {
	rowChange
	applies func(postSnap) bool
	// text: the change replaces a post's text, which a published post
	// first keeps as a revision (keepRevision).
	text bool
	// one: asked of one post by its author: a missing post is ErrNotFound,
	// one in a state the change does not apply to ErrConflict.
	one bool
	// check, when set, refuses the whole change because of one post.
	check func(postSnap) error
	// own and others are the permissions (roles.go) the change asks of its
	// actor on their own posts and on anyone else's ("": never).
	own, others Permission
}

const (
	publishPostsSQL = `UPDATE posts SET status = 'published', published_at = coalesce(published_at, now()), review_note = '', scheduled_at = NULL,
	version = version + 1, updated_at = now() WHERE id = ANY($1)`
	unpublishPostsSQL = `UPDATE posts SET status = 'draft', version = version + 1, updated_at = now() WHERE id = ANY($1)`
	hidePostsSQL      = `UPDATE posts SET status = 'hidden', hidden_reason = $2, scheduled_at = NULL, version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	unhidePostsSQL = `UPDATE posts SET status = 'draft', hidden_reason = '', version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	// A scheduled post put in the trash is no longer scheduled: restored, it
	// comes back as a draft rather than going public at once.
	trashPostsSQL = `UPDATE posts SET deleted_at = now(), version = version + 1, updated_at = now(),
	status = CASE status WHEN 'scheduled' THEN 'draft' ELSE status END, scheduled_at = NULL WHERE id = ANY($1)`
	retitlePostSQL = `UPDATE posts SET title = $2, version = version + 1, updated_at = now() WHERE id = ANY($1)`
)

// publishChange makes drafts (and posts waiting for review or scheduled)
// public now; published_at is set the first time only. Hidden posts are an admin's
// verdict and are left alone.
func publishChange() postChange {
	return postChange{applies: statusIn(PostDraft, PostSubmitted, PostScheduled), own: PermPublish, others: PermEditAny, rowChange: rowChange{action: "publish",
		after: map[string]any{"status": PostPublished}, update: publishPostsSQL, version: -1}}
}

// unpublishChange takes published posts back to drafts; their slugs stay
// reserved and published_at is kept for when they return.
func unpublishChange() postChange {
	return postChange{applies: statusIn(PostPublished), own: PermPublish, others: PermEditAny, rowChange: rowChange{action: "unpublish",
		after: map[string]any{"status": PostDraft}, update: unpublishPostsSQL, version: -1}}
}

// hideChange takes drafts, scheduled and published posts away from readers
// with a reason their authors see; hidden ones are left as they are.
func hideChange(reason string) postChange {
	return postChange{applies: statusIn(PostDraft, PostPublished, PostScheduled), others: PermEditAny, rowChange: rowChange{action: "hide",
		after: map[string]any{"status": PostHidden, "hidden_reason": reason}, update: hidePostsSQL,
		args: []any{reason}, note: reason, version: -1}}
}

// unhideChange returns hidden posts to their authors as drafts.
func unhideChange() postChange {
	return postChange{applies: statusIn(PostHidden), others: PermEditAny, rowChange: rowChange{action: "unhide",
		after: map[string]any{"status": PostDraft, "hidden_reason": ""}, update: unhidePostsSQL, version: -1}}
}

// trashChange moves posts to their authors' trash: gone from every page
// and list, restorable for TrashDays, their slugs reserved meanwhile.
func trashChange() postChange {
	return postChange{applies: func(postSnap) bool { return true }, own: PermWrite, others: PermEditAny, rowChange: rowChange{action: "delete",
		after: map[string]any{"deleted": true}, update: trashPostsSQL, version: -1}}
}

// retitleChange gives a post a new title and keeps its slug (links keep
// working).
func retitleChange(title string) postChange {
	return postChange{applies: func(postSnap) bool { return true }, text: true, own: PermWrite, others: PermEditAny, rowChange: rowChange{action: "edit",
		after: map[string]any{"title": title}, update: retitlePostSQL, args: []any{title}, version: -1}}
}

func statusIn(states ...string) func(postSnap) bool {
	return func(p postSnap) bool { return slices.Contains(states, p.Status) }
}

const lockPostsSQL = `SELECT id, coalesce(author_id, 0) AS author_id, title, status, hidden_reason, version, scheduled_at FROM posts
WHERE id = ANY($1) AND deleted_at IS NULL ORDER BY id FOR UPDATE`

// changePosts locks the posts (those in the trash are not changed), checks
// that who's role allows the change on each (a *ForbiddenError refuses the
// whole change), changes those the change applies to, and returns an audit
// entry for each changed post with the fields before and after. who is
// recorded on the revisions a text change keeps.
func changePosts(ctx context.Context, tx *sqlx.Tx, who Actor, ids []int64, ch postChange) ([]AuditEntry, error) {
	var posts []postSnap
	if err := tx.SelectContext(ctx, &posts, lockPostsSQL, pq.Array(ids)); err != nil {
		return nil, err
	}
	if ch.one && len(posts) == 0 {
		return nil, ErrNotFound
	}
	if err := checkVersion(len(posts), ch.version, func() int { return posts[0].Version }); err != nil {
		return nil, err
	}
	var targets []int64
	var entries []AuditEntry
	for _, p := range posts {
		if err := who.mayChange(p.AuthorID, ch.own, ch.others); err != nil {
			return nil, err
		}
		if ch.check != nil {
			if err := ch.check(p); err != nil {
				return nil, err
			}
		}
		if !ch.applies(p) {
			if ch.one {
				return nil, ErrConflict
			}
			continue
		}
		e, ok := ch.entry("posts", p.ID, p.field)
		if !ok {
			continue
		}
		if ch.text {
			if err := keepRevision(ctx, tx, p.ID, p.Status, who.ID); err != nil {
				return nil, err
			}
		}
		targets = append(targets, p.ID)
		entries = append(entries, e)
	}
	if len(targets) == 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, ch.update, append([]any{pq.Array(targets)}, ch.args...)...); err != nil {
		return nil, err
	}
	return entries, nil
}
