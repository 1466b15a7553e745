package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"quire/models"
	"quire/models/exporter"
	"quire/views/urls"
)

func exportCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	var withEmails bool
	fs := newFlagSet("export", "export DIR|FILE.zip [--with-emails] [flags]\n\n"+
		"Writes the whole site as files a person can read and another tool can import:\n"+
		"posts/ and pages/ hold one Markdown file each with front matter (title, slug, dates,\n"+
		"status, tags, author, cover, aliases, description); media/ the images they show, by\n"+
		"content key; authors.json (no passwords; emails only with --with-emails),\n"+
		"settings.json, comments.json (when there are comments) and quire-export.json.\n"+
		"A name ending in .zip makes one zip file; any other names a new or empty folder.\n"+
		"Nothing is written over: an existing file or a folder with anything in it is refused.\n"+
		"The export is written under a temporary name and renamed when complete, so a failed\n"+
		"one leaves nothing behind. quire import markdown DIR reads it back.")
	fs.BoolVar(&withEmails, "with-emails", false, "include the authors' email addresses")
	cfg.databaseFlags(fs)
	fs.StringVar(&cfg.MediaDir, "media-dir", env("QUIRE_MEDIA_DIR", ""), "folder of uploaded images (QUIRE_MEDIA_DIR; default DATA_DIR/media)")
	cfg.mediaURLFlag(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("export needs one folder or .zip file to write: quire export DIR|FILE.zip")
	}
	name := pos[0]
	media, err := cfg.mediaStore()
	if err != nil {
		return err
	}
	db, settings, err := openSite(ctx, &cfg, openDatabase)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	sum, err := exporter.Export(ctx, db.DB, media, name, exporter.Options{
		WithEmails: withEmails, MediaURL: urls.Media, PostURL: postURL, Location: settings.Location()})
	if errors.Is(err, exporter.ErrDiskFull) {
		return fmt.Errorf("the export to %s stopped: %w", name, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Exported to %s: posts %d, pages %d, media files %d, accounts %d, comments %d.\n",
		name, sum.Posts, sum.Pages, sum.Media, sum.Authors, sum.Comments)
	for _, key := range sum.Missing {
		fmt.Fprintf(stdout, "  The image %s is referenced but not in the media folder; it is not in the export.\n", key)
	}
	return nil
}

// postURL is a post's or page's address by its slug.
func postURL(kind, slug string) string {
	if kind == models.KindPage {
		return urls.Page(slug)
	}
	return urls.Post(slug)
}
