package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	migrations "quire/sql"
)

// Migrator applies the embedded schema migrations. Every run holds a
// PostgreSQL advisory lock, so replicas starting together do not race.
type Migrator struct {
	p *goose.Provider
}

// NewMigrator prepares migrations against db.
func NewMigrator(db *sqlx.DB) (*Migrator, error) {
	// Replicas starting together queue on the lock: retry every second, for
	// up to five minutes (goose's default polls every 5 s).
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("models: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB, MigrationFS(), goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("models: migrations: %w", err)
	}
	return &Migrator{p: p}, nil
}

// MigrationFS is the embedded set of migration files.
func MigrationFS() fs.FS { return migrations.FS }

// Up applies every pending migration and writes one line per migration to w.
func (m *Migrator) Up(ctx context.Context, w io.Writer) error {
	res, err := m.p.Up(ctx)
	for _, r := range res {
		fmt.Fprintln(w, r)
	}
	if err != nil {
		return fmt.Errorf("models: migrate up: %w", err)
	}
	return nil
}

// Down rolls back the newest applied migration.
func (m *Migrator) Down(ctx context.Context, w io.Writer) error {
	r, err := m.p.Down(ctx)
	if r != nil {
		fmt.Fprintln(w, r)
	}
	if err != nil {
		return fmt.Errorf("models: migrate down: %w", err)
	}
	return nil
}

// Status writes each migration and whether it is applied.
func (m *Migrator) Status(ctx context.Context, w io.Writer) error {
	st, err := m.p.Status(ctx)
	if err != nil {
		return fmt.Errorf("models: migrate status: %w", err)
	}
	for _, s := range st {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = "applied " + s.AppliedAt.Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(w, "%05d  %-30s %s\n", s.Source.Version, s.Source.Path, applied)
	}
	return nil
}

// ErrSchemaMismatch means the database's schema is not the version this
// build's code was written for (rolled back, or migrated by a newer build).
var ErrSchemaMismatch = errors.New("schema version differs")

// SchemaVersion is the newest migration embedded in this build: the schema
// version its code expects.
var SchemaVersion = sync.OnceValue(func() int64 {
	var newest int64
	names, _ := fs.Glob(migrations.FS, "*.sql")
	for _, name := range names {
		digits, _, _ := strings.Cut(name, "_")
		if v, err := strconv.ParseInt(digits, 10, 64); err == nil {
			newest = max(newest, v)
		}
	}
	return newest
})

const queryDBVersion = `SELECT coalesce(max(version_id), 0) FROM goose_db_version`

// CheckSchema asks the database for its schema version and fails with
// ErrSchemaMismatch unless it is SchemaVersion; it is also the cheapest
// proof that the database answers.
func CheckSchema(ctx context.Context, db *sqlx.DB) error {
	var v int64
	if err := db.GetContext(ctx, &v, queryDBVersion); err != nil {
		return fmt.Errorf("models: schema version: %w", err)
	}
	if want := SchemaVersion(); v != want {
		return fmt.Errorf("%w: the database is at version %d, this build expects %d", ErrSchemaMismatch, v, want)
	}
	return nil
}
