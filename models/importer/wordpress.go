package importer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models"
	"quire/models/markdown"
)

// Options steer an import.
type Options struct {
	// DryRun does all the work in a transaction that is rolled back, so
	// the summary is what a real run would do and nothing is written.
	DryRun bool
	// Location is the site's time zone: drafts carry only a local date.
	Location *time.Location
}

// Counts are what happened to one kind of record.
type Counts struct{ Created, Updated, Skipped int }

// Note says what happened to one record when it was not imported as it
// was, or not at all.
type Note struct {
	Item string // "post 15 “Title” (line 712)"
	Text string
}

// Summary is an import's report.
type Summary struct {
	Users, Posts Counts
	Notes        []Note
}

// ErrNoAuthor means an item names an author the file does not describe.
var ErrNoAuthor = errors.New("importer: the item's author is not in the file's author list")

// wordpress is one WordPress import run.
type wordpress struct {
	db      *sqlx.DB
	opt     Options
	source  string             // import_sources.source: "wordpress " + base site URL
	authors map[string]*Author // by login
	terms   map[[2]string]*Term
	sum     Summary
	dry     *sqlx.Tx // the one rolled-back transaction of a dry run
}

// ImportWordPress reads a WXR file from r (name is its path, for messages)
// and writes its authors, posts and pages. Each item is written in its own
// transaction with its import_sources row, so a failure leaves whole items
// behind and a second run picks up where the first stopped. Malformed XML
// stops the import with the file and line; a bad item is skipped and noted.
func ImportWordPress(ctx context.Context, db *sqlx.DB, r io.Reader, name string, opt Options) (Summary, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	w := &wordpress{db: db, opt: opt, authors: map[string]*Author{}, terms: map[[2]string]*Term{}}
	if opt.DryRun {
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return Summary{}, fmt.Errorf("importer: begin: %w", err)
		}
		defer func() { _ = tx.Rollback() }()
		w.dry = tx
	}
	wxr := NewWXR(r, name)
	for {
		rec, err := wxr.Next()
		if err == io.EOF {
			return w.sum, nil
		}
		if err != nil {
			return w.sum, err
		}
		switch v := rec.(type) {
		case *Site:
			w.source = "wordpress " + strings.TrimRight(v.BaseSiteURL, "/")
		case *Author:
			w.authors[v.Login] = v
		case *Term:
			w.terms[[2]string{v.Taxonomy, v.Slug}] = v
		case *Item:
			if err := w.item(ctx, v); err != nil {
				return w.sum, err
			}
		}
	}
}

// inTx runs fn in the item's own transaction; in a dry run, under a
// savepoint of the one transaction, so later items see earlier ones.
func (w *wordpress) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if w.dry != nil {
		if _, err := w.dry.ExecContext(ctx, "SAVEPOINT item"); err != nil {
			return err
		}
		if err := fn(w.dry); err != nil {
			_, _ = w.dry.ExecContext(ctx, "ROLLBACK TO SAVEPOINT item")
			return err
		}
		_, err := w.dry.ExecContext(ctx, "RELEASE SAVEPOINT item")
		return err
	}
	tx, err := w.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (w *wordpress) note(it *Item, format string, args ...any) {
	w.sum.Notes = append(w.sum.Notes, Note{
		Item: fmt.Sprintf("%s %d “%s” (line %d)", it.Type, it.ID, it.Title, it.Line),
		Text: fmt.Sprintf(format, args...),
	})
}

// skip counts an item left out and says why.
func (w *wordpress) skip(it *Item, format string, args ...any) {
	w.sum.Posts.Skipped++
	w.note(it, format, args...)
}

// post is an item as Quire will store it.
type post struct {
	kind, title, slug, body, excerpt, status string
	tags                                     []string
	published                                *time.Time
	created, updated                         time.Time
}

