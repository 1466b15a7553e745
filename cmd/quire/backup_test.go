package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/klauspost/compress/zstd"

	"quire/models"
	"quire/models/backup"
)

// socketDSN reaches the private cluster of a data folder while a serve
// keeps it running.
func socketDSN(dir, database string) string {
	return "host=" + filepath.Join(dir, "pgdata", "run") + " port=5432 user=quire dbname=" + database + " sslmode=disable"
}

func openSiteDB(t *testing.T, dir string) *sqlx.DB {
	t.Helper()
	db, err := models.Open(context.Background(), socketDSN(dir, "quire"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// numberedPNG is a different 640-pixel-wide picture for each n, so each
// upload is a new file with a 480-pixel srcset copy.
func numberedPNG(t *testing.T, n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 400))
	for i := 0; i < len(img.Pix); i += 4 {
		x, y := i/4%640, i/4/640
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x+n), uint8(y*n), uint8(n), 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Error(err)
	}
	return buf.Bytes()
}

var editRE = regexp.MustCompile(`edit (\d+)`)

// TestBackupWhileAuthorsSave backs a site up while three authors keep
// uploading images and saving posts through the models (each post: upload,
// insert, publish, two edits that each keep a revision), then restores it
// into a fresh data folder. The restored site must be one instant of the
// original: every post's revisions match the edits its text shows, every
// image a post or media row names is there with its srcset copies, and the
// counts are the manifest's.
func TestBackupWhileAuthorsSave(t *testing.T) {
	dir := setUpSite(t)
	s := startServe(t, dir)
	db := openSiteDB(t, dir)
	ctx := context.Background()
	var admin models.Actor
	if err := db.GetContext(ctx, &admin, `SELECT id, username AS name, role FROM users WHERE username = 'admin'`); err != nil {
		t.Fatal(err)
	}
	posts := &models.PostModel{DB: db}
	uploads := &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: models.LocalStore{Dir: filepath.Join(dir, "media")}}

	var stop atomic.Bool
	var saved atomic.Int64
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				n := w*1000 + i
				md, err := uploads.Store(ctx, bytes.NewReader(numberedPNG(t, n)), admin.ID, "picture", models.PostImage)
				if err != nil {
					t.Error(err)
					return
				}
				body := fmt.Sprintf("![picture](/media/%s)\n\nedit %d", md.Key, 0)
				p, err := posts.Insert(ctx, admin.ID, models.PostInput{Title: fmt.Sprintf("Post %d", n), Body: body, CoverKey: md.Key})
				if err == nil {
					p, err = posts.Publish(ctx, admin, p.ID, p.Version)
				}
				for e := 1; e <= 2 && err == nil; e++ {
					body = fmt.Sprintf("![picture](/media/%s)\n\nedit %d", md.Key, e)
					p, err = posts.Update(ctx, p.ID, p.Version, models.PostInput{Title: p.Title, Body: body, CoverKey: md.Key}, admin.ID)
				}
				if err != nil {
					t.Error(err)
					return
				}
				saved.Add(1)
			}
		})
	}
	for saved.Load() < 3 && !t.Failed() {
		time.Sleep(50 * time.Millisecond)
	}
	before := saved.Load()
	file := filepath.Join(dataDir(t), "site.quire")
	out := run(t, "", "backup", file, "--data-dir", dir)
	during := saved.Load() - before
	stop.Store(true)
	wg.Wait()
	if t.Failed() {
		return
	}
	if during == 0 {
		t.Fatalf("no post was saved while the backup ran; the test proves nothing (%s)", out)
	}
	t.Logf("%d posts saved before the backup, %d during it: %s", before, during, out)
	s.stop(t)

	m, err := backup.VerifyFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.MissingMedia) != 0 {
		t.Errorf("the backup misses media: %v", m.MissingMedia)
	}
	restored := dataDir(t)
	run(t, "", "restore", file, "--data-dir", restored)
	r := startServe(t, restored)
	rdb := openSiteDB(t, restored)

	var got backup.Counts
	if err := rdb.GetContext(ctx, &got, `SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM users) AS users,
		(SELECT count(*) FROM media) AS media`); err != nil {
		t.Fatal(err)
	}
	if got.Posts != m.Counts.Posts || got.Users != m.Counts.Users || got.Media != m.Counts.Media || got.Posts == 0 {
		t.Errorf("restored counts %+v, manifest %+v", got, m.Counts)
	}
	var rows []struct {
		Slug      string `db:"slug"`
		Status    string `db:"status"`
		Body      string `db:"body"`
		Cover     string `db:"cover_key"`
		Revisions int    `db:"revisions"`
	}
	if err := rdb.SelectContext(ctx, &rows, `SELECT slug, status, body, cover_key,
		(SELECT count(*) FROM post_revisions r WHERE r.post_id = p.id) AS revisions FROM posts p`); err != nil {
		t.Fatal(err)
	}
	media := filepath.Join(restored, "media")
	for _, p := range rows {
		edits := editRE.FindStringSubmatch(p.Body)
		if edits == nil || edits[1] != fmt.Sprint(p.Revisions) {
			t.Errorf("post %s shows %q but has %d revisions: not one instant", p.Slug, edits, p.Revisions)
		}
		if !sameFile(t, filepath.Join(dir, "media", p.Cover), filepath.Join(media, p.Cover)) {
			t.Errorf("post %s: its image %s was not restored", p.Slug, p.Cover)
		}
		if p.Status == models.PostPublished {
			if code, _ := getStatus(t, "http://"+r.addr+"/posts/"+p.Slug); code != http.StatusOK {
				t.Errorf("restored /posts/%s: %d", p.Slug, code)
			}
		}
	}
	var variants []string
	if err := rdb.SelectContext(ctx, &variants, `SELECT regexp_replace(key, '[.]png$', '-w' || v || '.png') FROM media, unnest(variants) v`); err != nil {
		t.Fatal(err)
	}
	for _, v := range variants {
		if !sameFile(t, filepath.Join(dir, "media", v), filepath.Join(media, v)) {
			t.Errorf("srcset copy %s was not restored", v)
		}
	}
	if len(variants) == 0 {
		t.Error("no srcset copies were made; the test proves less than it says")
	}
}

