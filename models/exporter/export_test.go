package exporter_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"go.yaml.in/yaml/v3"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/exporter"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// site is a seeded database and its media folder.
type site struct {
	db    *sqlx.DB
	media models.LocalStore
	cover string // the cover image's media key
}

var testOptions = exporter.Options{
	MediaURL: func(key string) string { return "/media/" + key },
	PostURL: func(kind, slug string) string {
		if kind == models.KindPage {
			return "/" + slug
		}
		return "/posts/" + slug
	},
}

// seedSite makes an administrator with a published post (tags, a cover
// image also shown in the body, a renamed slug, an old address), a draft,
// a published page, a post in the trash and an imported comment.
func seedSite(t *testing.T) site {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	s := site{db: db, media: models.LocalStore{Dir: t.TempDir()}}
	var admin int64
	if err := db.Get(&admin, `INSERT INTO users (username, email, password_hash, display_name, role)
		VALUES ('alice', 'alice@example.com', 'argon2-hash', 'Alice Adams', 'admin') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	uploads := &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: s.media}
	md, err := uploads.Store(ctx, bytes.NewReader(pngImage(t)), admin, "A red line", models.PostImage)
	if err != nil {
		t.Fatal(err)
	}
	s.cover = md.Key
	posts := &models.PostModel{DB: db}
	who := models.Actor{ID: admin, Name: "alice", Role: models.RoleAdmin}
	publish := func(in models.PostInput) models.Post {
		p, err := posts.Insert(ctx, admin, in)
		if err == nil {
			p, err = posts.Publish(ctx, who, p.ID, p.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := publish(models.PostInput{Title: "Harbour at dusk 🌅", Body: "A photo:\n\n![A red line](/media/" + md.Key + ")\n\nElsewhere: https://example.org/media/" + md.Key,
		Excerpt: "Boats, mostly.", Tags: []string{"photos", "sea"}, CoverKey: md.Key, CoverAlt: "A red line"})
	if _, err := posts.Update(ctx, p.ID, p.Version, models.PostInput{Title: p.Title, Body: p.Body, Excerpt: p.Excerpt,
		Tags: p.Tags, CoverKey: p.CoverKey, CoverAlt: p.CoverAlt, Slug: "harbour"}, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO redirects (path, post_id) VALUES ('/?p=15', $1)`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO imported_comments (source, source_id, post_id, data)
		VALUES ('wordpress http://old', '1', $1, '{"author": "Zoë", "content": "Lovely."}')`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := posts.Insert(ctx, admin, models.PostInput{Title: "Half a thought", Body: "Draft."}); err != nil {
		t.Fatal(err)
	}
	publish(models.PostInput{Title: "About", Body: "Who we are.", Kind: models.KindPage})
	gone := publish(models.PostInput{Title: "Deleted", Body: "Gone."})
	if _, err := db.Exec(`UPDATE posts SET deleted_at = now() WHERE id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}
	return s
}

