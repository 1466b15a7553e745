package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/markdown"
)

// A post's states. Only published posts are shown to readers; hidden is an
// admin's verdict that the author cannot undo by publishing again.
const (
	PostDraft     = "draft"
	PostSubmitted = "submitted" // waiting in the review queue (review.go)
	PostPublished = "published"
	PostHidden    = "hidden"
	PostScheduled = "scheduled" // published by the scheduler at ScheduledAt (schedule.go)
)

// Field limits shared by validation and the schema's CHECK constraints.
const (
	MaxTitleLen   = 200
	MaxBodyLen    = 200_000
	MaxExcerptLen = 300
	MaxTags       = 10
	MaxTagLen     = 30
	MaxAltLen     = 200
	// MaxCaptionLen bounds a cover's caption (sql/00019's CHECK).
	MaxCaptionLen = 300
	// TrashDays is how long a deleted post can be restored.
	TrashDays = 30
	// SummaryLen bounds the summary derived from a body without an excerpt.
	SummaryLen = 280
)

// Post is a blog post. Lists fill every field except Body and BodyHTML,
// which can be large; Get, Resolve and the writes fill everything.
type Post struct {
	ID       int64         `db:"id"`
	AuthorID sql.NullInt64 `db:"author_id"`
	// Joined from users; both are "" when the author's account was deleted.
	AuthorUsername string `db:"author_username"`
	AuthorName     string `db:"author_name"` // display name, else username

	Title    string `db:"title"`
	Slug     string `db:"slug"`
	Body     string `db:"body"`      // Markdown
	BodyHTML string `db:"body_html"` // rendered and sanitised
	Excerpt  string `db:"excerpt"`   // the author's own summary, "" for none
	Summary  string `db:"summary"`   // plain text for lists: Excerpt, else the body's start
	CoverKey string `db:"cover_key"` // media key, "" for none
	CoverAlt string `db:"cover_alt"`
	// CoverCaption is shown under the cover on the post page, "" for none.
	CoverCaption string `db:"cover_caption"`

	Status       string         `db:"status"`
	HiddenReason string         `db:"hidden_reason"`
	ReviewNote   string         `db:"review_note"` // an editor's note when returning it from review
	Tags         pq.StringArray `db:"tags"`

	PublishedAt *time.Time `db:"published_at"` // first publish; kept when unpublished
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
	DeletedAt   *time.Time `db:"deleted_at"` // in the trash since
	// ScheduledAt is when the scheduler publishes a PostScheduled post; nil
	// in every other state.
	ScheduledAt *time.Time `db:"scheduled_at"`
	Version     int        `db:"version"`
	// The author's account is suspended: the post is hidden from readers
	// until it is reactivated (kept by a trigger, sql/00006).
	AuthorSuspended bool `db:"author_suspended"`
	// Kind is KindPost or KindPage (pages.go), fixed when it is created.
	Kind string `db:"kind"`
	// SiteVersion is the site settings' version, read by ResolveHead with
	// the post's stamp (0 from every other read).
	SiteVersion int64 `db:"site_version"`
	// Comments (comments.go): closed by the author, the approved ones'
	// count, and their stamp, which moves with every change to them (kept
	// by a trigger, sql/00025; part of the post page's ETag).
	CommentsClosed bool  `db:"comments_closed"`
	CommentCount   int   `db:"comment_count"`
	CommentsStamp  int64 `db:"comments_stamp"`
	// CommentsAt is when the approved comments last changed (sql/00032).
	CommentsAt time.Time `db:"comments_at"`
	// SEO is filled by the reads that fill Body (post_seo.go).
	SEO
}

// publicPost is the one condition for a post or page readers may see. The
// lists, counts, feeds and search splice it in as listedPost; the sitemap
// and pages (publicPage) directly; all over posts named p. Post.IsPublic is
// its Go twin; TestPublicPostCondition keeps the two agreeing. The partial
// indexes those queries use (sql/00013) carry the same condition in their
// WHERE, as they must for the planner to pick them: a migration is fixed
// SQL and cannot splice this constant, so a change here needs new indexes
// too.
const publicPost = `p.status = 'published' AND p.deleted_at IS NULL AND NOT p.author_suspended`

