package models

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/admintable"
)

// RedirectPage is where the redirects table's addresses lead: its
// arguments are a kind (post, page, tag, path: escaped, url, or old: an
// old address, decoded) and the slug, tag or address.
const RedirectPage admintable.Page = "redirect"

// redirectKind is what a redirect leads to: post, page, tag, path or url.
const redirectKind = `CASE WHEN r.post_id IS NOT NULL THEN p.kind WHEN r.tag IS NOT NULL THEN 'tag'
	WHEN r.target_path IS NOT NULL THEN 'path' ELSE 'url' END`

// redirectTo says where a redirect leads: the post's title (and why
// readers would not get there), "tag x", or the address.
const redirectTo = `CASE WHEN r.post_id IS NOT NULL THEN p.title || CASE WHEN ` + publicPost + ` THEN ''
	WHEN p.deleted_at IS NOT NULL THEN ' (in the trash: readers get “not found”)'
	ELSE ' (not public: readers get “not found”)' END
	WHEN r.tag IS NOT NULL THEN 'tag ' || r.tag ELSE coalesce(r.target_path, r.target_url) END`

const redirectOrigin = `CASE r.origin WHEN 'wordpress' THEN 'WordPress import' WHEN 'ghost' THEN 'Ghost import'
	WHEN 'markdown' THEN 'Markdown import' WHEN 'admin' THEN 'Added by an admin' ELSE 'An import' END`

var deleteRedirect = admintable.Action{Key: "delete", Label: "Delete", Done: "Deleted", Confirm: true, Danger: true,
	Help: "Readers following these old addresses get “not found” again. Browsers that followed one before may remember it."}

// RedirectsTable is /admin/redirects: the old addresses that answer 301,
// for admins.
var RedirectsTable = admintable.Must(&admintable.Table{
	Name: "redirects", Title: "Redirects", Noun: "redirect", Plural: "redirects",
	From: "redirects r LEFT JOIN posts p ON p.id = r.post_id",
	ID:   "r.id", Version: "r.version",
	Columns: []admintable.Column{
		{Key: "from", Label: "Old address", Expr: "r.path", Link: &admintable.Ref{Page: RedirectPage, Args: []string{"'old'", "r.path"}},
			Sortable: true, Searchable: true, Render: admintable.Link},
		{Key: "to", Label: "Leads to", Expr: redirectTo,
			Link:     &admintable.Ref{Page: RedirectPage, Args: []string{redirectKind, "coalesce(p.slug, r.tag, r.target_path, r.target_url)"}},
			Sortable: true, Searchable: true, Render: admintable.Link,
			Editable: &admintable.Editable{Type: "text", MaxLen: MaxRedirectLen}},
		{Key: "origin", Label: "Came from", Expr: redirectOrigin, Sortable: true, Render: admintable.Text},
		{Key: "created", Label: "Created", Expr: "r.created_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "to", Label: "Leads to", Expr: redirectKind, Choices: []admintable.Choice{
			{Value: "post", Label: "A post"}, {Value: "page", Label: "A page"}, {Value: "tag", Label: "A tag"},
			{Value: "path", Label: "Another address here"}, {Value: "url", Label: "Another site"}}},
		{Key: "origin", Label: "Came from", Expr: "r.origin", Choices: []admintable.Choice{
			{Value: "wordpress", Label: "WordPress import"}, {Value: "ghost", Label: "Ghost import"},
			{Value: "markdown", Label: "Markdown import"}, {Value: "import", Label: "Another import"},
			{Value: "admin", Label: "Added by an admin"}}},
	},
	DefaultSort: "-created",
	PageSizes:   []int{50, 100, 200},
	RowActions:  []admintable.Action{deleteRedirect},
	BulkActions: []admintable.Action{deleteRedirect},
	History:     true,
})

// RedirectError is a redirect the rules refuse: Field is the form field it
// is about ("from" or "to"), Msg what to tell the admin.
type RedirectError struct{ Field, Msg string }

func (e *RedirectError) Error() string        { return e.Msg }
func (e *RedirectError) Is(target error) bool { return target == ErrRefused }

