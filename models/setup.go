package models

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ErrSetUp: the site has an administrator already, so the first-run setup
// is over.
var ErrSetUp = errors.New("models: the site is already set up")

// firstAdminLockKey serialises first-run setups, so two racing forms make
// one administrator.
const firstAdminLockKey int64 = 0x71756972655f7374 // "quire_st"

const (
	firstAdminLockSQL = `SELECT pg_advisory_xact_lock($1)`
	anyAdminSQL       = `SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin')`
)

// CreateFirstAdmin creates the site's first administrator, only while the
// site has none: otherwise ErrSetUp. A taken name or address is a
// *DuplicateError, as for Insert.
func (m *UserModel) CreateFirstAdmin(ctx context.Context, nu NewUser) (User, error) {
	hash, err := m.Hasher.Hash(ctx, nu.Password)
	if err != nil {
		return User{}, fmt.Errorf("models: hash password: %w", err)
	}
	var u User
	err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, firstAdminLockSQL, firstAdminLockKey); err != nil {
			return err
		}
		var taken bool
		if err := tx.GetContext(ctx, &taken, anyAdminSQL); err != nil {
			return err
		}
		if taken {
			return ErrSetUp
		}
		return tx.GetContext(ctx, &u, insertUserSQL, nu.Username, nu.Email, hash, RoleAdmin, true) // the owner's address is theirs
	})
	if errors.Is(err, ErrSetUp) {
		return User{}, err
	}
	if err != nil {
		return User{}, fmt.Errorf("models: create first admin: %w", asDuplicate(err))
	}
	return u, nil
}
