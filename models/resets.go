package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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

// RequestReset is the reset form's work for one address, the same whether
// or not an account has it: the request counts against ResetEmailLimit
// and, for an active account within it, makes a token whose link is in
// the result, to mail. Past the limit, or for no such account, there is
// nothing to send; the links already sent keep working.
func (m *UserModel) RequestReset(ctx context.Context, throttle *ThrottleModel, email string) (AfterCommit, error) {
	u, ok, err := m.toMail(ctx, throttle, ResetEmailLimit, email)
	if err != nil || !ok || u.State != StateActive {
		return AfterCommit{}, err
	}
	token, err := createReset(ctx, m.DB, u.ID)
	if err != nil {
		return AfterCommit{}, err
	}
	return AfterCommit{Mail: []Mail{{Kind: MailResetLink, To: u.Email, Username: u.Username, Token: token}}}, nil
}

// toMail counts a message to email against its limit and finds the account
// it would go to; ok is false past the limit or for no such account.
func (m *UserModel) toMail(ctx context.Context, throttle *ThrottleModel, limit Limit, email string) (u User, ok bool, err error) {
	err = throttle.Take(ctx, Hit{Limit: limit, Key: strings.ToLower(email)})
	if errors.Is(err, ErrThrottled) {
		return User{}, false, nil
	} else if err != nil {
		return User{}, false, err
	}
	u, err = m.GetByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		return User{}, false, nil
	} else if err != nil {
		return User{}, false, err
	}
	return u, true, nil
}
