// Package dbtest gives each test its own migrated PostgreSQL database.
//
// A test binary that calls Main starts one throwaway cluster from the
// machine's PostgreSQL binaries (or uses QUIRE_TEST_DATABASE_URL, a server
// where the user may create roles and databases) when its first test asks
// for a database, so tests and fuzz targets that need none start none; New
// then clones a migrated template database per test with pgtestdb, so tests
// run in parallel.
package dbtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // pgtestdb connects through database/sql
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/goosemigrator"

	"quire/models"
	"quire/models/pgcluster"
)

var (
	server pgtestdb.Config

	// The server starts once, on the first URL; Main stops it.
	mainCalled bool
	startOnce  sync.Once
	startErr   error
	stopServer = func() {}
)

// Main runs a test binary's tests, starting the database server when the
// first test needs it and stopping it at the end. Use it as:
// func TestMain(m *testing.M) { dbtest.Main(m) }.
func Main(m *testing.M) {
	mainCalled = true
	code := m.Run()
	stopServer()
	os.Exit(code)
}

// Start configures the server tests use and returns how to stop it.
func Start() (stop func(), err error) {
	if u := os.Getenv("QUIRE_TEST_DATABASE_URL"); u != "" {
		server, err = configFromURL(u)
		return func() {}, err
	}
	dir, err := os.MkdirTemp("", "qt")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Open(ctx, pgcluster.Options{
		DataDir:  dir,
		Database: "quire",
		// Durability buys nothing for throwaway data.
		ExtraSettings: map[string]string{"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"},
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	server = pgtestdb.Config{
		DriverName: "postgres",
		User:       "quire",
		Database:   "quire",
		Port:       "5432",
		Options:    "sslmode=disable&host=" + url.QueryEscape(c.SocketDir()),
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = c.Close(ctx)
		_ = os.RemoveAll(dir)
	}, nil
}

func configFromURL(raw string) (pgtestdb.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("QUIRE_TEST_DATABASE_URL: %w", err)
	}
	pw, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	return pgtestdb.Config{
		DriverName: "postgres",
		Host:       u.Hostname(),
		Port:       port,
		User:       u.User.Username(),
		Password:   pw,
		Database:   u.Path[1:],
		Options:    u.RawQuery,
	}, nil
}

// URL returns a connection URL for a fresh migrated database owned by t.
func URL(t testing.TB) string {
	t.Helper()
	if !mainCalled {
		t.Fatal("dbtest: the test binary must call dbtest.Main from TestMain")
	}
	startOnce.Do(func() {
		var stop func()
		if stop, startErr = Start(); startErr == nil {
			stopServer = stop
		}
	})
	if startErr != nil {
		t.Fatal("dbtest:", startErr)
	}
	m := goosemigrator.New(".", goosemigrator.WithFS(models.MigrationFS()))
	return pgtestdb.Custom(t, server, m).URL()
}

// New returns a fresh migrated database for t, opened with the
// application's own connection settings and closed when t ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	db, err := models.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
