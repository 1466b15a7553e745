package importer

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

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

// A path already taken (two items with one old address, or one an admin
// added) keeps what it had. One statement for all of an item's paths: a
// round trip each would be most of a large import's time. Where it came
// from (sql/00026 origin) is the format of the import that recorded the
// post, written before its redirects by every import.
const insertRedirectsSQL = `INSERT INTO redirects (path, post_id, origin)
SELECT unnest($1::text[]), $2, coalesce((SELECT split_part(source, ' ', 1) FROM import_sources
	WHERE kind = 'post' AND post_id = $2 LIMIT 1), 'import')
ON CONFLICT (path) DO NOTHING`

func addRedirects(ctx context.Context, tx *sqlx.Tx, paths []string, postID int64) error {
	if _, err := tx.ExecContext(ctx, insertRedirectsSQL, pq.StringArray(paths), postID); err != nil {
		return fmt.Errorf("old addresses: %w", err)
	}
	return nil
}

// An old tag or category address leads to the tag page; a path taken
// before (by a post or another term) keeps what it had.
const insertTagRedirectsSQL = `INSERT INTO redirects (path, tag, origin)
SELECT path, tag, split_part($3, ' ', 1) FROM unnest($1::text[], $2::text[]) AS t (path, tag) ON CONFLICT (path) DO NOTHING`

// addTagRedirects records old term addresses (paths[i] leads to tags[i]),
// all in one statement.
func (r *run) addTagRedirects(ctx context.Context, paths, tags []string) error {
	if len(paths) == 0 {
		return nil
	}
	return r.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, insertTagRedirectsSQL, pq.StringArray(paths), pq.StringArray(tags), r.source); err != nil {
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
