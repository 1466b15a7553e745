package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Media is an uploaded image as its owner's library lists it. The file
// itself lives in a MediaStore under Key; identical uploads share a file.
type Media struct {
	ID          int64         `db:"id"`
	OwnerID     sql.NullInt64 `db:"owner_id"` // NULL once the owner's account is deleted
	Key         string        `db:"key"`      // ContentKey of the file
	Width       int           `db:"width"`
	Height      int           `db:"height"`
	Bytes       int           `db:"bytes"`
	ContentType string        `db:"content_type"`
	Alt         string        `db:"alt"`
	// Widths of the smaller copies made for srcset; see VariantKey.
	Variants  pq.Int64Array `db:"variants"`
	CreatedAt time.Time     `db:"created_at"`
}

// VariantKey is the media key of the copy width pixels wide:
// "<hash>.jpg" -> "<hash>-w640.jpg".
func (md Media) VariantKey(width int64) string {
	ext := path.Ext(md.Key)
	return strings.TrimSuffix(md.Key, ext) + "-w" + strconv.FormatInt(width, 10) + ext
}

// MediaModel reads and writes the media library.
type MediaModel struct {
	DB *sqlx.DB
}

const mediaColumns = `id, owner_id, key, width, height, bytes, content_type, alt, variants, created_at`

const insertMediaSQL = `INSERT INTO media (owner_id, key, width, height, bytes, content_type, alt, variants)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (owner_id, key) DO NOTHING RETURNING ` + mediaColumns

const getMediaByKeySQL = `SELECT ` + mediaColumns + ` FROM media WHERE owner_id = $1 AND key = $2`

// Insert records an upload. Uploading the same file again is harmless: the
// owner's existing row is returned as it is (alt text included). Rows
// without an owner are never merged: NULLs never conflict in PostgreSQL.
func (m *MediaModel) Insert(ctx context.Context, md Media) (Media, error) {
	if !ValidKey(md.Key) {
		return Media{}, fmt.Errorf("models: insert media: invalid key %q", md.Key)
	}
	if md.Variants == nil {
		md.Variants = pq.Int64Array{} // the column is NOT NULL
	}
	// Two attempts: the existing row could be deleted between the insert
	// that found it and the select that reads it.
	for attempt := 1; ; attempt++ {
		var out Media
		err := m.DB.GetContext(ctx, &out, insertMediaSQL, md.OwnerID, md.Key, md.Width, md.Height, md.Bytes,
			md.ContentType, md.Alt, md.Variants)
		if errors.Is(err, sql.ErrNoRows) {
			err = m.DB.GetContext(ctx, &out, getMediaByKeySQL, md.OwnerID, md.Key)
			if errors.Is(err, sql.ErrNoRows) && attempt < 2 {
				continue
			}
		}
		if err != nil {
			return Media{}, fmt.Errorf("models: insert media: %w", err)
		}
		return out, nil
	}
}

const getMediaByAnyKeySQL = `SELECT ` + mediaColumns + ` FROM media WHERE key = $1 ORDER BY id LIMIT 1`

// GetByKey returns a row describing the file key (any owner's: identical
// uploads share one file), for its size and srcset copies.
func (m *MediaModel) GetByKey(ctx context.Context, key string) (Media, error) {
	var md Media
	err := m.DB.GetContext(ctx, &md, getMediaByAnyKeySQL, key)
	if errors.Is(err, sql.ErrNoRows) {
		return Media{}, ErrNotFound
	}
	if err != nil {
		return Media{}, fmt.Errorf("models: get media by key: %w", err)
	}
	return md, nil
}

const countMediaByOwnerSQL = `SELECT count(*) FROM media WHERE owner_id = $1`

const listMediaByOwnerSQL = `SELECT ` + mediaColumns + ` FROM media WHERE owner_id = $1
ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`

// ListByOwner returns one page of an owner's library, newest first, and
// the size of the whole library.
func (m *MediaModel) ListByOwner(ctx context.Context, ownerID int64, pg Page) ([]Media, int, error) {
	pg = pg.Normalize()
	var total int
	if err := m.DB.GetContext(ctx, &total, countMediaByOwnerSQL, ownerID); err != nil {
		return nil, 0, fmt.Errorf("models: count media: %w", err)
	}
	list := []Media{}
	if pg.Offset() >= total {
		return list, total, nil
	}
	if err := m.DB.SelectContext(ctx, &list, listMediaByOwnerSQL, ownerID, pg.Size, pg.Offset()); err != nil {
		return nil, 0, fmt.Errorf("models: list media: %w", err)
	}
	return list, total, nil
}

// MediaPick is an image offered by the media picker: a library row and
// its owner's name ("" once the account is gone).
type MediaPick struct {
	Media
	OwnerName string `db:"owner_name"`
}

// Thumb is the key of the image's smallest copy, the original when it has none.
func (md Media) Thumb() string {
	if len(md.Variants) == 0 {
		return md.Key
	}
	return md.VariantKey(slices.Min(md.Variants))
}

// The picker's filter: $1 an owner (0: everyone's), $2 words the
// description or the owner's name contain ("" for any).
const pickWhere = ` FROM media m LEFT JOIN users u ON u.id = m.owner_id
WHERE ($1 = 0 OR m.owner_id = $1)
	AND ($2 = '' OR m.alt ILIKE '%' || $2 || '%' OR u.username ILIKE '%' || $2 || '%')`

const (
	countPicksSQL = `SELECT count(*)` + pickWhere
	listPicksSQL  = `SELECT m.id, m.owner_id, m.key, m.width, m.height, m.bytes, m.content_type, m.alt, m.variants,
	m.created_at, coalesce(u.username, '') AS owner_name` + pickWhere + `
ORDER BY m.created_at DESC, m.id DESC LIMIT $3 OFFSET $4`
)

// Pick returns one page of the images the media picker offers, newest
// first: ownerID's, or everyone's when ownerID is 0; search narrows them to
// those whose description (or owner's username) contains it, ignoring case.
func (m *MediaModel) Pick(ctx context.Context, ownerID int64, search string, pg Page) ([]MediaPick, int, error) {
	pg = pg.Normalize()
	like := likeLiteral(CleanText(search))
	var total int
	if err := m.DB.GetContext(ctx, &total, countPicksSQL, ownerID, like); err != nil {
		return nil, 0, fmt.Errorf("models: count media to pick: %w", err)
	}
	list := []MediaPick{}
	if pg.Offset() >= total {
		return list, total, nil
	}
	if err := m.DB.SelectContext(ctx, &list, listPicksSQL, ownerID, like, pg.Size, pg.Offset()); err != nil {
		return nil, 0, fmt.Errorf("models: list media to pick: %w", err)
	}
	return list, total, nil
}
