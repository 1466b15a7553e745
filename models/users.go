package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// States of an account; its roles are in roles.go.
const (
	StateActive    = "active"
	StateSuspended = "suspended"
)

// User is an account.
type User struct {
	ID              int64      `db:"id"`
	Username        string     `db:"username"`
	Email           string     `db:"email"`
	PasswordHash    string     `db:"password_hash"`
	DisplayName     string     `db:"display_name"`
	Bio             string     `db:"bio"`
	Avatar          string     `db:"avatar"`
	Role            string     `db:"role"`
	EmailVerified   bool       `db:"email_verified"` // open sign-ups start false (verification.go)
	State           string     `db:"state"`
	SuspendedReason string     `db:"suspended_reason"`
	SessionEpoch    int        `db:"session_epoch"`
	Version         int        `db:"version"`
	CreatedAt       time.Time  `db:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at"`
	LastLoginAt     *time.Time `db:"last_login_at"`
}

// Name is what readers see: the display name, else the username.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// Field limits shared by validation and the schema's CHECK constraints.
const (
	MaxDisplayNameLen = 60
	MaxBioLen         = 500
	MaxEmailLen       = 254
)

// usernameRE is the username rule; the users table's CHECK (sql/00001)
// holds the same pattern, since a migration cannot use this one.
var usernameRE = regexp.MustCompile(`^[a-z0-9_]{3,30}$`)

// NormalizeUsername lower-cases and trims; usernames are unique regardless of case.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckUsername returns a user-facing message, or "" when valid.
func CheckUsername(s string) string {
	if !usernameRE.MatchString(s) {
		return "Use 3 to 30 characters: letters a-z, digits and underscores."
	}
	return ""
}

// NormalizeEmail trims and accepts only a bare address (no display name).
// It returns a user-facing message, or "" when valid.
func NormalizeEmail(s string) (string, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return s, "Enter your email address."
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > MaxEmailLen || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return s, "Enter a valid email address, like name@example.com."
	}
	return s, ""
}

const userColumns = `id, username, email, password_hash, display_name, bio, avatar, role, email_verified, state,
	suspended_reason, session_epoch, version, created_at, updated_at, last_login_at`

// UserModel reads and writes accounts.
type UserModel struct {
	DB     *sqlx.DB
	Hasher *Hasher
	stmts  stmtCache // the lookups below run on every signed-in request
}

// NewUser is what registration and createadmin provide.
type NewUser struct {
	Username, Email, Password, Role string
	Unverified                      bool // the email address is yet to be confirmed (open sign-up)
}

const insertUserSQL = `INSERT INTO users (username, email, password_hash, role, email_verified)
VALUES ($1, $2, $3, $4, $5) RETURNING ` + userColumns

// Insert creates an account. A taken username or email is a *DuplicateError
// naming users_username_key or users_email_key.
func (m *UserModel) Insert(ctx context.Context, nu NewUser) (User, error) {
	if nu.Role == "" {
		nu.Role = RoleAuthor
	}
	hash, err := m.Hasher.Hash(ctx, nu.Password)
	if err != nil {
		return User{}, fmt.Errorf("models: hash password: %w", err)
	}
	var u User
	err = m.DB.GetContext(ctx, &u, insertUserSQL, nu.Username, nu.Email, hash, nu.Role, !nu.Unverified)
	if err != nil {
		return User{}, fmt.Errorf("models: insert user: %w", asDuplicate(err))
	}
	return u, nil
}

const getUserSQL = `SELECT ` + userColumns + ` FROM users WHERE id = $1`

// Get returns the account with id.
func (m *UserModel) Get(ctx context.Context, id int64) (User, error) {
	return m.getOne(ctx, getUserSQL, id)
}

const getUserByUsernameSQL = `SELECT ` + userColumns + ` FROM users WHERE lower(username) = lower($1)`

// GetByUsername returns the account with that username, in any case.
func (m *UserModel) GetByUsername(ctx context.Context, username string) (User, error) {
	return m.getOne(ctx, getUserByUsernameSQL, username)
}

const getUserByEmailSQL = `SELECT ` + userColumns + ` FROM users WHERE lower(email) = lower($1)`

// GetByEmail returns the account with that email, in any case.
func (m *UserModel) GetByEmail(ctx context.Context, email string) (User, error) {
	return m.getOne(ctx, getUserByEmailSQL, email)
}

const getUserByLoginSQL = `SELECT ` + userColumns + ` FROM users
WHERE lower(username) = lower($1) OR lower(email) = lower($1) LIMIT 1`

// GetByLogin finds an account by username or email.
func (m *UserModel) GetByLogin(ctx context.Context, login string) (User, error) {
	return m.getOne(ctx, getUserByLoginSQL, strings.TrimSpace(login))
}

func (m *UserModel) getOne(ctx context.Context, query string, arg any) (User, error) {
	if s, ok := arg.(string); ok && !storable(s) {
		return User{}, ErrNotFound
	}
	var u User
	st, err := m.stmts.stmt(ctx, m.DB, query)
	if err == nil {
		err = st.GetContext(ctx, &u, arg)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("models: get user: %w", err)
	}
	return u, nil
}

const recordLoginSQL = `UPDATE users SET last_login_at = now() WHERE id = $1`

