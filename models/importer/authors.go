package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"quire/models"
)

// person is an author as the source describes them.
type person struct {
	key      string // the source's id for them
	login    string // the source's user name, made a Quire username when it can be
	email    string
	name     string // shown name
	fallback string // the username when login cannot be one: "wp_7"
}

const findUserSourceSQL = `SELECT user_id FROM import_sources WHERE source = $1 AND kind = 'user' AND source_id = $2`

const findUserByEmailSQL = `SELECT id FROM users WHERE lower(email) = lower($1)`

// usernameTakenSQL counts a name as taken when an account has it or it is
// held after a rename or deletion (sql/00008).
const usernameTakenSQL = `SELECT EXISTS (SELECT 1 FROM users WHERE lower(username) = $1)
	OR EXISTS (SELECT 1 FROM username_holds WHERE username = $1 AND held_until > now())`

// insertImportedUserSQL creates an account with no password (an empty
// hash matches none): the person sets one with "Forgot your password?"
// at the imported address. Imported accounts are authors and count as
// verified, as accounts an administrator makes do.
const insertImportedUserSQL = `INSERT INTO users (username, email, password_hash, display_name, role, email_verified)
VALUES ($1, $2, '', $3, $4, true) RETURNING id`

const insertUserSourceSQL = `INSERT INTO import_sources (source, kind, source_id, user_id) VALUES ($1, 'user', $2, $3)`

// author finds the Quire account for an item's author: the one an earlier
// item or import made or matched, else the account with the author's
// email, else a new one. It runs in a transaction of its own, so the
// account stays even when the item then fails.
func (r *run) author(ctx context.Context, tx *sqlx.Tx, a person) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, findUserSourceSQL, r.source, a.key)
	switch {
	case errors.Is(err, sql.ErrNoRows) && r.match != nil:
		id, err = r.match(ctx, tx, a)
	case errors.Is(err, sql.ErrNoRows):
		id, err = r.matchOrCreate(ctx, tx, a)
	}
	if err != nil {
		return 0, fmt.Errorf("author %q: %w", a.login, err)
	}
	return id, nil
}

func (r *run) matchOrCreate(ctx context.Context, tx *sqlx.Tx, a person) (int64, error) {
	email, problem := models.NormalizeEmail(a.email)
	if problem != "" {
		return 0, fmt.Errorf("the email address %q is not valid", a.email)
	}
	var id int64
	err := tx.GetContext(ctx, &id, findUserByEmailSQL, email)
	switch {
	case err == nil:
		// Matched by email: an existing account, not one this import made.
	case errors.Is(err, sql.ErrNoRows):
		name, err := freeUsername(ctx, tx, a)
		if err != nil {
			return 0, err
		}
		display := models.CleanDisplayName(a.name)
		if models.CheckStaffName(display, models.RoleAuthor) != "" || display == name {
			display = ""
		}
		if err := tx.GetContext(ctx, &id, insertImportedUserSQL, name, email, display, models.RoleAuthor); err != nil {
			return 0, err
		}
		r.sum.Users.Created++
	default:
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, insertUserSourceSQL, r.source, a.key, id); err != nil {
		return 0, err
	}
	return id, nil
}

// freeUsername makes a Quire username from the source's login (hyphens
// and dots become underscores), falling back to a.fallback when the login
// cannot be one or reads as staff ("admin"), numbered when taken.
func freeUsername(ctx context.Context, tx *sqlx.Tx, a person) (string, error) {
	base := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			return r
		case r == '-' || r == '.' || r == ' ':
			return '_'
		}
		return -1
	}, models.NormalizeUsername(a.login))
	if len(base) > 26 {
		base = base[:26]
	}
	if models.CheckUsername(base) != "" || models.CheckStaffName(base, models.RoleAuthor) != "" {
		base = a.fallback
	}
	name := base
	for n := 2; ; n++ {
		var taken bool
		if err := tx.GetContext(ctx, &taken, usernameTakenSQL, name); err != nil {
			return "", err
		}
		if !taken {
			return name, nil
		}
		name = base + "_" + strconv.Itoa(n)
	}
}