// listedPost is the one condition for what reader lists carry (home, tag
// and author pages, feeds, search): public posts, never pages, which
// readers reach by their own address and the sitemap. The lists' partial
// indexes (sql/00013) carry it too.
const listedPost = publicPost + ` AND p.kind = 'post'`

// IsPublic reports whether readers may see the post: publicPost in Go.
func (p Post) IsPublic() bool {
	return p.Status == PostPublished && p.DeletedAt == nil && !p.AuthorSuspended
}

// PostInput is what the editor form provides.
type PostInput struct {
	Title, Body, Excerpt string
	CoverKey, CoverAlt   string
	CoverCaption         string
	// Slug "" keeps the current slug, or derives one from the title for a
	// post that has never been public.
	Slug string
	Tags []string
	// Kind is read by Insert only ("" is KindPost): a post stays a post.
	Kind string
	// DraftKey is read by Insert only: the new-post editor's key, so that
	// editor's saves find the draft it made (InsertDraft); "" for none.
	DraftKey string
	SEO      SEO
	// CommentsClosed is the editor's "Allow comments" unticked; nil keeps
	// what the post has (a form without the checkbox, a page).
	CommentsClosed *bool
}

// normalized trims what the author cannot mean to keep and mends what the
// database would refuse (NUL bytes, invalid UTF-8), so validation and the
// stored text agree.
func (in PostInput) normalized() PostInput {
	clean := CleanText
	in.Title = strings.TrimSpace(clean(in.Title))
	in.Body = strings.ReplaceAll(clean(in.Body), "\r\n", "\n") // browsers send CRLF from textareas
	in.Excerpt = strings.TrimSpace(clean(in.Excerpt))
	in.CoverKey = strings.TrimSpace(in.CoverKey)
	in.CoverAlt = strings.TrimSpace(clean(in.CoverAlt))
	in.CoverCaption = strings.TrimSpace(clean(in.CoverCaption))
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	in.Tags = normalizeTags(in.Tags)
	if in.Kind == "" {
		in.Kind = KindPost
	}
	if !ValidDraftKey(in.DraftKey) {
		in.DraftKey = ""
	}
	in.SEO = in.SEO.normalized()
	return in
}

// Validate returns user-facing messages keyed by form field name; the map
// is empty (not nil) when the input is acceptable.
func (in PostInput) Validate() map[string]string {
	in = in.normalized()
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs["title"] = "Give the post a title."
	case n > MaxTitleLen:
		errs["title"] = fmt.Sprintf("Keep the title to %d characters (it has %d).", MaxTitleLen, n)
	}
	if n := utf8.RuneCountInString(in.Body); n > MaxBodyLen {
		errs["body"] = fmt.Sprintf("The post is too long: keep it to %d characters (it has %d).", MaxBodyLen, n)
	}
	if n := utf8.RuneCountInString(in.Excerpt); n > MaxExcerptLen {
		errs["excerpt"] = fmt.Sprintf("Keep the excerpt to %d characters (it has %d).", MaxExcerptLen, n)
	}
	if in.CoverKey != "" && !ValidKey(in.CoverKey) {
		errs["cover_key"] = "Use the file name of an image from your media library."
	}
	switch n := utf8.RuneCountInString(in.CoverAlt); {
	case in.CoverKey != "" && n == 0:
		errs["cover_alt"] = "Describe the cover image for readers who cannot see it."
	case n > MaxAltLen:
		errs["cover_alt"] = fmt.Sprintf("Keep the description to %d characters.", MaxAltLen)
	}
	if n := utf8.RuneCountInString(in.CoverCaption); n > MaxCaptionLen {
		errs["cover_caption"] = fmt.Sprintf("Keep the caption to %d characters (it has %d).", MaxCaptionLen, n)
	}
	if in.Slug != "" && !markdown.ValidSlug(in.Slug) {
		errs["slug"] = "Use lower-case letters a-z, digits and single hyphens, at most 80 characters."
	}
	if msg := tagsProblem(in.Tags); msg != "" {
		errs["tags"] = msg
	}
	if in.Kind != KindPost && in.Kind != KindPage {
		errs["kind"] = "Choose a post or a page."
	}
	in.SEO.validate(errs)
	return errs
}

