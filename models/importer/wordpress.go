package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/markdown"
)

// wordpress is one WordPress import run.
type wordpress struct {
	*run
	authors     map[string]*Author // by login
	terms       map[[2]string]*Term
	attachments map[int64]attachment
}

// ImportWordPress reads a WXR file from r (name is its path, for messages)
// and writes its authors, posts and pages. Each item is written in its own
// transaction with its import_sources row, so a failure leaves whole items
// behind and a second run picks up where the first stopped (or, with
// opt.Atomic, all in one). Malformed XML stops the import with the file and
// line; a bad item is skipped and noted.
func ImportWordPress(ctx context.Context, db *sqlx.DB, r io.ReadSeeker, name string, opt Options) (Summary, error) {
	w := &wordpress{run: newRun(db, opt), authors: map[string]*Author{}, terms: map[[2]string]*Term{}}
	w.uploads = "/wp-content/uploads/"
	size, err := r.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = r.Seek(0, io.SeekStart)
	}
	if err != nil {
		return Summary{}, err
	}
	if opt.Uploads != nil {
		// A first pass finds the attachments, which featured images name
		// by id and which may come after the posts.
		if w.attachments, err = scanAttachments(r, name); err != nil {
			return Summary{}, err
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Summary{}, err
		}
		w.media = &media{uploads: opt.Uploads, dir: opt.UploadsDir, stored: map[string]string{}, original: wpOriginal}
	}
	if err := w.begin(ctx); err != nil {
		return Summary{}, err
	}
	err = w.read(ctx, NewWXR(r, name), size)
	if err == nil {
		w.progress(size, size)
	}
	return w.end(err)
}

func (w *wordpress) read(ctx context.Context, wxr *WXR, size int64) error {
	for {
		rec, err := wxr.Next()
		if err == io.EOF {
			return w.termRedirects(ctx)
		}
		if err != nil {
			return err
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
				return err
			}
			w.progress(wxr.dec.InputOffset(), size)
		}
	}
}

func itemLabel(it *Item) string {
	return fmt.Sprintf("%s %d “%s” (line %d)", it.Type, it.ID, it.Title, it.Line)
}

func (w *wordpress) note(it *Item, format string, args ...any) {
	w.run.note(itemLabel(it), format, args...)
}

// skip counts an item left out and says why.
func (w *wordpress) skip(it *Item, format string, args ...any) {
	w.run.skip(itemLabel(it), format, args...)
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
	a, ok := w.authors[it.Creator]
	if !ok {
		w.skip(it, "Its author %q is not in the file's author list.", it.Creator)
		return nil
	}
	err := w.write(ctx, entry{
		key: strconv.FormatInt(it.ID, 10), label: itemLabel(it), digest: sourceDigest(it),
		author: person{key: strconv.FormatInt(a.ID, 10), login: a.Login, email: a.Email, name: a.DisplayName,
			fallback: "wp_" + strconv.FormatInt(a.ID, 10)},
		convert: func() (post, bool) { return w.convert(it) },
		images: func(ctx context.Context, p *post, owner int64) {
			p.body = w.rewrite(ctx, itemLabel(it), it.Title, p.body, owner)
			p.cover, p.coverAlt = w.cover(ctx, it, owner)
		},
		written: func(ctx context.Context, tx *sqlx.Tx, postID int64) error {
			return addRedirects(ctx, tx, oldPaths(it), postID)
		},
	})
	if err != nil {
		return err
	}
	return w.comments(ctx, it)
}

// convert maps an item's fields to Quire's; ok is false when the item is
// skipped (and noted).
func (w *wordpress) convert(it *Item) (p post, ok bool) {
	p.kind = models.KindPost
	if it.Type == "page" {
		p.kind = models.KindPage
	}
	body, err := toMarkdown(models.CleanText(it.Content))
	if !w.fit(itemLabel(it), &p, it.Title, body, err, it.Excerpt) {
		return p, false
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
		w.scheduleAt(itemLabel(it), at, &p)
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
	var terms []term
	for _, t := range it.Terms {
		if (t.Domain != "category" && t.Domain != "post_tag") || t.Domain == "category" && t.Slug == "uncategorized" {
			continue
		}
		terms = append(terms, term{word: termWord(t.Domain), name: t.Name, slug: t.Slug})
	}
	return w.tagList(itemLabel(it), terms)
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
