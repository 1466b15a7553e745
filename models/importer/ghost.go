package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/markdown"
)

// The rows of a Ghost export the import reads; other fields are ignored
// (password hashes and the site's secrets among them).
type (
	ghostPost struct {
		ID            string  `json:"id"`
		Title         string  `json:"title"`
		Slug          string  `json:"slug"`
		HTML          *string `json:"html"`
		Lexical       *string `json:"lexical"`
		Mobiledoc     *string `json:"mobiledoc"`
		Plaintext     *string `json:"plaintext"`
		FeatureImage  *string `json:"feature_image"`
		Type          string  `json:"type"`
		Status        string  `json:"status"`
		Visibility    string  `json:"visibility"`
		CreatedAt     string  `json:"created_at"`
		UpdatedAt     string  `json:"updated_at"`
		PublishedAt   *string `json:"published_at"`
		CustomExcerpt *string `json:"custom_excerpt"`
	}
	ghostTag struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Slug       string `json:"slug"`
		Visibility string `json:"visibility"`
	}
	ghostUser struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Slug  string `json:"slug"`
		Email string `json:"email"`
	}
	ghostLink struct { // posts_tags and posts_authors
		PostID    string `json:"post_id"`
		TagID     string `json:"tag_id"`
		AuthorID  string `json:"author_id"`
		SortOrder int    `json:"sort_order"`
	}
	ghostMeta struct {
		PostID          string  `json:"post_id"`
		FeatureImageAlt *string `json:"feature_image_alt"`
	}
)

// ghost is one Ghost import run. The tables that relate posts to tags,
// authors and image descriptions are read first and kept (they are small);
// the posts are then read one at a time.
type ghost struct {
	*run
	tags    map[string]ghostTag
	users   map[string]ghostUser
	postTag map[string][]ghostLink // by post id, in Ghost's order
	authors map[string][]ghostLink
	alts    map[string]string // the feature image's alt, by post id
	posts   int
}

// ghostURL stands for the Ghost site's own address in its exports.
const ghostURL = "__GHOST_URL__"

// ImportGhost reads a Ghost JSON export (Settings → Labs → Export, Ghost
// 5.x and 6.x) from r (name is its path, for messages) and writes its
// authors, posts and pages, as ImportWordPress does: each post in its own
// transaction (or all in one with opt.Atomic), keyed by Ghost's ids so a
// second run changes nothing. opt.UploadsDir is a copy of Ghost's
// content/images folder.
func ImportGhost(ctx context.Context, db *sqlx.DB, r io.ReadSeeker, name string, opt Options) (Summary, error) {
	g := &ghost{run: newRun(db, opt), tags: map[string]ghostTag{}, users: map[string]ghostUser{},
		postTag: map[string][]ghostLink{}, authors: map[string][]ghostLink{}, alts: map[string]string{}}
	g.source, g.base, g.uploads = "ghost", ghostURL, "/content/images/"
	g.oldLink = regexp.MustCompile(regexp.QuoteMeta(ghostURL) + `(/[^\s)"'<>]*)?`)
	size, err := r.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = r.Seek(0, io.SeekStart)
	}
	if err != nil {
		return Summary{}, err
	}
	if err := g.relations(r, name); err != nil {
		return Summary{}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{}, err
	}
	if opt.Uploads != nil {
		g.media = &media{uploads: opt.Uploads, dir: opt.UploadsDir, stored: map[string]string{}, original: ghostOriginal}
	}
	if err := g.begin(ctx); err != nil {
		return Summary{}, err
	}
	err = g.read(ctx, r, name, size)
	if err == nil {
		g.progress(size, size)
	}
	return g.end(err)
}

// relations is the first pass: tags, users and the join tables.
func (g *ghost) relations(r io.Reader, name string) error {
	f, err := openGhost(r, name)
	if err != nil {
		return err
	}
	sawPosts := false
	for {
		table, err := f.nextTable()
		if err != nil {
			return err
		}
		var row any
		switch table {
		case "":
			if !sawPosts {
				return fmt.Errorf("%s: %w: it has no posts table", name, ErrNotGhost)
			}
			return nil
		case "posts":
			sawPosts = true
			if g.posts, err = f.skipTable(); err != nil {
				return err
			}
			continue
		case "tags":
			row = &ghostTag{}
		case "users":
			row = &ghostUser{}
		case "posts_tags", "posts_authors":
			row = &ghostLink{}
		case "posts_meta":
			row = &ghostMeta{}
		default:
			if _, err := f.skipTable(); err != nil {
				return err
			}
			continue
		}
		for {
			ok, err := f.nextRow(row)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			g.keep(table, row)
		}
	}
}

func (g *ghost) keep(table string, row any) {
	switch v := row.(type) {
	case *ghostTag:
		g.tags[v.ID] = *v
	case *ghostUser:
		g.users[v.ID] = *v
	case *ghostLink:
		if table == "posts_tags" {
			g.postTag[v.PostID] = append(g.postTag[v.PostID], *v)
		} else {
			g.authors[v.PostID] = append(g.authors[v.PostID], *v)
		}
		*v = ghostLink{}
	case *ghostMeta:
		if v.FeatureImageAlt != nil {
			g.alts[v.PostID] = *v.FeatureImageAlt
		}
		*v = ghostMeta{}
	}
}

