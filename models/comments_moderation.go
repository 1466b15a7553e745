package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

const lockCommentSQL = `SELECT body, version FROM comments WHERE id = $1 FOR UPDATE`

const editCommentSQL = `UPDATE comments SET body = $2, body_html = $3, version = version + 1, updated_at = now()
WHERE id = $1`

// EditBody replaces comment id's text over version (ErrConflict when it
// changed meanwhile), rendered as a new comment is; text the comment form
// would refuse is a *RefusedError. It is audited with the text before and
// after; an approved comment's post moves its stamp (the comments trigger).
func (m *CommentModel) EditBody(ctx context.Context, actor Actor, id int64, version int, body string) error {
	if !actor.Can(PermEditAny) {
		return ErrForbidden
	}
	in := CommentInput{Body: body}.normalized()
	if msg := in.Validate(false)["body"]; msg != "" {
		return &RefusedError{Msg: msg}
	}
	html, err := renderComment(in.Body)
	if err != nil {
		return refused("The comment could not be formatted: shorten it.")
	}
	err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		var old struct {
			Body    string `db:"body"`
			Version int    `db:"version"`
		}
		err := tx.GetContext(ctx, &old, lockCommentSQL, id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case old.Version != version:
			return ErrConflict
		case old.Body == in.Body:
			return nil
		}
		if _, err := tx.ExecContext(ctx, editCommentSQL, id, in.Body, html); err != nil {
			return err
		}
		return Audit(ctx, tx, actor, AuditEntry{Model: CommentsTable.Name, ObjectID: id, Action: "edit",
			Before: map[string]any{"body": old.Body}, After: map[string]any{"body": in.Body}})
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict) {
		return fmt.Errorf("models: edit comment: %w", err)
	}
	return err
}
