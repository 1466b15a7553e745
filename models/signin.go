package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// ErrBadCredentials is every failed sign-in: unknown account, wrong
// password and suspended account alike, so the answer reveals none of them.
var ErrBadCredentials = errors.New("models: bad credentials")

// SignIn is one sign-in from the login form, as one operation: the account
// is read once, the attempt is counted by the throttle before the password
// is compared (an unknown account is compared against a dummy hash, and
// counted under the login it was tried with), and a success clears the
// account's failures and records the sign-in. It returns ErrBadCredentials,
// a *ThrottledError, or the account.
func (m *UserModel) SignIn(ctx context.Context, t *ThrottleModel, login, password, addr string) (User, error) {
	u, err := m.GetByLogin(ctx, login)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return User{}, err
	}
	account := accountKey(u, login)
	if err := m.checkPassword(ctx, t, account, addr, password, u.PasswordHash); err != nil {
		return User{}, err
	}
	// The right password proves nothing to a suspended account: it hears
	// what a wrong one hears, and the attempt stays counted.
	if u.State != StateActive {
		return User{}, ErrBadCredentials
	}
	err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, resetFailuresSQL, account); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, recordLoginSQL, u.ID)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("models: record sign-in: %w", err)
	}
	return u, nil
}

// VerifyPassword checks a signed-in account's password before a change that
// needs it. It is a guess like a sign-in, counted by the same throttle: a
// borrowed session cannot try passwords any faster than the login form.
// It returns nil, ErrBadCredentials or a *ThrottledError.
func (m *UserModel) VerifyPassword(ctx context.Context, t *ThrottleModel, u User, password, addr string) error {
	account := accountKey(u, "")
	if err := m.checkPassword(ctx, t, account, addr, password, u.PasswordHash); err != nil {
		return err
	}
	return t.Reset(ctx, account)
}

// checkPassword reserves an attempt, then compares; a failed compare stays
// counted. An empty hash (no such account) still costs a full compare.
func (m *UserModel) checkPassword(ctx context.Context, t *ThrottleModel, account, addr, password, hash string) error {
	if err := t.Reserve(ctx, account, addr); err != nil {
		return err
	}
	ok, err := m.Hasher.Compare(ctx, password, hash)
	if err != nil {
		return fmt.Errorf("models: compare password: %w", err)
	}
	if !ok {
		return ErrBadCredentials
	}
	return nil
}

// accountKey names the account an attempt targets in the throttle, so
// failures by username and by email count together; a login that names no
// account is counted under itself.
func accountKey(u User, login string) string {
	if u.ID != 0 {
		return "user:" + strconv.FormatInt(u.ID, 10)
	}
	return "login:" + strings.ToLower(strings.TrimSpace(login))
}
