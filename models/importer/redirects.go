package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models"
)

// oldPaths are the addresses WordPress answered for an item: its
// permalink as exported, /%postname%/ and /YYYY/MM/DD/%postname%/ (the
// common permalink settings, whichever the site used), and the plain
// /?p=ID (/?page_id=ID for pages), which always works in WordPress.
func oldPaths(it *Item) []string {
	var out []string
	add := func(p string) {
		if p != "" && p != "/" && len(p) <= 2000 {
			out = append(out, p)
		}
	}
	if u, err := url.Parse(it.Link); err == nil && u.RawQuery == "" {
		add(u.Path)
	}
	if name, err := url.PathUnescape(it.Name); err == nil && name != "" && !strings.Contains(name, "/") {
		add("/" + name + "/")
		if it.Type == "post" && len(it.Date) >= 10 {
			add("/" + strings.ReplaceAll(it.Date[:10], "-", "/") + "/" + name + "/")
		}
	}
	id := strconv.FormatInt(it.ID, 10)
	if it.Type == "page" {
		add("/?page_id=" + id)
	} else {
		add("/?p=" + id)
	}
	return out
}

// A path already taken (two items with one old address) keeps its first
// post. One statement for all of an item's paths: a round trip each would
// be most of a large import's time.
const insertRedirectsSQL = `INSERT INTO redirects (path, post_id) SELECT unnest($1::text[]), $2 ON CONFLICT (path) DO NOTHING`

func addRedirects(ctx context.Context, tx *sqlx.Tx, it *Item, postID int64) error {
	if _, err := tx.ExecContext(ctx, insertRedirectsSQL, pq.StringArray(oldPaths(it)), postID); err != nil {
		return fmt.Errorf("importer: item %d: old addresses: %w", it.ID, err)
	}
	return nil
}

// Redirects answers old addresses.
type Redirects struct{ DB *sqlx.DB }

const findRedirectSQL = `SELECT post_id FROM redirects WHERE path = ANY($1) ORDER BY length(path) DESC LIMIT 1`

// Find gives the post an old path (with its ?p= or ?page_id= query, if
// any) leads to; models.ErrNotFound when none. A path without WordPress's
// trailing slash finds the one with it. Whether readers may see the post
// is the caller's to check.
func (r *Redirects) Find(ctx context.Context, path string) (postID int64, err error) {
	if !utf8.ValidString(path) || strings.ContainsRune(path, 0) {
		return 0, models.ErrNotFound // no stored address is text PostgreSQL refuses
	}
	paths := []string{path}
	if !strings.HasSuffix(path, "/") && !strings.Contains(path, "?") {
		paths = append(paths, path+"/")
	}
	err = r.DB.GetContext(ctx, &postID, findRedirectSQL, pq.StringArray(paths))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, models.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("importer: find redirect: %w", err)
	}
	return postID, nil
}
