package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"quire/models"
	"quire/models/importer"
	"quire/views/urls"
)

// importFormats are the exports quire import reads.
var importFormats = map[string]bool{"wordpress": true}

func importCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if isMarkdownImport(args) {
		return importMarkdownCmd(ctx, args, stdout)
	}
	var cfg Config
	var dryRun bool
	var uploads string
	fs := newFlagSet("import", "import wordpress PATH [--uploads DIR] [--dry-run] [flags]\n\n"+
		"Reads a WordPress export (Tools → Export → All content, a WXR file) and adds its\n"+
		"authors, posts and pages. Running it again with the same file changes nothing.")
	fs.BoolVar(&dryRun, "dry-run", false, "report what would be imported and write nothing")
	fs.StringVar(&uploads, "uploads", "", "a copy of WordPress's wp-content/uploads folder: featured images and images in posts become media")
	cfg.databaseFlags(fs)
	fs.StringVar(&cfg.MediaDir, "media-dir", env("QUIRE_MEDIA_DIR", ""), "folder for uploaded images (QUIRE_MEDIA_DIR; default DATA_DIR/media)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("import needs a format and a file: quire import wordpress PATH")
	}
	format, path := pos[0], pos[1]
	if !importFormats[format] {
		return fmt.Errorf("import cannot read %q exports; the formats it knows are: wordpress", format)
	}
	f, err := os.Open(path) // #nosec G304 G703 -- the operator names the file to import
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("there is no file %s", path)
		}
		return err
	}
	defer f.Close()
	if uploads != "" {
		if st, err := os.Stat(uploads); err != nil || !st.IsDir() {
			return fmt.Errorf("--uploads %s is not a folder", uploads)
		}
	}
	if cfg.MediaDir == "" {
		cfg.MediaDir = filepath.Join(cfg.DataDir, "media")
	}
	db, err := openMigrated(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	settings, err := (&models.SettingsModel{DB: db.DB}).Get(ctx)
	if err != nil {
		return err
	}
	opt := importer.Options{DryRun: dryRun, Location: settings.Location(), MediaURL: urls.Media}
	if uploads != "" {
		opt.UploadsDir = uploads
		opt.Uploads = &models.Uploads{Rows: &models.MediaModel{DB: db.DB}, Files: models.LocalStore{Dir: cfg.MediaDir}}
	}
	sum, err := importer.ImportWordPress(ctx, db.DB, f, path, opt)
	printSummary(stdout, sum, dryRun)
	return err
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments ("import wordpress site.xml --dry-run"), which flag alone stops at.
func parseInterspersed(fs interface {
	Parse([]string) error
	Args() []string
}, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printSummary(w io.Writer, s importer.Summary, dryRun bool) {
	verb := "Imported"
	if dryRun {
		verb = "Dry run, nothing written. Would import"
	}
	fmt.Fprintf(w, "%s: posts and pages %d created, %d updated, %d skipped; accounts %d created.\n",
		verb, s.Posts.Created, s.Posts.Updated, s.Posts.Skipped, s.Users.Created)
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  %s: %s\n", n.Item, n.Text)
	}
}
