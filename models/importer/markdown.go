package importer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/markdown"
)

// ErrNotAFolder means the path given to ImportMarkdown is not a folder.
var ErrNotAFolder = errors.New("importer: not a folder")

// ErrFilesLeftOut means some files could not be read (their notes say
// which and why); the others were imported.
var ErrFilesLeftOut = errors.New("some files were left out")

// maxMarkdownFile bounds a file read whole: a post's longest body, in
// 4-byte characters, and room for its front matter.
const maxMarkdownFile = models.MaxBodyLen*4 + 64<<10

// ErrUnreadable means a file's front matter cannot be read; an atomic
// import stops at it, naming the file and line.
var ErrUnreadable = errors.New("a file cannot be read")

// markdownRun is one import of a folder of Markdown files, each an entry
// of the shared run.
type markdownRun struct {
	*run
	dir       string                    // the folder, absolute
	authors   map[string]exportedAuthor // a Quire export's authors.json, by username
	owner     int64                     // the site's first administrator, for files naming no author
	malformed int
}

// exportedAuthor is what a Quire export says of an author (authors.json).
type exportedAuthor struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
}

// ImportMarkdown imports every .md and .markdown file under dir, as Hugo
// and Jekyll keep posts (and as quire export writes them): front matter
// in YAML or TOML, then the body. Each file is one post or page in its own
// transaction, recorded by its path under dir, so a second run changes
// nothing. Images the files reference by path are stored through
// opt.Uploads; aliases and redirect_from become redirects. A file whose
// front matter cannot be read is left out with its file:line in the
// notes, and the import ends with ErrFilesLeftOut.
func ImportMarkdown(ctx context.Context, db *sqlx.DB, dir string, opt Options) (Summary, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Summary{}, err
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return Summary{}, fmt.Errorf("%s: %w", dir, ErrNotAFolder)
	}
	m := &markdownRun{run: newRun(db, opt), dir: abs}
	m.source, m.match = "markdown "+abs, m.matchOrCreate
	if opt.Uploads != nil {
		m.media = &media{uploads: opt.Uploads, dir: abs, stored: map[string]string{}}
	}
	if err := m.readAuthors(); err != nil {
		return Summary{}, err
	}
	files, err := m.list()
	if err != nil {
		return Summary{}, err
	}
	if err := m.firstAdmin(ctx); err != nil {
		return Summary{}, err
	}
	if err := m.begin(ctx); err != nil {
		return Summary{}, err
	}
	err = m.files(ctx, files)
	if err == nil && m.malformed > 0 {
		err = fmt.Errorf("%w: %d could not be read (see the notes)", ErrFilesLeftOut, m.malformed)
	}
	return m.end(err)
}

// list is the folder's Markdown files, by their paths under it.
func (m *markdownRun) list() ([]string, error) {
	var files []string
	err := filepath.WalkDir(m.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != m.dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		if (ext != ".md" && ext != ".markdown") || !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(m.dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	return files, err
}

// files imports each file, reporting files done of files found; an atomic
// run stops at the first file that cannot be read.
func (m *markdownRun) files(ctx context.Context, files []string) error {
	for i, rel := range files {
		if err := m.file(ctx, rel); err != nil {
			return err
		}
		if m.malformed > 0 && m.opt.Atomic && !m.opt.DryRun {
			return fmt.Errorf("%w: %s", ErrUnreadable, m.sum.Notes[len(m.sum.Notes)-1].Text)
		}
		m.progress(int64(i+1), int64(len(files)))
	}
	return nil
}

const firstAdminSQL = `SELECT id FROM users WHERE role = 'admin' AND state = 'active' ORDER BY id LIMIT 1`

// firstAdmin finds the account files naming no author go to; a site
// without one leaves those files out.
func (m *markdownRun) firstAdmin(ctx context.Context) error {
	err := m.db.GetContext(ctx, &m.owner, firstAdminSQL)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	m.authorIDs[""] = m.owner
	return err
}

// readAuthors reads authors.json when the folder is a Quire export, for
// the authors' names and (if exported) emails.
func (m *markdownRun) readAuthors() error {
	raw, err := os.ReadFile(filepath.Join(m.dir, "authors.json")) // #nosec G304 -- in the folder the operator named
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var list []exportedAuthor
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(m.dir, "authors.json"), err)
	}
	m.authors = map[string]exportedAuthor{}
	for _, a := range list {
		m.authors[models.NormalizeUsername(a.Username)] = a
	}
	return nil
}