// redirectRow is a redirect as the admin's actions read and audit it.
type redirectRow struct {
	ID      int64  `db:"id"`
	Path    string `db:"path"`
	Version int    `db:"version"`
	Redirect
}

// audited is where the row leads, as the audit log says it.
func (r Redirect) audited() string {
	switch {
	case r.PostID.Valid:
		return "post " + strconv.FormatInt(r.PostID.Int64, 10)
	case r.Tag.Valid:
		return "tag " + r.Tag.String
	case r.TargetPath.Valid:
		return r.TargetPath.String
	}
	return r.TargetURL.String
}

const (
	redirectTakenSQL = `SELECT path FROM redirects WHERE path = ANY($1) ORDER BY array_position($1, path) LIMIT 1`
	// A public page at the address, by its slug or one it had (which
	// answers with a 301 to it).
	publicPageAtSQL = `SELECT p.title FROM posts p WHERE ` + publicPage + `
	AND (p.slug = $1 OR p.id IN (SELECT post_id FROM post_slugs WHERE slug = $1)) LIMIT 1`
	insertAdminRedirectSQL = `INSERT INTO redirects (path, post_id, tag, target_path, target_url, origin)
VALUES ($1, $2, $3, $4, $5, 'admin') RETURNING id`
)

// AddRedirect makes from (as OldPath reads it) lead to to, audited. It is
// refused (*RedirectError) when from is taken, in either slash form, or is
// a page readers reach today, and when to leads nowhere.
func (m *AdminModel) AddRedirect(ctx context.Context, actor Actor, from string, to RedirectTarget) (int64, error) {
	from, problem := OldPath(from)
	if problem != "" {
		return 0, &RedirectError{Field: "from", Msg: problem}
	}
	var id int64
	err := m.adminTx(ctx, "add redirect", func(tx *sqlx.Tx) error {
		var taken string
		err := tx.GetContext(ctx, &taken, redirectTakenSQL, pq.StringArray(slashForms(from)))
		if err == nil {
			return &RedirectError{Field: "from", Msg: "The old address " + taken + " already has a redirect: change where that one leads instead."}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if slug := strings.Trim(from, "/"); slug != "" && !strings.ContainsAny(slug, "/?") {
			var title string
			err := tx.GetContext(ctx, &title, publicPageAtSQL, slug)
			if err == nil {
				return &RedirectError{Field: "from", Msg: "Readers reach this address today: it is the page “" + title +
					"”. A redirect there would never be used."}
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		target, err := resolveRedirect(ctx, tx, to)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, insertAdminRedirectSQL, from, target.PostID, target.Tag, target.TargetPath, target.TargetURL); err != nil {
			if errors.Is(asDuplicate(err), ErrDuplicate) {
				return &RedirectError{Field: "from", Msg: "The old address " + from + " already has a redirect: change where that one leads instead."}
			}
			return err
		}
		return Audit(ctx, tx, actor, AuditEntry{Model: RedirectsTable.Name, ObjectID: id, Action: "create",
			After: map[string]any{"path": from, "to": target.audited()}})
	})
	return id, err
}

const (
	lockRedirectSQL = `SELECT id, path, version, post_id, tag, target_path, target_url FROM redirects WHERE id = $1 FOR UPDATE`
	setRedirectSQL  = `UPDATE redirects SET post_id = $2, tag = $3, target_path = $4, target_url = $5, version = version + 1
WHERE id = $1`
)

// SetRedirectTarget makes redirect id lead to to, over version (ErrConflict
// when it changed meanwhile), audited; a target that leads nowhere is a
// *RefusedError.
func (m *AdminModel) SetRedirectTarget(ctx context.Context, actor Actor, id int64, version int, to RedirectTarget) error {
	return m.adminTx(ctx, "edit redirect", func(tx *sqlx.Tx) error {
		var r redirectRow
		err := tx.GetContext(ctx, &r, lockRedirectSQL, id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case r.Version != version:
			return ErrConflict
		}
		target, err := resolveRedirect(ctx, tx, to)
		var re *RedirectError
		if errors.As(err, &re) {
			return &RefusedError{Msg: re.Msg}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, setRedirectSQL, id, target.PostID, target.Tag, target.TargetPath, target.TargetURL); err != nil {
			return err
		}
		return Audit(ctx, tx, actor, AuditEntry{Model: RedirectsTable.Name, ObjectID: id, Action: "edit", Note: r.Path,
			Before: map[string]any{"to": r.audited()}, After: map[string]any{"to": target.audited()}})
	})
}

const deleteRedirectsSQL = `DELETE FROM redirects WHERE id = ANY($1) RETURNING id, path, version, post_id, tag, target_path, target_url`

// DeleteRedirects removes redirects, each audited with where it led.
func (m *AdminModel) DeleteRedirects(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	changed := 0
	err := m.adminTx(ctx, "delete redirects", func(tx *sqlx.Tx) error {
		var rows []redirectRow
		if err := tx.SelectContext(ctx, &rows, deleteRedirectsSQL, pq.Array(ids)); err != nil {
			return err
		}
		entries := make([]AuditEntry, len(rows))
		for i, r := range rows {
			entries[i] = AuditEntry{Model: RedirectsTable.Name, ObjectID: r.ID, Action: "delete",
				Before: map[string]any{"path": r.Path, "to": r.audited()}}
		}
		changed = len(rows)
		return Audit(ctx, tx, actor, entries...)
	})
	return result(ids, changed), err
}

// A post by its address's slug, or one it had; pages only for a page's.
const (
	postAtSlugSQL = `SELECT p.id` + bySlug + ` UNION ALL SELECT p.id` + byOldSlug + ` LIMIT 1`
	pageAtSlugSQL = `SELECT id FROM (SELECT p.id, p.kind` + bySlug + ` UNION ALL SELECT p.id, p.kind` + byOldSlug + `) t
WHERE kind = 'page' LIMIT 1`
)

// resolveRedirect is to as the redirects table stores it: a post's or
// page's address becomes the post; a tag its stored form; addresses are
// checked again here, whoever read them. A target that leads nowhere is a
// *RedirectError about the field "to".
func resolveRedirect(ctx context.Context, tx *sqlx.Tx, to RedirectTarget) (Redirect, error) {
	var r Redirect
	nowhere := func(msg string) (Redirect, error) { return Redirect{}, &RedirectError{Field: "to", Msg: msg} }
	switch {
	case to.PostSlug != "" || to.PageSlug != "":
		query, slug, what := postAtSlugSQL, to.PostSlug, "post"
		if to.PageSlug != "" {
			query, slug, what = pageAtSlugSQL, to.PageSlug, "page"
		}
		if !storable(slug) {
			return nowhere("No " + what + " is at that address.")
		}
		err := tx.GetContext(ctx, &r.PostID, query, slug)
		if errors.Is(err, sql.ErrNoRows) {
			return nowhere("No " + what + " is at that address (a deleted one is not).")
		}
		return r, err
	case to.Tag != "":
		tag, ok := ParseTag(to.Tag)
		if !ok {
			return nowhere("That is not a tag this site could have.")
		}
		r.Tag = sql.NullString{String: tag, Valid: true}
	case to.Path != "":
		if !localAddress(to.Path) {
			return nowhere("Give an address on this site starting with one slash, without spaces or backslashes.")
		}
		r.TargetPath = sql.NullString{String: to.Path, Valid: true}
	case to.URL != "":
		u, err := url.Parse(to.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || !plainAddress(to.URL) {
			return nowhere("An address on another site must be a full address starting with https://.")
		}
		r.TargetURL = sql.NullString{String: to.URL, Valid: true}
	default:
		return nowhere("Say where it leads.")
	}
	return r, nil
}

// localAddress reports whether p can only be read as a path on this site:
// one leading slash (two would name another host, as would a backslash in
// some browsers), printable, within the length.
func localAddress(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.Contains(p, `\`) && plainAddress(p)
}

func plainAddress(s string) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= MaxRedirectLen &&
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) < 0
}
