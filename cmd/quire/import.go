package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"quire/models"
	"quire/models/importer"
	"quire/views/urls"
)

// importFormat is one kind of export quire import reads: its reader, the
// flag naming the old site's images folder, and what the two are.
type importFormat struct {
	read       func(ctx context.Context, db *sqlx.DB, path string, opt importer.Options) (importer.Summary, error)
	imagesFlag string // "": the images are in PATH
	file       string // what PATH is
	images     string // what the images folder is
	check      func(path string) error
	files      bool // progress counts files, not bytes
}

// importFormats are the exports quire import reads: one line each.
var importFormats = map[string]importFormat{
	"wordpress": exportFile("wordpress", "uploads", "a copy of WordPress's wp-content/uploads folder"),
	"ghost":     exportFile("ghost", "images", "a copy of Ghost's content/images folder"),
	"markdown":  {read: importer.ImportMarkdown, file: markdownFolder, check: checkFolder, files: true},
}

// exportFile is one of the importer's formats of one file (importer.Formats,
// which the admin area's import offers too), with its images folder's flag.
func exportFile(name, imagesFlag, images string) importFormat {
	f, ok := importer.FormatNamed(name)
	if !ok {
		panic("quire import: no importer format " + name)
	}
	return importFormat{fromFile(f.Read), imagesFlag, f.File, images, checkFile, false}
}

// checkFile says plainly when the export file is missing.
func checkFile(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) { // #nosec G703 -- the operator names the file to import
		return fmt.Errorf("there is no file %s", path)
	}
	return nil
}

// fromFile reads an export that is one file.
func fromFile(read func(context.Context, *sqlx.DB, io.ReadSeeker, string, importer.Options) (importer.Summary, error)) func(context.Context, *sqlx.DB, string, importer.Options) (importer.Summary, error) {
	return func(ctx context.Context, db *sqlx.DB, path string, opt importer.Options) (importer.Summary, error) {
		f, err := os.Open(path) // #nosec G304 G703 -- the operator names the file to import
		if err != nil {
			return importer.Summary{}, err
		}
		defer f.Close()
		if st, err := f.Stat(); err != nil || st.IsDir() {
			return importer.Summary{}, fmt.Errorf("%s is a folder; give the export file", path)
		}
		return read(ctx, db, f, path, opt)
	}
}

func importFormatNames() string {
	var names []string
	for n := range importFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func importCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	var dryRun, atomic bool
	synopsis := "import FORMAT PATH [--dry-run] [--atomic] [flags]\n\nAdds the authors, posts and pages of another blog's export. Running it again with the\nsame file changes nothing. FORMAT and PATH:\n"
	images := map[string]*string{}
	for _, name := range strings.Split(importFormatNames(), ", ") {
		f := importFormats[name]
		if f.imagesFlag == "" {
			synopsis += fmt.Sprintf("  %-9s %s\n", name, f.file)
			continue
		}
		synopsis += fmt.Sprintf("  %-9s %s; --%s DIR: %s\n", name, f.file, f.imagesFlag, f.images)
		if images[f.imagesFlag] == nil {
			images[f.imagesFlag] = new(string)
		}
	}
	fs := newFlagSet("import", synopsis+markdownHelp)
	fs.BoolVar(&dryRun, "dry-run", false, "report what would be imported and write nothing")
	fs.BoolVar(&atomic, "atomic", false, "all or nothing: one transaction for the whole import; a failure writes nothing and names the item")
	for flagName, dir := range images {
		fs.StringVar(dir, flagName, "", "the old site's images folder (see above): featured images and images in posts become media")
	}
	cfg.databaseFlags(fs)
	fs.StringVar(&cfg.MediaDir, "media-dir", env("QUIRE_MEDIA_DIR", ""), "folder for uploaded images (QUIRE_MEDIA_DIR; default DATA_DIR/media)")
	cfg.mediaURLFlag(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("import needs a format and a file: quire import FORMAT PATH (formats: %s)", importFormatNames())
	}
	name, path := pos[0], pos[1]
	format, ok := importFormats[name]
	if !ok {
		return fmt.Errorf("import cannot read %q exports; the formats it knows are: %s", name, importFormatNames())
	}
	var imagesDir string
	if format.imagesFlag != "" {
		imagesDir = *images[format.imagesFlag]
	}
	for flagName, dir := range images {
		if flagName != format.imagesFlag && *dir != "" {
			if format.imagesFlag == "" {
				return fmt.Errorf("--%s is not for %s imports; their images are read from the folder", flagName, name)
			}
			return fmt.Errorf("--%s is not for %s exports; their images folder is --%s", flagName, name, format.imagesFlag)
		}
	}
	if err := format.check(path); err != nil {
		return err
	}
	if imagesDir != "" {
		if st, err := os.Stat(imagesDir); err != nil || !st.IsDir() {
			return fmt.Errorf("--%s %s is not a folder", format.imagesFlag, imagesDir)
		}
	}
	if cfg.MediaDir == "" {
		cfg.MediaDir = filepath.Join(cfg.DataDir, "media")
	}
	media, err := cfg.mediaStore()
	if err != nil {
		return err
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
	opt := importer.Options{DryRun: dryRun, Atomic: atomic, Location: settings.Location(), MediaURL: urls.Media}
	if imagesDir != "" || format.imagesFlag == "" {
		opt.UploadsDir = imagesDir
		opt.Uploads = &models.Uploads{Rows: &models.MediaModel{DB: db.DB}, Files: media}
	}
	bar := progressOn(stdout, format.files)
	opt.Progress = bar.set
	sum, err := format.read(ctx, db.DB, path, opt)
	bar.done()
	if err != nil && atomic && !dryRun {
		return err // it names the item; nothing was written, so there is nothing to sum up
	}
	if err == nil || sum.Posts != (importer.Counts{}) || sum.Users.Created > 0 || len(sum.Notes) > 0 {
		printSummary(stdout, sum, dryRun) // what was done before a failure too
	}
	if errors.Is(err, importer.ErrItemsFailed) {
		return fmt.Errorf("%d items could not be imported; the list above says which and why (run it again to retry them, or use --atomic for all or nothing)", sum.Posts.Failed)
	}
	return err
}

// progress is a bar of the file's bytes read (or of a folder's files
// done), drawn only on a terminal so logs and pipes get the summary alone.
type progress struct{ bar *progressbar.ProgressBar }

func progressOn(w io.Writer, files bool) progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) { // #nosec G115 -- a file descriptor fits an int
		return progress{}
	}
	return progress{progressbar.NewOptions64(-1, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("Importing"),
		progressbar.OptionShowBytes(!files), progressbar.OptionShowCount(), progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))}
}

// set moves the bar to read of size (bytes, or whatever unit the format
// counts in).
func (p progress) set(read, size int64) {
	if p.bar == nil {
		return
	}
	if p.bar.GetMax64() != size {
		p.bar.ChangeMax64(size)
	}
	_ = p.bar.Set64(read)
}

func (p progress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
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
	fmt.Fprintf(w, "%s: posts and pages %d created, %d updated, %d skipped", verb, s.Posts.Created, s.Posts.Updated, s.Posts.Skipped)
	if s.Posts.Failed > 0 {
		fmt.Fprintf(w, ", %d failed", s.Posts.Failed)
	}
	fmt.Fprintf(w, "; accounts %d created.\n", s.Users.Created)
	if s.Unchanged > 0 {
		fmt.Fprintf(w, "  %d skipped as unchanged since the last import.\n", s.Unchanged)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(w, "  %s: %s\n", n.Item, n.Text)
	}
}
