// Command quire runs the Quire blog and its maintenance tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	_ "time/tzdata" // the site's time zone loads on hosts without a zoneinfo database

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/pgcluster"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

const usage = `Quire: a self-hosted blog and CMS.

Usage:
  quire serve                        run the site (default http://localhost:8080)
  quire migrate up|down|status       manage the database schema
  quire createadmin --username U --email E
                                     create an administrator (password prompted,
                                     or read from standard input)
  quire seed --users N --posts M     fill the database with realistic demo content
  quire import wordpress|ghost PATH [--dry-run] [--atomic]
                                     add the authors, posts and pages of a
                                     WordPress (WXR) or Ghost (JSON) export;
                                     safe to run again
  quire import markdown DIR [--dry-run] [--atomic]
                                     add the Markdown files of a folder (Hugo,
                                     Jekyll, quire export); safe to run again
  quire export DIR|FILE.zip [--with-emails]
                                     write every post and page as Markdown, with
                                     media, authors, settings and comments
  quire backup FILE                  write the whole site (database and media) to FILE
  quire restore FILE [--force]       put a site written by backup back
  quire version                      print the version

Run "quire <command> --help" for a command's flags. Every setting is also a
QUIRE_* environment variable. Without QUIRE_DATABASE_URL, Quire runs its own
private PostgreSQL in ./var/pgdata from the machine's PostgreSQL binaries.
`

type command func(ctx context.Context, args []string, stdout io.Writer) error

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)
	cmds := map[string]command{
		"serve":       serve,
		"migrate":     migrate,
		"createadmin": createAdmin,
		"seed":        seed,
		"import":      importCmd,
		"backup":      backupCmd,
		"restore":     restoreCmd,
		"export":      exportCmd,
		"version":     printVersion,
	}
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		fmt.Fprint(os.Stdout, usage)
		return
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "quire: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err := cmd(context.Background(), os.Args[2:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "quire:", err)
		os.Exit(1)
	}
}

func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: quire %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// database is an open connection and, without QUIRE_DATABASE_URL, the
// private cluster it runs on.
type database struct {
	DB      *sqlx.DB
	dsn     string // how DB was reached, for serve's listening connection
	cluster *pgcluster.Cluster
}

// openMigrated opens the database, as openDatabase does, and brings its
// schema up to this build's, for the commands that write to it.
func openMigrated(ctx context.Context, cfg *Config) (*database, error) {
	db, err := openDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := migrateUp(ctx, db, io.Discard); err != nil {
		_ = db.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return db, nil
}

// openDatabase connects to QUIRE_DATABASE_URL, or joins the private cluster
// (starting it when no other quire process has).
func openDatabase(ctx context.Context, cfg *Config) (*database, error) {
	if cfg.DatabaseURL != "" {
		db, err := models.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		return &database{DB: db, dsn: cfg.DatabaseURL}, nil
	}
	c, err := pgcluster.Open(ctx, pgcluster.Options{DataDir: cfg.pgDataDir(), Database: "quire"})
	if err != nil {
		return nil, err
	}
	db, err := models.Open(ctx, c.DSN())
	if err != nil {
		_ = c.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return &database{DB: db, dsn: c.DSN(), cluster: c}, nil
}

// Close disconnects and, if this is the last quire process using the
// private cluster, stops it.
func (d *database) Close(ctx context.Context) error {
	err := d.DB.Close()
	if d.cluster != nil {
		err = errors.Join(err, d.cluster.Close(ctx))
	}
	return err
}

func printVersion(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("version", "version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "quire", versionString())
	return nil
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}