// read is the second pass: the posts, one at a time, then the tags' old
// addresses.
func (g *ghost) read(ctx context.Context, r io.Reader, name string, size int64) error {
	for _, links := range []map[string][]ghostLink{g.postTag, g.authors} {
		for _, l := range links {
			sort.SliceStable(l, func(i, j int) bool { return l[i].SortOrder < l[j].SortOrder })
		}
	}
	f, err := openGhost(r, name)
	if err != nil {
		return err
	}
	for {
		table, err := f.nextTable()
		if err != nil || table == "" {
			return err
		}
		if table != "posts" {
			if _, err := f.skipTable(); err != nil {
				return err
			}
			continue
		}
		for {
			var raw json.RawMessage
			ok, err := f.nextRow(&raw)
			if err != nil {
				return err
			}
			if !ok {
				return g.tagRedirects(ctx)
			}
			var p ghostPost
			if err := json.Unmarshal(raw, &p); err != nil {
				return f.fail(err)
			}
			if err := g.post(ctx, &p, raw, f.row); err != nil {
				return err
			}
			g.progress(f.dec.InputOffset(), size)
		}
	}
}

func ghostLabel(p *ghostPost, row int) string {
	return fmt.Sprintf("%s %s “%s” (posts row %d)", p.Type, p.ID, p.Title, row)
}

