package models

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
)

// ImportedComment is a comment from another blog, as an import writes it.
type ImportedComment struct {
	PostID   int64
	ParentID int64 // the top-level comment it answers, 0 for none
	UserID   int64 // the account that wrote it, 0 for a guest
	Name     string
	Email    string
	Body     string // Markdown-lite
	Status   string // CommentHeld, CommentApproved, CommentSpam or CommentTrash
	Created  time.Time
}

// quietCommentsSQL keeps the comments the transaction writes from
// mailing anyone (sql/00029's trigger): they are old news.
const quietCommentsSQL = `SELECT set_config('quire.quiet_comments', 'on', true)`

const insertImportedCommentSQL = `INSERT INTO comments (post_id, parent_id, user_id, guest_name, guest_email, body,
	body_html, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`

// InsertImportedComment writes c in tx as the source had it: its status
// and date, no holding rules, no mail. A body past MaxCommentLen is cut, a
// name past MaxCommentNameLen too, and an address that is not one is
// dropped; an empty body is ErrInvalidComment.
func InsertImportedComment(ctx context.Context, tx *sqlx.Tx, c ImportedComment) (int64, error) {
	body := strings.TrimSpace(strings.ReplaceAll(CleanText(c.Body), "\r\n", "\n"))
	if utf8.RuneCountInString(body) > MaxCommentLen {
		body = string([]rune(body)[:MaxCommentLen-1]) + "…"
	}
	if body == "" {
		return 0, &InvalidCommentError{Fields: map[string]string{"body": "The comment is empty."}}
	}
	html, err := renderComment(body)
	if err != nil {
		return 0, &InvalidCommentError{Fields: map[string]string{"body": "The comment could not be formatted."}}
	}
	var parent, user any
	if c.ParentID > 0 {
		parent = c.ParentID
	}
	name, email := CleanDisplayName(c.Name), strings.TrimSpace(c.Email)
	if c.UserID > 0 {
		user, name, email = c.UserID, "", ""
	}
	if utf8.RuneCountInString(name) > MaxCommentNameLen {
		name = string([]rune(name)[:MaxCommentNameLen])
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > MaxCommentEmailLen {
		email = ""
	}
	if _, err := tx.ExecContext(ctx, quietCommentsSQL); err != nil {
		return 0, fmt.Errorf("models: import comment: %w", err)
	}
	var id int64
	err = tx.GetContext(ctx, &id, insertImportedCommentSQL, c.PostID, parent, user, name, email, body, html, c.Status, c.Created)
	if err != nil {
		return 0, fmt.Errorf("models: import comment: %w", err)
	}
	return id, nil
}