// mdPost is a file read: the post, and what goes with it.
type mdPost struct {
	post
	author   string   // as the file names it; "" for none
	aliases  []string // old paths
	coverSrc string   // the cover image's path as written
}

// file imports one file, rel being its path under the folder.
func (m *markdownRun) file(ctx context.Context, rel string) error {
	full := filepath.Join(m.dir, filepath.FromSlash(rel))
	st, err := os.Stat(full)
	if err != nil {
		return err
	}
	if st.Size() > maxMarkdownFile {
		m.skip(rel, "It is %d bytes long; Quire keeps posts to %d characters.", st.Size(), models.MaxBodyLen)
		return nil
	}
	raw, err := os.ReadFile(full) // #nosec G304 -- under the folder the operator named
	if err != nil {
		return err
	}
	if path.Base(rel) == "_index.md" {
		m.skip(rel, "It is the text of a Hugo list page, which has no counterpart in Quire.")
		return nil
	}
	digest := sha256.Sum256(raw)
	var p mdPost
	return m.write(ctx, entry{
		key: rel, label: rel, digest: hex.EncodeToString(digest[:]),
		convert: func() (post, bool) {
			var ok bool
			if p, ok = m.read(rel, raw, st.ModTime()); ok && p.author == "" && m.owner == 0 {
				m.skip(rel, "It names no author, and the site has no administrator to give it to; create one first (quire createadmin).")
				return p.post, false
			}
			return p.post, ok
		},
		byline: func() person { return person{key: p.author, login: p.author, fallback: "author"} },
		images: func(ctx context.Context, q *post, owner int64) {
			q.body = m.images(ctx, rel, q.body, owner)
			if p.coverSrc != "" {
				q.cover, q.coverAlt = m.image(ctx, rel, p.coverSrc, p.coverAlt, owner)
			}
		},
		written: func(ctx context.Context, tx *sqlx.Tx, postID int64) error {
			if len(p.aliases) == 0 {
				return nil
			}
			return addRedirects(ctx, tx, p.aliases, postID)
		},
	})
}

