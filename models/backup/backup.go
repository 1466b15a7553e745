package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
)

// Source is the site a backup reads.
type Source struct {
	DB           *sqlx.DB
	Conn         Conn // the same database, for pg_dump
	Media        models.MediaStore
	QuireVersion string
}

// excludedData are the tables whose schema is kept but whose rows are not:
// sessions are live secrets, and sign-in throttling and rate limits are
// about the running site, not its content.
var excludedData = []string{"sessions", "login_failures", "rate_limit_hits"}

// maxMediaFile bounds one media file read into memory; uploads are stored
// far smaller.
const maxMediaFile = 256 << 20

// The snapshot is taken by the transaction's first query and shared with
// pg_dump; the transaction must outlive pg_dump's start, so no server
// limit may end it while it waits.
const (
	noTimeoutsSQL = `SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0`
	snapshotSQL   = `SELECT pg_export_snapshot() AS snapshot, current_schema() AS schema,
	current_setting('server_version_num')::int AS version_num, current_setting('server_version') AS version,
	to_regclass('goose_db_version') IS NOT NULL AS migrated`
	schemaVersionSQL = `SELECT coalesce(max(version_id), 0) FROM goose_db_version`
)

type snapshot struct {
	Snapshot   string `db:"snapshot"`
	Schema     string `db:"schema"`
	VersionNum int    `db:"version_num"`
	Version    string `db:"version"`
	Migrated   bool   `db:"migrated"`
}

// ErrNoSite means the database holds no Quire schema to back up.
var ErrNoSite = errors.New("the database holds no Quire site yet")

// Write writes one consistent backup of src to w: the database as pg_dump
// sees it in a snapshot, and the media files that very snapshot refers to,
// so a post saved during the backup is in it with its images or not at all.
func Write(ctx context.Context, w io.Writer, src Source) (Manifest, error) {
	tx, err := src.DB.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Manifest{}, fmt.Errorf("backup: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only: nothing to keep
	if _, err := tx.ExecContext(ctx, noTimeoutsSQL); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	var snap snapshot
	if err := tx.GetContext(ctx, &snap, snapshotSQL); err != nil {
		return Manifest{}, fmt.Errorf("backup: snapshot: %w", err)
	}
	if !snap.Migrated {
		return Manifest{}, ErrNoSite
	}
	now := time.Now().UTC().Truncate(time.Second)
	m := Manifest{Format: Format, FormatVersion: FormatVersion, QuireVersion: src.QuireVersion,
		PostgreSQL: snap.Version, CreatedAt: now}
	if err := tx.GetContext(ctx, &m.SchemaVersion, schemaVersionSQL); err != nil {
		return Manifest{}, fmt.Errorf("backup: schema version: %w", err)
	}
	if m.Counts, err = countSite(ctx, tx); err != nil {
		return Manifest{}, err
	}
	keys, err := referencedMedia(ctx, tx)
	if err != nil {
		return Manifest{}, err
	}
	aw, err := newArchiveWriter(w, now)
	if err != nil {
		return Manifest{}, err
	}
	if err := copyMedia(ctx, aw, src.Media, keys, &m); err != nil {
		return Manifest{}, err
	}
	if err := dump(ctx, aw, src.Conn, snap); err != nil {
		return Manifest{}, err
	}
	if err := aw.finish(&m); err != nil {
		return Manifest{}, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// copyMedia adds each referenced file, checking that a file named by its
// content hash still has that content. A strong reference whose file is
// missing or damaged is noted in the manifest: the site already lacks it,
// and the rest of the backup is still worth having.
func copyMedia(ctx context.Context, aw *archiveWriter, store models.MediaStore, keys map[string]bool, m *Manifest) error {
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		data, problem, err := readMedia(ctx, store, key)
		if err != nil {
			return err
		}
		if problem != "" {
			if keys[key] {
				m.MissingMedia = append(m.MissingMedia, key+": "+problem)
			}
			continue
		}
		if err := aw.add(mediaPrefix+key, data); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		m.Counts.MediaFiles++
	}
	return nil
}

// readMedia reads one file, or says what is wrong with it.
func readMedia(ctx context.Context, store models.MediaStore, key string) (data []byte, problem string, err error) {
	if !models.ValidKey(key) {
		return nil, "not a media file name", nil
	}
	f, err := store.Open(ctx, key)
	if errors.Is(err, models.ErrNotFound) {
		return nil, "missing from the media folder", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("backup: media %s: %w", key, err)
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, maxMediaFile))
	if err != nil {
		return nil, "", fmt.Errorf("backup: media %s: %w", key, err)
	}
	// A srcset copy is named after its original, so only originals can be
	// checked against their names.
	if hash, _, _ := strings.Cut(key, "."); !strings.Contains(hash, "-w") {
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != hash {
			return nil, "damaged: its content does not match its name", nil
		}
	}
	return data, "", nil
}

// dump streams pg_dump's custom-format output of the snapshot into the
// archive.
func dump(ctx context.Context, aw *archiveWriter, conn Conn, snap snapshot) error {
	path, err := tool(ctx, "pg_dump", snap.VersionNum)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--compress=0", "--no-password", "--snapshot=" + snap.Snapshot}
	for _, t := range excludedData {
		args = append(args, "--exclude-table-data="+quotePattern(snap.Schema)+"."+quotePattern(t))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := conn.command(ctx, path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("backup: pg_dump: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("backup: pg_dump: %w", err)
	}
	if err := aw.addDump(out); err != nil {
		cancel()
		_ = cmd.Wait()
		return fmt.Errorf("backup: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("backup: pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// quotePattern quotes a name for pg_dump's table patterns, where quotes
// keep case and special characters literal.
func quotePattern(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
