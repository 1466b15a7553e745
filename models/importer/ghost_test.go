package importer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"quire/models/dbtest"
	"quire/models/importer"
)

const ghostFixture = "testdata/ghost-small.json"

func importGhost(t testing.TB, db *sqlx.DB, path string, opt importer.Options) (importer.Summary, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return importer.ImportGhost(context.Background(), db, f, filepath.Base(path), opt)
}

func withImages(t *testing.T, db *sqlx.DB, opt importer.Options) (importer.Options, string) {
	t.Helper()
	opt, store := withUploads(t, db, opt)
	opt.UploadsDir = "testdata/ghost-small-images"
	return opt, store
}

// The fixture's counts (README): 14 posts rows, 11 posts and 3 pages; 6
// users; 15 public tags and one internal; 1 feature image.
func TestImportGhostFixture(t *testing.T) {
	db := dbtest.New(t)
	opt, store := withImages(t, db, importer.Options{})
	sum, err := importGhost(t, db, ghostFixture, opt)
	for _, n := range sum.Notes {
		t.Logf("%s: %s", n.Item, n.Text)
	}
	if err != nil {
		t.Fatal(err)
	}
	if sum.Posts != (importer.Counts{Created: 14}) || sum.Users.Created != 6 {
		t.Fatalf("summary = %+v", sum)
	}
	for _, c := range []struct {
		what, query string
		want        int
	}{
		{"published posts", `SELECT count(*) FROM posts WHERE kind = 'post' AND status = 'published'`, 7},
		{"drafts (2 drafts and the members-only post)", `SELECT count(*) FROM posts WHERE kind = 'post' AND status = 'draft'`, 3},
		{"scheduled (for 2030, as in Ghost)", `SELECT count(*) FROM posts WHERE kind = 'post' AND status = 'scheduled' AND scheduled_at = '2030-01-01 08:00Z'`, 1},
		{"published pages", `SELECT count(*) FROM posts WHERE kind = 'page' AND status = 'published'`, 3},
		{"passwordless authors", `SELECT count(*) FROM users WHERE password_hash = '' AND role = 'author'`, 6},
		{"tags in use, less the internal one", `SELECT count(DISTINCT t) FROM posts, unnest(tags) AS t`, 15},
		{"internal tags", `SELECT count(*) FROM posts WHERE 'fixture' = ANY(tags) OR '#fixture' = ANY(tags) OR 'hash-fixture' = ANY(tags)`, 0},
		{"images (the feature image, also in the body)", `SELECT count(*) FROM media`, 1},
		{"post addresses /slug/", `SELECT count(*) FROM redirects WHERE post_id IS NOT NULL`, 14},
		{"tag addresses /tag/slug/", `SELECT count(*) FROM redirects WHERE tag IS NOT NULL`, 15},
		{"old addresses said to come from elsewhere than Ghost", `SELECT count(*) FROM redirects WHERE origin <> 'ghost'`, 0},
	} {
		if n := count(t, db, c.query); n != c.want {
			t.Errorf("%s = %d, want %d", c.what, n, c.want)
		}
	}

	var rich struct {
		Slug, Body, Excerpt, Status, Cover, Alt, Username string
		Tags                                              string
	}
	if err := db.Get(&rich, `SELECT p.slug, p.body, p.excerpt, p.status, p.cover_key AS cover, p.cover_alt AS alt,
		u.username, p.tags::text AS tags FROM posts p JOIN users u ON u.id = p.author_id WHERE p.title LIKE 'Harbour at dusk%'`); err != nil {
		t.Fatal(err)
	}
	if rich.Slug != "harbour-at-dusk-a-rich-post" || rich.Status != "published" || rich.Excerpt != "A hand-written excerpt: crème, 中文, 🍮." {
		t.Errorf("rich post = %+v", rich)
	}
	if rich.Username != "site" {
		t.Errorf("rich author = %q, want the first of its two authors (site)", rich.Username)
	}
	if !hasNote(sum, "Harbour at dusk", "A Quire post has one author: it is Site Owner's; Ghost also named Vera Yilmaz.") {
		t.Errorf("no note on the second author")
	}
	if rich.Cover == "" || rich.Alt != "A sailing boat in a harbour at sunset" {
		t.Errorf("rich cover = %q %q", rich.Cover, rich.Alt)
	}
	for _, want := range []string{"## Ingredients", "### Method", "- 200 g crème fraîche", "1. Whisk.", "> La cuisine", "```", "| Dessert", "](/media/" + rich.Cover + ")"} {
		if !containsLine(rich.Body, want) && !strings.Contains(rich.Body, want) {
			t.Errorf("rich body lacks %q:\n%s", want, rich.Body)
		}
	}
	if strings.Contains(rich.Body, "__GHOST_URL__") || strings.Contains(rich.Body, "kg-card") {
		t.Errorf("rich body keeps Ghost's placeholders:\n%s", rich.Body)
	}
	if rich.Tags != "{cooking,crème-brûlée,中文}" {
		t.Errorf("rich tags = %s", rich.Tags)
	}
	var width int
	if err := db.Get(&width, `SELECT width FROM media WHERE key = $1`, rich.Cover); err != nil || width != 1200 {
		t.Errorf("cover width = %d (%v), want the 1200-pixel original", width, err)
	}
	if files, _ := os.ReadDir(store); len(files) == 0 {
		t.Error("no files in the media store")
	}
	var mobiledoc string
	if err := db.Get(&mobiledoc, `SELECT body FROM posts WHERE title = 'A post from the old mobiledoc editor'`); err != nil || mobiledoc == "" {
		t.Errorf("mobiledoc post body = %q (%v)", mobiledoc, err)
	}
}

