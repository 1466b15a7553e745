package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// MaxRedirectLen bounds an old address and where it leads, in characters
// (the redirects table checks it too).
const MaxRedirectLen = 2000

// RedirectModel answers old addresses (sql/00017, 00022, 00026): imported
// sites' and those admins add in /admin/redirects.
type RedirectModel struct{ DB *sqlx.DB }

// Redirect is where an old address leads: exactly one of a post, a tag
// page, another address on this site or an https address elsewhere.
type Redirect struct {
	PostID     sql.NullInt64  `db:"post_id"`
	Tag        sql.NullString `db:"tag"`
	TargetPath sql.NullString `db:"target_path"`
	TargetURL  sql.NullString `db:"target_url"`
}

// The exact path first, then the other form of its trailing slash.
const findRedirectSQL = `SELECT post_id, tag, target_path, target_url FROM redirects
WHERE path = ANY($1) ORDER BY array_position($1, path) LIMIT 1`

// Find gives where an old path (with its ?p= or ?page_id= query, if any)
// leads; ErrNotFound when nowhere. A path with or without a trailing slash
// finds the other form too, as old sites answered both. Whether readers
// may see a post is the caller's to check.
func (m *RedirectModel) Find(ctx context.Context, path string) (to Redirect, err error) {
	if !utf8.ValidString(path) || strings.ContainsRune(path, 0) || len(path) > 4*MaxRedirectLen {
		return to, ErrNotFound // no stored address is text PostgreSQL refuses
	}
	err = m.DB.GetContext(ctx, &to, findRedirectSQL, pq.StringArray(slashForms(path)))
	if errors.Is(err, sql.ErrNoRows) {
		return to, ErrNotFound
	}
	if err != nil {
		return to, fmt.Errorf("models: find redirect: %w", err)
	}
	return to, nil
}

// slashForms are path and, unless it is the home page or has a query, the
// same path with its trailing slash added or taken away.
func slashForms(path string) []string {
	switch {
	case path == "/" || strings.Contains(path, "?"):
		return []string{path}
	case strings.HasSuffix(path, "/"):
		return []string{path, strings.TrimSuffix(path, "/")}
	}
	return []string{path, path + "/"}
}

var wordpressQuery = regexp.MustCompile(`^(p|page_id)=[1-9][0-9]{0,18}$`)

// OldPath reads an old address as an admin typed it (a path, or a full
// address on the old site) into the form lookups compare: decoded, as a
// request's path reads, without its #part. problem says, in a sentence,
// why it cannot be one. Whether it is one of Quire's own addresses is the
// router's to say (handlers).
func OldPath(raw string) (path, problem string) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return "", "Give the old address, such as /2019/05/my-post/."
	case utf8.RuneCountInString(raw) > MaxRedirectLen:
		return "", fmt.Sprintf("Use at most %d characters.", MaxRedirectLen)
	case !utf8.ValidString(raw) || strings.IndexFunc(raw, unicode.IsControl) >= 0:
		return "", "Use an address without control characters."
	case strings.HasPrefix(raw, "//"):
		return "", "Start the old address with one slash, as in /2019/05/my-post/."
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" || u.Scheme == "" && u.Host != "" {
		return "", "Give a path such as /2019/05/my-post/, or the full address it had on the old site."
	}
	path = u.Path
	if !strings.HasPrefix(path, "/") {
		return "", "Start the old address with a slash, as in /2019/05/my-post/."
	}
	if !utf8.ValidString(path) || strings.IndexFunc(path, unicode.IsControl) >= 0 || strings.Contains(path, "//") {
		return "", "Use an address without control characters or empty parts (//)."
	}
	for _, s := range strings.Split(path, "/") {
		if s == "." || s == ".." {
			return "", "Browsers never send an address with /./ or /../ in it: give it as they show it."
		}
	}
	switch {
	case u.RawQuery != "" && (path != "/" || !wordpressQuery.MatchString(u.RawQuery)):
		return "", "Old addresses are matched by their path alone; only /?p=ID and /?page_id=ID keep their query."
	case u.RawQuery != "":
		path += "?" + u.RawQuery
	case path == "/":
		return "", "The home page is this site's own; give the old address of a post or page."
	}
	if utf8.RuneCountInString(path) > MaxRedirectLen {
		return "", fmt.Sprintf("Use at most %d characters.", MaxRedirectLen)
	}
	return path, ""
}

// RedirectTarget is where an admin asks an old address to lead, as the
// router read it; exactly one field is set. A post's or page's address is
// stored as the post, so it follows the post when its slug changes.
type RedirectTarget struct {
	PostSlug string // /posts/{slug}
	PageSlug string // /{slug}
	Tag      string // /tags/{tag}, as the address spells it
	Path     string // any other address here: a path and query, escaped
	URL      string // an https address on another site
}

// RedirectAddress reads where a redirect leads, as typed: an address on
// this site (a path, or a full address on site's host) comes back as
// local, its path decoded and its query, for the router to read; an https
// address elsewhere as offsite. problem says why it can be neither.
func RedirectAddress(raw string, site *url.URL) (local *url.URL, offsite, problem string) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return nil, "", "Say where it leads: an address on this site, starting with /, or one on another site, starting with https://."
	case utf8.RuneCountInString(raw) > MaxRedirectLen:
		return nil, "", fmt.Sprintf("Use at most %d characters.", MaxRedirectLen)
	case !utf8.ValidString(raw) || strings.IndexFunc(raw, unicode.IsControl) >= 0 || strings.ContainsAny(raw, " \\"):
		return nil, "", "Use an address without spaces, backslashes or control characters."
	case strings.HasPrefix(raw, "//"):
		return nil, "", "Start an address on this site with one slash, or give a full address starting with https://."
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "", "That is not an address: give one on this site, starting with /, or one starting with https://."
	}
	if u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/") {
		return localTarget(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, "", "Give an address on this site starting with /, or a full address starting with https://."
	}
	if site != nil && strings.EqualFold(u.Host, site.Host) {
		if u.Path == "" {
			u.Path = "/"
		}
		return localTarget(u)
	}
	if u.Scheme != "https" {
		return nil, "", "An address on another site must start with https://, so readers are not sent over an unencrypted link."
	}
	return nil, u.String(), ""
}

// localTarget is u as an address on this site: no #part, and no empty or
// dot parts that browsers would rewrite.
func localTarget(u *url.URL) (*url.URL, string, string) {
	if u.Fragment != "" || strings.HasSuffix(u.String(), "#") {
		return nil, "", "Leave out the #part: a redirect leads to the address itself."
	}
	if strings.Contains(u.Path, "//") || strings.IndexFunc(u.Path, unicode.IsControl) >= 0 {
		return nil, "", "Use an address without empty parts (//) or control characters."
	}
	for _, s := range strings.Split(u.Path, "/") {
		if s == "." || s == ".." {
			return nil, "", "Give the address without /./ or /../ in it."
		}
	}
	return &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}, "", ""
}
