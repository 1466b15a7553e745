package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Page sizes for every paged list.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	maxPageNumber   = 1_000_000 // keeps Offset far from overflowing
)

// Page asks for one page of a list; Number counts from 1.
type Page struct {
	Number, Size int
	total        *int // the list's size when the caller already knows it
}

// WithTotal says how long the whole list is (ChangeStamp's count, say), so
// listing it skips its own count query.
func (p Page) WithTotal(n int) Page {
	p.total = &n
	return p
}

// Normalize mends a page from a query string: Number at least 1, Size
// DefaultPageSize when unset and at most MaxPageSize.
func (p Page) Normalize() Page {
	p.Number = min(max(p.Number, 1), maxPageNumber)
	switch {
	case p.Size <= 0:
		p.Size = DefaultPageSize
	case p.Size > MaxPageSize:
		p.Size = MaxPageSize
	}
	return p
}

// Offset is how many rows come before the (normalised) page.
func (p Page) Offset() int {
	p = p.Normalize()
	return (p.Number - 1) * p.Size
}

// PostList is one page of posts and the size of the whole list.
type PostList struct {
	Posts []Post
	Total int
	Page  Page // normalised
}

// HasPrev reports whether there is a page before this one.
func (l PostList) HasPrev() bool { return l.Page.Number > 1 }

// HasNext reports whether there is a page after this one.
func (l PostList) HasNext() bool { return l.Page.Number*l.Page.Size < l.Total }

// LastPage is the number of the last page; 1 for an empty list.
func (l PostList) LastPage() int {
	if l.Total == 0 || l.Page.Size <= 0 {
		return 1
	}
	return (l.Total + l.Page.Size - 1) / l.Page.Size
}

// listColumns is postColumns without the body and its HTML, which lists
// never show and which can be 200,000 characters each.
const listColumns = `p.id, p.author_id, coalesce(u.username, '') AS author_username,
	coalesce(nullif(u.display_name, ''), u.username, '') AS author_name,
	p.title, p.slug, p.excerpt, p.summary, p.cover_key, p.cover_alt,
	p.status, p.hidden_reason, p.tags, p.published_at, p.created_at, p.updated_at, p.deleted_at, p.version, p.kind,
	p.comment_count`

// list runs a count and a page query sharing the filter arguments args;
// the page query takes LIMIT and OFFSET as the two parameters after them.
func (m *PostModel) list(ctx context.Context, what string, pg Page, countSQL, pageSQL string, args ...any) (PostList, error) {
	l := PostList{Page: pg.Normalize(), Posts: []Post{}}
	if pg.total != nil {
		l.Total = *pg.total
	} else if err := m.DB.GetContext(ctx, &l.Total, countSQL, args...); err != nil {
		return PostList{}, fmt.Errorf("models: count %s: %w", what, err)
	}
	if l.Page.Offset() >= l.Total {
		return l, nil // past the end: no need to ask
	}
	limit, offset := l.Page.Size, l.Page.Offset()
	if reversed, ok := fromOldest(pageSQL); ok && offset > l.Total/2 {
		// A page past the middle is read from the oldest end, so the
		// rows the index skips are never more than half the list: the
		// last page of a million posts is as cheap as the first.
		limit, offset = min(limit, l.Total-offset), max(0, l.Total-offset-limit)
		pageSQL = reversed
	}
	args = append(args, limit, offset)
	if err := m.DB.SelectContext(ctx, &l.Posts, pageSQL, args...); err != nil {
		return PostList{}, fmt.Errorf("models: list %s: %w", what, err)
	}
	return l, nil
}

// newestFirst is how a list's page query picks its ids.
const newestFirst = "ORDER BY published_at DESC, id DESC LIMIT"

// fromOldest turns a list's page query around: its ids are picked oldest
// first (the same index, read backwards), its rows still come back newest
// first. ok is false for a query not ordered by newestFirst.
func fromOldest(pageSQL string) (string, bool) {
	if strings.Count(pageSQL, newestFirst) != 1 {
		return "", false
	}
	return strings.Replace(pageSQL, newestFirst, "ORDER BY published_at, id LIMIT", 1), true
}

const countPublishedSQL = `SELECT count(*) FROM posts p WHERE ` + listedPost

// Public lists page by OFFSET, and deep pages stay cheap: the page's ids
// come from an index-only scan of a partial index, so the rows skipped are
// never read from the table; only the page's own rows are.
const listPublishedSQL = `SELECT ` + listColumns + ` FROM (
	SELECT id FROM posts p WHERE ` + listedPost + `
	ORDER BY published_at DESC, id DESC LIMIT $1 OFFSET $2
) k JOIN posts p ON p.id = k.id LEFT JOIN users u ON u.id = p.author_id
ORDER BY p.published_at DESC, p.id DESC`