// A second run changes nothing; a dry run writes nothing and reports what
// a real run would do.
func TestImportGhostTwiceAndDryRun(t *testing.T) {
	db := dbtest.New(t)
	dryOpt, dryStore := withImages(t, db, importer.Options{DryRun: true})
	dry, err := importGhost(t, db, ghostFixture, dryOpt)
	if err != nil || dry.Posts != (importer.Counts{Created: 14}) || dry.Users.Created != 6 {
		t.Fatalf("dry run = %+v, %v", dry, err)
	}
	for _, table := range []string{"posts", "users", "import_sources", "redirects", "media"} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("the dry run wrote %d %s rows", n, table)
		}
	}
	if files, _ := os.ReadDir(dryStore); len(files) != 0 {
		t.Errorf("the dry run stored %d image files", len(files))
	}
	opt, _ := withImages(t, db, importer.Options{})
	if _, err := importGhost(t, db, ghostFixture, opt); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	media := count(t, db, `SELECT count(*) FROM media`)
	again, err := importGhost(t, db, ghostFixture, opt)
	if err != nil || again.Posts != (importer.Counts{Skipped: 14}) || again.Unchanged != 14 || again.Users.Created != 0 {
		t.Errorf("second run = %+v, %v", again, err)
	}
	if snapshot(t, db) != before || count(t, db, `SELECT count(*) FROM media`) != media {
		t.Error("the second run changed the site")
	}
}

// failOn makes inserting a post with this title fail in the database, as
// a real fault in the middle of an import would.
func failOn(t *testing.T, db *sqlx.DB, title string) {
	t.Helper()
	db.MustExec(`CREATE FUNCTION fail_import() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.title = '` + title + `' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$`)
	db.MustExec(`CREATE TRIGGER fail_import BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION fail_import()`)
}

// --atomic: a failure in the middle leaves nothing at all, and the error
// names the item. Without it the other items are imported and the failed
// one is reported.
func TestImportGhostAtomic(t *testing.T) {
	db := dbtest.New(t)
	failOn(t, db, "Contact")
	opt, _ := withImages(t, db, importer.Options{Atomic: true})
	_, err := importGhost(t, db, ghostFixture, opt)
	if err == nil || !strings.Contains(err.Error(), "page 6b16e0d6601a46645a77da57 “Contact” (posts row 12)") ||
		!strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("atomic error = %v", err)
	}
	for _, table := range []string{"posts", "users", "import_sources", "redirects", "media"} {
		if n := count(t, db, `SELECT count(*) FROM `+table); n != 0 {
			t.Errorf("the failed atomic import left %d %s rows", n, table)
		}
	}

	opt.Atomic = false
	sum, err := importGhost(t, db, ghostFixture, opt)
	if !errors.Is(err, importer.ErrItemsFailed) || sum.Posts != (importer.Counts{Created: 13, Failed: 1}) {
		t.Fatalf("per-item import = %+v, %v", sum, err)
	}
	if n := count(t, db, `SELECT count(*) FROM posts`); n != 13 {
		t.Errorf("posts = %d, want the 13 that did not fail", n)
	}
	if !hasNote(sum, "Contact", "It could not be imported: ") || !hasNote(sum, "Contact", "disk on fire") {
		t.Errorf("the report does not name the failed item: %+v", sum.Notes)
	}
}