func pngImage(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, x%30, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// files lists a folder's files, slash-separated, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A folder export holds one Markdown file per post and page (not the
// trashed one), the cover image by its key, and the JSON files; the front
// matter says what the post is; no password hash or email is written.
func TestExportFolder(t *testing.T) {
	s := seedSite(t)
	out := filepath.Join(t.TempDir(), "export")
	sum, err := exporter.Export(context.Background(), s.db, s.media, out, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Posts != 2 || sum.Pages != 1 || sum.Media != 1 || sum.Authors != 1 || sum.Comments != 1 || len(sum.Missing) != 0 {
		t.Errorf("summary = %+v", sum)
	}
	want := []string{"authors.json", "comments.json", "media/" + s.cover, "pages/about.md", "posts/half-a-thought.md",
		"posts/harbour.md", "quire-export.json", "settings.json"}
	if got := files(t, out); !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
	raw, err := os.ReadFile(filepath.Join(out, "posts", "harbour.md"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(raw), "---\n", 3)
	if len(parts) != 3 || parts[0] != "" {
		t.Fatalf("no front matter:\n%s", raw)
	}
	var fm struct {
		Title, Slug, Status, Author, Cover, Description string
		CoverAlt                                        string `yaml:"cover_alt"`
		Draft                                           bool
		Tags, Aliases                                   []string
		Date, Lastmod                                   time.Time
	}
	if err := yaml.Unmarshal([]byte(parts[1]), &fm); err != nil {
		t.Fatal(err)
	}
	if fm.Title != "Harbour at dusk 🌅" || fm.Slug != "harbour" || fm.Status != "published" || fm.Draft || fm.Author != "alice" ||
		fm.Cover != "../media/"+s.cover || fm.CoverAlt != "A red line" || fm.Description != "Boats, mostly." ||
		!slices.Equal(fm.Tags, []string{"photos", "sea"}) || !slices.Equal(fm.Aliases, []string{"/?p=15", "/posts/harbour-at-dusk"}) ||
		fm.Date.IsZero() || fm.Lastmod.Before(fm.Date) {
		t.Errorf("front matter = %+v", fm)
	}
	if !strings.Contains(parts[1], "title: \"Harbour at dusk 🌅\"\n") {
		t.Errorf("the title is not written as people read it:\n%s", parts[1])
	}
	if body := parts[2]; !strings.Contains(body, "![A red line](../media/"+s.cover+")") ||
		!strings.Contains(body, "Elsewhere: https://example.org/media/"+s.cover) {
		t.Errorf("body:\n%s", body)
	}
	page, _ := os.ReadFile(filepath.Join(out, "pages", "about.md"))
	if !strings.Contains(string(page), "\ntype: page\n") {
		t.Errorf("page:\n%s", page)
	}
	authors, _ := os.ReadFile(filepath.Join(out, "authors.json"))
	var list []map[string]any
	if err := json.Unmarshal(authors, &list); err != nil || len(list) != 1 || list[0]["display_name"] != "Alice Adams" {
		t.Errorf("authors.json (%v):\n%s", err, authors)
	}
	if strings.Contains(string(authors), "argon2-hash") || strings.Contains(string(authors), "alice@example.com") {
		t.Errorf("authors.json holds a password hash or an email:\n%s", authors)
	}
	out2 := filepath.Join(t.TempDir(), "with-emails")
	if _, err := exporter.Export(context.Background(), s.db, s.media, out2, exporter.Options{WithEmails: true,
		MediaURL: testOptions.MediaURL, PostURL: testOptions.PostURL}); err != nil {
		t.Fatal(err)
	}
	if authors, _ := os.ReadFile(filepath.Join(out2, "authors.json")); !strings.Contains(string(authors), "alice@example.com") {
		t.Errorf("--with-emails wrote no email:\n%s", authors)
	}
}

// A zip export holds the same files as a folder export.
func TestExportZip(t *testing.T) {
	s := seedSite(t)
	dir := t.TempDir()
	if _, err := exporter.Export(context.Background(), s.db, s.media, filepath.Join(dir, "folder"), testOptions); err != nil {
		t.Fatal(err)
	}
	zipName := filepath.Join(dir, "site.zip")
	if _, err := exporter.Export(context.Background(), s.db, s.media, zipName, testOptions); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(zipName)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "posts/harbour.md" {
			r, _ := f.Open()
			var b bytes.Buffer
			_, _ = b.ReadFrom(r)
			if want, _ := os.ReadFile(filepath.Join(dir, "folder", "posts", "harbour.md")); !bytes.Equal(b.Bytes(), want) {
				t.Errorf("zipped post differs:\n%s\nwant\n%s", b.Bytes(), want)
			}
		}
	}
	slices.Sort(names)
	if want := files(t, filepath.Join(dir, "folder")); !slices.Equal(names, want) {
		t.Errorf("zip holds %q, want %q", names, want)
	}
	if left := files(t, dir); len(left) != len(names)+1 {
		t.Errorf("temporary files left beside the export: %q", left)
	}
}

// An export never writes over or into something, says a full disk in so
// many words, and a failed export leaves nothing behind.
func TestExportRefusesAndFails(t *testing.T) {
	s := seedSite(t)
	ctx := context.Background()
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	if err := os.MkdirAll(full, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exporter.Export(ctx, s.db, s.media, full, testOptions); !errors.Is(err, exporter.ErrExists) ||
		err.Error() != "the folder "+full+" is not empty; name a new or empty one" {
		t.Errorf("into a folder with a file: %v", err)
	}
	zipName := filepath.Join(full, "notes.zip")
	if err := os.WriteFile(zipName, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exporter.Export(ctx, s.db, s.media, zipName, testOptions); !errors.Is(err, exporter.ErrExists) {
		t.Errorf("over a zip: %v", err)
	}
	if b, _ := os.ReadFile(zipName); string(b) != "mine" {
		t.Error("the existing zip was written over")
	}
	if _, err := exporter.Export(ctx, s.db, s.media, "/no/such/folder/site.zip", testOptions); err == nil ||
		!strings.Contains(err.Error(), "there is no folder /no/such/folder") {
		t.Errorf("into a missing folder: %v", err)
	}
	// An empty folder is taken, and filled.
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o750); err != nil {
		t.Fatal(err)
	}
	if _, err := exporter.Export(ctx, s.db, s.media, empty, testOptions); err != nil || len(files(t, empty)) == 0 {
		t.Errorf("into an empty folder: %v", err)
	}
	// /dev/full: every write fails with ENOSPC.
	if _, err := exporter.Export(ctx, s.db, s.media, "/dev/full", testOptions); !errors.Is(err, exporter.ErrDiskFull) ||
		!strings.HasPrefix(err.Error(), "the disk is full") {
		t.Errorf("to /dev/full: %v", err)
	}
	// A failure half-way (the database gone): no export, no temporary files.
	before, _ := os.ReadDir(dir)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := exporter.Export(cancelled, s.db, s.media, filepath.Join(dir, "half"), testOptions); err == nil {
		t.Error("an export on a cancelled context succeeded")
	}
	if _, err := exporter.Export(cancelled, s.db, s.media, filepath.Join(dir, "half.zip"), testOptions); err == nil {
		t.Error("a zip export on a cancelled context succeeded")
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("a failed export left %d entries behind", len(after)-len(before))
	}
}