// rendered is what is derived from a post's Markdown at every save.
type rendered struct{ html, summary string }

func (m *PostModel) render(ctx context.Context, in PostInput) (rendered, error) {
	html, err := m.RenderBody(ctx, in.Body)
	if err != nil {
		return rendered{}, fmt.Errorf("models: render post: %w", err)
	}
	summary := in.Excerpt
	if summary == "" {
		summary = markdown.Excerpt(in.Body, SummaryLen)
	}
	return rendered{html: html, summary: summary}, nil
}

// PostModel reads and writes posts, their old slugs and their revisions.
type PostModel struct {
	DB    *sqlx.DB
	stmts stmtCache // what every reader's page asks: a post's head, a list's stamp

	searches searchGate // how many searches run at once

	// MediaURL is the address of a stored image (urls.Media): body images
	// at such addresses are sized from the media library (RenderBody).
	// nil: they are not.
	MediaURL func(key string) string
	// Changes, when set, keeps the stamps readers' pages ask for in memory
	// while changes are pushed (listen.go); nil: each is read per request.
	Changes *Changes
}

// postColumns reads a post (alias p) with its author (alias u, LEFT JOINed).
const postColumns = `p.id, p.author_id, coalesce(u.username, '') AS author_username,
	coalesce(nullif(u.display_name, ''), u.username, '') AS author_name,
	p.title, p.slug, p.body, p.body_html, p.excerpt, p.summary, p.cover_key, p.cover_alt, p.cover_caption,
	p.status, p.hidden_reason, p.review_note, p.tags, p.published_at, p.created_at, p.updated_at, p.deleted_at, p.version,
	p.author_suspended, p.kind, p.meta_description, p.social_title, p.social_image, p.canonical_url, p.noindex, p.scheduled_at,
	p.comments_closed, p.comment_count, p.comments_stamp, p.comments_at`

// maxSlugAttempts bounds retries when a concurrent save took the slug a
// save picked. Saves asking for the same base slug queue on a lock (see
// freeSlug), so a retry only follows the rare race between different bases
// (an explicit "a-2" against the second "a").
const maxSlugAttempts = 25

const insertPostSQL = `WITH p AS (
	INSERT INTO posts (author_id, title, slug, body, body_html, excerpt, summary, cover_key, cover_alt, tags, kind, draft_key,
		cover_caption, ` + seoColumns + `, comments_closed)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, nullif($12, ''), $13, $14, $15, $16, $17, $18,
		coalesce($19, false)) RETURNING *
)
SELECT ` + postColumns + ` FROM p LEFT JOIN users u ON u.id = p.author_id`

// Insert creates a draft. Its slug comes from in.Slug or the title, with
// -2, -3, ... appended when taken by another post or by an old slug that
// still redirects.
func (m *PostModel) Insert(ctx context.Context, authorID int64, in PostInput) (Post, error) {
	in = in.normalized()
	r, err := m.render(ctx, in)
	if err != nil {
		return Post{}, err
	}
	base := slugBase(in)
	var p Post
	for attempt := 1; ; attempt++ {
		err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
			slug, err := freeSlug(ctx, tx, base, 0, in.Kind)
			if err != nil {
				return err
			}
			args := append([]any{authorID, in.Title, slug, in.Body, r.html, in.Excerpt, r.summary,
				in.CoverKey, in.CoverAlt, pq.StringArray(in.Tags), in.Kind, in.DraftKey, in.CoverCaption}, in.SEO.args()...)
			return tx.GetContext(ctx, &p, insertPostSQL, append(args, in.CommentsClosed)...)
		})
		if !isSlugTaken(err) || attempt >= maxSlugAttempts {
			break
		}
	}
	if err != nil {
		return Post{}, fmt.Errorf("models: insert post: %w", asDuplicate(err))
	}
	return p, nil
}

