package models

import (
	"context"
	"errors"
)

const draftByKeySQL = `SELECT ` + postColumns + ` FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.author_id = $1 AND p.draft_key = $2 AND p.deleted_at IS NULL`

// draftKeyIndex is the unique index that makes one draft per editor key.
const draftKeyIndex = "posts_author_draft_key_idx"

// InsertDraft is Insert for the new-post editor, whose every save carries
// its key (in.DraftKey): the first creates the draft, and any other, even
// one racing it, gets that draft back (created false) to save over. Once
// that draft is deleted, its key finds nothing: ErrNotFound.
func (m *PostModel) InsertDraft(ctx context.Context, authorID int64, in PostInput) (p Post, created bool, err error) {
	if in.DraftKey == "" {
		p, err = m.Insert(ctx, authorID, in)
		return p, err == nil, err
	}
	p, err = m.getOne(ctx, draftByKeySQL, authorID, in.DraftKey)
	if !errors.Is(err, ErrNotFound) {
		return p, false, err
	}
	p, err = m.Insert(ctx, authorID, in)
	var dup *DuplicateError
	if errors.As(err, &dup) && dup.Constraint == draftKeyIndex {
		p, err = m.getOne(ctx, draftByKeySQL, authorID, in.DraftKey) // a racing save made it first
		return p, false, err
	}
	return p, err == nil, err
}
