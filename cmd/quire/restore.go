package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"quire/models"
	"quire/models/backup"
	"quire/views/format"
)

func restoreCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	fs := newFlagSet("restore", "restore FILE [--force] [flags]\n\n"+
		"Puts a site written by quire backup back: checks every checksum first, then\n"+
		"restores the media files and the database, and migrates it to this Quire's\n"+
		"schema. It goes into an empty data folder or database; --force replaces the\n"+
		"site that is there. Stop quire serve first.")
	force := fs.Bool("force", false, "replace the site the database holds with the backup")
	cfg.databaseFlags(fs)
	cfg.mediaFlag(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("restore needs the backup to read: quire restore FILE")
	}
	path := pos[0]
	m, err := backup.VerifyFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("there is no file %s", path)
	case err != nil:
		return fmt.Errorf("%s: %w; nothing was restored", path, err)
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
	release, err := models.LockOutServers(ctx, db.DB)
	if errors.Is(err, models.ErrServing) {
		return fmt.Errorf("%w: stop it before restoring, so it does not serve half of one site and half of another", err)
	}
	if err != nil {
		return err
	}
	defer release()
	err = backup.Restore(ctx, path, m, backup.Target{DB: db.DB, Conn: db.pgConn(&cfg),
		Media: media, Force: *force})
	if errors.Is(err, backup.ErrNotEmpty) {
		return fmt.Errorf("%w. Restore into an empty --data-dir or database, or add --force to replace that site with the backup", err)
	}
	if err != nil {
		return err
	}
	if err := migrateUp(ctx, db, io.Discard); err != nil {
		return fmt.Errorf("the backup is restored, but migrating it to this Quire's schema failed: %w", err)
	}
	fmt.Fprintf(stdout, "Restored the site from %s (made %s by quire %s): %s; schema version %d, now %d.\n",
		path, m.CreatedAt.Format("2006-01-02 15:04 MST"), m.QuireVersion, siteSize(m.Counts), m.SchemaVersion, models.SchemaVersion())
	if len(m.MissingMedia) > 0 {
		fmt.Fprintf(stdout, "The site already lacked %s when it was backed up:\n", format.Count(len(m.MissingMedia), "media file"))
		for _, miss := range m.MissingMedia {
			fmt.Fprintln(stdout, "  media", miss)
		}
	}
	return nil
}