// listPublishedFromOldest is listPublishedSQL for a page past the middle.
var listPublishedFromOldest, _ = fromOldest(listPublishedSQL)

// ListPublished is the home page: public posts, newest first.
func (m *PostModel) ListPublished(ctx context.Context, pg Page) (PostList, error) {
	return m.list(ctx, "published posts", pg, countPublishedSQL, listPublishedSQL)
}

const countByAuthorSQL = `SELECT count(*) FROM posts p
WHERE author_id = $1 AND ` + listedPost

const listByAuthorSQL = `SELECT ` + listColumns + ` FROM (
	SELECT id FROM posts p WHERE author_id = $1 AND ` + listedPost + `
	ORDER BY published_at DESC, id DESC LIMIT $2 OFFSET $3
) k JOIN posts p ON p.id = k.id LEFT JOIN users u ON u.id = p.author_id
ORDER BY p.published_at DESC, p.id DESC`

// ListByAuthor is an author's public page: their public posts, newest first.
func (m *PostModel) ListByAuthor(ctx context.Context, authorID int64, pg Page) (PostList, error) {
	return m.list(ctx, "posts by author", pg, countByAuthorSQL, listByAuthorSQL, authorID)
}

const countByTagSQL = `SELECT count(*) FROM posts p
WHERE tags @> ARRAY[$1]::text[] AND ` + listedPost

const listByTagSQL = `SELECT ` + listColumns + ` FROM (
	SELECT id FROM posts p WHERE tags @> ARRAY[$1]::text[] AND ` + listedPost + `
	ORDER BY published_at DESC, id DESC LIMIT $2 OFFSET $3
) k JOIN posts p ON p.id = k.id LEFT JOIN users u ON u.id = p.author_id
ORDER BY p.published_at DESC, p.id DESC`

// ListByTag is a tag's page: public posts carrying tag, newest first. The
// tag is normalised as ParseTags would, so /tags/Go finds "go".
func (m *PostModel) ListByTag(ctx context.Context, tag string, pg Page) (PostList, error) {
	return m.list(ctx, "posts by tag", pg, countByTagSQL, listByTagSQL, normalizeTag(tag))
}

const countOwnSQL = `SELECT count(*) FROM posts WHERE author_id = $1 AND deleted_at IS NULL`

const listOwnSQL = `SELECT ` + listColumns + `, p.scheduled_at FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.author_id = $1 AND p.deleted_at IS NULL
ORDER BY p.updated_at DESC, p.id DESC LIMIT $2 OFFSET $3`

// ListOwn is an author's dashboard: every post of theirs in any state
// except deleted, most recently changed first.
func (m *PostModel) ListOwn(ctx context.Context, authorID int64, pg Page) (PostList, error) {
	return m.list(ctx, "own posts", pg, countOwnSQL, listOwnSQL, authorID)
}

const listTrashSQL = `SELECT ` + listColumns + ` FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.author_id = $1 AND p.deleted_at > now() - make_interval(days => $2)
ORDER BY p.deleted_at DESC, p.id DESC`

// ListTrash is an author's trash: posts deleted within TrashDays, most
// recently deleted first.
func (m *PostModel) ListTrash(ctx context.Context, authorID int64) ([]Post, error) {
	posts := []Post{}
	if err := m.DB.SelectContext(ctx, &posts, listTrashSQL, authorID, TrashDays); err != nil {
		return nil, fmt.Errorf("models: list trash: %w", err)
	}
	return posts, nil
}

// FeedFilter narrows a feed to one author or one tag; zero values mean all.
type FeedFilter struct {
	AuthorID int64
	Tag      string
}

// Feeds carry at most this many entries.
const maxFeedLen = 100

// The filter is written so that each unused condition folds to true when
// PostgreSQL plans the statement with its parameter values, which lib/pq's
// unnamed statements always are: every variant gets its own index.
const listForFeedSQL = `SELECT ` + listColumns + `, left(p.body_html, $4) AS body_html FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE ` + listedPost + `
	AND ($1::bigint = 0 OR p.author_id = $1) AND ($2 = '' OR p.tags @> ARRAY[$2]::text[])
ORDER BY p.published_at DESC, p.id DESC LIMIT $3`