const getPostSQL = `SELECT ` + postColumns + ` FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.id = $1 AND p.deleted_at IS NULL`

// Get returns a post in any state except deleted; callers decide who may
// see drafts and hidden posts.
func (m *PostModel) Get(ctx context.Context, id int64) (Post, error) {
	return m.getOne(ctx, getPostSQL, id)
}

const getAnyPostSQL = `SELECT ` + postColumns + ` FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.id = $1`

// GetAny returns a post even from the trash, for restoring it.
func (m *PostModel) GetAny(ctx context.Context, id int64) (Post, error) {
	return m.getOne(ctx, getAnyPostSQL, id)
}

func (m *PostModel) getOne(ctx context.Context, query string, args ...any) (Post, error) {
	var p Post
	err := m.DB.GetContext(ctx, &p, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, ErrNotFound
	}
	if err != nil {
		return Post{}, fmt.Errorf("models: get post: %w", err)
	}
	return p, nil
}

// A slug names a post by its current slug or, failing that, by one it had
// before (moved). The two are separate queries, tried in that order: one
// query for both (a UNION) took PostgreSQL four times as long to plan as
// the first alone, which is all a post page usually needs.
const (
	bySlug    = ` FROM posts p LEFT JOIN users u ON u.id = p.author_id WHERE p.slug = $1 AND p.deleted_at IS NULL`
	byOldSlug = ` FROM post_slugs s JOIN posts p ON p.id = s.post_id LEFT JOIN users u ON u.id = p.author_id
WHERE s.slug = $1 AND p.deleted_at IS NULL`
)

const (
	resolvePostSQL      = `SELECT ` + postColumns + bySlug
	resolveMovedPostSQL = `SELECT ` + postColumns + byOldSlug
)

// headColumns are what a post page needs before the post's text: who may
// see it, where it lives, and its stamp (updated_at, the author's name and
// the site settings' version).
const headColumns = `p.id, p.author_id, coalesce(u.username, '') AS author_username,
	coalesce(nullif(u.display_name, ''), u.username, '') AS author_name,
	p.slug, p.status, p.updated_at, p.deleted_at, p.version, p.author_suspended, p.kind, p.comments_stamp, p.comments_at,
	coalesce((SELECT version FROM site_settings), 0) AS site_version`

const (
	resolveHeadSQL      = `SELECT ` + headColumns + bySlug
	resolveMovedHeadSQL = `SELECT ` + headColumns + byOldSlug
)

// Resolve finds a post by slug for /posts/{slug}. When slug is one the post
// had before, moved is true and callers redirect (301) to p.Slug. Any state
// but deleted is returned; callers decide who may see it.
func (m *PostModel) Resolve(ctx context.Context, slug string) (p Post, moved bool, err error) {
	return m.resolve(ctx, resolvePostSQL, resolveMovedPostSQL, slug)
}

// ResolveHead is Resolve with only ID, AuthorID, AuthorUsername,
// AuthorName, Slug, Status, UpdatedAt, DeletedAt, Version, Kind, CommentsStamp, CommentsAt and SiteVersion filled: enough
// to decide who may see the post and whether a kept copy of it is current,
// without reading its text.
func (m *PostModel) ResolveHead(ctx context.Context, slug string) (p Post, moved bool, err error) {
	return m.resolve(ctx, resolveHeadSQL, resolveMovedHeadSQL, slug)
}

func (m *PostModel) resolve(ctx context.Context, current, old, slug string) (p Post, moved bool, err error) {
	type head struct {
		p     Post
		moved bool
	}
	h, err := remember(m.Changes, changeKey{query: current, s: slug}, func() (head, error) {
		p, moved, err := m.resolveNow(ctx, current, old, slug)
		return head{p, moved}, err
	})
	return h.p, h.moved, err
}