// jekyllName is Jekyll's _posts file name: the date, then the slug.
var jekyllName = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})-(.+)$`)

// read maps a file's front matter and body to a post; ok is false when the
// file is left out (and noted).
func (m *markdownRun) read(rel string, raw []byte, modTime time.Time) (p mdPost, ok bool) {
	if !utf8.Valid(raw) {
		m.skip(rel, "It is not UTF-8 text.")
		return p, false
	}
	fmText, format, line, body, err := splitFrontMatter(raw)
	var f frontMatter
	if err == nil {
		f, err = parseFrontMatter(fmText, format, line)
	}
	if err != nil {
		m.malformed++
		m.skip(rel, "%s:%v", rel, err)
		return p, false
	}
	bad := func(err error) bool {
		if err != nil {
			m.malformed++
			m.skip(rel, "%s:%d: %v.", rel, line, err)
		}
		return err != nil
	}
	name := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	if name == "index" { // a Hugo page bundle: the folder is the post
		name = path.Base(path.Dir(rel))
	}
	var nameDate string
	if mm := jekyllName.FindStringSubmatch(name); mm != nil {
		nameDate, name = mm[1], mm[2]
	}

	p.kind = models.KindPost
	if f.str("type") == models.KindPage || f.str("layout") == models.KindPage {
		p.kind = models.KindPage
	}
	p.title = strings.TrimSpace(models.CleanText(f.str("title")))
	if p.title == "" {
		p.title = strings.ReplaceAll(name, "-", " ")
	}
	p.title = m.cut(rel, "title", p.title, models.MaxTitleLen)
	p.slug = markdown.Slugify(name)
	if s := f.str("slug"); s != "" {
		p.slug = markdown.Slugify(s)
	}
	p.excerpt = m.cut(rel, "description", plainText(f.str("description", "excerpt", "summary")), models.MaxExcerptLen)
	p.tags = m.tags(rel, f.list("tags", "categories", "category"))
	p.author = f.str("author")
	if p.author == "" {
		if names := f.list("authors", "author"); len(names) > 0 {
			p.author = names[0]
		}
	}
	p.coverSrc, p.coverAlt = f.image("cover", "image", "featured_image", "cover_image")
	if alt := f.str("cover_alt", "image_alt"); alt != "" {
		p.coverAlt = alt
	}
	p.coverAlt = truncate(p.coverAlt, models.MaxAltLen)
	// Aliases, and the address the file set for itself (Hugo's url,
	// Jekyll's permalink), which Quire's own address replaces.
	for _, a := range append(f.list("aliases", "redirect_from"), f.str("url", "permalink")) {
		if a == "" {
			continue
		}
		if old, ok := oldPath(a); ok {
			p.aliases = append(p.aliases, old)
		} else {
			m.note(rel, "Its alias %q is not an address on the old site; it was left out.", a)
		}
	}

	date, dated, err := f.date("date", m.opt.Location)
	if bad(err) {
		return p, false
	}
	if !dated && nameDate != "" {
		date, _ = time.ParseInLocation(time.DateOnly, nameDate, m.opt.Location)
		dated = true
	}
	publish, scheduled, err := f.date("publishdate", m.opt.Location)
	if bad(err) {
		return p, false
	}
	if !dated {
		date, dated = publish, scheduled
	}
	if !dated {
		date = modTime // Jekyll dates drafts by their file's time too
	}
	if f.str("url", "permalink") == "" {
		if old := generatorAddress(rel, f.str("slug"), f.list("categories", "category"), date); old != "" {
			p.aliases = append(p.aliases, old)
		}
	}
	p.created, p.updated = date, date
	for _, k := range []string{"lastmod", "last_modified_at", "updated"} {
		t, ok, err := f.date(k, m.opt.Location)
		if bad(err) {
			return p, false
		}
		if ok && t.After(date) {
			p.updated = t
			break
		}
	}

	draft, _ := f.boolean("draft")
	if published, set := f.boolean("published"); set && !published {
		draft = true
	}
	if s := f.str("status"); s != "" { // quire export's
		draft = s != models.PostPublished
	}
	if slices.Contains(strings.Split(rel, "/"), "_drafts") {
		draft = true
	}
	p.status = models.PostDraft
	switch {
	case draft:
	case scheduled && publish.After(time.Now()):
		m.scheduleAt(rel, publish, &p.post)
	case date.After(time.Now()):
		m.scheduleAt(rel, date, &p.post)
	default:
		p.status = models.PostPublished
		p.published = &date
	}

	p.body = fromHugoAndJekyll(models.CleanText(string(body)), func(format string, args ...any) { m.note(rel, format, args...) })
	if n := utf8.RuneCountInString(p.body); n > models.MaxBodyLen {
		m.skip(rel, "Its text is %d characters long; Quire keeps posts to %d.", n, models.MaxBodyLen)
		return p, false
	}
	return p, true
}

// cut shortens s to n characters, noting it.
func (m *markdownRun) cut(rel, field, s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		m.note(rel, "The %s was cut to %d characters.", field, n)
		return truncate(s, n)
	}
	return s
}

// tags are the file's tags and categories as Quire tags, once each.
func (m *markdownRun) tags(rel string, names []string) []string {
	out := []string{}
	for _, n := range names {
		tag, ok := models.ParseTag(n)
		switch {
		case !ok:
			m.note(rel, "%q cannot be a tag (use letters, digits and hyphens); it was left out.", n)
		case slices.Contains(out, tag):
		case len(out) == models.MaxTags:
			m.note(rel, "It has more than %d tags and categories; %q and the ones after it were left out.", models.MaxTags, tag)
			return out
		default:
			out = append(out, tag)
		}
	}
	return out
}

// oldPath is an alias as the redirects table keeps it: a path on the old
// site, decoded, without its host.
func oldPath(alias string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(alias))
	if err != nil || u.Path == "" && u.RawQuery == "" {
		return "", false
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Hugo reads a relative alias from the site's root too
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery // WordPress's /?p=ID, as a Quire export lists it
	}
	if p == "/" || len(p) > 2000 || strings.ContainsRune(p, 0) {
		return "", false
	}
	return p, true
}

// generatorAddress is the address Hugo or Jekyll gave the file by their
// default permalinks, to redirect from: Hugo's /SECTION/SLUG/ for a file
// under content/, Jekyll's /CATEGORIES/YYYY/MM/DD/SLUG.html for one under
// _posts/; "" for any other place (Jekyll's _drafts were never online).
func generatorAddress(rel, slug string, categories []string, date time.Time) string {
	dir, name := path.Dir(rel), strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	if name == "index" { // a Hugo page bundle
		dir, name = path.Dir(dir), path.Base(dir)
	}
	segs := strings.Split(dir, "/")
	for i, seg := range segs {
		switch seg {
		case "content":
			if slug == "" {
				slug = name
			}
			section := strings.Join(segs[i+1:], "/")
			if section != "" {
				section += "/"
			}
			return strings.ToLower("/" + section + slug + "/")
		case "_posts":
			if m := jekyllName.FindStringSubmatch(name); m != nil && slug == "" {
				slug = m[2]
			} else if slug == "" {
				slug = name
			}
			prefix := ""
			if len(categories) > 0 {
				prefix = "/" + strings.Join(categories, "/")
			}
			return prefix + date.Format("/2006/01/02/") + slug + ".html"
		}
	}
	return ""
}

const findUserByUsernameSQL = `SELECT id FROM users WHERE lower(username) = lower($1)`

// matchOrCreate is the account for the name a file gives (a.key), which
// no earlier run recorded: the account with that username (or, from a
// Quire export's authors.json, that email), else a new author without a
// password. It is recorded for the next run.
func (m *markdownRun) matchOrCreate(ctx context.Context, tx *sqlx.Tx, a person) (int64, error) {
	id, err := m.matchNamed(ctx, tx, a.key)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, insertUserSourceSQL, m.source, a.key, id); err != nil {
		return 0, err
	}
	return id, nil
}

func (m *markdownRun) matchNamed(ctx context.Context, tx *sqlx.Tx, name string) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, findUserByUsernameSQL, models.NormalizeUsername(name))
	if !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	known := m.authors[models.NormalizeUsername(name)]
	email, problem := models.NormalizeEmail(known.Email)
	if known.Email != "" && problem == "" {
		err := tx.GetContext(ctx, &id, findUserByEmailSQL, email)
		if !errors.Is(err, sql.ErrNoRows) {
			return id, err
		}
	}
	username, err := freeUsername(ctx, tx, person{login: name, fallback: "author"})
	if err != nil {
		return 0, err
	}
	if known.Email == "" || problem != "" {
		// An address that reaches no one (.invalid is reserved for that):
		// an administrator gives the account its real one.
		email = username + "@imported.invalid"
	}
	display := models.CleanDisplayName(known.DisplayName)
	if display == "" && name != username {
		display = models.CleanDisplayName(name)
	}
	if models.CheckStaffName(display, models.RoleAuthor) != "" || display == username {
		display = ""
	}
	if err := tx.GetContext(ctx, &id, insertImportedUserSQL, username, email, display, models.RoleAuthor); err != nil {
		return 0, err
	}
	m.sum.Users.Created++
	return id, nil
}

// images stores the images the body shows by path and points it at them.
func (m *markdownRun) images(ctx context.Context, rel, body string, owner int64) string {
	return markdownImage.ReplaceAllStringFunc(body, func(s string) string {
		sm := markdownImage.FindStringSubmatch(s)
		key, _ := m.image(ctx, rel, sm[2], sm[1], owner)
		if key == "" {
			return s
		}
		return "![" + sm[1] + "](" + m.opt.MediaURL(key) + sm[3] + ")"
	})
}

// image stores the image at src, as the file at rel refers to it: relative
// to the file, or, from the site's root (/images/x.jpg), the first of the
// file's folders up to the imported one that holds it (or its Hugo
// static/ folder). Addresses elsewhere, and files not found, are left as
// they are (noted). key is "" then, and in a dry run.
func (m *markdownRun) image(ctx context.Context, rel, src, alt string, owner int64) (key, keptAlt string) {
	u, err := url.Parse(src)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" || m.media == nil {
		return "", ""
	}
	var candidates []string
	if strings.HasPrefix(u.Path, "/") {
		for d := path.Dir(rel); ; d = path.Dir(d) {
			candidates = append(candidates, path.Join(d, u.Path), path.Join(d, "static", u.Path))
			if d == "." || d == "/" {
				break
			}
		}
	} else {
		candidates = append(candidates, path.Join(path.Dir(rel), u.Path))
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, "../") || c == ".." {
			m.note(rel, "The image %s is outside the imported folder; it keeps its address.", src)
			return "", ""
		}
		if _, err := os.Stat(filepath.Join(m.dir, filepath.FromSlash(c))); err != nil {
			continue
		}
		key, err := m.media.store(ctx, c, owner, alt, m.opt.DryRun)
		if err != nil {
			m.note(rel, "%v; it keeps its address.", err)
			return "", ""
		}
		return key, alt
	}
	m.note(rel, "The image %s is not in the imported folder; it keeps its address.", src)
	return "", ""
}