func (g *ghost) post(ctx context.Context, p *ghostPost, raw []byte, row int) error {
	label := ghostLabel(p, row)
	if p.Type != "post" && p.Type != "page" {
		g.skip(label, "Ghost's %q posts have no counterpart in Quire.", p.Type)
		return nil
	}
	authors := g.authors[p.ID]
	if len(authors) == 0 {
		g.skip(label, "It has no author in the file.")
		return nil
	}
	u, ok := g.users[authors[0].AuthorID]
	if !ok {
		g.skip(label, "Its author %q is not in the file's users.", authors[0].AuthorID)
		return nil
	}
	return g.write(ctx, entry{
		key: p.ID, label: label, digest: g.digest(p, raw),
		author: person{key: u.ID + " " + strings.ToLower(u.Email), login: u.Slug, email: u.Email, name: u.Name, fallback: "ghost_" + tail(u.ID, 8)},
		convert: func() (post, bool) {
			if len(authors) > 1 {
				var others []string
				for _, a := range authors[1:] {
					others = append(others, g.users[a.AuthorID].Name)
				}
				g.note(label, "A Quire post has one author: it is %s's; Ghost also named %s.", u.Name, strings.Join(others, ", "))
			}
			return g.convert(label, p)
		},
		images: func(ctx context.Context, q *post, owner int64) {
			q.body = g.rewrite(ctx, label, p.Title, q.body, owner)
			q.cover, q.coverAlt = g.cover(ctx, label, p, owner)
		},
		written: func(ctx context.Context, tx *sqlx.Tx, postID int64) error {
			return addRedirects(ctx, tx, []string{"/" + p.Slug + "/"}, postID)
		},
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// digest covers the post's row and what the other tables say of it.
func (g *ghost) digest(p *ghostPost, raw []byte) string {
	h := sha256.New()
	h.Write(raw)
	for _, l := range g.postTag[p.ID] {
		t := g.tags[l.TagID]
		fmt.Fprintf(h, "\x00tag %s %s %s", t.Name, t.Slug, t.Visibility)
	}
	for _, l := range g.authors[p.ID] {
		fmt.Fprintf(h, "\x00author %s", l.AuthorID)
	}
	fmt.Fprintf(h, "\x00alt %s", g.alts[p.ID])
	return hex.EncodeToString(h.Sum(nil))
}

func (g *ghost) convert(label string, gp *ghostPost) (p post, ok bool) {
	p.kind = models.KindPost
	if gp.Type == "page" {
		p.kind = models.KindPage
	}
	body, err := g.body(label, gp)
	excerpt := ""
	if gp.CustomExcerpt != nil {
		excerpt = *gp.CustomExcerpt
	}
	if !g.fit(label, &p, gp.Title, body, err, excerpt) {
		return p, false
	}
	p.slug = markdown.Slugify(gp.Slug)
	if p.slug == "" {
		p.slug = markdown.Slugify(p.title)
	}
	p.tags = g.postTags(label, gp)

	created := ghostTime(&gp.CreatedAt, time.Now())
	at := ghostTime(gp.PublishedAt, created)
	p.created, p.updated = at, ghostTime(&gp.UpdatedAt, at)
	if p.updated.Before(at) {
		p.updated = at
	}
	p.status = models.PostDraft
	switch gp.Status {
	case "published":
		if gp.Visibility != "" && gp.Visibility != "public" {
			g.note(label, "It is for %s only in Ghost; Quire has no members, so it is kept as a draft.", visibilityWord(gp.Visibility))
			break
		}
		p.status = models.PostPublished
		p.published = &at
	case "scheduled":
		g.scheduleAt(label, at, &p)
	case "draft":
	default:
		g.skip(label, "Its status %q (for example an email-only post) is not imported.", gp.Status)
		return p, false
	}
	return p, true
}

func visibilityWord(v string) string {
	switch v {
	case "members":
		return "members"
	case "paid":
		return "paying members"
	}
	return "some members (" + v + ")"
}

// ghostTime reads Ghost's "2025-11-15T11:00:00.000Z"; def when absent.
func ghostTime(s *string, def time.Time) time.Time {
	if s == nil {
		return def
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return def
	}
	return t
}

// postTags are the post's public tags by name, in Ghost's order; Ghost's
// internal tags (#name, visibility internal) organise the site, not the
// writing, and are left out.
func (g *ghost) postTags(label string, p *ghostPost) []string {
	var terms []term
	for _, l := range g.postTag[p.ID] {
		t, ok := g.tags[l.TagID]
		if ok && t.Visibility != "internal" && !strings.HasPrefix(t.Name, "#") {
			terms = append(terms, term{word: "tag", name: t.Name, slug: t.Slug})
		}
	}
	return g.tagList(label, terms)
}

// kgMarker is the comments Ghost's html puts around cards.
var kgMarker = regexp.MustCompile(`<!--\s*kg-card-(begin|end):[^>]*-->`)

// body is the post's Markdown: from Ghost's own rendering (html) when the
// export has it, which it does for every post Ghost 5 and 6 write;
// otherwise best-effort from the editor's document (lexical or mobiledoc),
// else the plain text.
func (g *ghost) body(label string, p *ghostPost) (string, error) {
	switch {
	case p.HTML != nil && strings.TrimSpace(*p.HTML) != "":
		return htmlMarkdown(kgMarker.ReplaceAllString(models.CleanText(*p.HTML), ""))
	case p.Lexical != nil:
		return g.fromDocument(label, "lexical", *p.Lexical, lexicalMarkdown)
	case p.Mobiledoc != nil:
		return g.fromDocument(label, "mobiledoc", *p.Mobiledoc, mobiledocMarkdown)
	case p.Plaintext != nil:
		return strings.TrimSpace(models.CleanText(*p.Plaintext)), nil
	}
	return "", nil
}

// fromDocument reads the post's editor document with read, saying so and
// what it left out.
func (g *ghost) fromDocument(label, format, doc string, read func(string) (string, []string, error)) (string, error) {
	md, lost, err := read(models.CleanText(doc))
	if err != nil {
		return "", err
	}
	g.note(label, "It had no html in the file, so its content was read from its %s document.", format)
	if len(lost) > 0 {
		g.note(label, "Parts Quire could not read were left out: %s.", strings.Join(lost, ", "))
	}
	return md, nil
}

// ghostOriginal is the image Ghost made a copy from: size/w600/x.jpg is a
// width it made, x_o.jpg the upload before Ghost optimised it.
func ghostOriginal(rel string) []string {
	rel = ghostSize.ReplaceAllString(rel, "")
	dot := strings.LastIndex(rel, ".")
	if dot <= strings.LastIndex(rel, "/") {
		return []string{rel}
	}
	return []string{rel[:dot] + "_o" + rel[dot:], rel}
}

var ghostSize = regexp.MustCompile(`^size/w\d+(h\d+)?/`)

// cover is the post's feature image, stored; "" when it has none or it
// could not be brought in (noted).
func (g *ghost) cover(ctx context.Context, label string, p *ghostPost, owner int64) (key, alt string) {
	if p.FeatureImage == nil || *p.FeatureImage == "" {
		return "", ""
	}
	prefix := ghostURL + g.uploads
	if g.media == nil || !strings.HasPrefix(*p.FeatureImage, prefix) {
		g.note(label, "Its feature image %s is not brought in (give --images, a copy of Ghost's content/images folder).", *p.FeatureImage)
		return "", ""
	}
	alt, ok := g.alts[p.ID]
	if !ok || alt == "" {
		alt = p.Title
	}
	key, err := g.media.store(ctx, strings.TrimPrefix(*p.FeatureImage, prefix), owner, alt, g.opt.DryRun)
	if err != nil {
		g.note(label, "Its feature image: %v.", err)
		return "", ""
	}
	return key, truncate(alt, models.MaxAltLen)
}

// tagRedirects records Ghost's tag addresses, /tag/slug/.
func (g *ghost) tagRedirects(ctx context.Context) error {
	var paths, tags []string
	for _, t := range g.tags {
		if t.Visibility == "internal" || strings.HasPrefix(t.Name, "#") || t.Slug == "" {
			continue
		}
		if tag, ok := termTag(t.Name, t.Slug); ok {
			paths, tags = append(paths, "/tag/"+t.Slug+"/"), append(tags, tag)
		}
	}
	return g.addTagRedirects(ctx, paths, tags)
}
