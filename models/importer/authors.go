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
func (w *wordpress) author(ctx context.Context, tx *sqlx.Tx, it *Item) (int64, error) {
	a, ok := w.authors[it.Creator]
	if !ok {
		return 0, ErrNoAuthor
	}
	key := strconv.FormatInt(a.ID, 10)
	var id int64
	err := tx.GetContext(ctx, &id, findUserSourceSQL, w.source, key)
	if errors.Is(err, sql.ErrNoRows) {
		id, err = w.matchOrCreate(ctx, tx, a, key)
	}
	if err != nil {
		return 0, fmt.Errorf("importer: author %q: %w", a.Login, err)
	}
	return id, nil
}

func (w *wordpress) matchOrCreate(ctx context.Context, tx *sqlx.Tx, a *Author, key string) (int64, error) {
	email, problem := models.NormalizeEmail(a.Email)
	if problem != "" {
		return 0, fmt.Errorf("the email address %q is not valid", a.Email)
	}
	var id int64
	err := tx.GetContext(ctx, &id, findUserByEmailSQL, email)
	switch {
	case err == nil:
		// Matched by email: an existing account, not one this import made.
	case errors.Is(err, sql.ErrNoRows):
		name, err := freeUsername(ctx, tx, a.Login, "wp_"+strconv.FormatInt(a.ID, 10))
		if err != nil {
			return 0, err
		}
		display := models.CleanDisplayName(a.DisplayName)
		if models.CheckStaffName(display, models.RoleAuthor) != "" || display == name {
			display = ""
		}
		if err := tx.GetContext(ctx, &id, insertImportedUserSQL, name, email, display, models.RoleAuthor); err != nil {
			return 0, err
		}
		w.sum.Users.Created++
	default:
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, insertUserSourceSQL, w.source, key, id); err != nil {
		return 0, err
	}
	return id, nil
}

// freeUsername makes a Quire username from the source's login (hyphens
// and dots become underscores), falling back to fallback (wp_<id>) when the
// login cannot be one or reads as staff ("admin"), numbered when taken.
func freeUsername(ctx context.Context, tx *sqlx.Tx, login, fallback string) (string, error) {
	base := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			return r
		case r == '-' || r == '.' || r == ' ':
			return '_'
		}
		return -1
	}, models.NormalizeUsername(login))
	if len(base) > 26 {
		base = base[:26]
	}
	if models.CheckUsername(base) != "" || models.CheckStaffName(base, models.RoleAuthor) != "" {
		base = fallback
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
