// Package exporter writes a whole site out as files a person can read and
// another tool can import: one Markdown file with front matter per post
// and page, the media they show, and the authors, settings and comments
// as JSON. quire import markdown reads it back.
package exporter

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models"
)

// Options steer an export.
type Options struct {
	// WithEmails writes the authors' email addresses; without it the
	// export holds no way to reach anyone.
	WithEmails bool
	// MediaURL is a stored image's address (urls.Media), as bodies hold it.
	MediaURL func(key string) string
	// PostURL is the address of a post or page by its slug (urls.Post,
	// urls.Page): a renamed post's old slugs become aliases.
	PostURL func(kind, slug string) string
	// Location is the time zone the front matter's dates are written in.
	Location *time.Location
}

// Summary counts what an export wrote.
type Summary struct {
	Posts, Pages, Media, Authors, Comments int
	// Missing are media keys referenced but not in the media store.
	Missing []string
}

// pageSize is how many posts (or accounts, or comments) are read at once:
// the export holds one page in memory, never the site.
const pageSize = 100

// Export writes the site to name (a folder, name.zip, or a device), from
// one consistent snapshot of the database.
func Export(ctx context.Context, db *sqlx.DB, files models.MediaStore, name string, opt Options) (Summary, error) {
	t, err := openTarget(name)
	if err != nil {
		return Summary{}, err
	}
	sum, err := write(ctx, db, files, t.sink, opt)
	if err != nil {
		t.abort()
		return sum, plainly(err)
	}
	return sum, plainly(t.commit())
}

// export is one run.
type export struct {
	tx    *sqlx.Tx
	files models.MediaStore
	out   sink
	opt   Options
	media map[string]bool // keys referenced, written last
	sum   Summary
	now   time.Time
	// mediaRef finds a stored image's address in a body, as a path (not
	// inside another site's URL): what precedes it, then its key.
	mediaRef *regexp.Regexp
}

func write(ctx context.Context, db *sqlx.DB, files models.MediaStore, out sink, opt Options) (Summary, error) {
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	// Repeatable read: every page of posts and the media they name come
	// from one instant, however long the export takes.
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Summary{}, fmt.Errorf("exporter: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	e := &export{tx: tx, files: files, out: out, opt: opt, media: map[string]bool{}, now: time.Now(),
		mediaRef: regexp.MustCompile(`(^|[\s(<"'\[])` + regexp.QuoteMeta(opt.MediaURL("")) + `([a-f0-9]{64}(?:-w[0-9]{2,4})?\.(?:jpg|png|gif))`)}
	for _, step := range []func(context.Context) error{e.posts, e.authors, e.settings, e.comments, e.mediaFiles, e.manifest} {
		if err := step(ctx); err != nil {
			return e.sum, err
		}
	}
	return e.sum, nil // the target's commit closes out
}

