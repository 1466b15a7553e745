package models

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// InvitationTTL is how long an invitation's link works.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation is an invitation to create an account with a role.
type Invitation struct {
	ID          int64     `db:"id"`
	Email       string    `db:"email"`
	Role        string    `db:"role"`
	InviterName string    `db:"inviter_name"`
	ExpiresAt   time.Time `db:"expires_at"`
}

// newToken is 32 random bytes, URL-safe; only its SHA-256 is stored.
func newToken() (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("models: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

const (
	emailTakenSQL   = `SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))`
	insertInviteSQL = `INSERT INTO invitations (email, role, token_hash, invited_by, inviter_name, expires_at)
VALUES ($1, $2, $3, nullif($4, 0), $5, now() + $6::interval) RETURNING id, email, role, inviter_name, expires_at`
	pendingInviteSQL = `accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`
)

// Invite makes an invitation for email with role, audited, and returns its
// token for the mail. The actor's role decides which roles it may give
// (InvitableRoles); an address that already has an account is refused.
func (m *AdminModel) Invite(ctx context.Context, actor Actor, email, role string) (Invitation, string, error) {
	if !slices.Contains(InvitableRoles(actor.Role), role) {
		return Invitation{}, "", &ForbiddenError{Msg: "Your role cannot invite someone as " + role + "."}
	}
	token, err := newToken()
	if err != nil {
		return Invitation{}, "", err
	}
	var inv Invitation
	err = m.adminTx(ctx, "invite", func(tx *sqlx.Tx) error {
		var taken bool
		if err := tx.GetContext(ctx, &taken, emailTakenSQL, email); err != nil {
			return err
		}
		if taken {
			return refused("An account with this email address already exists.")
		}
		if err := tx.GetContext(ctx, &inv, insertInviteSQL, email, role, hashToken(token), actor.ID, actor.Name,
			interval(InvitationTTL)); err != nil {
			return err
		}
		return Audit(ctx, tx, actor, AuditEntry{Model: "invitations", ObjectID: inv.ID, Action: "invite",
			After: map[string]any{"email": email, "role": role}})
	})
	if err != nil {
		return Invitation{}, "", err
	}
	return inv, token, nil
}

// InvitationModel reads invitations by their token.
type InvitationModel struct {
	DB *sqlx.DB
}

const lookupInviteSQL = `SELECT id, email, role, inviter_name, expires_at FROM invitations
WHERE token_hash = $1 AND ` + pendingInviteSQL

// Lookup returns the pending invitation of token. An expired, accepted,
// revoked or unknown (altered) token is ErrNotFound, all alike.
func (m *InvitationModel) Lookup(ctx context.Context, token string) (Invitation, error) {
	var inv Invitation
	err := m.DB.GetContext(ctx, &inv, lookupInviteSQL, hashToken(token))
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, ErrNotFound
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("models: lookup invitation: %w", err)
	}
	return inv, nil
}

const (
	lockInviteSQL = `SELECT id, email, role, inviter_name, expires_at FROM invitations
WHERE token_hash = $1 AND ` + pendingInviteSQL + ` FOR UPDATE`
	acceptInviteSQL  = `UPDATE invitations SET accepted_at = now(), accepted_by = $2, version = version + 1 WHERE id = $1`
	insertInvitedSQL = `INSERT INTO users (username, email, password_hash, role, email_verified)
VALUES ($1, $2, $3, $4, true) RETURNING ` + userColumns
)

// AcceptInvitation redeems token: it creates the account with the
// invitation's email and role (verified: the mail reached it) and uses the
// invitation up, in one transaction, so a token makes one account. An
// expired, used, revoked or altered token is ErrNotFound; a taken
// username a *DuplicateError, as at sign-up.
func (m *UserModel) AcceptInvitation(ctx context.Context, token, username, password string) (User, error) {
	hash, err := m.Hasher.Hash(ctx, password)
	if err != nil {
		return User{}, fmt.Errorf("models: hash password: %w", err)
	}
	var u User
	err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		var inv Invitation
		if err := tx.GetContext(ctx, &inv, lockInviteSQL, hashToken(token)); err != nil {
			return err
		}
		var taken struct{ Username, Email bool }
		if err := tx.GetContext(ctx, &taken, takenSQL, username, inv.Email); err != nil {
			return err
		}
		switch {
		case taken.Username:
			return &DuplicateError{Constraint: "users_username_key"}
		case taken.Email:
			return &DuplicateError{Constraint: "users_email_key"}
		}
		if err := tx.GetContext(ctx, &u, insertInvitedSQL, username, inv.Email, hash, inv.Role); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, acceptInviteSQL, inv.ID, u.ID); err != nil {
			return err
		}
		return Audit(ctx, tx, ActorOf(u), AuditEntry{Model: "invitations", ObjectID: inv.ID, Action: "accept",
			Note: "account " + u.Username + " created as " + inv.Role})
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return User{}, ErrNotFound
	case errors.Is(err, ErrDuplicate):
		return User{}, err
	case err != nil:
		return User{}, fmt.Errorf("models: accept invitation: %w", asDuplicate(err))
	}
	return u, nil
}

const revokeInvitesSQL = `UPDATE invitations SET revoked_at = now(), version = version + 1
WHERE id = ANY($1) AND ` + pendingInviteSQL + ` RETURNING id, email, role, inviter_name, expires_at`

// RevokeInvitations ends pending invitations at once, audited; others are
// left as they are. An actor may revoke only invitations of roles it could
// give.
func (m *AdminModel) RevokeInvitations(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	changed := 0
	err := m.adminTx(ctx, "revoke invitations", func(tx *sqlx.Tx) error {
		var invs []Invitation
		if err := tx.SelectContext(ctx, &invs, revokeInvitesSQL, pq.Array(ids)); err != nil {
			return err
		}
		var entries []AuditEntry
		for _, inv := range invs {
			if !slices.Contains(InvitableRoles(actor.Role), inv.Role) {
				return &ForbiddenError{Msg: "Your role cannot revoke an invitation as " + inv.Role + "."}
			}
			entries = append(entries, AuditEntry{Model: "invitations", ObjectID: inv.ID, Action: "revoke",
				Before: map[string]any{"status": "pending"}, After: map[string]any{"status": "revoked"},
				Note: strings.ToLower(inv.Email)})
		}
		changed = len(invs)
		return Audit(ctx, tx, actor, entries...)
	})
	return result(ids, changed), err
}
