package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
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
	// Atomic writes the whole import in one transaction: the first item
	// that fails undoes everything and its error names the item. Without
	// it each item has its own transaction and a failed one is reported.
	Atomic bool
	// Location is the site's time zone: drafts carry only a local date.
	Location *time.Location
	// Uploads and UploadsDir bring images in from a copy of the old site's
	// image folder (WordPress's wp-content/uploads, Ghost's content/images);
	// nil leaves them at their old addresses.
	Uploads    *models.Uploads
	UploadsDir string
	// MediaURL is the address of a stored image (urls.Media).
	MediaURL func(key string) string
	// Progress, when set, is told after each item how far the import is:
	// bytes of the file read of its size, or for a folder (Markdown), files
	// done of files found.
	Progress func(read, size int64)
}

// Counts are what happened to one kind of record.
type Counts struct{ Created, Updated, Skipped, Failed int }

// Note says what happened to one record when it was not imported as it
// was, or not at all.
type Note struct {
	Item string // "post 15 “Title” (line 712)"
	Text string
}

// Summary is an import's report.
type Summary struct {
	Users, Posts Counts
	// Unchanged counts the items skipped because they were imported before
	// and have not changed since (they get no note each).
	Unchanged int
	Notes     []Note
}

// ErrItemsFailed means some items could not be written; the summary's
// notes say which and why.
var ErrItemsFailed = errors.New("importer: some items could not be imported")

// run is what every import shares: where it writes, what it reports, and
// the one transaction of a dry or atomic run.
type run struct {
	db        *sqlx.DB
	opt       Options
	source    string // import_sources.source: "wordpress http://…", "ghost …"
	sum       Summary
	one       *sqlx.Tx         // the one transaction of a dry or atomic run
	authorIDs map[string]int64 // by the source's author key, once written
	media     *media           // nil: no images folder
	// match finds or makes the account for an author no earlier import
	// recorded, and records it; nil: by email (matchOrCreate).
	match func(ctx context.Context, tx *sqlx.Tx, a person) (int64, error)

	// Links to the old site: base (no final slash) and the image folder's
	// path on it ("/wp-content/uploads/"), matched by oldLink.
	base, uploads string
	oldLink       *regexp.Regexp
}

func newRun(db *sqlx.DB, opt Options) *run {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	return &run{db: db, opt: opt, authorIDs: map[string]int64{}}
}

// begin opens the one transaction of a dry or atomic run.
func (r *run) begin(ctx context.Context) error {
	if !r.opt.DryRun && !r.opt.Atomic {
		return nil
	}
	tx, err := r.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("importer: begin: %w", err)
	}
	r.one = tx
	if r.media != nil && !r.opt.DryRun {
		r.media.tx = tx
	}
	return nil
}

// end commits an atomic run that succeeded and rolls back everything else;
// a per-item run with failed items reports ErrItemsFailed.
func (r *run) end(err error) (Summary, error) {
	if r.one != nil {
		if err == nil && !r.opt.DryRun {
			if err = r.one.Commit(); err != nil {
				err = fmt.Errorf("importer: commit: %w", err)
			}
		}
		_ = r.one.Rollback()
	}
	if err != nil && r.opt.Atomic && !r.opt.DryRun {
		r.sum.Users.Created, r.sum.Posts.Created, r.sum.Posts.Updated = 0, 0, 0
		return r.sum, fmt.Errorf("%w (nothing was imported: --atomic)", err)
	}
	if err == nil && r.sum.Posts.Failed > 0 {
		err = ErrItemsFailed
	}
	return r.sum, err
}

// progress reports how far through the file the import is.
func (r *run) progress(read, size int64) {
	if r.opt.Progress != nil {
		r.opt.Progress(read, size)
	}
}