// RecordLogin notes a successful sign-in.
func (m *UserModel) RecordLogin(ctx context.Context, id int64) error {
	if _, err := m.DB.ExecContext(ctx, recordLoginSQL, id); err != nil {
		return fmt.Errorf("models: record login: %w", err)
	}
	return nil
}

// Profile is the part of an account its owner edits on the profile page.
type Profile struct {
	Username, Email, DisplayName, Bio string
	Avatar                            string // media key, "" for the default avatar
}

const lockEmailSQL = `SELECT email FROM users WHERE id = $1 FOR UPDATE`

const updateProfileSQL = `UPDATE users
SET username = $2, email = $3, display_name = $4, bio = $5, avatar = $6, version = version + 1, updated_at = now()
WHERE id = $1 RETURNING ` + userColumns

// UpdateProfile saves p. A taken username or email is a *DuplicateError.
// A new email address ends the account's outstanding password reset links
// in the same transaction (they were mailed to the old address), and the
// address it had then, read under the row's lock, is to be told.
func (m *UserModel) UpdateProfile(ctx context.Context, id int64, p Profile) (User, AfterCommit, error) {
	p.DisplayName, p.Bio = CleanDisplayName(p.DisplayName), CleanBio(p.Bio)
	var u User
	var before string
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &before, lockEmailSQL, id); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &u, updateProfileSQL, id, p.Username, p.Email, p.DisplayName, p.Bio, p.Avatar); err != nil {
			return err
		}
		if strings.EqualFold(before, u.Email) {
			return nil
		}
		_, err := tx.ExecContext(ctx, deleteResetsSQL, id)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, AfterCommit{}, ErrNotFound
	}
	if err != nil {
		return User{}, AfterCommit{}, fmt.Errorf("models: update profile: %w", asDuplicate(err))
	}
	var after AfterCommit
	if !strings.EqualFold(before, u.Email) {
		after.Mail = []Mail{{Kind: MailEmailChanged, To: before, Username: u.Username, NewEmail: u.Email}}
	}
	return u, after, nil
}

const setPasswordSQL = `UPDATE users
SET password_hash = $2, session_epoch = session_epoch + 1, version = version + 1, updated_at = now()
WHERE id = $1 RETURNING ` + userColumns

const deleteResetsSQL = `DELETE FROM password_resets WHERE user_id = $1`

// SetPassword stores a new password, ends every other session (the caller
// stores the returned SessionEpoch in its own session) and invalidates any
// password reset tokens; the account's owner is to be told.
func (m *UserModel) SetPassword(ctx context.Context, id int64, password string) (User, AfterCommit, error) {
	return m.setPassword(ctx, password, func(tx *sqlx.Tx) (int64, error) { return id, nil })
}

const redeemResetSQL = `DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > now() RETURNING user_id`

// SetPasswordWithToken redeems a password reset token: the token is used up
// in the same transaction that stores the password, so it works only once.
// An unknown, used or expired token is ErrNotFound.
func (m *UserModel) SetPasswordWithToken(ctx context.Context, token, password string) (User, AfterCommit, error) {
	return m.setPassword(ctx, password, func(tx *sqlx.Tx) (int64, error) {
		var id int64
		err := tx.GetContext(ctx, &id, redeemResetSQL, hashToken(token))
		return id, err
	})
}

func (m *UserModel) setPassword(ctx context.Context, password string, who func(*sqlx.Tx) (int64, error)) (User, AfterCommit, error) {
	hash, err := m.Hasher.Hash(ctx, password)
	if err != nil {
		return User{}, AfterCommit{}, fmt.Errorf("models: hash password: %w", err)
	}
	var u User
	err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		id, err := who(tx)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &u, setPasswordSQL, id, hash); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, deleteResetsSQL, id)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, AfterCommit{}, ErrNotFound
	}
	if err != nil {
		return User{}, AfterCommit{}, fmt.Errorf("models: set password: %w", err)
	}
	return u, AfterCommit{Mail: []Mail{{Kind: MailPasswordChanged, To: u.Email, Username: u.Username}}}, nil
}

const countAdminsSQL = `SELECT count(*) FROM users WHERE role = 'admin' AND state = 'active'`

// CountActiveAdmins is used to tell a fresh install how to create the first admin.
func (m *UserModel) CountActiveAdmins(ctx context.Context) (int, error) {
	var n int
	if err := m.DB.GetContext(ctx, &n, countAdminsSQL); err != nil {
		return 0, fmt.Errorf("models: count admins: %w", err)
	}
	return n, nil
}

// ErrGone is a username given up by an account deleted within the hold
// period: its old address answers that it is gone, not that it never was.
var ErrGone = errors.New("models: account deleted")

const renamedToSQL = `SELECT coalesce(u.username, '') FROM username_holds h LEFT JOIN users u ON u.id = h.user_id
WHERE h.username = lower($1) AND h.held_until > now()`

// RenamedTo returns the username now of the account that gave up username
// within the hold period (sql/00008: renames and deletions hold the name
// for 90 days), ErrGone when that account was deleted, and ErrNotFound
// when the name is not held.
func (m *UserModel) RenamedTo(ctx context.Context, username string) (string, error) {
	if !storable(username) {
		return "", ErrNotFound
	}
	var now string
	err := m.DB.GetContext(ctx, &now, renamedToSQL, username)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", ErrNotFound
	case err != nil:
		return "", fmt.Errorf("models: renamed to: %w", err)
	case now == "":
		return "", ErrGone
	}
	return now, nil
}
