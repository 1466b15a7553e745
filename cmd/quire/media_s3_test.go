package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"quire/models"
	"quire/models/backup"
	"quire/models/s3test"
)

// TestBackupRestoreObjectStoredMedia: with --media-url, quire backup reads
// the site's images from the bucket (the media folder is empty) and quire
// restore puts them into the bucket it is given; a media URL that is wrong,
// or names a bucket that is not there, stops serve before it starts,
// naming the part.
func TestBackupRestoreObjectStoredMedia(t *testing.T) {
	ctx := context.Background()
	dir := setUpSite(t)
	srv := s3test.Start(t)

	out := runFails(t, "serve", "--data-dir", dir, "--addr", freeAddr(t), "--media-url", "s3://media/site?endpoint=localhost:9000")
	if !strings.Contains(out, `--media-url: bad media URL: the endpoint "localhost:9000" must be an http:// or https:// address`) {
		t.Errorf("serve with a bad media URL said: %s", out)
	}
	nope := strings.Replace(srv.URL("site"), "s3://"+s3test.Bucket+"/", "s3://nope/", 1)
	out = runFails(t, "serve", "--data-dir", dir, "--addr", freeAddr(t), "--media-url", nope)
	if !strings.Contains(out, `--media-url: bad media URL: the bucket "nope" does not exist at 127.0.0.1:`) {
		t.Errorf("serve with a missing bucket said: %s", out)
	}

	s := startServe(t, dir)
	db := openSiteDB(t, dir)
	var admin models.Actor
	if err := db.GetContext(ctx, &admin, `SELECT id, username AS name, role FROM users WHERE username = 'admin'`); err != nil {
		t.Fatal(err)
	}
	uploads := &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: srv.Store(t, "site")}
	md, err := uploads.Store(ctx, bytes.NewReader(numberedPNG(t, 1)), admin.ID, "picture", models.PostImage)
	if err != nil {
		t.Fatal(err)
	}
	posts := &models.PostModel{DB: db}
	p, err := posts.Insert(ctx, admin.ID, models.PostInput{Title: "Pictured", Body: "![picture](/media/" + md.Key + ")", CoverKey: md.Key})
	if err == nil {
		_, err = posts.Publish(ctx, admin, p.ID, p.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.stop(t)
	stored := srv.Objects(t)
	if len(stored) != 2 {
		t.Fatalf("bucket holds %v, want the image and its srcset copy", stored)
	}

	file := filepath.Join(dataDir(t), "site.quire")
	run(t, "", "backup", file, "--data-dir", dir, "--media-url", srv.URL("site"))
	m, err := backup.VerifyFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if m.Counts.MediaFiles != 2 || len(m.MissingMedia) != 0 {
		t.Fatalf("backup holds %d media files, misses %v; want both objects", m.Counts.MediaFiles, m.MissingMedia)
	}

	restored := dataDir(t)
	out = run(t, "", "restore", file, "--data-dir", restored, "--media-url", srv.URL("restored/"))
	if !strings.Contains(out, "1 post") {
		t.Errorf("restore said: %s", out)
	}
	var back []string
	for _, o := range srv.Objects(t) {
		if name, ok := strings.CutPrefix(o, "restored/"); ok {
			back = append(back, "site/"+name)
		}
	}
	if !slices.Equal(back, stored) {
		t.Errorf("restored objects %v, want %v", back, stored)
	}
	orig, copyBack := readObject(t, srv.Store(t, "site"), md.Key), readObject(t, srv.Store(t, "restored"), md.Key)
	if !bytes.Equal(orig, copyBack) || len(orig) == 0 {
		t.Errorf("restored image has %d bytes, want the original's %d", len(copyBack), len(orig))
	}
	if files, _ := os.ReadDir(filepath.Join(restored, "media")); len(files) != 0 {
		t.Errorf("restore wrote %d files to the media folder too", len(files))
	}
}

func readObject(t *testing.T, store models.MediaStore, key string) []byte {
	t.Helper()
	f, err := store.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMediaURLSetting: QUIRE_MEDIA_URL picks object storage, --media-url
// wins over it, and without either the media folder is used.
func TestMediaURLSetting(t *testing.T) {
	store := func(args ...string) (models.MediaStore, error) {
		var c Config
		fs := flag.NewFlagSet("backup", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.databaseFlags(fs)
		c.mediaFlag(fs)
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		return c.mediaStore()
	}
	t.Setenv("QUIRE_MEDIA_URL", "s3://media/site?public_url=https://cdn.example.org/a")
	if s, err := store(); err != nil {
		t.Errorf("from the environment: %v", err)
	} else if got, _ := s.(*models.S3Store).Redirect("k"); got != "https://cdn.example.org/a/k" {
		t.Errorf("from the environment: redirect to %q", got)
	}
	if s, err := store("--media-url", "s3://media/site?public_url=https://cdn.example.org/b"); err != nil {
		t.Errorf("the flag over the environment: %v", err)
	} else if got, _ := s.(*models.S3Store).Redirect("k"); got != "https://cdn.example.org/b/k" {
		t.Errorf("the flag over the environment: redirect to %q", got)
	}
	if _, err := store("--media-url", "s3://media/?region"); err != nil {
		t.Errorf("an empty region: %v", err)
	}
	t.Setenv("QUIRE_MEDIA_URL", "")
	if s, err := store("--data-dir", "/srv/quire"); err != nil || s != (models.LocalStore{Dir: "/srv/quire/media"}) {
		t.Errorf("unset: %#v, %v", s, err)
	}
}
