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

func addRedirects(ctx context.Context, tx *sqlx.Tx, paths []string, postID int64) error {
	if _, err := tx.ExecContext(ctx, insertRedirectsSQL, pq.StringArray(paths), postID); err != nil {
		return fmt.Errorf("old addresses: %w", err)
	}
	return nil
}

// An old tag or category address leads to the tag page; a path taken
// before (by a post or another term) keeps what it had.
const insertTagRedirectsSQL = `INSERT INTO redirects (path, tag)
SELECT path, tag FROM unnest($1::text[], $2::text[]) AS t (path, tag) ON CONFLICT (path) DO NOTHING`

// addTagRedirects records old term addresses (paths[i] leads to tags[i]),
// all in one statement.
func (r *run) addTagRedirects(ctx context.Context, paths, tags []string) error {
	if len(paths) == 0 {
		return nil
	}
	return r.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, insertTagRedirectsSQL, pq.StringArray(paths), pq.StringArray(tags)); err != nil {
			return fmt.Errorf("importer: old tag addresses: %w", err)
		}
		return nil
	})
}

// termTag is the Quire tag a source's term becomes: its name when that
// can be a tag, else its (decoded) slug.
func termTag(name, slug string) (string, bool) {
	if tag, ok := models.ParseTag(name); ok {
		return tag, true
	}
	slug, _ = url.PathUnescape(slug)
	return models.ParseTag(slug)
}

// Redirects answers old addresses.
type Redirects struct{ DB *sqlx.DB }

// Target is where an old address leads: a post or a tag page.
type Target struct {
	PostID sql.NullInt64  `db:"post_id"`
	Tag    sql.NullString `db:"tag"`
}

const findRedirectSQL = `SELECT post_id, tag FROM redirects WHERE path = ANY($1) ORDER BY length(path) DESC LIMIT 1`

// Find gives where an old path (with its ?p= or ?page_id= query, if any)
// leads; models.ErrNotFound when nowhere. A path without the old sites'
// trailing slash finds the one with it. Whether readers may see a post is
// the caller's to check.
func (r *Redirects) Find(ctx context.Context, path string) (to Target, err error) {
	if !utf8.ValidString(path) || strings.ContainsRune(path, 0) {
		return to, models.ErrNotFound // no stored address is text PostgreSQL refuses
	}
	paths := []string{path}
	if !strings.HasSuffix(path, "/") && !strings.Contains(path, "?") {
		paths = append(paths, path+"/")
	}
	err = r.DB.GetContext(ctx, &to, findRedirectSQL, pq.StringArray(paths))
	if errors.Is(err, sql.ErrNoRows) {
		return to, models.ErrNotFound
	}
	if err != nil {
		return to, fmt.Errorf("importer: find redirect: %w", err)
	}
	return to, nil
}

// termRedirects records WordPress's category and tag addresses,
// /category/parent/child/ and /tag/slug/, once the file's terms are known.
func (w *wordpress) termRedirects(ctx context.Context) error {
	var paths, tags []string
	for _, t := range w.terms {
		if t.Taxonomy != "category" && t.Taxonomy != "post_tag" || t.Taxonomy == "category" && t.Slug == "uncategorized" {
			continue
		}
		tag, ok := termTag(t.Name, t.Slug)
		if !ok {
			continue
		}
		path := "/tag/" + decoded(t.Slug) + "/"
		if t.Taxonomy == "category" {
			path = "/category/" + w.categoryPath(t) + "/"
		}
		paths, tags = append(paths, path), append(tags, tag)
	}
	return w.addTagRedirects(ctx, paths, tags)
}

// categoryPath is a category's slug after its parents' (WordPress's
// nested category address), decoded; a loop in the parents stops it.
func (w *wordpress) categoryPath(t *Term) string {
	segs := []string{decoded(t.Slug)}
	for seen := map[string]bool{t.Slug: true}; t.Parent != "" && !seen[t.Parent]; {
		seen[t.Parent] = true
		p, ok := w.terms[[2]string{"category", t.Parent}]
		if !ok {
			break
		}
		segs = append([]string{decoded(p.Slug)}, segs...)
		t = p
	}
	return strings.Join(segs, "/")
}

// decoded is a percent-encoded slug as a request's path reads it.
func decoded(slug string) string {
	if s, err := url.PathUnescape(slug); err == nil {
		return s
	}
	return slug
}
