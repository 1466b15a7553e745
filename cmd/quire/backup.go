package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"quire/models/backup"
	"quire/views/format"
)

func backupCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	fs := newFlagSet("backup", "backup FILE|- [flags]\n\n"+
		"Writes the whole site into FILE: the database as it stood at one instant (less\n"+
		"sessions and sign-in throttling) and exactly the media files it refers to, with\n"+
		"a manifest of checksums. Works while quire serve runs. Read it back with\n"+
		"quire restore FILE. Give - as FILE to write to standard output.")
	cfg.databaseFlags(fs)
	cfg.mediaFlag(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("backup needs the file to write: quire backup FILE")
	}
	path, report := pos[0], stdout
	if path == "-" {
		path = "/dev/stdout"
	}
	// A backup sent to standard output must not get the summary mixed in.
	if fi, err := os.Stat(path); err == nil { // #nosec G703 -- the file the operator named
		if so, err := os.Stdout.Stat(); err == nil && os.SameFile(fi, so) {
			report = os.Stderr
		}
	}
	// Opening the private database would create one where there is none.
	if _, err := os.Stat(filepath.Join(cfg.pgDataDir(), "pg", "PG_VERSION")); cfg.DatabaseURL == "" && err != nil {
		return fmt.Errorf("there is no site in %s to back up: give its --data-dir, or --database-url", cfg.DataDir)
	}
	media, err := cfg.mediaStore()
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	start := time.Now()
	m, err := backup.WriteFile(ctx, path, backup.Source{DB: db.DB, Conn: db.pgConn(&cfg),
		Media: media, QuireVersion: versionString()})
	switch {
	case errors.Is(err, backup.ErrDiskFull):
		return fmt.Errorf("the disk holding %s is full: the backup was not written", path)
	case errors.Is(err, backup.ErrNoSite):
		return fmt.Errorf("nothing to back up: %w (run quire serve or quire migrate up first)", err)
	case err != nil:
		return err
	}
	size := ""
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() { // #nosec G703 -- the file the operator named, just written
		size = format.Bytes(fi.Size()) + ", "
	}
	fmt.Fprintf(report, "Backed up the site to %s: %s, schema version %d (%s%s).\n",
		path, siteSize(m.Counts), m.SchemaVersion, size, time.Since(start).Round(time.Millisecond))
	if n := len(m.MissingMedia); n > 0 {
		for _, miss := range m.MissingMedia {
			fmt.Fprintln(report, "  media", miss)
		}
		return fmt.Errorf("the backup is written, but %d media files the site refers to were missing or damaged before it began (listed above)", n)
	}
	return nil
}

// siteSize says what an archive holds: "12 posts, 1 user and 30 media files".
func siteSize(c backup.Counts) string {
	return format.Count(int(c.Posts), "post") + ", " + format.Count(int(c.Users), "user") + " and " +
		format.Count(int(c.MediaFiles), "media file")
}

// pgConn is how pg_dump and psql reach the database d is connected to.
func (d *database) pgConn(cfg *Config) backup.Conn {
	if d.cluster != nil {
		return backup.Conn{DSN: d.cluster.DSN(), Private: true}
	}
	return backup.Conn{DSN: cfg.DatabaseURL}
}
