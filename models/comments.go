package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Comment is a reader's comment on a post.
type Comment struct {
	ID       int64         `db:"id"`
	PostID   int64         `db:"post_id"`
	ParentID sql.NullInt64 `db:"parent_id"`
	UserID   sql.NullInt64 `db:"user_id"`
	// Name is what readers see: the account's display name or username,
	// else the guest's name. The guest's address is never read back here.
	Name       string    `db:"name"`
	Avatar     string    `db:"avatar"` // the account's avatar's media key, "" for none or a guest
	Body       string    `db:"body"`
	BodyHTML   string    `db:"body_html"`
	Status     string    `db:"status"`
	HeldReason string    `db:"held_reason"`
	CreatedAt  time.Time `db:"created_at"`
	Version    int       `db:"version"`
}

// CommentModel writes and reads comments.
type CommentModel struct{ DB *sqlx.DB }

// Commenter is who writes a comment: an account (User.ID > 0), or a guest.
type Commenter struct {
	User User // zero for a guest
}

const commentPostSQL = `SELECT ` + postColumns + ` FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.id = $1 AND p.deleted_at IS NULL FOR SHARE OF p`

const commentParentSQL = `SELECT post_id, parent_id IS NULL AS top FROM comments WHERE id = $1 AND status = 'approved'`

// A commenter has had a comment approved before: by account, else by the
// guest's address.
const approvedBeforeSQL = `SELECT EXISTS (SELECT 1 FROM comments WHERE status = 'approved' AND
	(($1 > 0 AND user_id = $1) OR ($1 = 0 AND lower(guest_email) = lower($2) AND guest_email <> '')))`

const insertCommentSQL = `INSERT INTO comments (post_id, parent_id, user_id, guest_name, guest_email, body, body_html,
	status, held_reason, notify_replies) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11)
RETURNING id, post_id, parent_id, user_id, CASE WHEN user_id IS NULL THEN guest_name ELSE $10 END AS name,
	body, body_html, status, held_reason, created_at, version`

// Insert posts a comment under settings s: validated (an
// *InvalidCommentError), refused where comments are closed
// (ErrCommentsClosed) or open to accounts only (ErrCommentsSignIn), and
// held for moderation by the holding rules (holdReason) unless the
// commenter may moderate it.
func (m *CommentModel) Insert(ctx context.Context, s Settings, who Commenter, in CommentInput) (Comment, error) {
	in = in.normalized()
	guest := who.User.ID == 0
	if s.Comments == CommentsOff {
		return Comment{}, ErrCommentsClosed
	}
	if guest && s.Comments != CommentsAnyone {
		return Comment{}, ErrCommentsSignIn
	}
	if errs := in.Validate(guest); len(errs) > 0 {
		return Comment{}, &InvalidCommentError{Fields: errs}
	}
	html, err := renderComment(in.Body)
	if err != nil {
		return Comment{}, &InvalidCommentError{Fields: map[string]string{"body": "The comment could not be formatted: shorten it."}}
	}
	var c Comment
	err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		var p Post
		if err := tx.GetContext(ctx, &p, commentPostSQL, in.PostID); errors.Is(err, sql.ErrNoRows) {
			return ErrCommentsClosed
		} else if err != nil {
			return err
		}
		if !commentsOpen(s, p, time.Now()) {
			return ErrCommentsClosed
		}
		var parent sql.NullInt64
		if in.ParentID > 0 {
			var ref struct {
				PostID int64 `db:"post_id"`
				Top    bool  `db:"top"`
			}
			err := tx.GetContext(ctx, &ref, commentParentSQL, in.ParentID)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && (ref.PostID != p.ID || !ref.Top)) {
				return &InvalidCommentError{Fields: map[string]string{"body": "The comment you answer is gone or takes no replies."}}
			}
			if err != nil {
				return err
			}
			parent = sql.NullInt64{Int64: in.ParentID, Valid: true}
		}
		status, reason := CommentApproved, ""
		moderator := !guest && (who.User.Can(PermEditAny) || (p.AuthorID.Valid && p.AuthorID.Int64 == who.User.ID))
		if !moderator {
			var before bool
			if err := tx.GetContext(ctx, &before, approvedBeforeSQL, who.User.ID, in.Email); err != nil {
				return err
			}
			if reason = holdReason(s, in, html, before); reason != "" {
				status = CommentHeld
			}
		}
		var user sql.NullInt64
		name, email := in.Name, in.Email
		if !guest {
			user = sql.NullInt64{Int64: who.User.ID, Valid: true}
			name, email = "", ""
		}
		return tx.GetContext(ctx, &c, insertCommentSQL, p.ID, parent, user, name, email, in.Body, html,
			status, reason, who.User.Name(), in.NotifyReplies)
	})
	if errors.Is(err, ErrCommentsClosed) || errors.Is(err, ErrInvalidComment) {
		return Comment{}, err
	}
	if err != nil {
		return Comment{}, fmt.Errorf("models: insert comment: %w", err)
	}
	return c, nil
}

// commentName is what readers see as a comment's author: the account's
// name, else the guest's; "Anonymous" when there is neither (the account
// was deleted, or an imported comment had no name).
const commentName = `CASE WHEN c.user_id IS NULL THEN coalesce(nullif(c.guest_name, ''), 'Anonymous')
	ELSE coalesce(nullif(u.display_name, ''), u.username, '') END AS name`