// Atomic runs that succeed write everything, images included (their rows
// in the one transaction, owned by accounts the same transaction made).
func TestImportGhostAtomicWithImages(t *testing.T) {
	db := dbtest.New(t)
	opt, _ := withImages(t, db, importer.Options{Atomic: true})
	sum, err := importGhost(t, db, ghostFixture, opt)
	if err != nil || sum.Posts.Created != 14 {
		t.Fatalf("atomic import = %+v, %v", sum, err)
	}
	if n := count(t, db, `SELECT count(*) FROM posts WHERE cover_key <> '' AND cover_key IN (SELECT key FROM media)`); n != 1 {
		t.Errorf("posts with a stored cover = %d, want 1", n)
	}
}

// Wrong files say what they are, with the file's name and where.
func TestImportGhostErrors(t *testing.T) {
	db := dbtest.New(t)
	raw, err := os.ReadFile(ghostFixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Cut inside the posts table, in the rich post's row.
	cut := strings.Index(string(raw), "Harbour at dusk")
	for _, c := range []struct {
		path string
		want []string
	}{
		{"testdata/wordpress-small.xml", []string{"wordpress-small.xml: importer: the file is not a Ghost export: it is XML (a WordPress export? use quire import wordpress)"}},
		{write("cut.json", raw[:cut]), []string{"cut.json (posts row 7): the file ends early"}},
		{write("other.json", []byte(`{"posts":[{"id":1}]}`)), []string{"other.json: importer: the file is not a Ghost export: its top level has no \"db\""}},
		{write("nodata.json", []byte(`{"db":[{"meta":{"version":"5.0.0"}}]}`)), []string{"nodata.json: importer: the file is not a Ghost export: db[0] has no \"data\""}},
		{write("noposts.json", []byte(`{"db":[{"data":{"tags":[]}}]}`)), []string{"it has no posts table"}},
		{write("bad.json", []byte(`{"db":[{"data":{"posts":[{"id":"a","title":}]}}]}`)), []string{"bad.json (posts row 1): the JSON is malformed"}},
		{write("types.json", []byte(`{"db":[{"data":{"posts":[{"id":"a","title":["x"]}]}}]}`)), []string{"types.json (posts row 1)", "title"}},
		{write("empty.json", nil), []string{"empty.json: importer: the file is not a Ghost export: the file is empty"}},
	} {
		_, err := importGhost(t, db, c.path, importer.Options{})
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error = %v, want %q", c.path, err, w)
			}
		}
	}
	if n := count(t, db, `SELECT count(*) FROM posts`); n != 0 {
		t.Errorf("a wrong file imported %d posts", n)
	}
}

