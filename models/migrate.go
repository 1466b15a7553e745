package models

import (
	"context"
	"fmt"
	"io"
	"io/fs"

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