// inTx runs fn in the item's own transaction; in a dry or atomic run,
// under a savepoint of the one transaction, so later items see earlier ones.
func (r *run) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if r.one != nil {
		if _, err := r.one.ExecContext(ctx, "SAVEPOINT item"); err != nil {
			return err
		}
		if err := fn(r.one); err != nil {
			_, _ = r.one.ExecContext(ctx, "ROLLBACK TO SAVEPOINT item")
			return err
		}
		_, err := r.one.ExecContext(ctx, "RELEASE SAVEPOINT item")
		return err
	}
	tx, err := r.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (r *run) note(label, format string, args ...any) {
	r.sum.Notes = append(r.sum.Notes, Note{Item: label, Text: fmt.Sprintf(format, args...)})
}

// skip counts an item left out and says why.
func (r *run) skip(label, format string, args ...any) {
	r.sum.Posts.Skipped++
	r.note(label, format, args...)
}

// post is an item as Quire will store it.
type post struct {
	kind, title, slug, body, excerpt, status string
	cover, coverAlt                          string
	tags                                     []string
	published                                *time.Time
	scheduled                                *time.Time // a time to come: the post waits as scheduled
	created, updated                         time.Time
}

// entry is one item of any source on its way in: what identifies it, how
// to make it a post, and what the source adds once it is written.
type entry struct {
	key    string // the source's id, import_sources.source_id
	label  string // for notes and errors: "post 15 “Title” (line 712)"
	digest string // a hash of the source fields the import reads
	author person
	// byline, when set, is the author as convert found them (a Markdown
	// file's front matter); it replaces author.
	byline func() person
	// convert makes the post; ok is false when the item is skipped (and
	// noted through the run).
	convert func() (p post, ok bool)
	// images brings the post's images in for its author (body links and
	// cover); nil when the source has none to bring.
	images func(ctx context.Context, p *post, owner int64)
	// written runs in the post's transaction after it was written.
	written func(ctx context.Context, tx *sqlx.Tx, postID int64) error
}

// write imports one entry: skipped when imported before and unchanged, or
// changed here since; updated when it changed at the source only; created
// otherwise. A database failure fails the item (noted; in an atomic run it
// ends the import, naming the item).
func (r *run) write(ctx context.Context, e entry) error {
	err := r.writeEntry(ctx, e)
	if err == nil || ctx.Err() != nil {
		return err
	}
	if r.opt.Atomic && !r.opt.DryRun {
		return fmt.Errorf("%s: %w", e.label, err)
	}
	r.sum.Posts.Failed++
	r.note(e.label, "It could not be imported: %v", err)
	return nil
}

func (r *run) writeEntry(ctx context.Context, e entry) error {
	prev, found, err := r.previous(ctx, e.key)
	if err != nil {
		return err
	}
	switch {
	case found && prev.Digest == e.digest:
		r.sum.Posts.Skipped++
		r.sum.Unchanged++
		return nil
	case found && prev.Current != prev.Version:
		r.skip(e.label, "It changed at the source, but post %d was edited in Quire since the last import; it was left as it is.", prev.PostID)
		return nil
	}
	p, ok := e.convert()
	if !ok {
		return nil
	}
	if e.byline != nil {
		e.author = e.byline()
	}
	// The author is written first: the item's images are stored for them
	// outside the item's transaction. Once written, they are kept by key.
	authorID, ok := r.authorIDs[e.author.key]
	if !ok {
		if err := r.inTx(ctx, func(tx *sqlx.Tx) error {
			authorID, err = r.author(ctx, tx, e.author)
			return err
		}); err != nil {
			return err
		}
		r.authorIDs[e.author.key] = authorID
	}
	if e.images != nil {
		e.images(ctx, &p, authorID)
	}
	return r.inTx(ctx, func(tx *sqlx.Tx) error {
		if found {
			return r.update(ctx, tx, e, p, authorID, prev.PostID)
		}
		return r.insert(ctx, tx, e, p, authorID)
	})
}

const findSourceSQL = `SELECT s.post_id, s.digest, s.version, p.version AS current
FROM import_sources s JOIN posts p ON p.id = s.post_id
WHERE s.source = $1 AND s.kind = 'post' AND s.source_id = $2`

