package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/importer"
)

const markdownFixture = "testdata/markdown-small"

// siteWithAdmin is a database whose first administrator owns the files
// that name no author.
func siteWithAdmin(t *testing.T) *sqlx.DB {
	t.Helper()
	db := dbtest.New(t)
	users := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	if _, err := users.Insert(context.Background(), models.NewUser{Username: "owner", Email: "owner@example.com",
		Password: "correct horse battery staple", Role: models.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	return db
}

func importFolder(t *testing.T, db *sqlx.DB, dir string, opt importer.Options) importer.Summary {
	t.Helper()
	sum, err := importer.ImportMarkdown(context.Background(), db, dir, opt)
	for _, n := range sum.Notes {
		t.Logf("%s: %s", n.Item, n.Text)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// The fixture's five files (Hugo and Jekyll, posts and drafts) import as
// the README describes them; a dry run writes nothing and a second run
// changes nothing.
func TestImportMarkdownFixture(t *testing.T) {
	db := siteWithAdmin(t)
	dry := importFolder(t, db, markdownFixture, importer.Options{DryRun: true})
	if dry.Posts != (importer.Counts{Created: 5}) || count(t, db, `SELECT count(*) FROM posts`) != 0 {
		t.Fatalf("dry run = %+v, and it wrote %d posts", dry.Posts, count(t, db, `SELECT count(*) FROM posts`))
	}
	sum := importFolder(t, db, markdownFixture, importer.Options{})
	if sum.Posts != (importer.Counts{Created: 5}) || sum.Users.Created != 0 {
		t.Fatalf("summary = %+v", sum)
	}
	type row struct {
		Slug, Status, Title, Body, Excerpt string
		Tags                               string
	}
	var rows []row
	if err := db.Select(&rows, `SELECT slug, status, title, body, excerpt, array_to_string(tags, ',') AS tags
		FROM posts ORDER BY slug`); err != nil {
		t.Fatal(err)
	}
	want := []struct{ slug, status, tags string }{
		{"a-guest-post-in-progress", "draft", "guest,draft,notes"}, // Jekyll's _drafts
		{"a-letter-to-2030", "scheduled", "notes,future,essays"},   // Hugo's publishDate in 2030
		{"creme-brulee-and-mooncakes", "published", "cooking,crème-brûlée,中文,recipes,desserts"},
		{"night-trains-field-guide", "published", "travel,slow-travel,trains"},
		{"notes-on-cafe-culture", "draft", "coffee,café,中文,café-culture"},
	}
	if len(rows) != len(want) {
		t.Fatalf("posts = %+v", rows)
	}
	for i, w := range want {
		if rows[i].Slug != w.slug || rows[i].Status != w.status || rows[i].Tags != w.tags {
			t.Errorf("post %d = %s %s [%s], want %s %s [%s]", i, rows[i].Slug, rows[i].Status, rows[i].Tags, w.slug, w.status, w.tags)
		}
	}
	trains, creme := rows[3], rows[2]
	if trains.Excerpt != "Sleeper trains, couchettes and what to pack." || strings.Contains(trains.Body, "<!--more-->") ||
		!strings.Contains(trains.Body, "![A harbour at dusk](/images/harbour-at-dusk.jpg)") {
		t.Errorf("night trains: excerpt %q, body:\n%s", trains.Excerpt, trains.Body)
	}
	if !strings.Contains(creme.Body, "```go\nfunc main()") || strings.Contains(creme.Body, "{%") ||
		!strings.Contains(creme.Body, "](/assets/harbour-at-dusk.jpg)") || creme.Title != "Crème brûlée & 月饼: a rich post 🍮" {
		t.Errorf("crème brûlée: %q\n%s", creme.Title, creme.Body)
	}
	var paths []string
	if err := db.Select(&paths, `SELECT r.path || ' ' || p.slug FROM redirects r JOIN posts p ON p.id = r.post_id ORDER BY r.path`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paths, []string{
		"/2025/11/15/creme-brulee/ creme-brulee-and-mooncakes", "/2025/11/night-trains/ night-trains-field-guide",
		"/letters/2030/ a-letter-to-2030", "/posts/a-letter-to-2030/ a-letter-to-2030",
		"/posts/night-trains-field-guide/ night-trains-field-guide", "/posts/notes-on-cafe-culture/ notes-on-cafe-culture",
		"/posts/old-night-trains-post/ night-trains-field-guide", "/recipes/creme-brulee.html creme-brulee-and-mooncakes",
		"/recipes/desserts/2025/11/15/creme-brulee-and-mooncakes.html creme-brulee-and-mooncakes", // Jekyll's own
	}) {
		t.Errorf("redirects = %q", paths)
	}
	if !hasNote(sum, "a-letter-to-2030.md", "It is scheduled for") ||
		count(t, db, `SELECT count(*) FROM posts WHERE slug = 'a-letter-to-2030' AND scheduled_at > now() + interval '1 year'`) != 1 {
		t.Error("the 2030 post is not scheduled for its publishDate, with a note")
	}

	again := importFolder(t, db, markdownFixture, importer.Options{})
	if again.Posts != (importer.Counts{Skipped: 5}) || count(t, db, `SELECT count(*) FROM posts WHERE version <> 1`) != 0 {
		t.Errorf("second run = %+v", again.Posts)
	}
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Images a file shows by a path relative to it, or from the site's root,
// become media; an author is made once; a path leaving the folder is not
// followed.
func TestImportMarkdownImagesAndAuthors(t *testing.T) {
	db := siteWithAdmin(t)
	dir := t.TempDir()
	photo, err := os.ReadFile("testdata/wordpress-small-uploads/2025/11/harbour-at-dusk-300x200.jpg")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "site", "static", "img", "cover.jpg"), string(photo))
	writeFile(t, filepath.Join(dir, "site", "posts", "pic.jpg"), string(photo))
	writeFile(t, filepath.Join(dir, "site", "posts", "one.md"), "+++\ntitle = \"One\"\ndate = 2025-01-02T03:04:05Z\n"+
		"author = \"Jane Doe\"\ncover = \"/img/cover.jpg\"\ncover_alt = \"A red line\"\n+++\n\n![a picture](pic.jpg)\n\n![no](../../../secret.png)\n")
	writeFile(t, filepath.Join(dir, "site", "posts", "two.md"), "---\ntitle: Two\nauthor: Jane Doe\nurl: /2019/two.html\naliases: [\"/?p=15\", \"http://old.example.org/two/\"]\n---\nText.\n")
	media := t.TempDir()
	opt := importer.Options{MediaURL: func(key string) string { return "/media/" + key },
		Uploads: &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: models.LocalStore{Dir: media}}}
	sum := importFolder(t, db, dir, opt)
	if sum.Posts.Created != 2 || sum.Users.Created != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	var one struct {
		Body, Cover, Alt, Username, Display string
	}
	if err := db.Get(&one, `SELECT p.body, p.cover_key AS cover, p.cover_alt AS alt, u.username, u.display_name AS display
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.slug = 'one'`); err != nil {
		t.Fatal(err)
	}
	if !models.ValidKey(one.Cover) || one.Alt != "A red line" || one.Username != "jane_doe" || one.Display != "Jane Doe" {
		t.Errorf("post one = %+v", one)
	}
	if !strings.Contains(one.Body, "![a picture](/media/"+one.Cover+")") || !strings.Contains(one.Body, "](../../../secret.png)") {
		t.Errorf("body:\n%s", one.Body) // the same pixels: one key
	}
	var paths []string
	if err := db.Select(&paths, `SELECT path FROM redirects ORDER BY path`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(paths, []string{"/2019/two.html", "/?p=15", "/two/"}) {
		t.Errorf("redirects = %q", paths)
	}
	if !hasNote(sum, "one.md", "outside the imported folder") {
		t.Error("no note says the image outside the folder was left")
	}
	if _, err := os.Stat(filepath.Join(media, one.Cover)); err != nil {
		t.Error(err)
	}
}

// Missing folders and broken front matter are reported with the file and
// line; the good files still come in.
func TestImportMarkdownErrors(t *testing.T) {
	db := siteWithAdmin(t)
	if _, err := importer.ImportMarkdown(context.Background(), db, "/no/such/folder", importer.Options{}); !errors.Is(err, importer.ErrNotAFolder) {
		t.Errorf("missing folder: %v", err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "good.md"), "---\ntitle: Good\ndate: 2025-01-01\n---\nFine.\n")
	writeFile(t, filepath.Join(dir, "posts", "yaml.md"), "---\ntitle: Broken\ndate: 2025-01-01\nsummary: a: b\n---\nText.\n")
	writeFile(t, filepath.Join(dir, "posts", "toml.md"), "+++\ntitle = \"Broken\"\ndraft = maybe\n+++\nText.\n")
	writeFile(t, filepath.Join(dir, "posts", "open.md"), "---\ntitle: Never closed\n\nText.\n")
	writeFile(t, filepath.Join(dir, "posts", "date.md"), "---\ntitle: Bad date\ndate: next tuesday\n---\nText.\n")
	sum, err := importer.ImportMarkdown(context.Background(), db, dir, importer.Options{})
	if !errors.Is(err, importer.ErrFilesLeftOut) || sum.Posts != (importer.Counts{Created: 1, Skipped: 4}) {
		t.Fatalf("err = %v, summary = %+v", err, sum.Posts)
	}
	for _, want := range []string{
		"posts/yaml.md:4: the YAML front matter cannot be read: mapping values are not allowed",
		"posts/toml.md:3: the TOML front matter cannot be read: expected value but found \"maybe\"",
		"posts/open.md:1: the YAML front matter opened on line 1 is never closed",
		`posts/date.md:2: its date "next tuesday" is not a date`,
	} {
		if !slices.ContainsFunc(sum.Notes, func(n importer.Note) bool { return strings.HasPrefix(n.Text, want) }) {
			t.Errorf("no note starts %q: %+v", want, sum.Notes)
		}
	}
}

// A file dated in the future that is not a draft waits as scheduled for
// its date, as a scheduled WordPress or Ghost post does; a draft dated in
// the future stays a draft.
func TestImportMarkdownFutureDateScheduled(t *testing.T) {
	db := siteWithAdmin(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "soon.md"), "---\ntitle: Soon\ndate: 2031-05-06T07:08:00Z\n---\nLater.\n")
	writeFile(t, filepath.Join(dir, "idea.md"), "---\ntitle: Idea\ndate: 2031-05-06T07:08:00Z\ndraft: true\n---\nMaybe.\n")
	sum := importFolder(t, db, dir, importer.Options{})
	if sum.Posts != (importer.Counts{Created: 2}) {
		t.Fatalf("summary = %+v", sum.Posts)
	}
	var rows []string
	if err := db.Select(&rows, `SELECT slug || ' ' || status || ' ' || coalesce(to_char(scheduled_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD HH24:MI'), '-') || ' ' || (published_at IS NULL) FROM posts ORDER BY slug`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows, []string{"idea draft - true", "soon scheduled 2031-05-06 07:08 true"}) {
		t.Errorf("posts = %q", rows)
	}
	if !hasNote(sum, "soon.md", "It is scheduled for 6 May 2031 07:08 UTC") {
		t.Error("no note says soon.md is scheduled")
	}
}

// With Atomic, a file that cannot be read in the middle of the folder
// stops the import naming it, and nothing is left: no posts, no accounts,
// no redirects, no media rows, no import records.
func TestImportMarkdownAtomic(t *testing.T) {
	db := siteWithAdmin(t)
	dir := t.TempDir()
	photo, err := os.ReadFile("testdata/wordpress-small-uploads/2025/11/harbour-at-dusk-300x200.jpg")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "pic.jpg"), string(photo))
	writeFile(t, filepath.Join(dir, "a.md"), "---\ntitle: A\ndate: 2025-01-01\nauthor: Jane Doe\naliases: [/old-a/]\n---\n![pic](pic.jpg)\n")
	writeFile(t, filepath.Join(dir, "b.md"), "---\ntitle: B\nsummary: a: b\n---\nBroken.\n")
	writeFile(t, filepath.Join(dir, "c.md"), "---\ntitle: C\ndate: 2025-01-03\n---\nNever reached.\n")
	opt := importer.Options{Atomic: true, MediaURL: func(key string) string { return "/media/" + key },
		Uploads: &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: models.LocalStore{Dir: t.TempDir()}}}
	var seen []int64
	opt.Progress = func(done, total int64) { seen = append(seen, done, total) }
	sum, err := importer.ImportMarkdown(context.Background(), db, dir, opt)
	if !errors.Is(err, importer.ErrUnreadable) || !strings.Contains(err.Error(), "b.md:3: the YAML front matter cannot be read") ||
		!strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("err = %v", err)
	}
	if sum.Posts.Created != 0 || sum.Users.Created != 0 {
		t.Errorf("summary = %+v", sum)
	}
	for _, table := range []string{"posts", "redirects", "media", "import_sources", "users WHERE username <> 'owner'"} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("%s: %d rows left", table, n)
		}
	}
	if !slices.Equal(seen, []int64{1, 3}) {
		t.Errorf("progress = %v, want file 1 of 3 before the stop", seen)
	}

	// Without the broken file the same atomic run writes all of it.
	if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
		t.Fatal(err)
	}
	seen = nil
	sum = importFolder(t, db, dir, opt)
	if sum.Posts != (importer.Counts{Created: 2}) || sum.Users.Created != 1 || count(t, db, `SELECT count(*) FROM media`) != 1 ||
		count(t, db, `SELECT count(*) FROM redirects WHERE path = '/old-a/'`) != 1 || !slices.Equal(seen, []int64{1, 2, 2, 2}) {
		t.Errorf("summary = %+v, progress %v", sum, seen)
	}
}
