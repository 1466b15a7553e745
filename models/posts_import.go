package models

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// FreeSlug picks a new post's slug from base as Insert does (numbered when
// taken, never a reserved word for kind), for models/importer, which writes
// each imported post in its own transaction with its source record.
func FreeSlug(ctx context.Context, tx *sqlx.Tx, base, kind string) (string, error) {
	return freeSlug(ctx, tx, base, 0, kind)
}