type previous struct {
	PostID  int64  `db:"post_id"`
	Digest  string `db:"digest"`
	Version int    `db:"version"` // the post's version the last import left
	Current int    `db:"current"` // the post's version now
}

// previous is the record of an earlier import of the item.
func (r *run) previous(ctx context.Context, key string) (prev previous, found bool, err error) {
	var q sqlx.QueryerContext = r.db
	if r.one != nil {
		q = r.one
	}
	err = sqlx.GetContext(ctx, q, &prev, findSourceSQL, r.source, key)
	if errors.Is(err, sql.ErrNoRows) {
		return prev, false, nil
	}
	if err != nil {
		return prev, false, fmt.Errorf("importer: find the earlier import: %w", err)
	}
	return prev, true, nil
}

// rendered is the post's HTML and list summary, as Quire derives them.
func (r *run) rendered(ctx context.Context, tx *sqlx.Tx, p post) (html, summary string, err error) {
	html, err = models.RenderBody(ctx, tx, r.opt.MediaURL, p.body)
	summary = p.excerpt
	if summary == "" {
		summary = markdown.Excerpt(p.body, models.SummaryLen)
	}
	return html, summary, err
}

const insertImportedPostSQL = `INSERT INTO posts (author_id, title, slug, body, body_html, excerpt, summary, tags, kind,
	status, published_at, created_at, updated_at, cover_key, cover_alt)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id, version`

const insertPostSourceSQL = `INSERT INTO import_sources (source, kind, source_id, post_id, digest, version)
VALUES ($1, 'post', $2, $3, $4, $5)`

// insert writes an item imported for the first time.
func (r *run) insert(ctx context.Context, tx *sqlx.Tx, e entry, p post, authorID int64) error {
	html, summary, err := r.rendered(ctx, tx, p)
	if err != nil {
		r.skip(e.label, "Its converted content could not be rendered: %v", err)
		return nil
	}
	slug, err := models.FreeSlug(ctx, tx, p.slug, p.kind)
	if err != nil {
		return err
	}
	if slug != p.slug {
		r.note(e.label, "Its slug %s is taken; it is %s here.", p.slug, slug)
	}
	var made struct {
		ID      int64 `db:"id"`
		Version int   `db:"version"`
	}
	if err := tx.GetContext(ctx, &made, insertImportedPostSQL, authorID, p.title, slug, p.body, html, p.excerpt, summary,
		pq.StringArray(p.tags), p.kind, p.status, p.published, p.created, p.updated, p.cover, p.coverAlt); err != nil {
		return fmt.Errorf("insert the post: %w", err)
	}
	if err := schedule(ctx, tx, made.ID, p); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, insertPostSourceSQL, r.source, e.key, made.ID, e.digest, made.Version); err != nil {
		return fmt.Errorf("record the import: %w", err)
	}
	if err := e.written(ctx, tx, made.ID); err != nil {
		return err
	}
	r.sum.Posts.Created++
	return nil
}

const updateImportedPostSQL = `UPDATE posts SET author_id = $2, title = $3, body = $4, body_html = $5, excerpt = $6,
	summary = $7, tags = $8, status = $9, published_at = coalesce(published_at, $10), cover_key = $11, cover_alt = $12,
	scheduled_at = NULL, updated_at = now(), version = version + 1
WHERE id = $1 RETURNING version`

// A scheduled post is written as a draft, then given its time (the schema
// holds a scheduled post to having one); its version stays the one the
// import records.
const scheduleImportedSQL = `UPDATE posts SET status = 'scheduled', scheduled_at = $2 WHERE id = $1`

// schedule has a post imported from a scheduled item wait for its time.
func schedule(ctx context.Context, tx *sqlx.Tx, id int64, p post) error {
	if p.scheduled == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, scheduleImportedSQL, id, *p.scheduled); err != nil {
		return fmt.Errorf("schedule the post: %w", err)
	}
	return nil
}

