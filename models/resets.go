package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ResetTokenTTL is how long a password reset link works.
const ResetTokenTTL = time.Hour

// ResetModel issues and redeems password reset tokens. Only a SHA-256 of
// each token is stored, so a database leak does not leak working links.
type ResetModel struct {
	DB *sqlx.DB
}

const insertResetSQL = `INSERT INTO password_resets (token_hash, user_id, expires_at)
VALUES ($1, $2, now() + $3::interval)`

// Create returns a new random token for the account.
func (m *ResetModel) Create(ctx context.Context, userID int64) (string, error) {
	return createReset(ctx, m.DB, userID)
}

// createReset stores a new token through db, which may be a transaction
// (an admin's reset is recorded in the audit log with it).
func createReset(ctx context.Context, db sqlx.ExecerContext, userID int64) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	if _, err := db.ExecContext(ctx, insertResetSQL, hashToken(token), userID, interval(ResetTokenTTL)); err != nil {
		return "", fmt.Errorf("models: insert reset token: %w", err)
	}
	return token, nil
}

const lookupResetSQL = `SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > now()`

// Lookup returns the account a live token belongs to, or ErrNotFound.
func (m *ResetModel) Lookup(ctx context.Context, token string) (int64, error) {
	var id int64
	err := m.DB.GetContext(ctx, &id, lookupResetSQL, hashToken(token))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("models: lookup reset token: %w", err)
	}
	return id, nil
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
