package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"quire/models"
	"quire/models/importer"
	"quire/views/urls"
)

// markdownImportFlags are quire import markdown's flags.
func markdownImportFlags(cfg *Config, dryRun *bool) *flag.FlagSet {
	fs := newFlagSet("import", "import markdown DIR [--dry-run] [flags]\n\n"+
		"Reads every .md file under DIR (recursively) with YAML (---) or TOML (+++) front matter,\n"+
		"as Hugo and Jekyll write them, or as quire export wrote them: title, date, draft, slug\n"+
		"(else the file's name), tags and categories (both become tags), aliases and redirect_from\n"+
		"(old addresses that redirect, as does where Hugo or Jekyll put the file), description (the\n"+
		"excerpt), author, cover. Images the files show by path are imported as media. A file\n"+
		"without an author goes to the site's first administrator. Running it again with the\n"+
		"same folder changes nothing.")
	fs.BoolVar(dryRun, "dry-run", false, "report what would be imported and write nothing")
	cfg.databaseFlags(fs)
	fs.StringVar(&cfg.MediaDir, "media-dir", env("QUIRE_MEDIA_DIR", ""), "folder for uploaded images (QUIRE_MEDIA_DIR; default DATA_DIR/media)")
	return fs
}

// isMarkdownImport reports whether quire import's arguments name the
// markdown format, wherever the flags stand.
func isMarkdownImport(args []string) bool {
	var cfg Config
	var dryRun bool
	fs := markdownImportFlags(&cfg, &dryRun)
	fs.SetOutput(io.Discard)
	// Without the help flag, which stops parsing before the format is read.
	pos, err := parseInterspersed(fs, slices.DeleteFunc(slices.Clone(args), func(a string) bool {
		return a == "-h" || a == "-help" || a == "--help"
	}))
	return err == nil && len(pos) > 0 && pos[0] == "markdown"
}

func importMarkdownCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	var dryRun bool
	fs := markdownImportFlags(&cfg, &dryRun)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("import markdown needs one folder: quire import markdown DIR")
	}
	dir := pos[1]
	if err := checkFolder(dir); err != nil {
		return err
	}
	db, settings, err := openSite(ctx, &cfg, openMigrated)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	opt := importer.Options{DryRun: dryRun, Location: settings.Location(), MediaURL: urls.Media,
		Uploads: &models.Uploads{Rows: &models.MediaModel{DB: db.DB}, Files: models.LocalStore{Dir: cfg.MediaDir}}}
	sum, err := importer.ImportMarkdown(ctx, db.DB, dir, opt)
	printSummary(stdout, sum, dryRun)
	return err
}

// checkFolder says plainly when dir is missing or not a folder.
func checkFolder(dir string) error {
	st, err := os.Stat(dir) // #nosec G703 -- the operator names the folder to import
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("there is no folder %s", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a folder", dir)
	}
	return nil
}