// sameFile reports whether b exists with a's content.
func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	da, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(b)
	return err == nil && bytes.Equal(da, db)
}

// TestBackupRestoreSamePages: a seeded site backed up with its database
// stopped and restored into a fresh data folder serves the same pages,
// feeds and images; the same round trip through --database-url (an
// external database: the running cluster's socket) fills an empty database.
func TestBackupRestoreSamePages(t *testing.T) {
	dir := setUpSite(t)
	run(t, "", "seed", "--data-dir", dir, "--users", "3", "--posts", "12")
	file := filepath.Join(dataDir(t), "site.quire")
	if out := run(t, "", "backup", file, "--data-dir", dir); !strings.Contains(out, "12 posts, 4 users") {
		t.Errorf("backup said: %s", out)
	}
	restored := dataDir(t)
	run(t, "", "restore", file, "--data-dir", restored)

	a, b := startServe(t, dir), startServe(t, restored)
	_, home := getStatus(t, "http://"+a.addr+"/")
	paths := []string{"/", "/?page=2", "/feed.xml", "/atom.xml", "/sitemap.xml"}
	links := regexp.MustCompile(`(?:href|src)="(/(?:posts|tags|@|media)[^"]*)"`)
	for _, m := range links.FindAllStringSubmatch(home, -1) {
		paths = append(paths, m[1])
		if strings.HasPrefix(m[1], "/posts/") {
			_, post := getStatus(t, "http://"+a.addr+m[1])
			for _, img := range regexp.MustCompile(`src="(/media/[^"]+)"`).FindAllStringSubmatch(post, -1) {
				paths = append(paths, img[1])
			}
		}
	}
	if !strings.Contains(strings.Join(paths, " "), "/media/") {
		t.Errorf("the home page shows no images: %v", paths)
	}
	for _, p := range paths {
		codeA, pageA := getStatus(t, "http://"+a.addr+p)
		codeB, pageB := getStatus(t, "http://"+b.addr+p)
		pageB = strings.ReplaceAll(pageB, b.addr, a.addr)
		if codeA != codeB || pageA != pageB {
			t.Errorf("%s: %d and %d, same page: %v", p, codeA, codeB, pageA == pageB)
		}
	}

	// The external way: back up through the socket as a URL while serve
	// runs, and restore into a new, empty database.
	db := openSiteDB(t, restored)
	if _, err := db.Exec(`CREATE DATABASE elsewhere`); err != nil {
		t.Fatal(err)
	}
	file2 := filepath.Join(dataDir(t), "external.quire")
	run(t, "", "backup", file2, "--database-url", socketDSN(dir, "quire"), "--media-dir", filepath.Join(dir, "media"))
	media := filepath.Join(dataDir(t), "media")
	out := run(t, "", "restore", file2, "--database-url", socketDSN(restored, "elsewhere"), "--media-dir", media)
	if !strings.Contains(out, "12 posts, 4 users") {
		t.Errorf("restore into an external database said: %s", out)
	}
	files, _ := os.ReadDir(media)
	if len(files) == 0 {
		t.Fatal("no media restored into --media-dir")
	}

	// A file the site lost, and one whose content no longer matches its
	// name, are listed; the rest is written, and the command fails. Both
	// are covers of posts not in the trash: a key only written in a body
	// is copied when its file is there and skipped when not (text may name
	// another site's file), and serve's janitor may purge trashed posts.
	var covers []string
	if err := openSiteDB(t, dir).Select(&covers, `SELECT DISTINCT cover_key FROM posts
		WHERE cover_key <> '' AND deleted_at IS NULL ORDER BY cover_key`); err != nil {
		t.Fatal(err)
	}
	if len(covers) < 2 {
		t.Fatalf("the seeded site has %d covers; the test needs two", len(covers))
	}
	lost, damaged := covers[0], covers[len(covers)-1]
	if err := os.Remove(filepath.Join(dir, "media", lost)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", damaged), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	file3 := filepath.Join(dataDir(t), "partial.quire")
	out = runFails(t, "backup", file3, "--data-dir", dir)
	for _, want := range []string{lost + ": missing", damaged + ": damaged", "2 media files"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup without two files: want %q in:\n%s", want, out)
		}
	}
	if m, err := backup.VerifyFile(file3); err != nil || len(m.MissingMedia) != 2 || m.Counts.Posts != 12 {
		t.Errorf("the partial backup: %v, %+v", err, m)
	}
	a.stop(t)
	b.stop(t)
}