// Without html, a post's content is read from its lexical or mobiledoc
// document: structure, cards, and a note that says so.
func TestImportGhostEditorDocuments(t *testing.T) {
	db := dbtest.New(t)
	lexical := `{"root":{"children":[` +
		`{"type":"extended-heading","tag":"h2","children":[{"type":"extended-text","text":"Heading"}]},` +
		`{"type":"paragraph","children":[{"type":"extended-text","text":"bold","format":1},{"type":"text","text":" and "},` +
		`{"type":"link","url":"https://example.org/","children":[{"type":"text","text":"a link"}]}]},` +
		`{"type":"list","listType":"number","children":[{"type":"listitem","children":[{"type":"text","text":"one"}]}]},` +
		`{"type":"codeblock","code":"x := 1"},{"type":"markdown","markdown":"*from a card*"},{"type":"horizontalrule"},` +
		`{"type":"video","src":"v.mp4"}]}}`
	mobiledoc := `{"version":"0.3.1","markups":[["strong"]],"cards":[["markdown",{"markdown":"## Card heading"}],["hr",{}]],` +
		`"sections":[[1,"p",[[0,[0],1,"Strong"],[0,[],0," words"]]],[10,0],[10,1]]}`
	doc := `{"db":[{"data":{"posts":[` + ghostRow("l1", "Lexical post", "lexical", lexical) + `,` +
		ghostRow("m1", "Mobiledoc post", "mobiledoc", mobiledoc) + `],` +
		`"users":[{"id":"1","name":"Owner","slug":"owner","email":"owner@example.test"}],` +
		`"posts_authors":[{"post_id":"l1","author_id":"1","sort_order":0},{"post_id":"m1","author_id":"1","sort_order":0}]}}]}`
	path := filepath.Join(t.TempDir(), "docs.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := importGhost(t, db, path, importer.Options{})
	if err != nil || sum.Posts.Created != 2 {
		t.Fatalf("import = %+v, %v", sum, err)
	}
	var lex, mob string
	if err := db.Get(&lex, `SELECT body FROM posts WHERE title = 'Lexical post'`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Heading", "**bold** and [a link](https://example.org/)", "1. one", "x := 1", "*from a card*", "* * *"} {
		if !strings.Contains(lex, want) {
			t.Errorf("lexical body lacks %q:\n%s", want, lex)
		}
	}
	if err := db.Get(&mob, `SELECT body FROM posts WHERE title = 'Mobiledoc post'`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**Strong** words", "## Card heading", "---"} {
		if !strings.Contains(mob, want) {
			t.Errorf("mobiledoc body lacks %q:\n%s", want, mob)
		}
	}
	notes := ""
	for _, n := range sum.Notes {
		notes += n.Item + ": " + n.Text + "\n"
	}
	if !strings.Contains(notes, "read from its lexical document") || !strings.Contains(notes, "video cards") {
		t.Errorf("notes:\n%s", notes)
	}
}

func hasNote(sum importer.Summary, item, text string) bool {
	for _, n := range sum.Notes {
		if strings.Contains(n.Item, item) && strings.Contains(n.Text, text) {
			return true
		}
	}
	return false
}

func ghostRow(id, title, field, doc string) string {
	q := func(s string) string {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return `{"id":"` + id + `","title":"` + title + `","slug":"` + id + `","type":"post","status":"published","visibility":"public",` +
		`"created_at":"2025-01-01T00:00:00.000Z","updated_at":"2025-01-01T00:00:00.000Z","published_at":"2025-01-01T00:00:00.000Z",` +
		`"html":null,"` + field + `":` + q(doc) + `}`
}

// A post changed in Ghost since the last import is updated (its address
// stays); one edited in Quire since is left alone and noted.
func TestImportGhostUpdates(t *testing.T) {
	db := dbtest.New(t)
	if _, err := importGhost(t, db, ghostFixture, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	db.MustExec(`UPDATE posts SET body = 'Edited here', version = version + 1 WHERE slug = 'contact'`)
	raw, err := os.ReadFile(ghostFixture)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(raw), `"title":"Colophon — how this site is made"`, `"title":"Colophon, revised"`, 1)
	changed = strings.Replace(changed, `"title":"Contact"`, `"title":"Contact us"`, 1)
	if changed == string(raw) {
		t.Fatal("the fixture's titles were not found")
	}
	path := filepath.Join(t.TempDir(), "changed.json")
	if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, err := importGhost(t, db, path, importer.Options{})
	if err != nil || sum.Posts != (importer.Counts{Updated: 1, Skipped: 13}) || sum.Unchanged != 12 {
		t.Fatalf("second run = %+v, %v", sum, err)
	}
	var colophon, contact string
	if err := db.Get(&colophon, `SELECT title FROM posts WHERE slug = 'colophon'`); err != nil || colophon != "Colophon, revised" {
		t.Errorf("colophon = %q (%v)", colophon, err)
	}
	if err := db.Get(&contact, `SELECT title FROM posts WHERE slug = 'contact'`); err != nil || contact != "Contact" {
		t.Errorf("contact = %q (%v), want the Quire edit kept", contact, err)
	}
	if !hasNote(sum, "Contact us", "was edited in Quire since the last import") {
		t.Errorf("no note on the post edited in Quire: %+v", sum.Notes)
	}
}

// Progress is told after each post how far through the file the import
// is, never backwards, ending at the file's end.
func TestImportProgress(t *testing.T) {
	db := dbtest.New(t)
	for _, path := range []string{ghostFixture, "testdata/wordpress-small.xml"} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		var calls int
		var last int64
		opt := importer.Options{DryRun: true, Progress: func(read, size int64) {
			if read < last || size != st.Size() || read > size {
				t.Errorf("%s: progress %d of %d after %d", path, read, size, last)
			}
			calls++
			last = read
		}}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(path) == ".json" {
			_, err = importer.ImportGhost(context.Background(), db, f, path, opt)
		} else {
			_, err = importer.ImportWordPress(context.Background(), db, f, path, opt)
		}
		_ = f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if calls < 14 || last != st.Size() {
			t.Errorf("%s: %d progress calls, the last at %d of %d", path, calls, last, st.Size())
		}
	}
}
