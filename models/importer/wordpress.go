package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	// Uploads and UploadsDir bring images in from a copy of WordPress's
	// wp-content/uploads folder; nil leaves them at their old addresses.
	Uploads    *models.Uploads
	UploadsDir string
	// MediaURL is the address of a stored image (urls.Media).
	MediaURL func(key string) string
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
	itemTx
	opt     Options
	source  string             // import_sources.source: "wordpress " + base site URL
	base    string             // the old site's address, without a final slash
	oldLink *regexp.Regexp     // an address on the old site
	authors map[string]*Author // by login
	terms   map[[2]string]*Term
	sum     Summary

	authorIDs   map[string]int64 // by login, once their transaction committed
	media       *media           // nil: no uploads folder
	attachments map[int64]attachment
}

// ImportWordPress reads a WXR file from r (name is its path, for messages)
// and writes its authors, posts and pages. Each item is written in its own
// transaction with its import_sources row, so a failure leaves whole items
// behind and a second run picks up where the first stopped. Malformed XML
// stops the import with the file and line; a bad item is skipped and noted.
func ImportWordPress(ctx context.Context, db *sqlx.DB, r io.ReadSeeker, name string, opt Options) (Summary, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	w := &wordpress{itemTx: itemTx{db: db}, opt: opt, authors: map[string]*Author{}, terms: map[[2]string]*Term{}, authorIDs: map[string]int64{}}
	if opt.Uploads != nil {
		// A first pass finds the attachments, which featured images name
		// by id and which may come after the posts.
		var err error
		if w.attachments, err = scanAttachments(r, name); err != nil {
			return Summary{}, err
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Summary{}, err
		}
		w.media = &media{uploads: opt.Uploads, dir: opt.UploadsDir, stored: map[string]string{}}
	}
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
			w.base = strings.TrimRight(v.BaseSiteURL, "/")
			w.source = "wordpress " + w.base
			if w.base != "" {
				w.oldLink = regexp.MustCompile(regexp.QuoteMeta(w.base) + `(/[^\s)"'<>]*)?`)
			}
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
	cover, coverAlt                          string
	tags                                     []string
	published                                *time.Time
	created, updated                         time.Time
}

