package importer_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/importer"
)

func importFixture(t *testing.T, db *sqlx.DB, opt importer.Options) importer.Summary {
	t.Helper()
	f, err := os.Open("testdata/wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opt.Location == nil {
		opt.Location, _ = time.LoadLocation("Europe/Paris")
	}
	sum, err := importer.ImportWordPress(context.Background(), db, f, "wordpress-small.xml", opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func count(t *testing.T, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportWordPressFixture(t *testing.T) {
	db := dbtest.New(t)
	sum := importFixture(t, db, importer.Options{})
	for _, n := range sum.Notes {
		t.Logf("%s: %s", n.Item, n.Text)
	}
	// 15 posts and 2 pages; the attachment is skipped (not yet imported).
	if sum.Posts != (importer.Counts{Created: 17, Skipped: 1}) || sum.Users.Created != 7 {
		t.Fatalf("summary = %+v", sum)
	}
	if n := count(t, db, `SELECT count(*) FROM posts WHERE status = 'published' AND kind = 'post'`); n != 9 {
		t.Errorf("published posts = %d, want 9 (10 less the password-protected one)", n)
	}
	if n := count(t, db, `SELECT count(*) FROM posts WHERE status = 'published' AND kind = 'page'`); n != 2 {
		t.Errorf("published pages = %d, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM users WHERE password_hash = '' AND role = 'author'`); n != 7 {
		t.Errorf("passwordless authors = %d, want 7", n)
	}

	var rich struct {
		Slug, Body, Excerpt, Status, Username, Display string
		Tags                                           []byte
		Published                                      time.Time
	}
	if err := db.Get(&rich, `SELECT p.slug, p.body, p.excerpt, p.status, p.tags::text::bytea AS tags, p.published_at AS published,
		u.username, u.display_name AS display
		FROM posts p JOIN users u ON u.id = p.author_id WHERE p.title LIKE 'Crème brûlée%'`); err != nil {
		t.Fatal(err)
	}
	if rich.Slug != "creme-brulee-a-rich-post" || rich.Status != "published" || rich.Excerpt == "" {
		t.Errorf("rich post = %+v", rich)
	}
	for _, want := range []string{"## Ingredients", "| Dessert", "```", "> La cuisine", "- 200 g crème fraîche", "1. Whisk."} {
		if !containsLine(rich.Body, want) {
			t.Errorf("rich body lacks %q:\n%s", want, rich.Body)
		}
	}
	var html string
	if err := db.Get(&html, `SELECT body_html FROM posts WHERE title LIKE 'Crème brûlée%'`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h2", "<table>", "<blockquote>", "<ol>", `<pre tabindex="0"><code>`, "<hr>", "👩‍🍳"} {
		if !strings.Contains(html, want) {
			t.Errorf("rich post's HTML lacks %q", want)
		}
	}
	if string(rich.Tags) != "{café-culture,cooking,crème-brûlée,desserts,中文}" {
		t.Errorf("rich tags = %s (categories and tags as tags, uncategorized left out)", rich.Tags)
	}
	if rich.Username != "elodie" || rich.Display != "Élodie Martin" {
		t.Errorf("rich author = %q %q", rich.Username, rich.Display)
	}
	if !rich.Published.Equal(time.Date(2025, 11, 15, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("rich published = %v, want wp:post_date_gmt 2025-11-15 11:00 UTC", rich.Published)
	}

	var colophon string
	if err := db.Get(&colophon, `SELECT slug FROM posts WHERE kind = 'page' AND title LIKE 'Colophon%'`); err != nil {
		t.Fatal(err)
	}
	if colophon != "colophon" {
		t.Errorf("child page slug = %q, want its own last segment", colophon)
	}
	var sched struct {
		Status    string
		Published *time.Time `db:"published_at"`
		Scheduled *time.Time `db:"scheduled_at"`
		Created   time.Time  `db:"created_at"`
	}
	if err := db.Get(&sched, `SELECT status, published_at, scheduled_at, created_at FROM posts WHERE title LIKE 'Scheduled:%'`); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)
	if sched.Status != models.PostScheduled || sched.Published != nil || sched.Scheduled == nil || !sched.Scheduled.Equal(want) ||
		!sched.Created.Equal(want) {
		t.Errorf("scheduled post = %+v, want scheduled for 2030-01-01 08:00 UTC", sched)
	}
}

// A WordPress post scheduled for a time that has passed (the export is
// older than its schedule) is kept as a draft: the import never makes
// public what was not public there.
func TestImportWordPressPastSchedule(t *testing.T) {
	db := dbtest.New(t)
	raw, err := os.ReadFile("testdata/wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	past := strings.ReplaceAll(string(raw), "2030-01-01 08:00:00", "2024-01-01 08:00:00")
	sum, err := importer.ImportWordPress(context.Background(), db, strings.NewReader(past), "past.xml", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM posts WHERE title LIKE 'Scheduled:%' AND status = 'draft' AND scheduled_at IS NULL`); n != 1 {
		t.Error("the post scheduled for a time gone by is not a draft")
	}
	noted := false
	for _, n := range sum.Notes {
		noted = noted || strings.Contains(n.Text, "which has passed")
	}
	if !noted {
		t.Errorf("no note says the schedule has passed: %+v", sum.Notes)
	}
}

func containsLine(body, prefix string) bool {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// snapshot is every imported row's content, to compare runs.
func snapshot(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var s string
	if err := db.Get(&s, `SELECT coalesce(string_agg(concat_ws('|', id, author_id, title, slug, body, excerpt, status, tags::text,
		published_at, version, updated_at), E'\n' ORDER BY id), '') FROM posts`); err != nil {
		t.Fatal(err)
	}
	var u string
	if err := db.Get(&u, `SELECT coalesce(string_agg(concat_ws('|', id, username, email, display_name), E'\n' ORDER BY id), '') FROM users`); err != nil {
		t.Fatal(err)
	}
	return s + "\n" + u
}

// Comments are kept raw, threading and all, once.
func TestImportWordPressKeepsComments(t *testing.T) {
	db := dbtest.New(t)
	importFixture(t, db, importer.Options{})
	importFixture(t, db, importer.Options{})
	var rows []struct {
		ID     string `db:"source_id"`
		Author string `db:"author"`
		Parent string `db:"parent"`
		User   string `db:"user_id"`
		Title  string `db:"title"`
	}
	if err := db.Select(&rows, `SELECT c.source_id, c.data->>'author' AS author, c.data->>'parent' AS parent,
		c.data->>'user_id' AS user_id, p.title FROM imported_comments c JOIN posts p ON p.id = c.post_id ORDER BY c.source_id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("comments = %+v, want 3", rows)
	}
	if rows[0].Author != "Rita Reader" || rows[0].User != "8" || rows[2].Parent != "2" || rows[1].Author != "Zoë Visitor" ||
		!strings.HasPrefix(rows[0].Title, "A post with a conversation") {
		t.Errorf("comments = %+v", rows)
	}
}

// A second run of the same file changes nothing.
func TestImportWordPressTwice(t *testing.T) {
	db := dbtest.New(t)
	importFixture(t, db, importer.Options{})
	before := snapshot(t, db)
	sum := importFixture(t, db, importer.Options{})
	if sum.Posts != (importer.Counts{Skipped: 18}) || sum.Users != (importer.Counts{}) {
		t.Errorf("second run = %+v, want everything skipped", sum)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("the second run changed rows:\nbefore %s\nafter  %s", before, after)
	}
}

// --dry-run reports what a real run would do and writes nothing.
func TestImportWordPressDryRun(t *testing.T) {
	db := dbtest.New(t)
	before := snapshot(t, db)
	sum := importFixture(t, db, importer.Options{DryRun: true})
	if sum.Posts != (importer.Counts{Created: 17, Skipped: 1}) || sum.Users.Created != 7 {
		t.Errorf("dry run summary = %+v", sum)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("the dry run wrote rows:\n%s", after)
	}
	if n := count(t, db, `SELECT count(*) FROM import_sources`); n != 0 {
		t.Errorf("import_sources = %d rows after a dry run", n)
	}
}

// An existing account with the author's email is used, not duplicated.
func TestImportWordPressMatchesAuthorsByEmail(t *testing.T) {
	db := dbtest.New(t)
	if _, err := db.Exec(`INSERT INTO users (username, email, password_hash, role) VALUES ('elodie_m', 'Elodie@Example.test', 'x', 'editor')`); err != nil {
		t.Fatal(err)
	}
	sum := importFixture(t, db, importer.Options{})
	if sum.Users.Created != 6 {
		t.Errorf("users created = %d, want 6 (elodie matched by email)", sum.Users.Created)
	}
	if n := count(t, db, `SELECT count(*) FROM posts p JOIN users u ON u.id = p.author_id WHERE u.username = 'elodie_m'`); n == 0 {
		t.Error("elodie's posts are not on the existing account")
	}
}

// A changed source item updates the post an earlier run made, unless the
// post was edited in Quire since.
func TestImportWordPressUpdates(t *testing.T) {
	db := dbtest.New(t)
	importFixture(t, db, importer.Options{})
	if _, err := db.Exec(`UPDATE posts SET body = body || ' edited here', version = version + 1 WHERE title LIKE 'Classic editor%'`); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.ReplaceAll(string(raw), "A rich post with", "A richer post with")
	changed = strings.ReplaceAll(changed, "This post was written in the classic editor.", "Changed in WordPress.")
	sum, err := importer.ImportWordPress(context.Background(), db, strings.NewReader(changed), "changed.xml", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Posts != (importer.Counts{Updated: 1, Skipped: 17}) {
		t.Errorf("summary = %+v, want the rich post updated, the rest skipped", sum)
	}
	if n := count(t, db, `SELECT count(*) FROM posts WHERE body LIKE 'A richer post with%'`); n != 1 {
		t.Error("the rich post was not updated")
	}
	if n := count(t, db, `SELECT count(*) FROM posts WHERE body LIKE '%edited here'`); n != 1 {
		t.Error("the post edited in Quire was overwritten")
	}
	// A scheduled post changed in WordPress is updated and stays scheduled.
	changed = strings.ReplaceAll(changed, "This post publishes itself", "This letter publishes itself")
	if _, err := importer.ImportWordPress(context.Background(), db, strings.NewReader(changed), "changed.xml", importer.Options{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM posts WHERE body LIKE 'This letter publishes itself%' AND status = 'scheduled'
		AND scheduled_at = '2030-01-01 08:00:00+00'`); n != 1 {
		t.Error("the scheduled post was not updated, or is no longer scheduled")
	}
}

func withUploads(t *testing.T, db *sqlx.DB, opt importer.Options) (importer.Options, string) {
	t.Helper()
	store := t.TempDir()
	opt.Uploads = &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: models.LocalStore{Dir: store}}
	opt.UploadsDir = "testdata/wordpress-small-uploads"
	opt.MediaURL = func(key string) string { return "/media/" + key }
	return opt, store
}

// With --uploads, featured images become covers and images in bodies
// become media, from the original file rather than WordPress's sizes;
// links to the old host become paths on this one.
func TestImportWordPressMedia(t *testing.T) {
	db := dbtest.New(t)
	opt, store := withUploads(t, db, importer.Options{})
	sum := importFixture(t, db, opt)
	for _, n := range sum.Notes {
		t.Logf("%s: %s", n.Item, n.Text)
	}
	var harbour struct {
		Cover string `db:"cover_key"`
		Alt   string `db:"cover_alt"`
		Body  string `db:"body"`
	}
	if err := db.Get(&harbour, `SELECT cover_key, cover_alt, body FROM posts WHERE title LIKE 'Harbour at dusk%'`); err != nil {
		t.Fatal(err)
	}
	if harbour.Cover == "" || harbour.Alt != "A sailing boat in a harbour at sunset" {
		t.Fatalf("harbour cover = %q %q", harbour.Cover, harbour.Alt)
	}
	if !strings.Contains(harbour.Body, "](/media/"+harbour.Cover+")") || strings.Contains(harbour.Body, "127.0.0.1") {
		t.Errorf("harbour body does not show the imported original:\n%s", harbour.Body)
	}
	var classic string
	if err := db.Get(&classic, `SELECT body FROM posts WHERE title LIKE 'Classic editor%'`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(classic, "](/media/"+harbour.Cover+")") || !strings.Contains(classic, "](/a-post-with-a-conversation/)") {
		t.Errorf("classic body:\n%s", classic)
	}
	var width int
	if err := db.Get(&width, `SELECT width FROM media WHERE key = $1 LIMIT 1`, harbour.Cover); err != nil || width != 1200 {
		t.Errorf("media row width = %d (%v), want the 1200-pixel original", width, err)
	}
	if files, _ := os.ReadDir(store); len(files) == 0 {
		t.Error("no files in the media store")
	}
	rows := count(t, db, `SELECT count(*) FROM media`)
	again := importFixture(t, db, opt)
	if again.Posts != (importer.Counts{Skipped: 18}) || count(t, db, `SELECT count(*) FROM media`) != rows {
		t.Errorf("second run with uploads = %+v, media rows %d → %d", again.Posts, rows, count(t, db, `SELECT count(*) FROM media`))
	}
}

// A dry run with uploads reads the files but stores none.
func TestImportWordPressMediaDryRun(t *testing.T) {
	db := dbtest.New(t)
	opt, store := withUploads(t, db, importer.Options{DryRun: true})
	sum := importFixture(t, db, opt)
	if sum.Posts.Created != 17 {
		t.Errorf("dry run = %+v", sum)
	}
	files, _ := os.ReadDir(store)
	if n := count(t, db, `SELECT count(*) FROM media`); n != 0 || len(files) != 0 {
		t.Errorf("dry run stored %d media rows and %d files", n, len(files))
	}
}