// FeedEntryHTML is the most of a post's HTML a feed entry carries; a longer
// post is its summary and a link to read on. Twenty entries then always fit
// a feed's memory copy, so a feed costs the same however long its posts are.
const FeedEntryHTML = 32 << 10

// ListForFeed returns the newest public posts for RSS and Atom, with their
// HTML (but not their Markdown) cut after FeedEntryHTML+1 characters: one
// longer than FeedEntryHTML bytes is not carried whole, so no more of it is
// read. limit is capped at 100.
func (m *PostModel) ListForFeed(ctx context.Context, f FeedFilter, limit int) ([]Post, error) {
	if limit <= 0 || limit > maxFeedLen {
		limit = maxFeedLen
	}
	posts := []Post{}
	if err := m.DB.SelectContext(ctx, &posts, listForFeedSQL, f.AuthorID, normalizeTag(f.Tag), limit, FeedEntryHTML+1); err != nil {
		return nil, fmt.Errorf("models: list feed: %w", err)
	}
	return posts, nil
}

// MaxSitemapURLs is the sitemap protocol's limit for one file.
const MaxSitemapURLs = 50_000

// inSitemap leaves out what asks search engines to skip it: noindex, or a
// canonical address elsewhere (a sitemap lists canonical addresses only).
const inSitemap = `NOT p.noindex AND p.canonical_url = ''`

const listForSitemapSQL = `SELECT id, kind, slug, published_at, updated_at FROM posts p
WHERE ` + listedPost + ` AND ` + inSitemap + `
ORDER BY published_at DESC, id DESC LIMIT $1`

// ListForSitemap returns the public pages, by slug, then the newest public
// posts, with only ID, Kind, Slug, PublishedAt and UpdatedAt filled; limit
// (capped at MaxSitemapURLs) bounds both together.
func (m *PostModel) ListForSitemap(ctx context.Context, limit int) ([]Post, error) {
	if limit <= 0 || limit > MaxSitemapURLs {
		limit = MaxSitemapURLs
	}
	posts := []Post{}
	if err := m.DB.SelectContext(ctx, &posts, listPagesForSitemapSQL, limit); err != nil {
		return nil, fmt.Errorf("models: list sitemap pages: %w", err)
	}
	var more []Post
	if err := m.DB.SelectContext(ctx, &more, listForSitemapSQL, limit-len(posts)); err != nil {
		return nil, fmt.Errorf("models: list sitemap: %w", err)
	}
	return append(posts, more...), nil
}

// The settings' version comes with every stamp (a list that never had a
// post has no row, hence the outer join with one row): a page depends on
// both, and reading them together costs no second round trip.
const changeStampSQL = `SELECT l.changed_at, coalesce(l.posts, 0), coalesce((SELECT version FROM site_settings), 0)
FROM post_list_stats l RIGHT JOIN (SELECT 1) AS one ON l.author_id = $1 AND l.tag = $2`

// Stamp is what a public list's pages and feeds depend on, for ETag and
// Last-Modified: when the list last changed (zero if it never had a post),
// how many posts it has, and the site settings' version.
type Stamp struct {
	At    time.Time
	Posts int
	Site  int64
}

// ChangeStamp summarises the public posts a feed or list shows, for ETag
// and Last-Modified: when the list last changed and how many posts it has.
// Triggers on posts keep both (sql/00005_post_list_stats.sql): every
// statement that changes a public post, or makes a post public or not,
// moves the time of each list the post is or was in, and so does renaming
// an author who has public posts. A filter names an author or a tag, not both.
func (m *PostModel) ChangeStamp(ctx context.Context, f FeedFilter) (Stamp, error) {
	if f.AuthorID != 0 && f.Tag != "" {
		return Stamp{}, errors.New("models: change stamp: filter by an author or a tag, not both")
	}
	tag := normalizeTag(f.Tag)
	return remember(m.Changes, changeKey{query: changeStampSQL, id: f.AuthorID, s: tag}, func() (Stamp, error) {
		return m.changeStamp(ctx, f.AuthorID, tag)
	})
}

func (m *PostModel) changeStamp(ctx context.Context, authorID int64, tag string) (Stamp, error) {
	var (
		s    Stamp
		last sql.NullTime
	)
	st, err := m.stmts.stmt(ctx, m.DB, changeStampSQL)
	if err == nil {
		err = st.QueryRowContext(ctx, authorID, tag).Scan(&last, &s.Posts, &s.Site)
	}
	if err != nil {
		return Stamp{}, fmt.Errorf("models: change stamp: %w", err)
	}
	s.At = last.Time
	return s, nil
}
