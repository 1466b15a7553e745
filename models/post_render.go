package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/markdown"
)

// RenderBody renders a post's Markdown as it is stored and shown: images
// from the media library (addresses mediaURL makes) get their width,
// height and smaller copies, read with one query through q. A nil
// mediaURL renders images with their address only. It is the one way a
// post's body becomes HTML: saves, previews, imports and RerenderStale.
func RenderBody(ctx context.Context, q sqlx.QueryerContext, mediaURL func(key string) string, body string) (string, error) {
	var opt markdown.Options
	if mediaURL != nil {
		opt.Images = libraryImages{ctx: ctx, q: q, url: mediaURL}
	}
	return markdown.RenderWith(body, opt)
}

// RenderBody is RenderBody with the model's database and media addresses.
func (m *PostModel) RenderBody(ctx context.Context, body string) (string, error) {
	return RenderBody(ctx, m.DB, m.MediaURL, body)
}

// libraryImages answers the renderer's image lookups from the media table.
type libraryImages struct {
	ctx context.Context
	q   sqlx.QueryerContext
	url func(key string) string
}

// imageSizesSQL reads the size and copies of files by key: any owner's row
// (identical uploads share one file), the first.
const imageSizesSQL = `SELECT DISTINCT ON (key) key, width, height, variants FROM media
WHERE key = ANY($1) ORDER BY key, id`

// Lookup knows the addresses that are exactly a media key's address.
func (l libraryImages) Lookup(srcs []string) (map[string]markdown.Image, error) {
	src := map[string]string{} // by key
	var keys []string
	for _, s := range srcs {
		if key := path.Base(s); ValidKey(key) && l.url(key) == s {
			src[key] = s
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var rows []Media
	if err := sqlx.SelectContext(l.ctx, l.q, &rows, imageSizesSQL, pq.StringArray(keys)); err != nil {
		return nil, fmt.Errorf("models: image sizes: %w", err)
	}
	found := make(map[string]markdown.Image, len(rows))
	for _, md := range rows {
		found[src[md.Key]] = markdown.Image{Width: md.Width, Height: md.Height, Srcset: md.Srcset(l.url)}
	}
	return found, nil
}

// Srcset lists the image's smaller copies and the original by width
// ("/media/a-w480.jpg 480w, /media/a.jpg 1000w"), addresses made by url,
// so browsers fetch no more pixels than they show; "" without copies.
func (md Media) Srcset(url func(key string) string) string {
	if len(md.Variants) == 0 {
		return ""
	}
	var b strings.Builder
	for _, w := range md.Variants {
		fmt.Fprintf(&b, "%s %dw, ", url(md.VariantKey(w)), w)
	}
	fmt.Fprintf(&b, "%s %dw", url(md.Key), md.Width)
	return b.String()
}

// Posts stored before the current markdown.RenderVersion are rendered
// again once, at start: the audit log records each version's run (model
// "markdown", object the version), which is how later starts know it was
// done, and tells the admins when their posts' HTML changed.
const (
	rerenderAuditModel  = "markdown"
	rerenderAuditAction = "rerender"
	rerenderBatch       = 100
)

const (
	sessionJanitorLockSQL   = `SELECT pg_advisory_lock($1)`
	sessionJanitorUnlockSQL = `SELECT pg_advisory_unlock($1)`
	rerenderDoneSQL         = `SELECT EXISTS (SELECT 1 FROM audit_log WHERE model = $1 AND object_id = $2 AND action = $3)`
	rerenderBatchSQL        = `SELECT id, body, version FROM posts WHERE id > $1 ORDER BY id LIMIT $2`
)

// rerenderPostSQL stores the new HTML unless the post was saved meanwhile
// (that save rendered it anew). updated_at moves by a microsecond: every
// stamp of the post (kept copies, ETags, feeds) then changes, while the
// date readers see does not.
const rerenderPostSQL = `UPDATE posts SET body_html = $3, updated_at = updated_at + interval '1 microsecond'
WHERE id = $1 AND version = $2 AND body_html IS DISTINCT FROM $3`

// RerenderStale renders every post (drafts and the trash too) with the
// current renderer, once per markdown.RenderVersion, and reports how many
// changed. It holds the janitor's lock for the whole run, so of several
// replicas starting together one renders and the others wait and find it
// done; each batch of posts commits on its own. A post whose Markdown no
// longer fits the output budget keeps the HTML it has (readers get its
// summary, as before). Stopped midway, the next start runs it again.
func (m *PostModel) RerenderStale(ctx context.Context, log *slog.Logger) (int, error) {
	conn, err := m.DB.Connx(ctx)
	if err != nil {
		return 0, fmt.Errorf("models: re-render posts: %w", err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, sessionJanitorLockSQL, JanitorLockKey); err != nil {
		return 0, fmt.Errorf("models: re-render posts: lock: %w", err)
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), sessionJanitorUnlockSQL, JanitorLockKey) }()
	var done bool
	if err := conn.GetContext(ctx, &done, rerenderDoneSQL, rerenderAuditModel, markdown.RenderVersion, rerenderAuditAction); err != nil || done {
		return 0, err
	}
	changed := 0
	for after := int64(0); ; {
		var batch []struct {
			ID      int64  `db:"id"`
			Body    string `db:"body"`
			Version int    `db:"version"`
		}
		if err := conn.SelectContext(ctx, &batch, rerenderBatchSQL, after, rerenderBatch); err != nil {
			return changed, fmt.Errorf("models: re-render posts: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		err := inTx(ctx, conn, func(tx *sqlx.Tx) error {
			for _, p := range batch {
				html, err := RenderBody(ctx, tx, m.MediaURL, p.Body)
				if errors.Is(err, markdown.ErrTooLarge) {
					continue
				}
				if err != nil {
					return fmt.Errorf("post %d: %w", p.ID, err)
				}
				res, err := tx.ExecContext(ctx, rerenderPostSQL, p.ID, p.Version, html)
				if err != nil {
					return err
				}
				n, _ := res.RowsAffected()
				changed += int(n)
			}
			return nil
		})
		if err != nil {
			return changed, fmt.Errorf("models: re-render posts: %w", err)
		}
		after = batch[len(batch)-1].ID
	}
	note := fmt.Sprintf("Version %d of the Markdown renderer made the HTML of %d posts again.", markdown.RenderVersion, changed)
	if changed == 0 {
		note = fmt.Sprintf("Version %d of the Markdown renderer: no stored post needed new HTML.", markdown.RenderVersion)
	}
	err = inTx(ctx, conn, func(tx *sqlx.Tx) error {
		return Audit(ctx, tx, Actor{Name: "Quire"}, AuditEntry{
			Model: rerenderAuditModel, ObjectID: markdown.RenderVersion, Action: rerenderAuditAction, Note: note,
		})
	})
	if err != nil {
		return changed, fmt.Errorf("models: re-render posts: %w", err)
	}
	// A site with nothing to do says so in its audit log only: a start
	// logs nothing that needs no one's attention.
	if log != nil && changed > 0 {
		log.Info("posts rendered again", "changed", changed, "render_version", markdown.RenderVersion)
	}
	return changed, nil
}
