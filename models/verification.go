package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// VerificationTTL is how long an email verification link works.
const VerificationTTL = 48 * time.Hour

// VerifyResendLimit bounds the verification mails an account may ask for.
var VerifyResendLimit = Limit{Name: "verify-resend", Max: 3, Window: time.Hour}

const insertVerificationSQL = `INSERT INTO email_verifications (token_hash, user_id, email, expires_at)
SELECT $1, id, email, now() + $2::interval FROM users WHERE id = $3 AND NOT email_verified RETURNING email`

// IssueVerification makes a verification link's token for the account's
// address as it is now; only its SHA-256 is stored. An account already
// verified, or gone, is ErrNotFound.
func (m *UserModel) IssueVerification(ctx context.Context, userID int64) (token, email string, err error) {
	if token, err = newToken(); err != nil {
		return "", "", err
	}
	err = m.DB.GetContext(ctx, &email, insertVerificationSQL, hashToken(token), interval(VerificationTTL), userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", ErrNotFound
	}
	if err != nil {
		return "", "", fmt.Errorf("models: issue verification: %w", err)
	}
	return token, email, nil
}

const (
	redeemVerificationSQL = `DELETE FROM email_verifications WHERE token_hash = $1 AND expires_at > now()
RETURNING user_id, email`
	verifyEmailSQL = `UPDATE users SET email_verified = true, version = version + 1, updated_at = now()
WHERE id = $1 AND lower(email) = lower($2) RETURNING ` + userColumns
	deleteVerificationsSQL = `DELETE FROM email_verifications WHERE user_id = $1`
)

// VerifyEmail redeems a verification token: the account's address is
// confirmed if it is still the one the link was sent to, and the account's
// other links are used up with it. An unknown, used, expired or altered
// token, or one for an address since changed, is ErrNotFound.
func (m *UserModel) VerifyEmail(ctx context.Context, token string) (User, error) {
	var u User
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		var v struct {
			UserID int64  `db:"user_id"`
			Email  string `db:"email"`
		}
		if err := tx.GetContext(ctx, &v, redeemVerificationSQL, hashToken(token)); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &u, verifyEmailSQL, v.UserID, v.Email); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, deleteVerificationsSQL, v.UserID)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("models: verify email: %w", err)
	}
	return u, nil
}