// rewrite copies an archive member by member through edit, which may
// change a member's data; the manifest is passed as it was unless edit
// changes it too.
func rewrite(t *testing.T, from, to string, edit func(name string, data []byte) []byte) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out bytes.Buffer
	zw, _ := zstd.NewWriter(&out)
	tr, tw := tar.NewReader(zr), tar.NewWriter(zw)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(tr)
		data = edit(hdr.Name, data)
		hdr.Size = int64(len(data))
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(to, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreRefusals: every archive restore cannot trust is refused with a
// plain message before anything is touched (the target folder is not even
// created), a site is never overwritten without --force, and a backup that
// does not fit on the disk says so.
func TestRestoreRefusals(t *testing.T) {
	dir := setUpSite(t)
	work := dataDir(t)
	good := filepath.Join(work, "good.quire")
	run(t, "", "backup", good, "--data-dir", dir)
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	newer := filepath.Join(work, "newer.quire")
	rewrite(t, good, newer, func(name string, data []byte) []byte {
		if name != "manifest.json" {
			return data
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		m["schema_version"] = models.SchemaVersion() + 1
		data, _ = json.Marshal(m)
		return data
	})
	corrupt := filepath.Join(work, "corrupt.quire")
	rewrite(t, good, corrupt, func(name string, data []byte) []byte {
		if strings.HasPrefix(name, "database.dump.") {
			data = bytes.Replace(data, []byte("admin@example.com"), []byte("admin@example.org"), 1)
		}
		return data
	})
	truncated := filepath.Join(work, "truncated.quire")
	if err := os.WriteFile(truncated, raw[:len(raw)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(work, "notes.txt")
	if err := os.WriteFile(text, []byte("not a backup\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	untouched := filepath.Join(work, "site")
	for _, c := range []struct{ file, want string }{
		{newer, "comes from a newer Quire"},
		{corrupt, "database.dump.000000 does not match its checksum"},
		{truncated, "is cut short"},
		{text, "not a Quire backup"},
		{filepath.Join(work, "missing.quire"), "there is no file"},
	} {
		out := runFails(t, "restore", c.file, "--data-dir", untouched)
		if !strings.Contains(out, c.want) {
			t.Errorf("restore %s: want %q in:\n%s", filepath.Base(c.file), c.want, out)
		}
	}
	if _, err := os.Stat(untouched); err == nil {
		t.Error("a refused restore created the data folder")
	}

	// A site is replaced only when asked.
	run(t, "another fine long passphrase\n", "createadmin", "--data-dir", dir, "--username", "second", "--email", "second@example.com")
	if out := runFails(t, "restore", good, "--data-dir", dir); !strings.Contains(out, "not empty") || !strings.Contains(out, "--force") {
		t.Errorf("restore over a site: %s", out)
	}
	out := run(t, "", "restore", good, "--data-dir", dir, "--force")
	if !strings.Contains(out, "0 posts, 1 user and 0 media files") {
		t.Errorf("restore --force: %s", out)
	}
	s := startServe(t, dir)
	if out := runFails(t, "restore", good, "--data-dir", dir, "--force"); !strings.Contains(out, "quire serve is running") {
		t.Errorf("restore under a running serve: %s", out)
	}
	if login(t, s.addr, "second", "another fine long passphrase") || !login(t, s.addr, "admin", adminPassword) {
		t.Error("restore --force did not bring back the site as it was backed up")
	}
	s.stop(t)

	if out := runFails(t, "backup", "/dev/full", "--data-dir", dir); !strings.Contains(out, "/dev/full is full") {
		t.Errorf("backup to a full disk: %s", out)
	}
	// To standard output, for a pipe: the archive alone, the summary on
	// standard error.
	toStdout := exec.Command(quireBin, "backup", "-", "--data-dir", dir)
	toStdout.Env = cleanEnv()
	piped, err := toStdout.Output()
	if err != nil {
		t.Fatal(err)
	}
	if m, err := backup.Verify(bytes.NewReader(piped)); err != nil || m.Counts.Users != 1 {
		t.Errorf("quire backup - wrote no backup: %v", err)
	}
	if out := runFails(t, "backup", good, "--data-dir", untouched); !strings.Contains(out, "there is no site in") {
		t.Errorf("backup of no site: %s", out)
	}
	if _, err := os.Stat(untouched); err == nil {
		t.Error("a backup of no site created a data folder")
	}
}

// TestRestoreOlderSchemaMigrates: a backup of a site one migration behind
// this build (rolled back with migrate down) restores and is migrated up to
// this build's schema, its accounts intact.
func TestRestoreOlderSchemaMigrates(t *testing.T) {
	dir := setUpSite(t)
	run(t, "", "migrate", "down", "--data-dir", dir)
	file := filepath.Join(dataDir(t), "old.quire")
	run(t, "", "backup", file, "--data-dir", dir)
	m, err := backup.VerifyFile(file)
	if err != nil || m.SchemaVersion >= models.SchemaVersion() {
		t.Fatalf("the backup of the rolled-back site: %v, schema %d", err, m.SchemaVersion)
	}
	restored := dataDir(t)
	out := run(t, "", "restore", file, "--data-dir", restored)
	if want := fmt.Sprintf("schema version %d, now %d", m.SchemaVersion, models.SchemaVersion()); !strings.Contains(out, want) {
		t.Errorf("want %q in: %s", want, out)
	}
	if status := run(t, "", "migrate", "status", "--data-dir", restored); notApplied.MatchString(status) {
		t.Errorf("migrations left after the restore:\n%s", status)
	}
	s := startServe(t, restored)
	if !login(t, s.addr, "admin", adminPassword) {
		t.Error("the restored admin cannot sign in")
	}
	s.stop(t)
}