func (m *PostModel) resolveNow(ctx context.Context, current, old, slug string) (p Post, moved bool, err error) {
	if !storable(slug) {
		return Post{}, false, ErrNotFound
	}
	st, err := m.stmts.stmt(ctx, m.DB, current)
	if err == nil {
		err = st.GetContext(ctx, &p, slug)
	}
	if errors.Is(err, sql.ErrNoRows) {
		moved = true
		err = m.DB.GetContext(ctx, &p, old, slug)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, false, ErrNotFound
	}
	if err != nil {
		return Post{}, false, fmt.Errorf("models: resolve post: %w", err)
	}
	return p, moved, nil
}

const lockPostSQL = `SELECT id, slug, title, body, excerpt, tags, status, published_at, version, kind, comments_closed
FROM posts WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`

const insertOldSlugSQL = `INSERT INTO post_slugs (slug, post_id) VALUES ($1, $2)
ON CONFLICT (slug) DO UPDATE SET post_id = EXCLUDED.post_id`

const updatePostSQL = `WITH p AS (
	UPDATE posts SET title = $3, slug = $4, body = $5, body_html = $6, excerpt = $7, summary = $8,
		cover_key = $9, cover_alt = $10, tags = $11, cover_caption = $12, version = version + 1, updated_at = now(),
		(` + seoColumns + `) = ($13, $14, $15, $16, $17), comments_closed = coalesce($18, comments_closed)
	WHERE id = $1 AND version = $2 AND deleted_at IS NULL RETURNING *
)
SELECT ` + postColumns + ` FROM p LEFT JOIN users u ON u.id = p.author_id`

// Update saves the editor's form over the version the editor started from:
// if anyone saved in between, it is ErrConflict and nothing changes. Editing
// a published post first keeps its previous text as a revision. A post that
// has never been public follows its title with its slug; once public, the
// slug changes only when in.Slug asks for another (numbered as in Insert
// when taken), and the old one keeps redirecting. editorID (0 for none) is
// recorded on the revision. A save clears the editor's pending changes
// (pending.go) in the same transaction.
func (m *PostModel) Update(ctx context.Context, id int64, version int, in PostInput, editorID int64) (Post, error) {
	in = in.normalized()
	r, err := m.render(ctx, in)
	if err != nil {
		return Post{}, err
	}
	var p Post
	for attempt := 1; ; attempt++ {
		err = inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
			var cur Post
			if err := tx.GetContext(ctx, &cur, lockPostSQL, id); err != nil {
				return err
			}
			if cur.Version != version {
				return ErrConflict
			}
			slug, err := nextSlug(ctx, tx, cur, in)
			if err != nil {
				return err
			}
			if textChanged(cur, in) {
				if err := keepRevision(ctx, tx, id, cur.Status, editorID); err != nil {
					return err
				}
			}
			if slug != cur.Slug && cur.PublishedAt != nil {
				if _, err := tx.ExecContext(ctx, insertOldSlugSQL, cur.Slug, id); err != nil {
					return err
				}
			}
			args := append([]any{id, version, in.Title, slug, in.Body, r.html, in.Excerpt, r.summary,
				in.CoverKey, in.CoverAlt, pq.StringArray(in.Tags), in.CoverCaption}, in.SEO.args()...)
			if err := tx.GetContext(ctx, &p, updatePostSQL, append(args, in.CommentsClosed)...); err != nil {
				return err
			}
			if err := auditCommentsSwitch(ctx, tx, cur, p, editorID); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, deletePendingSQL, id, editorID) // saved: the saver's pending changes are moot
			return err
		})
		if !isSlugTaken(err) || attempt >= maxSlugAttempts {
			break
		}
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Post{}, ErrNotFound
	case errors.Is(err, ErrConflict):
		return Post{}, ErrConflict
	case err != nil:
		return Post{}, fmt.Errorf("models: update post: %w", asDuplicate(err))
	}
	return p, nil
}

