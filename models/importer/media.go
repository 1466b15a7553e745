package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models"
)

// attachment is what the import needs of a WordPress attachment item.
type attachment struct {
	file string // relative to the uploads folder: 2025/11/harbour-at-dusk.jpg
	alt  string
}

// scanAttachments reads the file once for its attachments, which may come
// after the posts that use them: a featured image names one by id.
func scanAttachments(r io.Reader, name string) (map[int64]attachment, error) {
	out := map[int64]attachment{}
	wxr := NewWXR(r, name)
	for {
		rec, err := wxr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if it, ok := rec.(*Item); ok && it.Type == "attachment" {
			alt := it.MetaValue("_wp_attachment_image_alt")
			if alt == "" {
				alt = it.Title
			}
			out[it.ID] = attachment{file: it.MetaValue("_wp_attached_file"), alt: alt}
		}
	}
}

// sizeSuffix is the -300x200 WordPress adds to the sizes it makes; Quire
// makes its own from the original.
var sizeSuffix = regexp.MustCompile(`-\d+x\d+(\.[A-Za-z0-9]+)$`)

// wpOriginal is the file WordPress made a size from.
func wpOriginal(rel string) []string { return []string{sizeSuffix.ReplaceAllString(rel, "$1")} }

// media stores a post's images from the uploads folder through the media
// pipeline, once per file in a run.
type media struct {
	uploads  *models.Uploads
	dir      string
	stored   map[string]string         // relative path → media key
	original func(rel string) []string // the source's originals of a copy it made, best first; nil: none
	tx       *sqlx.Tx                  // an atomic run's: the library rows go in it
}

// path is the file under the uploads folder for rel, preferring the
// original over a size the old site made, and refusing paths that leave it.
func (m *media) path(rel string) (string, error) {
	rel = filepath.Clean(filepath.FromSlash(strings.TrimPrefix(rel, "/")))
	if rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return "", fmt.Errorf("the path %q is outside the uploads folder", rel)
	}
	var originals []string
	if m.original != nil {
		originals = m.original(filepath.ToSlash(rel))
	}
	for _, orig := range originals {
		orig = filepath.Clean(filepath.FromSlash(orig))
		if _, err := os.Stat(filepath.Join(m.dir, orig)); err == nil && !strings.HasPrefix(orig, "..") {
			return filepath.Join(m.dir, orig), nil
		}
	}
	return filepath.Join(m.dir, rel), nil
}

// insertMediaRowSQL records an image an atomic run stored, in the run's
// transaction (its owner may be an account the same transaction made).
const insertMediaRowSQL = `INSERT INTO media (owner_id, key, width, height, bytes, content_type, alt, variants)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (owner_id, key) DO NOTHING`

// storeFile stores the image for owner: through the uploads pipeline, or
// in an atomic run its files only, with the library row in the run's
// transaction (files of a run undone are removed by the janitor later).
func (m *media) storeFile(ctx context.Context, f io.Reader, owner int64, alt string) (string, error) {
	if m.tx == nil {
		md, err := m.uploads.Store(ctx, f, owner, alt, models.PostImage)
		return md.Key, err
	}
	kind := models.PostImage
	kind.Library = false
	md, err := m.uploads.Store(ctx, f, owner, alt, kind)
	if err != nil {
		return "", err
	}
	if md.Variants == nil {
		md.Variants = pq.Int64Array{}
	}
	if _, err := m.tx.ExecContext(ctx, insertMediaRowSQL, owner, md.Key, md.Width, md.Height, md.Bytes, md.ContentType,
		alt, md.Variants); err != nil {
		return "", err
	}
	return md.Key, nil
}

// store brings one uploads-relative file in for owner; dry checks only
// that the file is there.
func (m *media) store(ctx context.Context, rel string, owner int64, alt string, dry bool) (string, error) {
	p, err := m.path(rel)
	if err != nil {
		return "", err
	}
	if key, ok := m.stored[p]; ok {
		return key, nil
	}
	f, err := os.Open(p) // #nosec G304 -- inside the uploads folder the operator named (checked above)
	if err != nil {
		return "", fmt.Errorf("the file %s cannot be read: %w", p, err)
	}
	defer f.Close()
	if dry {
		return "", nil
	}
	key, err := m.storeFile(ctx, f, owner, truncate(alt, models.MaxAltLen))
	if err != nil {
		return "", fmt.Errorf("the image %s could not be imported: %w", p, err)
	}
	m.stored[p] = key
	return key, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// rewrite points the body's links at the new site: images in the old
// uploads folder become media (when an uploads folder was given), other
// addresses on the old host become paths on this one, which the old
// site's permalinks answer from once redirects exist. alt is the images'
// description (the item's title).
func (r *run) rewrite(ctx context.Context, label, alt, body string, owner int64) string {
	if r.oldLink == nil {
		return body
	}
	return r.oldLink.ReplaceAllStringFunc(body, func(u string) string {
		path := strings.TrimPrefix(u, r.base)
		if path == "" {
			path = "/"
		}
		if !strings.HasPrefix(path, r.uploads) || r.media == nil {
			return path
		}
		key, err := r.media.store(ctx, strings.TrimPrefix(path, r.uploads), owner, alt, r.opt.DryRun)
		if err != nil {
			r.note(label, "%v; it keeps its old address.", err)
			return u
		}
		if key == "" { // a dry run
			return u
		}
		return r.opt.MediaURL(key)
	})
}

// cover is the item's featured image, stored; "" when it has none or it
// could not be brought in (noted).
func (w *wordpress) cover(ctx context.Context, it *Item, owner int64) (key, alt string) {
	id, err := strconv.ParseInt(it.MetaValue("_thumbnail_id"), 10, 64)
	if err != nil || w.media == nil {
		return "", ""
	}
	a, ok := w.attachments[id]
	if !ok || a.file == "" {
		w.note(it, "Its featured image (attachment %d) is not in the file.", id)
		return "", ""
	}
	key, err = w.media.store(ctx, a.file, owner, a.alt, w.opt.DryRun)
	if err != nil {
		w.note(it, "Its featured image: %v.", err)
		return "", ""
	}
	return key, truncate(a.alt, models.MaxAltLen)
}