// Suspended accounts' comments are hidden with their posts.
const listApprovedCommentsSQL = `SELECT c.id, c.post_id, c.parent_id, c.user_id, ` + commentName + `,
	c.body, c.body_html, c.status, c.held_reason, c.created_at, c.version
FROM comments c LEFT JOIN users u ON u.id = c.user_id
WHERE c.post_id = $1 AND c.status = 'approved' AND (u.id IS NULL OR u.state = 'active')
ORDER BY c.created_at, c.id`

// ListApproved returns a post's approved comments, oldest first.
func (m *CommentModel) ListApproved(ctx context.Context, postID int64) ([]Comment, error) {
	var cs []Comment
	if err := m.DB.SelectContext(ctx, &cs, listApprovedCommentsSQL, postID); err != nil {
		return nil, fmt.Errorf("models: list comments: %w", err)
	}
	return cs, nil
}

const getCommentSQL = `SELECT c.id, c.post_id, c.parent_id, c.user_id, ` + commentName + `,
	c.body, c.body_html, c.status, c.held_reason, c.created_at, c.version
FROM comments c LEFT JOIN users u ON u.id = c.user_id WHERE c.id = $1`

// Get reads one comment, whatever its state.
func (m *CommentModel) Get(ctx context.Context, id int64) (Comment, error) {
	var c Comment
	err := m.DB.GetContext(ctx, &c, getCommentSQL, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, ErrNotFound
	}
	if err != nil {
		return Comment{}, fmt.Errorf("models: get comment: %w", err)
	}
	return c, nil
}

const formKeySQL = `SELECT comments_form_key FROM site_settings WHERE id = 1`

// FormKey is the key that signs the comment form's timestamp: the same on
// every replica, never shown.
func (m *CommentModel) FormKey(ctx context.Context) ([]byte, error) {
	var k []byte
	if err := m.DB.GetContext(ctx, &k, formKeySQL); err != nil {
		return nil, fmt.Errorf("models: comment form key: %w", err)
	}
	return k, nil
}

// A moderation action moves comments from some states to one; a trashed
// or spam comment remembers where it came from, for restore.
type commentChange struct {
	action string
	from   []string
	sql    string
}

var (
	approveComments = commentChange{"approve", []string{CommentHeld, CommentSpam},
		`status = 'approved', held_reason = '', prior_status = ''`}
	spamComments = commentChange{"spam", []string{CommentHeld, CommentApproved},
		`prior_status = status, status = 'spam'`}
	trashComments = commentChange{"trash", []string{CommentHeld, CommentApproved, CommentSpam},
		`prior_status = CASE WHEN status = 'spam' THEN prior_status ELSE status END, status = 'trash'`}
	restoreComments = commentChange{"restore", []string{CommentTrash, CommentSpam},
		`status = CASE WHEN prior_status = '' THEN 'held' ELSE prior_status END, prior_status = ''`}
)

// Approve, Spam, Trash and Restore moderate comments; each changed one is
// audited in the same transaction. Editors and admins moderate any; an
// author only comments on their own posts (ErrForbidden otherwise).
func (m *CommentModel) Approve(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.change(ctx, actor, ids, approveComments)
}

// Spam marks comments as spam.
func (m *CommentModel) Spam(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.change(ctx, actor, ids, spamComments)
}

// Trash moves comments to the trash.
func (m *CommentModel) Trash(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.change(ctx, actor, ids, trashComments)
}

// Restore brings trashed or spam comments back to where they were (held
// when that is not known).
func (m *CommentModel) Restore(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.change(ctx, actor, ids, restoreComments)
}

// Whether any of the comments is on a post the actor did not write.
const othersCommentsSQL = `SELECT EXISTS (SELECT 1 FROM comments c JOIN posts p ON p.id = c.post_id
	WHERE c.id = ANY ($1) AND p.author_id IS DISTINCT FROM $2)`

func (m *CommentModel) change(ctx context.Context, actor Actor, ids []int64, ch commentChange) (ActionResult, error) {
	own := !actor.Can(PermEditAny) // a post's author moderates their own posts' comments only
	if own && !actor.Can(PermWrite) {
		return ActionResult{}, ErrForbidden
	}
	type row struct {
		ID     int64  `db:"id"`
		Before string `db:"before"`
		After  string `db:"status"`
	}
	var rows []row
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if own {
			var others bool
			if err := tx.GetContext(ctx, &others, othersCommentsSQL, pq.Array(ids), actor.ID); err != nil {
				return err
			}
			if others {
				return ErrForbidden
			}
		}
		q := `UPDATE comments c SET ` + ch.sql + `, version = c.version + 1, updated_at = now()
FROM (SELECT id, status AS before FROM comments WHERE id = ANY ($1) AND status = ANY ($2) ORDER BY id FOR UPDATE) o
WHERE c.id = o.id RETURNING c.id, o.before, c.status`
		if err := tx.SelectContext(ctx, &rows, q, pq.Array(ids), pq.Array(ch.from)); err != nil {
			return err
		}
		entries := make([]AuditEntry, len(rows))
		for i, r := range rows {
			entries[i] = AuditEntry{Model: "comments", ObjectID: r.ID, Action: ch.action,
				Before: map[string]any{"status": r.Before}, After: map[string]any{"status": r.After}}
		}
		return Audit(ctx, tx, actor, entries...)
	})
	if errors.Is(err, ErrForbidden) {
		return ActionResult{}, err
	}
	if err != nil {
		return ActionResult{}, fmt.Errorf("models: %s comments: %w", ch.action, err)
	}
	return result(ids, len(rows)), nil
}
