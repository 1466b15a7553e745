package models

import (
	"context"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// copySeedPostsSQL takes the columns in the order copySeedBatch sends them.
const copySeedPostsSQL = `COPY posts (author_id, title, slug, body, body_html, excerpt, summary,
	cover_key, cover_alt, status, tags, published_at, created_at, updated_at) FROM STDIN`

// copySeedBatch puts a batch in posts with COPY, one transaction a batch:
// no statement of arrays to build, send and unnest. COPY fires the same
// triggers as INSERT (the search vector and the author's state on each
// row; the list stats once for the batch, from its transition table), so
// everything derived stays consistent. COPY cannot skip a taken slug, so a batch that collides with a post already there
// goes through insertSeedBatch instead, which skips it.
func (m *PostModel) copySeedBatch(ctx context.Context, batch []seedRow) (int, error) {
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		stmt, err := tx.PrepareContext(ctx, copySeedPostsSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range batch {
			var published any // NULL for drafts
			if r.publishedAt != "" {
				published = r.publishedAt
			}
			tags := []string{}
			if r.tags != "" {
				tags = strings.Split(r.tags, ",")
			}
			if _, err := stmt.ExecContext(ctx, r.authorID, r.title, r.slug, r.body, r.html, r.excerpt, r.summary,
				r.coverKey, r.coverAlt, r.status, pq.Array(tags), published, r.createdAt, r.updatedAt); err != nil {
				return err
			}
		}
		_, err = stmt.ExecContext(ctx) // the end of the data
		return err
	})
	if errors.Is(asDuplicate(err), ErrDuplicate) {
		return m.insertSeedBatch(ctx, batch)
	}
	if err != nil {
		return 0, err
	}
	return len(batch), nil
}
