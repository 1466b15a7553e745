package models

import (
	"context"
	"crypto/rand"
	"errors"
)

// NewDraftKey names a new post's editor to its saves: 26 random base32
// characters (128 bits), so no two editors' keys meet.
func NewDraftKey() string { return rand.Text() }

// ValidDraftKey reports whether k has NewDraftKey's shape; normalized
// drops any other, which no editor of ours sent.
func ValidDraftKey(k string) bool {
	if len(k) != 26 {
		return false
	}
	for _, r := range k {
		if (r < 'A' || r > 'Z') && (r < '2' || r > '7') {
			return false
		}
	}
	return true
}

const draftByKeySQL = `SELECT ` + postColumns + ` FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.author_id = $1 AND p.draft_key = $2 AND p.deleted_at IS NULL`

// draftKeyIndex is the unique index that makes one draft per editor key.
const draftKeyIndex = "posts_author_draft_key_idx"

// InsertDraft is Insert for the new-post editor, whose every save carries
// its key (in.DraftKey): the first creates the draft, and any other, even
// one racing it, gets that draft back (created false) to save over. Once
// that draft is deleted, its key finds nothing: ErrNotFound.
func (m *PostModel) InsertDraft(ctx context.Context, authorID int64, in PostInput) (p Post, created bool, err error) {
	in = in.normalized()
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