// textChanged reports whether a save changes what revisions keep, so saving
// an unchanged form does not add an identical revision.
func textChanged(cur Post, in PostInput) bool {
	return cur.Title != in.Title || cur.Body != in.Body || cur.Excerpt != in.Excerpt ||
		strings.Join(cur.Tags, ",") != strings.Join(in.Tags, ",")
}

// Publish makes a draft public. published_at is set the first time only.
// A post that is not a draft (hidden by an admin, or already published) or
// has moved on from version is ErrConflict.
func (m *PostModel) Publish(ctx context.Context, who Actor, id int64, version int) (Post, error) {
	ch := publishChange()
	ch.version = version
	return m.change(ctx, who, id, ch)
}

// Unpublish takes a published post back to draft. Its slug stays reserved
// and its published_at is kept for when it returns.
func (m *PostModel) Unpublish(ctx context.Context, who Actor, id int64, version int) (Post, error) {
	ch := unpublishChange()
	ch.version = version
	return m.change(ctx, who, id, ch)
}

// SoftDelete moves a post to its author's trash: gone from every page and
// list, restorable for TrashDays. Its slug stays reserved meanwhile.
func (m *PostModel) SoftDelete(ctx context.Context, who Actor, id int64) error {
	_, err := m.change(ctx, who, id, trashChange())
	return err
}

// change runs one of the posts' state changes (post_changes.go) on one post
// for who (its author, or an editor on the post's page), unaudited (the
// audit log is the admin tables'), and returns the post as the change left it.
func (m *PostModel) change(ctx context.Context, who Actor, id int64, ch postChange) (Post, error) {
	ch.one = true
	var p Post
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if _, err := changePosts(ctx, tx, who, []int64{id}, ch); err != nil {
			return err
		}
		return tx.GetContext(ctx, &p, getAnyPostSQL, id)
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict), errors.Is(err, ErrForbidden):
		return Post{}, err
	case err != nil:
		return Post{}, fmt.Errorf("models: %s post: %w", ch.action, err)
	}
	return p, nil
}

const restorePostSQL = `WITH p AS (
	UPDATE posts SET deleted_at = NULL, version = version + 1, updated_at = now()
	WHERE id = $1 AND deleted_at > now() - make_interval(days => $2) RETURNING *
)
SELECT ` + postColumns + ` FROM p LEFT JOIN users u ON u.id = p.author_id`

// Restore takes a post out of the trash in the state it was deleted in.
// A post not in the trash, or deleted more than TrashDays ago, is ErrNotFound.
func (m *PostModel) Restore(ctx context.Context, id int64) (Post, error) {
	return m.getOne(ctx, restorePostSQL, id, TrashDays)
}

// Slugs.

// slugBase is the slug a post asks for before making it unique.
// Slugify leaves a valid slug as it is and mends anything else.
func slugBase(in PostInput) string {
	if in.Slug != "" {
		return markdown.Slugify(in.Slug)
	}
	return markdown.Slugify(in.Title)
}

// reservedSlugs are the words the site's routes use under /posts/
// (/posts/new, and the actions under /posts/{id}/). A post with one of them
// as its slug could not be reached at /posts/{slug}, so saves treat them as
// taken: a post titled "New" is "new-2". A handlers test keeps the list in
// step with the router.
var reservedSlugs = map[string]bool{
	"new": true, "edit": true, "editor": true, "view": true, "autosave": true, "preview": true,
	"publish": true, "unpublish": true, "delete": true, "restore": true, "revisions": true, "submit": true,
	"discard": true, "schedule": true, "unschedule": true, "merge": true, "comments": true, "token": true, "reply": true,
	// The comments feeds' files (/posts/{slug}/comments/feed.xml): no slug
	// holds a dot, but every word a route uses is listed.
	"feed.xml": true, "atom.xml": true,
}

// ReservedSlug reports whether slug is a word the site's routes use under /posts/.
func ReservedSlug(slug string) bool { return reservedSlugs[slug] }

