package backup

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// mediaRef is one place the database names media files. It is asked only
// when its column exists, so a backup also works on a database migrated by
// an older or newer Quire (before an upgrade is when one is wanted).
// Strong references must have their file; a key found in a post's text may
// be any text that looks like one, and counts only when the file exists.
type mediaRef struct {
	column string // table.column that must exist
	strong bool
	query  string
}

// bodyKeys finds media keys written in Markdown, as the janitor's
// mediaInBodiesSQL keeps them.
const bodyKeys = `(regexp_matches(body, '[a-f0-9]{64}(?:-w[0-9]+)?[.](?:jpg|png|gif)', 'g'))[1]`

var mediaRefs = []mediaRef{
	{"media.key", true, `SELECT key FROM media`},
	// srcset copies: "<hash>.jpg" -> "<hash>-w640.jpg" (models.Media.VariantKey).
	{"media.variants", true, `SELECT regexp_replace(key, '[.]([a-z]+)$', '-w' || v || '.\1') FROM media, unnest(variants) AS v`},
	{"users.avatar", true, `SELECT avatar FROM users WHERE avatar <> ''`},
	{"posts.cover_key", true, `SELECT cover_key FROM posts WHERE cover_key <> ''`},
	{"post_pending.cover_key", true, `SELECT cover_key FROM post_pending WHERE cover_key <> ''`},
	{"site_settings.logo_key", true, `SELECT k FROM site_settings, unnest(array[logo_key, favicon_key, social_image_key]) AS k WHERE k <> ''`},
	{"posts.body", false, `SELECT ` + bodyKeys + ` FROM posts`},
	{"post_revisions.body", false, `SELECT ` + bodyKeys + ` FROM post_revisions`},
	{"post_pending.body", false, `SELECT ` + bodyKeys + ` FROM post_pending`},
}

const columnsSQL = `SELECT table_name || '.' || column_name FROM information_schema.columns
WHERE table_schema = current_schema()`

// referencedMedia returns the keys the snapshot refers to and
// whether each one's file must exist.
func referencedMedia(ctx context.Context, tx *sqlx.Tx) (map[string]bool, error) {
	var columns []string
	if err := tx.SelectContext(ctx, &columns, columnsSQL); err != nil {
		return nil, fmt.Errorf("backup: columns: %w", err)
	}
	keys := map[string]bool{}
	for _, ref := range mediaRefs {
		if !slices.Contains(columns, ref.column) {
			continue
		}
		var found []string
		if err := tx.SelectContext(ctx, &found, ref.query); err != nil {
			return nil, fmt.Errorf("backup: media named in %s: %w", strings.Split(ref.column, ".")[0], err)
		}
		for _, k := range found {
			keys[k] = keys[k] || ref.strong
		}
	}
	return keys, nil
}

// countsSQL sizes the site, for the manifest and for checking a restore.
const countsSQL = `SELECT
	(SELECT count(*) FROM posts) AS posts,
	(SELECT count(*) FROM users) AS users,
	(SELECT count(*) FROM media) AS media`

func countSite(ctx context.Context, q sqlx.QueryerContext) (Counts, error) {
	var c Counts
	if err := sqlx.GetContext(ctx, q, &c, countsSQL); err != nil {
		return Counts{}, fmt.Errorf("backup: count posts, users and media: %w", err)
	}
	return c, nil
}
