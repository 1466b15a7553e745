package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// itemTx gives each imported item its own transaction, so a failure leaves
// whole items behind; a dry run instead keeps one transaction it rolls
// back (dry), with each item under a savepoint so later items see earlier ones.
type itemTx struct {
	db  *sqlx.DB
	dry *sqlx.Tx // the one rolled-back transaction of a dry run
}

// inTx runs fn in the item's own transaction, or under a savepoint of the
// dry run's.
func (r *itemTx) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if r.dry != nil {
		if _, err := r.dry.ExecContext(ctx, "SAVEPOINT item"); err != nil {
			return err
		}
		if err := fn(r.dry); err != nil {
			_, _ = r.dry.ExecContext(ctx, "ROLLBACK TO SAVEPOINT item")
			return err
		}
		_, err := r.dry.ExecContext(ctx, "RELEASE SAVEPOINT item")
		return err
	}
	tx, err := r.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// queryer reads what committed items wrote, or, in a dry run, what the
// dry run's transaction holds so far.
func (r *itemTx) queryer() sqlx.QueryerContext {
	if r.dry != nil {
		return r.dry
	}
	return r.db
}

// findPrevious is the record of an earlier import of the source's item id.
func (r *itemTx) findPrevious(ctx context.Context, source, id string) (prev previous, found bool, err error) {
	err = sqlx.GetContext(ctx, r.queryer(), &prev, findSourceSQL, source, id)
	if errors.Is(err, sql.ErrNoRows) {
		return prev, false, nil
	}
	if err != nil {
		return prev, false, fmt.Errorf("importer: find item %s: %w", id, err)
	}
	return prev, true, nil
}
