package models

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// txBeginner is a pool (*sqlx.DB) or one of its connections (*sqlx.Conn).
type txBeginner interface {
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

// inTx runs fn in a transaction, committing only if fn succeeds.

func inTx(ctx context.Context, db txBeginner, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