// nextSlug decides a post's slug at an update (see Update).
func nextSlug(ctx context.Context, tx *sqlx.Tx, cur Post, in PostInput) (string, error) {
	base := slugBase(in)
	reserved := reservedFor(cur.Kind, cur.Slug)
	switch {
	case reserved && in.Slug == "" && cur.PublishedAt != nil:
		// Public before the word was reserved, yet never reachable: it is
		// numbered as if taken ("new" -> "new-2").
		return freeSlug(ctx, tx, cur.Slug, cur.ID, cur.Kind)
	case reserved:
		// A draft's: chosen afresh from the title or the slug asked for.
	case in.Slug != "" && base == cur.Slug:
		return cur.Slug, nil
	case in.Slug == "" && cur.PublishedAt != nil:
		return cur.Slug, nil // public links must keep working
	case in.Slug == "" && slugFits(cur.Slug, base):
		return cur.Slug, nil // the title's slug, or a numbered variant of it
	}
	return freeSlug(ctx, tx, base, cur.ID, cur.Kind)
}

// slugFits reports whether slug is base or one of its numbered variants.
func slugFits(slug, base string) bool {
	if slug == base {
		return true
	}
	i := strings.LastIndexByte(slug, '-')
	n, err := strconv.Atoi(slug[i+1:])
	return i > 0 && err == nil && n >= 2 && numberedSlug(base, n) == slug
}

// numberedSlug appends -n to base, shortening base when needed so the
// result still fits markdown.ValidSlug's 80 characters.
func numberedSlug(base string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	if len(base)+len(suffix) > maxSlugLen {
		base = strings.TrimRight(base[:maxSlugLen-len(suffix)], "-")
	}
	return base + suffix
}

const maxSlugLen = 80 // as markdown.ValidSlug and the posts.slug CHECK

// slugStemLen is a prefix every numbered variant of a base shares (the
// suffix never needs more than 10 characters), for the index range scan.
const slugStemLen = maxSlugLen - 16

const takenSlugsSQL = `SELECT slug FROM posts WHERE slug LIKE $1 AND id <> $2
UNION
SELECT slug FROM post_slugs WHERE slug LIKE $1 AND post_id <> $2`

// slugLockSQL queues the transactions choosing a slug from the same base
// until the first commits, so they number their slugs one after another
// instead of all picking the same one and retrying. The two-key form keeps
// these locks apart from the single-key ones (migrations, janitor).
const slugLockSQL = `SELECT pg_advisory_xact_lock(1903389799, hashtext($1))` // 0x71736c67, "qslg"

// freeSlug returns base, or its first numbered variant (-2, -3, ...) that
// no other post uses as its slug or as an old, redirecting slug, and that
// is not a reserved word for kind (see reservedFor). A post may
// take back its own old slugs. It holds the base's lock until tx ends; the
// unique index still decides, and callers retry when a save from another
// base won.
func freeSlug(ctx context.Context, tx *sqlx.Tx, base string, postID int64, kind string) (string, error) {
	if _, err := tx.ExecContext(ctx, slugLockSQL, base); err != nil {
		return "", fmt.Errorf("lock slug: %w", err)
	}
	stem := base[:min(len(base), slugStemLen)]
	var taken []string
	if err := tx.SelectContext(ctx, &taken, takenSlugsSQL, likePrefix(stem), postID); err != nil {
		return "", fmt.Errorf("find free slug: %w", err)
	}
	used := make(map[string]bool, len(taken))
	for _, s := range taken {
		used[s] = true
	}
	if !used[base] && !reservedFor(kind, base) {
		return base, nil
	}
	for n := 2; ; n++ {
		if s := numberedSlug(base, n); !used[s] {
			return s, nil
		}
	}
}

// likePrefix makes a LIKE pattern matching strings that start with s.
func likePrefix(s string) string {
	return likeLiteral(s) + "%"
}

// isSlugTaken reports a unique violation on posts.slug.
func isSlugTaken(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505" && pqErr.Constraint == "posts_slug_key"
}
