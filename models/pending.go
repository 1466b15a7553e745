package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Pending is what an account typed into a post that is not a draft, kept
// by autosave (SavePending) while readers go on seeing the saved post: one
// copy per post and account, seen only by that account. Its Update
// publishes it and clears it; DiscardPending drops it.
type Pending struct {
	PostID   int64          `db:"post_id"`
	Title    string         `db:"title"`
	Slug     string         `db:"slug"` // the address field as typed, "" for keep
	Body     string         `db:"body"`
	Excerpt  string         `db:"excerpt"`
	CoverKey string         `db:"cover_key"`
	CoverAlt string         `db:"cover_alt"`
	Tags     pq.StringArray `db:"tags"`

	CoverCaption string `db:"cover_caption"`
	// BaseVersion is the post's version the edit started from; when the post
	// has moved on since, saving it is a conflict (Update's ErrConflict).
	BaseVersion int       `db:"base_version"`
	EditorID    int64     `db:"editor_id"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// Input is the pending copy as the editor's form gives it back.
func (p Pending) Input() PostInput {
	return PostInput{Title: p.Title, Body: p.Body, Excerpt: p.Excerpt, CoverKey: p.CoverKey,
		CoverAlt: p.CoverAlt, CoverCaption: p.CoverCaption, Slug: p.Slug, Tags: p.Tags}
}

const pendingColumns = `post_id, title, slug, body, excerpt, cover_key, cover_alt, cover_caption, tags, base_version, editor_id, updated_at`

const savePendingSQL = `INSERT INTO post_pending (post_id, title, slug, body, excerpt, cover_key, cover_alt, tags, base_version, editor_id, cover_caption)
SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM posts WHERE id = $1 AND deleted_at IS NULL
ON CONFLICT (post_id, editor_id) DO UPDATE SET title = EXCLUDED.title, slug = EXCLUDED.slug, body = EXCLUDED.body,
	excerpt = EXCLUDED.excerpt, cover_key = EXCLUDED.cover_key, cover_alt = EXCLUDED.cover_alt,
	cover_caption = EXCLUDED.cover_caption, tags = EXCLUDED.tags,
	base_version = EXCLUDED.base_version, updated_at = now()
RETURNING ` + pendingColumns

// SavePending keeps in as editorID's pending changes to post id, started
// from version baseVersion, replacing their earlier copy. The post itself
// is not touched.
// in is checked as Update would (a body whose HTML is over the budget is
// markdown.ErrTooLarge), so a kept copy can be saved later.
func (m *PostModel) SavePending(ctx context.Context, id int64, baseVersion int, in PostInput, editorID int64) (Pending, error) {
	in = in.normalized()
	if _, err := m.render(ctx, in); err != nil {
		return Pending{}, err
	}
	var p Pending
	err := m.DB.GetContext(ctx, &p, savePendingSQL, id, in.Title, in.Slug, in.Body, in.Excerpt,
		in.CoverKey, in.CoverAlt, pq.StringArray(in.Tags), baseVersion, editorID, in.CoverCaption)
	if errors.Is(err, sql.ErrNoRows) {
		return Pending{}, ErrNotFound
	}
	if err != nil {
		return Pending{}, fmt.Errorf("models: save pending changes: %w", err)
	}
	return p, nil
}

const getPendingSQL = `SELECT ` + pendingColumns + ` FROM post_pending WHERE post_id = $1 AND editor_id = $2`

// GetPending returns editorID's pending changes to post id, ErrNotFound
// when there are none.
func (m *PostModel) GetPending(ctx context.Context, id, editorID int64) (Pending, error) {
	var p Pending
	err := m.DB.GetContext(ctx, &p, getPendingSQL, id, editorID)
	if errors.Is(err, sql.ErrNoRows) {
		return Pending{}, ErrNotFound
	}
	if err != nil {
		return Pending{}, fmt.Errorf("models: get pending changes: %w", err)
	}
	return p, nil
}

// deletePendingSQL drops editor $2's pending changes to post $1. Update runs
// it too: a save makes the saver's copy moot; others' copies stay, and
// become a conflict when their accounts save them (their base version is
// now older).
const deletePendingSQL = `DELETE FROM post_pending WHERE post_id = $1 AND editor_id = $2`

// DiscardPending drops editorID's pending changes to post id; none is not
// an error.
func (m *PostModel) DiscardPending(ctx context.Context, id, editorID int64) error {
	if _, err := m.DB.ExecContext(ctx, deletePendingSQL, id, editorID); err != nil {
		return fmt.Errorf("models: discard pending changes: %w", err)
	}
	return nil
}
