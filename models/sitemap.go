package models

import (
	"context"
	"fmt"
	"time"
)

// The sitemap in files of at most a given number of URLs (the protocol's
// MaxSitemapURLs): public posts, oldest first so a new post lands in the
// last file and the others stay as they were, and the pages readers can
// see of authors with public posts and of tags. A file is read from its
// first key onward (keyset, never OFFSET), so its cost does not grow with
// its number; the keys come from one scan (SitemapBounds), which callers
// keep under the sitemap's stamp.

// Sitemap sections, each its own run of files.
const (
	SitemapPosts   = "posts"
	SitemapAuthors = "authors"
	SitemapTags    = "tags"
)

// SitemapKey is where a sitemap file starts: (At, ID) for posts, Name for
// authors and tags.
type SitemapKey struct {
	At   time.Time `db:"at" json:"at"`
	ID   int64     `db:"id" json:"id"`
	Name string    `db:"name" json:"name"`
}

// SitemapURL is one address of a section: a post's slug, a username or a
// tag, and when what it shows last changed.
type SitemapURL struct {
	Name string    `db:"name"`
	At   time.Time `db:"at"`
}

// The authors and tags readers see are the lists with public posts
// (post_list_stats, kept by triggers); a suspended author's posts are not
// public, so neither is their page here.
const (
	sitemapPostsFrom   = `FROM posts p WHERE ` + listedPost + ` AND ` + inSitemap
	sitemapAuthorsFrom = `FROM post_list_stats l JOIN users u ON u.id = l.author_id
WHERE l.tag = '' AND l.posts > 0 AND u.state = 'active'`
	sitemapTagsFrom = `FROM post_list_stats l WHERE l.author_id = 0 AND l.tag <> '' AND l.posts > 0`
)

// Every per-th row's key, from the first, and how many rows there are.
var sitemapBoundsSQL = map[string]string{
	SitemapPosts: `SELECT at, id, '' AS name, total FROM (SELECT p.published_at AS at, p.id,
	row_number() OVER (ORDER BY p.published_at, p.id) AS n, count(*) OVER () AS total ` + sitemapPostsFrom + `) s
WHERE n % $1 = 1 ORDER BY at, id`,
	SitemapAuthors: `SELECT now() AS at, 0::bigint AS id, name, total FROM (SELECT u.username AS name,
	row_number() OVER (ORDER BY u.username) AS n, count(*) OVER () AS total ` + sitemapAuthorsFrom + `) s
WHERE n % $1 = 1 ORDER BY name`,
	SitemapTags: `SELECT now() AS at, 0::bigint AS id, name, total FROM (SELECT l.tag AS name,
	row_number() OVER (ORDER BY l.tag) AS n, count(*) OVER () AS total ` + sitemapTagsFrom + `) s
WHERE n % $1 = 1 ORDER BY name`,
}

// A file: per rows from its key.
var sitemapFileSQL = map[string]string{
	SitemapPosts: `SELECT p.slug AS name, p.updated_at AS at ` + sitemapPostsFrom + `
	AND (p.published_at, p.id) >= ($1, $2) ORDER BY p.published_at, p.id LIMIT $3`,
	SitemapAuthors: `SELECT u.username AS name, l.changed_at AS at ` + sitemapAuthorsFrom + `
	AND u.username >= $1 ORDER BY u.username LIMIT $2`,
	SitemapTags: `SELECT l.tag AS name, l.changed_at AS at ` + sitemapTagsFrom + `
	AND l.tag >= $1 ORDER BY l.tag LIMIT $2`,
}

// SitemapBounds returns the first key of each file of per URLs in section,
// and how many URLs the section has.
func (m *PostModel) SitemapBounds(ctx context.Context, section string, per int) ([]SitemapKey, int, error) {
	var rows []struct {
		SitemapKey
		Total int `db:"total"`
	}
	if err := m.DB.SelectContext(ctx, &rows, sitemapBoundsSQL[section], per); err != nil {
		return nil, 0, fmt.Errorf("models: sitemap %s bounds: %w", section, err)
	}
	keys := make([]SitemapKey, len(rows))
	total := 0
	for i, r := range rows {
		keys[i], total = r.SitemapKey, r.Total
	}
	return keys, total, nil
}

// SitemapFile returns up to per URLs of section from key on.
func (m *PostModel) SitemapFile(ctx context.Context, section string, key SitemapKey, per int) ([]SitemapURL, error) {
	args := []any{key.Name, per}
	if section == SitemapPosts {
		args = []any{key.At, key.ID, per}
	}
	out := []SitemapURL{}
	if err := m.DB.SelectContext(ctx, &out, sitemapFileSQL[section], args...); err != nil {
		return nil, fmt.Errorf("models: sitemap %s: %w", section, err)
	}
	return out, nil
}

// SitemapPages returns the public pages, by slug, at most limit.
func (m *PostModel) SitemapPages(ctx context.Context, limit int) ([]Post, error) {
	pages := []Post{}
	if err := m.DB.SelectContext(ctx, &pages, listPagesForSitemapSQL, limit); err != nil {
		return nil, fmt.Errorf("models: sitemap pages: %w", err)
	}
	return pages, nil
}