// sourceDigest identifies what the import reads of an item, to tell a
// changed source item from one imported before without converting it.
func sourceDigest(it *Item) string {
	h := sha256.New()
	fields := []string{it.Type, it.Title, it.Content, it.Excerpt, it.Name, it.Status, it.Password, it.Date, it.DateGMT,
		it.Creator, it.MetaValue("_thumbnail_id")}
	for _, t := range it.Terms {
		fields = append(fields, t.Domain, t.Slug, t.Name)
	}
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (w *wordpress) item(ctx context.Context, it *Item) error {
	switch it.Type {
	case "post", "page":
	case "attachment":
		if w.media == nil {
			w.skip(it, "Attachments need --uploads, the copy of WordPress's uploads folder; posts keep links to the files at their old addresses.")
		} else {
			w.sum.Posts.Skipped++ // brought in with the posts that show it
		}
		return nil
	default:
		w.skip(it, "WordPress's %q items have no counterpart in Quire.", it.Type)
		return nil
	}
	digest := sourceDigest(it)
	prev, found, err := w.previous(ctx, it)
	if err != nil {
		return err
	}
	switch {
	case found && prev.Digest == digest:
		w.sum.Posts.Skipped++ // unchanged: not worth a note each
		return nil
	case found && prev.Current != prev.Version:
		w.skip(it, "It changed in WordPress, but post %d was edited in Quire since the last import; it was left as it is.", prev.PostID)
		return nil
	}
	p, ok := w.convert(it)
	if !ok {
		return nil
	}
	// The author is committed first: the item's images are stored for them
	// outside the item's transaction. Once committed, they are kept by login.
	authorID, ok := w.authorIDs[it.Creator]
	if !ok {
		err = w.inTx(ctx, func(tx *sqlx.Tx) error {
			authorID, err = w.author(ctx, tx, it)
			return err
		})
		if err == nil {
			w.authorIDs[it.Creator] = authorID
		}
	}
	if errors.Is(err, ErrNoAuthor) {
		w.skip(it, "Its author %q is not in the file's author list.", it.Creator)
		return nil
	}
	if err != nil {
		return err
	}
	p.body = w.rewrite(ctx, it, p.body, authorID)
	p.cover, p.coverAlt = w.cover(ctx, it, authorID)
	return w.inTx(ctx, func(tx *sqlx.Tx) error {
		if found {
			return w.update(ctx, tx, it, p, authorID, prev.PostID, digest)
		}
		return w.insert(ctx, tx, it, p, authorID, digest)
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
	status, published_at, created_at, updated_at, cover_key, cover_alt)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id, version`

const insertPostSourceSQL = `INSERT INTO import_sources (source, kind, source_id, post_id, digest, version)
VALUES ($1, 'post', $2, $3, $4, $5)`

const updateImportedPostSQL = `UPDATE posts SET author_id = $2, title = $3, body = $4, body_html = $5, excerpt = $6,
	summary = $7, tags = $8, status = $9, published_at = coalesce(published_at, $10), cover_key = $11, cover_alt = $12,
	updated_at = now(), version = version + 1
WHERE id = $1 RETURNING version`

const updatePostSourceSQL = `UPDATE import_sources SET digest = $3, version = $4, updated_at = now()
WHERE source = $1 AND kind = 'post' AND source_id = $2`

type previous struct {
	PostID  int64  `db:"post_id"`
	Digest  string `db:"digest"`
	Version int    `db:"version"` // the post's version the last import left
	Current int    `db:"current"` // the post's version now
}

// previous is the record of an earlier import of the item.
func (w *wordpress) previous(ctx context.Context, it *Item) (prev previous, found bool, err error) {
	return w.findPrevious(ctx, w.source, strconv.FormatInt(it.ID, 10))
}

// rendered is the post's HTML and list summary, as Quire derives them.
func (p post) rendered() (html, summary string, err error) {
	html, err = markdown.Render(p.body)
	summary = p.excerpt
	if summary == "" {
		summary = markdown.Excerpt(p.body, models.SummaryLen)
	}
	return html, summary, err
}

// insert writes an item imported for the first time.
func (w *wordpress) insert(ctx context.Context, tx *sqlx.Tx, it *Item, p post, authorID int64, digest string) error {
	html, summary, err := p.rendered()
	if err != nil {
		w.skip(it, "Its converted content could not be rendered: %v", err)
		return nil
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
		pq.StringArray(p.tags), p.kind, p.status, p.published, p.created, p.updated, p.cover, p.coverAlt); err != nil {
		return fmt.Errorf("importer: insert item %d (line %d): %w", it.ID, it.Line, err)
	}
	if _, err := tx.ExecContext(ctx, insertPostSourceSQL, w.source, strconv.FormatInt(it.ID, 10), made.ID, digest, made.Version); err != nil {
		return fmt.Errorf("importer: record item %d: %w", it.ID, err)
	}
	if err := addRedirects(ctx, tx, it, made.ID); err != nil {
		return err
	}
	if err := w.keepComments(ctx, tx, it, made.ID); err != nil {
		return err
	}
	w.sum.Posts.Created++
	return nil
}

// update rewrites the post an earlier run made from a changed item; its
// slug stays, so its address does not move.
func (w *wordpress) update(ctx context.Context, tx *sqlx.Tx, it *Item, p post, authorID, postID int64, digest string) error {
	html, summary, err := p.rendered()
	if err != nil {
		w.skip(it, "Its converted content could not be rendered: %v", err)
		return nil
	}
	var version int
	if err := tx.GetContext(ctx, &version, updateImportedPostSQL, postID, authorID, p.title, p.body, html,
		p.excerpt, summary, pq.StringArray(p.tags), p.status, p.published, p.cover, p.coverAlt); err != nil {
		return fmt.Errorf("importer: item %d: update post %d: %w", it.ID, postID, err)
	}
	if _, err := tx.ExecContext(ctx, updatePostSourceSQL, w.source, strconv.FormatInt(it.ID, 10), digest, version); err != nil {
		return fmt.Errorf("importer: record post %d: %w", postID, err)
	}
	if err := w.keepComments(ctx, tx, it, postID); err != nil {
		return err
	}
	w.sum.Posts.Updated++
	return nil
}

// A comment kept before stays as it was: it is the record of what the
// source said, not something the import edits.
const insertCommentSQL = `INSERT INTO imported_comments (source, source_id, post_id, data)
SELECT $1, c->>'id', $2, c FROM jsonb_array_elements($3::jsonb) AS c
ON CONFLICT (source, source_id) DO NOTHING`

// keepComments stores the item's comments raw (imported_comments) for the
// comments feature to take up.
func (w *wordpress) keepComments(ctx context.Context, tx *sqlx.Tx, it *Item, postID int64) error {
	if len(it.Comments) == 0 {
		return nil
	}
	data, err := json.Marshal(it.Comments)
	if err != nil {
		return fmt.Errorf("importer: item %d: comments: %w", it.ID, err)
	}
	if _, err := tx.ExecContext(ctx, insertCommentSQL, w.source, postID, string(data)); err != nil {
		return fmt.Errorf("importer: item %d: keep comments: %w", it.ID, err)
	}
	return nil
}