const updatePostSourceSQL = `UPDATE import_sources SET digest = $3, version = $4, updated_at = now()
WHERE source = $1 AND kind = 'post' AND source_id = $2`

// update rewrites the post an earlier run made from a changed item; its
// slug stays, so its address does not move.
func (r *run) update(ctx context.Context, tx *sqlx.Tx, e entry, p post, authorID, postID int64) error {
	html, summary, err := r.rendered(ctx, tx, p)
	if err != nil {
		r.skip(e.label, "Its converted content could not be rendered: %v", err)
		return nil
	}
	var version int
	if err := tx.GetContext(ctx, &version, updateImportedPostSQL, postID, authorID, p.title, p.body, html,
		p.excerpt, summary, pq.StringArray(p.tags), p.status, p.published, p.cover, p.coverAlt); err != nil {
		return fmt.Errorf("update post %d: %w", postID, err)
	}
	if err := schedule(ctx, tx, postID, p); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, updatePostSourceSQL, r.source, e.key, e.digest, version); err != nil {
		return fmt.Errorf("record post %d: %w", postID, err)
	}
	if err := e.written(ctx, tx, postID); err != nil {
		return err
	}
	r.sum.Posts.Updated++
	return nil
}

// fit fills the post's title, body and excerpt, made to Quire's limits
// (cut and noted); ok is false when the body cannot be kept (skipped and
// noted). body and err are the source's content converted to Markdown.
func (r *run) fit(label string, p *post, title, body string, err error, excerpt string) (ok bool) {
	p.title = strings.TrimSpace(models.CleanText(title))
	if p.title == "" {
		p.title = "Untitled"
	}
	if utf8.RuneCountInString(p.title) > models.MaxTitleLen {
		p.title = truncate(p.title, models.MaxTitleLen)
		r.note(label, "The title was cut to %d characters.", models.MaxTitleLen)
	}
	if err != nil {
		r.skip(label, "Its content could not be converted: %v", err)
		return false
	}
	if n := utf8.RuneCountInString(body); n > models.MaxBodyLen {
		r.skip(label, "Its content is %d characters long; Quire keeps posts to %d.", n, models.MaxBodyLen)
		return false
	}
	p.body = body
	p.excerpt = plainText(excerpt)
	if utf8.RuneCountInString(p.excerpt) > models.MaxExcerptLen {
		p.excerpt = truncate(p.excerpt, models.MaxExcerptLen)
		r.note(label, "The excerpt was cut to %d characters.", models.MaxExcerptLen)
	}
	return true
}

// scheduleAt has a post scheduled at the source for at wait for that time
// here (the models' scheduler publishes it); a time gone by leaves it a
// draft. Either is noted.
func (r *run) scheduleAt(label string, at time.Time, p *post) {
	when := at.In(r.opt.Location).Format("2 January 2006 15:04 MST")
	if at.After(time.Now()) {
		p.scheduled = &at
		r.note(label, "It is scheduled for %s, as it was at the source.", when)
		return
	}
	r.note(label, "It was scheduled for %s, which has passed; it is kept as a draft.", when)
}

// term is a source's category or tag on an item.
type term struct{ word, name, slug string }

// tagList is the item's terms as Quire tags, in order, each once, at
// most models.MaxTags; a term that cannot be a tag is noted.
func (r *run) tagList(label string, terms []term) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range terms {
		tag, ok := termTag(t.name, t.slug)
		if !ok {
			r.note(label, "The %s %q cannot be a tag (use letters, digits and hyphens); it was left out.", t.word, t.name)
			continue
		}
		if seen[tag] {
			continue
		}
		seen[tag] = true
		if len(out) == models.MaxTags {
			r.note(label, "It has more than %d tags; %q and the ones after it were left out.", models.MaxTags, tag)
			break
		}
		out = append(out, tag)
	}
	return out
}
