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

// Revision is the text of a published post as it was before an edit:
// Version is the post's version that had this text, EditedBy the account
// that replaced it (NULL once that account is deleted) and CreatedAt when.
type Revision struct {
	ID         int64          `db:"id"`
	PostID     int64          `db:"post_id"`
	Version    int            `db:"version"`
	Title      string         `db:"title"`
	Body       string         `db:"body"`
	Excerpt    string         `db:"excerpt"`
	Tags       pq.StringArray `db:"tags"`
	EditedBy   sql.NullInt64  `db:"edited_by"`
	EditorName string         `db:"editor_name"` // display name, else username; "" when deleted
	CreatedAt  time.Time      `db:"created_at"`
}

const keepRevisionSQL = `INSERT INTO post_revisions (post_id, version, title, body, excerpt, tags, edited_by)
SELECT id, version, title, body, excerpt, tags, nullif($2::bigint, 0) FROM posts WHERE id = $1`

// keepRevision keeps a post's text as it is now, before a change replaces
// it, when the post is published (status, read under the transaction's
// lock): readers saw that text, drafts' intermediate texts are not kept.
// Every change of a post's text calls it, the editor's and the admin's.
// editorID (0 for none) is who replaced the text.
func keepRevision(ctx context.Context, tx *sqlx.Tx, postID int64, status string, editorID int64) error {
	if status != PostPublished {
		return nil
	}
	if _, err := tx.ExecContext(ctx, keepRevisionSQL, postID, editorID); err != nil {
		return fmt.Errorf("keep revision: %w", err)
	}
	return nil
}

const revisionListColumns = `r.id, r.post_id, r.version, r.title, r.excerpt, r.tags, r.edited_by,
	coalesce(nullif(u.display_name, ''), u.username, '') AS editor_name, r.created_at`

const listRevisionsSQL = `SELECT ` + revisionListColumns + `
FROM post_revisions r LEFT JOIN users u ON u.id = r.edited_by
WHERE r.post_id = $1 ORDER BY r.id DESC`

// Revisions lists a post's history, newest first. Body is left empty (a
// post can have many revisions of up to 200,000 characters); Revision
// loads one in full.
func (m *PostModel) Revisions(ctx context.Context, postID int64) ([]Revision, error) {
	revs := []Revision{}
	if err := m.DB.SelectContext(ctx, &revs, listRevisionsSQL, postID); err != nil {
		return nil, fmt.Errorf("models: list revisions: %w", err)
	}
	return revs, nil
}

const getRevisionSQL = `SELECT ` + revisionListColumns + `, r.body
FROM post_revisions r LEFT JOIN users u ON u.id = r.edited_by
WHERE r.post_id = $1 AND r.id = $2`

// Revision returns one revision of the post in full.
func (m *PostModel) Revision(ctx context.Context, postID, revID int64) (Revision, error) {
	var r Revision
	err := m.DB.GetContext(ctx, &r, getRevisionSQL, postID, revID)
	if errors.Is(err, sql.ErrNoRows) {
		return Revision{}, ErrNotFound
	}
	if err != nil {
		return Revision{}, fmt.Errorf("models: get revision: %w", err)
	}
	return r, nil
}

// RestoreRevision brings back a revision's title, body, excerpt and tags as
// an ordinary Update over version, so the text it replaces becomes a
// revision in turn and nothing is lost. Cover and slug stay as they are.
func (m *PostModel) RestoreRevision(ctx context.Context, postID, revID int64, version int, editorID int64) (Post, error) {
	rev, err := m.Revision(ctx, postID, revID)
	if err != nil {
		return Post{}, err
	}
	cur, err := m.Get(ctx, postID)
	if err != nil {
		return Post{}, err
	}
	in := PostInput{
		Title: rev.Title, Body: rev.Body, Excerpt: rev.Excerpt, Tags: rev.Tags,
		CoverKey: cur.CoverKey, CoverAlt: cur.CoverAlt, CoverCaption: cur.CoverCaption,
	}
	// cur was read outside Update's transaction; if the post has moved on
	// since, its version differs and Update refuses with ErrConflict.
	return m.Update(ctx, postID, version, in, editorID)
}

const savedBySQL = `SELECT coalesce(r.edited_by, 0) AS id, coalesce(nullif(u.display_name, ''), u.username, '') AS name
FROM post_revisions r LEFT JOIN users u ON u.id = r.edited_by
WHERE r.post_id = $1 AND r.version = $2 - 1 ORDER BY r.id DESC LIMIT 1`

// SavedBy is who saved version of the post, as far as its revisions tell:
// a save of a published post's text keeps the text it replaced as a
// revision naming the saver. ErrNotFound when that save left none (a
// draft's, or one that changed no text) or the account is gone.
func (m *PostModel) SavedBy(ctx context.Context, postID int64, version int) (id int64, name string, err error) {
	var row struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	err = m.DB.GetContext(ctx, &row, savedBySQL, postID, version)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && row.ID == 0:
		return 0, "", ErrNotFound
	case err != nil:
		return 0, "", fmt.Errorf("models: saved by: %w", err)
	}
	return row.ID, row.Name, nil
}
