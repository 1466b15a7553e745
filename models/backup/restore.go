package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"quire/models"
)

// Target is where a restore goes.
type Target struct {
	DB    *sqlx.DB
	Conn  Conn // the same database, for psql
	Media models.MediaStore
	// Force replaces what the database holds; without it a restore goes
	// only into an empty database.
	Force bool
}

// ErrNotEmpty means the target already holds a site and Force was not given.
var ErrNotEmpty = errors.New("the database is not empty")

// VerifyFile reads the archive at path in full and checks every member
// against the manifest (see Verify). Nothing is touched before it passed.
func VerifyFile(path string) (Manifest, error) {
	f, err := os.Open(path) // #nosec G304 -- the operator names the backup to restore
	if err != nil {
		return Manifest{}, err
	}
	defer f.Close()
	return Verify(f)
}

// userRelationsSQL counts the tables, views and sequences outside
// PostgreSQL's own schemas: any at all means the database is in use.
const userRelationsSQL = `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'`

// userSchemasSQL lists the schemas a forced restore empties.
const userSchemasSQL = `SELECT nspname FROM pg_namespace
WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%' ORDER BY nspname`

const serverVersionSQL = `SELECT current_setting('server_version_num')::int`

// Restore puts the archive at path, already checked by VerifyFile into m,
// back into t: the media files first (content-addressed, so harmless if the
// rest fails), then the database in one transaction that, with Force, also
// drops what was there, so a failure leaves the database as it was. The
// restored counts are checked against the manifest. Migrating to this
// build's schema is the caller's next step.
func Restore(ctx context.Context, path string, m Manifest, t Target) error {
	var relations int
	if err := t.DB.GetContext(ctx, &relations, userRelationsSQL); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	prelude := "BEGIN;\n"
	if relations > 0 {
		if !t.Force {
			return describeNonEmpty(ctx, t.DB)
		}
		var schemas []string
		if err := t.DB.SelectContext(ctx, &schemas, userSchemasSQL); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		for _, s := range schemas {
			prelude += "DROP SCHEMA " + quotePattern(s) + " CASCADE;\n"
		}
		prelude += "CREATE SCHEMA public;\n"
	}
	var versionNum int
	if err := t.DB.GetContext(ctx, &versionNum, serverVersionSQL); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	f, err := os.Open(path) // #nosec G304 -- the operator names the backup to restore
	if err != nil {
		return err
	}
	defer f.Close()
	ar, err := newArchiveReader(f)
	if err != nil {
		return err
	}
	defer ar.close()
	if err := load(ctx, ar, m, t, loaderConfig{conn: t.Conn, versionNum: versionNum,
		dumpMajor: leadingInt(m.PostgreSQL), prelude: prelude}); err != nil {
		return err
	}
	got, err := countSite(ctx, t.DB)
	if err != nil {
		return err
	}
	if got.Posts != m.Counts.Posts || got.Users != m.Counts.Users || got.Media != m.Counts.Media {
		return fmt.Errorf("restore: the database holds %d posts, %d users and %d media rows, the manifest says %d, %d and %d",
			got.Posts, got.Users, got.Media, m.Counts.Posts, m.Counts.Users, m.Counts.Media)
	}
	return nil
}

// load walks the archive a second time, each member checked again against
// the manifest as it is read.
func load(ctx context.Context, ar *archiveReader, m Manifest, t Target, cfg loaderConfig) error {
	var ld *loader
	fail := func(err error) error {
		if ld != nil {
			err = errors.Join(err, ld.finish(false))
		}
		return err
	}
	for i := 0; ; i++ {
		name, err := ar.next()
		if err != nil {
			return fail(err)
		}
		if name == manifestName && i == len(m.Members) {
			break
		}
		if i >= len(m.Members) || m.Members[i].Name != name {
			return fail(fmt.Errorf("%w: %s changed while it was being restored", ErrDamaged, path.Base(name)))
		}
		want := m.Members[i]
		if key, ok := strings.CutPrefix(name, mediaPrefix); ok {
			data, err := readAllChecked(ar, want)
			if err == nil {
				err = t.Media.Put(ctx, key, data)
			}
			if err != nil {
				return fail(fmt.Errorf("restore: media %s: %w", key, err))
			}
			continue
		}
		if ld == nil {
			if ld, err = startLoader(ctx, cfg); err != nil {
				return err
			}
		}
		if _, err := io.Copy(ld, newCheckedReader(ar, want)); err != nil {
			return fail(fmt.Errorf("restore: %w", err))
		}
	}
	if ld == nil {
		return fmt.Errorf("%w: it holds no database", ErrDamaged)
	}
	return ld.finish(true)
}

// describeNonEmpty says what the target holds, for the refusal.
func describeNonEmpty(ctx context.Context, db *sqlx.DB) error {
	if c, err := countSite(ctx, db); err == nil {
		return fmt.Errorf("%w: it holds a Quire site with %d posts and %d users", ErrNotEmpty, c.Posts, c.Users)
	}
	return fmt.Errorf("%w: it holds tables of its own", ErrNotEmpty)
}

// leadingInt reads the number a version string starts with ("15.8 (Debian…)").
func leadingInt(s string) int {
	end := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(s)
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}
