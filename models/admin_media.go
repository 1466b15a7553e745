package models

import (
	"context"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/admintable"
)

// usesMedia is the condition "post p uses the file KEY": as its cover, or
// in its body, by the key or one of its resized variants (which share the
// key's hash). Not index-backed: media lists are paged and small.
func usesMedia(key string) string {
	return "p.deleted_at IS NULL AND (p.cover_key = " + key + " OR strpos(p.body, split_part(" + key + ", '.', 1)) > 0)"
}

var deleteMedia = admintable.Action{Key: "delete", Label: "Delete", Done: "Deleted", Confirm: true, Danger: true,
	Help: "The images are removed for good. A post that still shows one of them would show a broken image instead.",
	Option: &admintable.Option{Label: "If a post uses one", Default: "refuse", Choices: []admintable.Choice{
		{Value: "refuse", Label: "Do not delete anything"},
		{Value: "break", Label: "Delete anyway: the posts listed under “Used in” lose the image"},
	}}}

// MediaTable is /admin/media.
var MediaTable = admintable.Must(&admintable.Table{
	Name: "media", Title: "Media", Noun: "image", Plural: "images",
	From: "media m LEFT JOIN users u ON u.id = m.owner_id",
	ID:   "m.id",
	Columns: []admintable.Column{
		{Key: "preview", Label: "Preview", Expr: "m.key", Render: admintable.Image},
		{Key: "alt", Label: "Description", Expr: "m.alt", Searchable: true, Render: admintable.Text},
		{Key: "owner", Label: "Owner", Expr: "coalesce(u.username, 'a deleted user')", Sortable: true, Searchable: true,
			Render: admintable.Text},
		{Key: "size", Label: "Size", Expr: "m.bytes", Sortable: true, Render: admintable.Bytes},
		{Key: "dimensions", Label: "Dimensions", Expr: "m.width || '×' || m.height", SortExpr: "m.width * m.height",
			Sortable: true, Render: admintable.Text},
		{Key: "used", Label: "Used in", Expr: `(SELECT coalesce(jsonb_agg(jsonb_build_object('text', p.title,
			'args', jsonb_build_array(p.slug)) ORDER BY p.id), '[]'::jsonb) FROM posts p WHERE ` + usesMedia("m.key") + `)`,
			Link: &admintable.Ref{Page: PostPage}, Render: admintable.Links},
		{Key: "uploaded", Label: "Uploaded", Expr: "m.created_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "used", Label: "In use", Expr: "CASE WHEN EXISTS (SELECT 1 FROM posts p WHERE " + usesMedia("m.key") +
			") THEN 'yes' ELSE 'no' END", Choices: []admintable.Choice{{Value: "yes", Label: "Used"}, {Value: "no", Label: "Unused"}}},
		{Key: "type", Label: "Type", Expr: "m.content_type", Choices: []admintable.Choice{
			{Value: "image/jpeg", Label: "JPEG"}, {Value: "image/png", Label: "PNG"}, {Value: "image/gif", Label: "GIF"}}},
		{Key: "uploaded", Label: "Uploaded", Expr: "m.created_at", Date: true},
	},
	DefaultSort: "-uploaded",
	PageSizes:   []int{20, 50, 100},
	RowActions:  []admintable.Action{deleteMedia},
	BulkActions: []admintable.Action{deleteMedia},
	History:     true,
})

const (
	lockMediaSQL = `SELECT ` + mediaColumns + ` FROM media WHERE id = ANY($1) ORDER BY id FOR UPDATE`
	// Files another media row or an avatar still needs stay on disk.
	keptKeysSQL = `SELECT key FROM media WHERE key = ANY($1) AND NOT id = ANY($2)
	UNION SELECT avatar FROM users WHERE avatar = ANY($1)`
	deleteMediaRowsSQL = `DELETE FROM media WHERE id = ANY($1)`
)

var mediaUsesSQL = `SELECT k.key, p.id, p.title FROM unnest($1::text[]) AS k(key)
JOIN posts p ON ` + usesMedia("k.key") + ` ORDER BY p.id`

// DeleteMedia removes media rows; the keys of the files no row or avatar
// needs any more are in the result's After, for the caller to delete from
// storage once the transaction has committed. When a post uses a file that would go, the
// whole action is refused, naming the posts, unless breakPosts says to
// delete anyway.
func (m *AdminModel) DeleteMedia(ctx context.Context, actor Actor, ids []int64, breakPosts bool) (ActionResult, error) {
	var files []string
	changed := 0
	err := m.adminTx(ctx, "delete media", func(tx *sqlx.Tx) error {
		files = nil
		var rows []Media
		if err := tx.SelectContext(ctx, &rows, lockMediaSQL, pq.Array(ids)); err != nil || len(rows) == 0 {
			return err
		}
		targets, keys := make([]int64, len(rows)), make([]string, 0, len(rows))
		for i, md := range rows {
			targets[i] = md.ID
			keys = append(keys, md.Key)
		}
		var kept []string
		if err := tx.SelectContext(ctx, &kept, keptKeysSQL, pq.Array(keys), pq.Array(targets)); err != nil {
			return err
		}
		going := map[string]bool{}
		for _, k := range keys {
			going[k] = true
		}
		for _, k := range kept {
			delete(going, k)
		}
		var goingKeys []string
		for k := range going {
			goingKeys = append(goingKeys, k)
		}
		var uses []struct {
			Key   string `db:"key"`
			ID    int64  `db:"id"`
			Title string `db:"title"`
		}
		if err := tx.SelectContext(ctx, &uses, mediaUsesSQL, pq.Array(goingKeys)); err != nil {
			return err
		}
		usedBy := map[string][]string{}
		var titles []string
		for _, u := range uses {
			usedBy[u.Key] = append(usedBy[u.Key], strconv.FormatInt(u.ID, 10))
			titles = append(titles, "“"+u.Title+"”")
		}
		if len(uses) > 0 && !breakPosts {
			if len(titles) > 5 {
				titles = append(titles[:5], "and "+strconv.Itoa(len(titles)-5)+" more")
			}
			return refused("Not deleted: %d posts use these images and would break: %s.", len(uses), strings.Join(titles, ", "))
		}
		var entries []AuditEntry
		for _, md := range rows {
			e := AuditEntry{Model: "media", ObjectID: md.ID, Action: "delete", Before: map[string]any{
				"key": md.Key, "owner_id": md.OwnerID.Int64, "bytes": md.Bytes, "alt": md.Alt}}
			if posts := usedBy[md.Key]; len(posts) > 0 {
				e.Note = "deleted while used by posts " + strings.Join(posts, ", ")
			}
			entries = append(entries, e)
			if going[md.Key] {
				files = append(files, md.Key)
				for _, w := range md.Variants {
					files = append(files, md.VariantKey(w))
				}
				delete(going, md.Key) // two rows of one file: list it once
			}
		}
		if _, err := tx.ExecContext(ctx, deleteMediaRowsSQL, pq.Array(targets)); err != nil {
			return err
		}
		changed = len(targets)
		return Audit(ctx, tx, actor, entries...)
	})
	if err != nil {
		return ActionResult{}, err
	}
	res := result(ids, changed)
	res.After.DeleteFiles = files
	return res, nil
}