// digest identifies the imported fields, to tell a changed source item
// from one imported before.
func (p post) digest(authorID int64) string {
	h := sha256.New()
	pub := ""
	if p.published != nil {
		pub = p.published.UTC().Format(time.RFC3339)
	}
	for _, s := range []string{p.kind, p.title, p.slug, p.body, p.excerpt, p.status, strings.Join(p.tags, ","), pub, strconv.FormatInt(authorID, 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (w *wordpress) item(ctx context.Context, it *Item) error {
	switch it.Type {
	case "post", "page":
	case "attachment":
		w.skip(it, "Attachments are not imported yet; the post keeps a link to the file at its old address.")
		return nil
	default:
		w.skip(it, "WordPress's %q items have no counterpart in Quire.", it.Type)
		return nil
	}
	p, ok := w.convert(it)
	if !ok {
		return nil
	}
	return w.inTx(ctx, func(tx *sqlx.Tx) error {
		authorID, err := w.author(ctx, tx, it)
		if errors.Is(err, ErrNoAuthor) {
			w.skip(it, "Its author %q is not in the file's author list.", it.Creator)
			return nil
		}
		if err != nil {
			return err
		}
		return w.save(ctx, tx, it, p, authorID)
	})
}

// convert maps an item's fields to Quire's; ok is false when the item is
// skipped (and noted).
func (w *wordpress) convert(it *Item) (p post, ok bool) {
	p.kind = models.KindPost
	if it.Type == "page" {
		p.kind = models.KindPage
	}
	p.title = strings.TrimSpace(models.CleanText(it.Title))
	if p.title == "" {
		p.title = "Untitled"
	}
	if utf8.RuneCountInString(p.title) > models.MaxTitleLen {
		p.title = string([]rune(p.title)[:models.MaxTitleLen])
		w.note(it, "The title was cut to %d characters.", models.MaxTitleLen)
	}
	body, err := toMarkdown(models.CleanText(it.Content))
	if err != nil {
		w.skip(it, "Its content could not be converted: %v", err)
		return p, false
	}
	if n := utf8.RuneCountInString(body); n > models.MaxBodyLen {
		w.skip(it, "Its content is %d characters long; Quire keeps posts to %d.", n, models.MaxBodyLen)
		return p, false
	}
	p.body = body
	p.excerpt = plainText(it.Excerpt)
	if utf8.RuneCountInString(p.excerpt) > models.MaxExcerptLen {
		p.excerpt = string([]rune(p.excerpt)[:models.MaxExcerptLen])
		w.note(it, "The excerpt was cut to %d characters.", models.MaxExcerptLen)
	}
	p.slug = itemSlug(it)
	p.tags = w.tags(it)

	at, dated := it.Published(w.opt.Location)
	if !dated {
		at = time.Now()
	}
	p.created, p.updated = at, at
	if m, err := time.ParseInLocation(wpDate, it.ModifiedGMT, time.UTC); err == nil && m.After(at) {
		p.updated = m
	}
	p.status = models.PostDraft
	switch it.Status {
	case "publish":
		if it.Password != "" {
			w.note(it, "It is password-protected in WordPress; Quire has no post passwords, so it is kept as a draft.")
			break
		}
		p.status = models.PostPublished
		p.published = &at
	case "future":
		w.note(it, "It was scheduled for %s; Quire does not schedule posts, so it is kept as a draft.", at.In(w.opt.Location).Format("2 January 2006 15:04 MST"))
	case "private":
		w.note(it, "It is private in WordPress; it is kept as a draft only its author and editors see.")
	case "draft", "pending":
	default:
		w.skip(it, "Its status %q (for example trash or auto-draft) is not imported.", it.Status)
		return p, false
	}
	return p, true
}

// itemSlug is the item's WordPress slug made ASCII (WordPress keeps
// non-ASCII percent-encoded: accents become plain letters, CJK and emoji
// drop out), or the title's when WordPress has none (drafts). A child
// page keeps its own last segment: Quire's pages live at /{slug}, one
// segment, and the old /parent/child/ address is what redirects are for.
func itemSlug(it *Item) string {
	name := it.Name
	if s, err := url.PathUnescape(name); err == nil {
		name = s
	}
	if strings.TrimSpace(name) == "" {
		name = it.Title
	}
	return markdown.Slugify(name)
}

// tags are the item's categories and tags by name, as Quire tags: each
// WordPress term becomes one Quire tag. "Uncategorized" is WordPress's
// default for a post with no category, not the author's choice, and post
// formats are layout hints; both are left out.
func (w *wordpress) tags(it *Item) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range it.Terms {
		if (t.Domain != "category" && t.Domain != "post_tag") || t.Domain == "category" && t.Slug == "uncategorized" {
			continue
		}
		tag, ok := models.ParseTag(t.Name)
		if !ok {
			slug, _ := url.PathUnescape(t.Slug)
			if tag, ok = models.ParseTag(slug); !ok {
				w.note(it, "The %s %q cannot be a tag (use letters, digits and hyphens); it was left out.", termWord(t.Domain), t.Name)
				continue
			}
		}
		if seen[tag] {
			continue
		}
		seen[tag] = true
		if len(out) == models.MaxTags {
			w.note(it, "It has more than %d categories and tags; %q and the ones after it were left out.", models.MaxTags, tag)
			break
		}
		out = append(out, tag)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func termWord(domain string) string {
	if domain == "category" {
		return "category"
	}
	return "tag"
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// plainText is an excerpt's text: WordPress allows HTML in excerpts,
// Quire's are plain.
func plainText(s string) string {
	s = tagPattern.ReplaceAllString(models.CleanText(s), "")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

const findSourceSQL = `SELECT s.post_id, s.digest, s.version, p.version AS current
FROM import_sources s JOIN posts p ON p.id = s.post_id
WHERE s.source = $1 AND s.kind = 'post' AND s.source_id = $2`

const insertImportedPostSQL = `INSERT INTO posts (author_id, title, slug, body, body_html, excerpt, summary, tags, kind,
	status, published_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id, version`

const insertPostSourceSQL = `INSERT INTO import_sources (source, kind, source_id, post_id, digest, version)
VALUES ($1, 'post', $2, $3, $4, $5)`

const updateImportedPostSQL = `UPDATE posts SET author_id = $2, title = $3, body = $4, body_html = $5, excerpt = $6,
	summary = $7, tags = $8, status = $9, published_at = coalesce(published_at, $10), updated_at = now(),
	version = version + 1
WHERE id = $1 RETURNING version`

const updatePostSourceSQL = `UPDATE import_sources SET digest = $3, version = $4, updated_at = now()
WHERE source = $1 AND kind = 'post' AND source_id = $2`

// save writes one converted item: a new post, an update of the post an
// earlier run made (when the source changed and nobody edited it here),
// or nothing.
func (w *wordpress) save(ctx context.Context, tx *sqlx.Tx, it *Item, p post, authorID int64) error {
	id := strconv.FormatInt(it.ID, 10)
	digest := p.digest(authorID)
	html, err := markdown.Render(p.body)
	if err != nil {
		w.skip(it, "Its converted content could not be rendered: %v", err)
		return nil
	}
	summary := p.excerpt
	if summary == "" {
		summary = markdown.Excerpt(p.body, models.SummaryLen)
	}
	var prev struct {
		PostID  int64  `db:"post_id"`
		Digest  string `db:"digest"`
		Version int    `db:"version"`
		Current int    `db:"current"`
	}
	err = tx.GetContext(ctx, &prev, findSourceSQL, w.source, id)
	switch {
	case err == nil && prev.Digest == digest:
		w.sum.Posts.Skipped++ // unchanged: not worth a note each
		return nil
	case err == nil && prev.Current != prev.Version:
		w.skip(it, "It changed in WordPress, but post %d was edited in Quire since the last import; it was left as it is.", prev.PostID)
		return nil
	case err == nil:
		var version int
		if err := tx.GetContext(ctx, &version, updateImportedPostSQL, prev.PostID, authorID, p.title, p.body, html,
			p.excerpt, summary, pq.StringArray(p.tags), p.status, p.published); err != nil {
			return fmt.Errorf("importer: %s:%d: update post %d: %w", it.Type, it.ID, prev.PostID, err)
		}
		if _, err := tx.ExecContext(ctx, updatePostSourceSQL, w.source, id, digest, version); err != nil {
			return fmt.Errorf("importer: record post %d: %w", prev.PostID, err)
		}
		w.sum.Posts.Updated++
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("importer: find item %d: %w", it.ID, err)
	}
	slug, err := models.FreeSlug(ctx, tx, p.slug, p.kind)
	if err != nil {
		return fmt.Errorf("importer: item %d: %w", it.ID, err)
	}
	var made struct {
		ID      int64 `db:"id"`
		Version int   `db:"version"`
	}
	if err := tx.GetContext(ctx, &made, insertImportedPostSQL, authorID, p.title, slug, p.body, html, p.excerpt, summary,
		pq.StringArray(p.tags), p.kind, p.status, p.published, p.created, p.updated); err != nil {
		return fmt.Errorf("importer: insert item %d (line %d): %w", it.ID, it.Line, err)
	}
	if _, err := tx.ExecContext(ctx, insertPostSourceSQL, w.source, id, made.ID, digest, made.Version); err != nil {
		return fmt.Errorf("importer: record item %d: %w", it.ID, err)
	}
	w.sum.Posts.Created++
	return nil
}
