package models

import (
	"context"

	"github.com/jmoiron/sqlx"
)

const editorNameSQL = `SELECT coalesce((SELECT username FROM users WHERE id = $1), '')`

// auditCommentsSwitch records a save that closed or opened a post's
// comments (the editor's "Allow comments"): it decides what readers may
// do, as the moderators' actions do, so it is in the audit log with them.
func auditCommentsSwitch(ctx context.Context, tx *sqlx.Tx, before, after Post, editorID int64) error {
	if before.CommentsClosed == after.CommentsClosed {
		return nil
	}
	actor := Actor{ID: editorID}
	if err := tx.GetContext(ctx, &actor.Name, editorNameSQL, editorID); err != nil {
		return err
	}
	action := "open comments"
	if after.CommentsClosed {
		action = "close comments"
	}
	return Audit(ctx, tx, actor, AuditEntry{Model: "posts", ObjectID: after.ID, Action: action,
		Before: map[string]any{"comments_closed": before.CommentsClosed}, After: map[string]any{"comments_closed": after.CommentsClosed}})
}