// exportedPost is a post as the export reads it.
type exportedPost struct {
	ID          int64          `db:"id"`
	Kind        string         `db:"kind"`
	Title       string         `db:"title"`
	Slug        string         `db:"slug"`
	Body        string         `db:"body"`
	Excerpt     string         `db:"excerpt"`
	CoverKey    string         `db:"cover_key"`
	CoverAlt    string         `db:"cover_alt"`
	Status      string         `db:"status"`
	Tags        pq.StringArray `db:"tags"`
	PublishedAt *time.Time     `db:"published_at"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
	Author      string         `db:"author"`
	Redirects   pq.StringArray `db:"redirects"`
	OldSlugs    pq.StringArray `db:"old_slugs"`
}

// A page of posts after id, with their author's username and the old
// addresses that lead to them. Posts in the trash are not exported.
const exportPostsSQL = `SELECT p.id, p.kind, p.title, p.slug, p.body, p.excerpt, p.cover_key, p.cover_alt, p.status, p.tags,
	p.published_at, p.created_at, p.updated_at, coalesce(u.username, '') AS author,
	ARRAY(SELECT r.path FROM redirects r WHERE r.post_id = p.id ORDER BY r.path) AS redirects,
	ARRAY(SELECT s.slug FROM post_slugs s WHERE s.post_id = p.id ORDER BY s.slug) AS old_slugs
FROM posts p LEFT JOIN users u ON u.id = p.author_id
WHERE p.deleted_at IS NULL AND p.id > $1 ORDER BY p.id LIMIT $2`

func (e *export) posts(ctx context.Context) error {
	for after := int64(0); ; {
		var page []exportedPost
		if err := e.tx.SelectContext(ctx, &page, exportPostsSQL, after, pageSize); err != nil {
			return fmt.Errorf("exporter: read posts: %w", err)
		}
		for _, p := range page {
			if err := e.post(p); err != nil {
				return err
			}
		}
		if len(page) < pageSize {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// postFrontMatter is what a post's file says of it, in Hugo's terms where
// Hugo has one (date, lastmod, draft, aliases, description), so Hugo reads
// it too.
type postFrontMatter struct {
	Title       string    `yaml:"title"`
	Slug        string    `yaml:"slug"`
	Type        string    `yaml:"type,omitempty"`
	Date        time.Time `yaml:"date"`
	Lastmod     time.Time `yaml:"lastmod"`
	Status      string    `yaml:"status"`
	Draft       bool      `yaml:"draft"`
	Author      string    `yaml:"author,omitempty"`
	Tags        []string  `yaml:"tags"`
	Cover       string    `yaml:"cover,omitempty"`
	CoverAlt    string    `yaml:"cover_alt,omitempty"`
	Aliases     []string  `yaml:"aliases,omitempty"`
	Description string    `yaml:"description,omitempty"`
}

// post writes posts/SLUG.md or pages/SLUG.md.
func (e *export) post(p exportedPost) error {
	folder := "posts"
	fm := postFrontMatter{Title: p.Title, Slug: p.Slug, Date: p.CreatedAt.In(e.opt.Location),
		Lastmod: p.UpdatedAt.In(e.opt.Location), Status: p.Status, Draft: p.Status != models.PostPublished,
		Author: p.Author, Tags: []string(p.Tags), CoverAlt: p.CoverAlt, Description: p.Excerpt}
	if p.Kind == models.KindPage {
		folder, fm.Type = "pages", models.KindPage
		e.sum.Pages++
	} else {
		e.sum.Posts++
	}
	if p.PublishedAt != nil {
		fm.Date = p.PublishedAt.In(e.opt.Location)
	}
	if fm.Tags == nil {
		fm.Tags = []string{}
	}
	if p.CoverKey != "" {
		fm.Cover = e.mediaPath(p.CoverKey)
	} else {
		fm.CoverAlt = ""
	}
	fm.Aliases = append(fm.Aliases, p.Redirects...)
	for _, s := range p.OldSlugs {
		fm.Aliases = append(fm.Aliases, e.opt.PostURL(p.Kind, s))
	}
	body := e.mediaRef.ReplaceAllStringFunc(p.Body, func(ref string) string {
		m := e.mediaRef.FindStringSubmatch(ref)
		return m[1] + e.mediaPath(m[2])
	})
	w, err := e.out.create(folder+"/"+p.Slug+".md", p.UpdatedAt, true)
	if err != nil {
		return err
	}
	return writeMarkdown(w, fm, body)
}

// mediaPath is where the file of key is, seen from a post's file; the key
// is noted for the media folder.
func (e *export) mediaPath(key string) string {
	e.media[key] = true
	return "../media/" + key
}

// exportedAuthor is an account as authors.json lists it: no password
// hash, and the email only when asked for.
type exportedAuthor struct {
	ID          int64     `db:"id" json:"-"`
	Username    string    `db:"username" json:"username"`
	DisplayName string    `db:"display_name" json:"display_name"`
	Bio         string    `db:"bio" json:"bio"`
	Avatar      string    `db:"avatar" json:"avatar,omitempty"`
	Role        string    `db:"role" json:"role"`
	State       string    `db:"state" json:"state"`
	Email       string    `db:"email" json:"email,omitempty"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

const exportUsersSQL = `SELECT id, username, display_name, bio, avatar, role, state, email, created_at
FROM users WHERE id > $1 ORDER BY id LIMIT $2`

func (e *export) authors(ctx context.Context) error {
	w, err := e.out.create("authors.json", e.now, true)
	if err != nil {
		return err
	}
	list := &jsonArray{w: w}
	for after := int64(0); ; {
		var page []exportedAuthor
		if err := e.tx.SelectContext(ctx, &page, exportUsersSQL, after, pageSize); err != nil {
			return fmt.Errorf("exporter: read authors: %w", err)
		}
		for _, u := range page {
			if !e.opt.WithEmails {
				u.Email = ""
			}
			if u.Avatar != "" {
				u.Avatar = strings.TrimPrefix(e.mediaPath(u.Avatar), "../")
			}
			if err := list.add(u); err != nil {
				return err
			}
			e.sum.Authors++
		}
		if len(page) < pageSize {
			return list.close()
		}
		after = page[len(page)-1].ID
	}
}

// The settings row as JSON, less its bookkeeping.
const exportSettingsSQL = `SELECT (to_jsonb(s) - 'id' - 'version' - 'search_config')::text FROM site_settings s WHERE id = 1`

func (e *export) settings(ctx context.Context) error {
	var raw string
	if err := e.tx.GetContext(ctx, &raw, exportSettingsSQL); err != nil {
		return fmt.Errorf("exporter: read settings: %w", err)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return err
	}
	for _, k := range []string{"logo_key", "favicon_key", "social_image_key"} {
		if key, _ := s[k].(string); key != "" {
			s[k] = strings.TrimPrefix(e.mediaPath(key), "../")
		}
	}
	w, err := e.out.create("settings.json", e.now, true)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// exportedComment is a comment kept from an import, as its source wrote it.
type exportedComment struct {
	Source   string          `db:"source" json:"source"`
	SourceID string          `db:"source_id" json:"source_id"`
	Post     string          `db:"post" json:"post"` // the post's file
	Data     json.RawMessage `db:"data" json:"data"`
}

const exportCommentsSQL = `SELECT c.source, c.source_id, (CASE p.kind WHEN 'page' THEN 'pages/' ELSE 'posts/' END) || p.slug || '.md' AS post,
	c.data
FROM imported_comments c JOIN posts p ON p.id = c.post_id
WHERE p.deleted_at IS NULL AND (c.source, c.source_id) > ($1, $2) ORDER BY c.source, c.source_id LIMIT $3`

// comments writes comments.json when the site has any.
func (e *export) comments(ctx context.Context) error {
	var list *jsonArray
	for after := (exportedComment{}); ; {
		var page []exportedComment
		if err := e.tx.SelectContext(ctx, &page, exportCommentsSQL, after.Source, after.SourceID, pageSize); err != nil {
			return fmt.Errorf("exporter: read comments: %w", err)
		}
		if list == nil && len(page) > 0 {
			w, err := e.out.create("comments.json", e.now, true)
			if err != nil {
				return err
			}
			list = &jsonArray{w: w}
		}
		for _, c := range page {
			if err := list.add(c); err != nil {
				return err
			}
			e.sum.Comments++
		}
		if len(page) < pageSize {
			if list == nil {
				return nil
			}
			return list.close()
		}
		after = page[len(page)-1]
	}
}

// mediaFiles copies each referenced file, by key, into media/.
func (e *export) mediaFiles(ctx context.Context) error {
	keys := make([]string, 0, len(e.media))
	for k := range e.media {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		f, err := e.files.Open(ctx, key)
		if err != nil {
			e.sum.Missing = append(e.sum.Missing, key)
			continue
		}
		w, err := e.out.create("media/"+path.Base(key), e.now, false)
		if err == nil {
			_, err = io.Copy(w, f)
		}
		_ = f.Close()
		if err != nil {
			return err
		}
		e.sum.Media++
	}
	return nil
}

// manifest writes quire-export.json: what wrote the export, when, and its
// counts, written last so that a complete export has one.
func (e *export) manifest(context.Context) error {
	w, err := e.out.create("quire-export.json", e.now, true)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{
		"format": "quire-export", "format_version": 1, "exported_at": e.now.UTC(),
		"posts": e.sum.Posts, "pages": e.sum.Pages, "media": e.sum.Media, "authors": e.sum.Authors,
		"comments": e.sum.Comments, "missing_media": append([]string{}, e.sum.Missing...), "emails": e.opt.WithEmails,
	})
}
