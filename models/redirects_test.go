package models_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/dbtest"
)

// TestOldPath: an old address as typed becomes the form lookups compare
// (decoded, no #part, the WordPress queries kept), and what can never be
// one is refused with a sentence.
func TestOldPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, problem string }{
		{"/2019/05/my-post/", "/2019/05/my-post/", ""},
		{"  /old  ", "/old", ""},
		{"https://old.example.com/caf%C3%A9/#top", "/café/", ""},
		{"/?p=12", "/?p=12", ""},
		{"http://old.example.com/?page_id=7", "/?page_id=7", ""},
		{"", "", "Give the old address"},
		{"/", "", "home page"},
		{"/old.php?id=3", "", "path alone"},
		{"/?p=x", "", "path alone"},
		{"//evil.example/x", "", "one slash"},
		{"old-post", "", "with a slash"},
		{"javascript:alert(1)", "", "Give a path"},
		{"/a/../admin", "", "/../"},
		{"/a//b", "", "empty parts"},
		{"/a\x00b", "", "control"},
		{"/%00", "", "control"},
		{"/" + strings.Repeat("a", models.MaxRedirectLen), "", "at most 2000"},
	} {
		got, problem := models.OldPath(tc.in)
		if got != tc.want || tc.problem == "" && problem != "" || tc.problem != "" && !strings.Contains(problem, tc.problem) {
			t.Errorf("OldPath(%q) = %q, %q; want %q, a problem with %q", tc.in, got, problem, tc.want, tc.problem)
		}
	}
}

// TestRedirectAddress: where a redirect leads is this site (a path, or a
// full address on its host) or an https address elsewhere; nothing that a
// browser could read as another host passes as local.
func TestRedirectAddress(t *testing.T) {
	t.Parallel()
	site, _ := url.Parse("https://blog.example.org")
	for _, tc := range []struct{ in, local, offsite, problem string }{
		{"/posts/new-post", "/posts/new-post", "", ""},
		{"/search?q=caf%C3%A9", "/search?q=caf%C3%A9", "", ""},
		{"https://BLOG.example.org/tags/go", "/tags/go", "", ""},
		{"https://blog.example.org", "/", "", ""},
		{"https://elsewhere.example/shop?x=1#top", "", "https://elsewhere.example/shop?x=1#top", ""},
		{"http://elsewhere.example/", "", "", "https://"},
		{"//evil.example/", "", "", "one slash"},
		{"/\\evil.example", "", "", "backslashes"},
		{"https://user@evil.example/", "", "", "Give an address"},
		{"javascript:alert(1)", "", "", "Give an address"},
		{"mailto:a@example.org", "", "", "Give an address"},
		{"/about#team", "", "", "#part"},
		{"/a/../b", "", "", "/../"},
		{"/a b", "", "", "spaces"},
		{"", "", "", "Say where it leads"},
	} {
		local, offsite, problem := models.RedirectAddress(tc.in, site)
		got := ""
		if local != nil {
			got = local.String()
		}
		if got != tc.local || offsite != tc.offsite || tc.problem == "" && problem != "" || tc.problem != "" && !strings.Contains(problem, tc.problem) {
			t.Errorf("RedirectAddress(%q) = %q, %q, %q; want %q, %q, a problem with %q", tc.in, got, offsite, problem, tc.local, tc.offsite, tc.problem)
		}
	}
}

// TestAddRedirect: each kind of target is stored as its kind (a post's
// and a page's address as the post, found by an old slug too), audited;
// Find answers both slash forms; an address taken in either form, a public
// page's address and a target that leads nowhere are refused, beside their field.
func TestAddRedirect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	admin := &models.AdminModel{DB: db}
	posts := &models.PostModel{DB: db}
	boss := models.Actor{ID: newAdmin(t, db, "boss"), Name: "boss", Role: models.RoleAdmin}
	post, err := posts.Insert(ctx, boss.ID, models.PostInput{Title: "First name", Body: "Text."})
	if err == nil {
		post, err = posts.Publish(ctx, boss, post.ID, post.Version)
	}
	if err == nil {
		post, err = posts.Update(ctx, post.ID, post.Version, models.PostInput{Title: "First name", Body: "Text.", Slug: "second-name"}, boss.ID)
	}
	page, err2 := posts.Insert(ctx, boss.ID, models.PostInput{Title: "About", Body: "Us.", Kind: models.KindPage})
	if err == nil && err2 == nil {
		_, err = posts.Publish(ctx, boss, page.ID, page.Version)
	}
	if err != nil || err2 != nil || post.Slug != "second-name" {
		t.Fatal(post.Slug, err, err2)
	}
	redirects := &models.RedirectModel{DB: db}

	for _, tc := range []struct {
		from string
		to   models.RedirectTarget
		want models.Redirect
	}{
		{"/old-post/", models.RedirectTarget{PostSlug: "first-name"}, models.Redirect{PostID: nullInt(post.ID)}},
		{"/old-about", models.RedirectTarget{PageSlug: "about"}, models.Redirect{PostID: nullInt(page.ID)}},
		{"/topics/go/", models.RedirectTarget{Tag: "Go"}, models.Redirect{Tag: nullStr("go")}},
		{"/feed/", models.RedirectTarget{Path: "/feed.xml"}, models.Redirect{TargetPath: nullStr("/feed.xml")}},
		{"/shop/", models.RedirectTarget{URL: "https://shop.example/"}, models.Redirect{TargetURL: nullStr("https://shop.example/")}},
	} {
		if _, err := admin.AddRedirect(ctx, boss, tc.from, tc.to); err != nil {
			t.Fatalf("AddRedirect(%s, %+v): %v", tc.from, tc.to, err)
		}
		for _, path := range []string{tc.from, strings.TrimSuffix(tc.from, "/"), strings.TrimSuffix(tc.from, "/") + "/"} {
			if got, err := redirects.Find(ctx, path); err != nil || got != tc.want {
				t.Errorf("Find(%s) = %+v, %v; want %+v", path, got, err, tc.want)
			}
		}
	}
	var audited int
	if err := db.Get(&audited, `SELECT count(*) FROM audit_log WHERE model = 'redirects' AND action = 'create' AND actor_id = $1`, boss.ID); err != nil || audited != 5 {
		t.Errorf("%d creations audited (%v), want 5", audited, err)
	}
	var origins []string
	if err := db.Select(&origins, `SELECT DISTINCT origin FROM redirects`); err != nil || len(origins) != 1 || origins[0] != "admin" {
		t.Errorf("origins %v (%v), want admin", origins, err)
	}

	for _, tc := range []struct {
		from  string
		to    models.RedirectTarget
		field string
		msg   string
	}{
		{"/old-post", models.RedirectTarget{Tag: "go"}, "from", "already has a redirect"},
		{"/topics/go", models.RedirectTarget{Tag: "go"}, "from", "already has a redirect"},
		{"/about/", models.RedirectTarget{Tag: "go"}, "from", "the page “About”"},
		{"/x/", models.RedirectTarget{PostSlug: "no-such-post"}, "to", "No post"},
		{"/x/", models.RedirectTarget{PageSlug: "second-name"}, "to", "No page"},
		{"/x/", models.RedirectTarget{Tag: "a,b"}, "to", "not a tag"},
		{"/x/", models.RedirectTarget{Path: "//evil.example/"}, "to", "one slash"},
		{"/x/", models.RedirectTarget{URL: "http://evil.example/"}, "to", "https://"},
		{"/x/", models.RedirectTarget{}, "to", "Say where"},
	} {
		_, err := admin.AddRedirect(ctx, boss, tc.from, tc.to)
		var re *models.RedirectError
		if !errors.As(err, &re) || re.Field != tc.field || !strings.Contains(re.Msg, tc.msg) {
			t.Errorf("AddRedirect(%s, %+v) = %v; want %q beside %s", tc.from, tc.to, err, tc.msg, tc.field)
		}
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM redirects`); err != nil || n != 5 {
		t.Errorf("%d redirects after the refusals (%v), want 5", n, err)
	}
}

func nullInt(n int64) sql.NullInt64   { return sql.NullInt64{Int64: n, Valid: true} }
func nullStr(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }

// TestRedirectsMigration: rolling 00026 back drops the redirects only it
// can hold (addresses here and elsewhere) and keeps the imported ones;
// applying it again says where those came from: a post's from the import
// that made it, a /category/ address from WordPress.
func TestRedirectsMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	boss := models.Actor{ID: newAdmin(t, db, "boss"), Name: "boss", Role: models.RoleAdmin}
	post, err := (&models.PostModel{DB: db}).Insert(ctx, boss.ID, models.PostInput{Title: "Imported", Body: "Text."})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO import_sources (source, kind, source_id, post_id) VALUES ('wordpress http://old.example', 'post', '4', $1)`,
		`INSERT INTO redirects (path, post_id) VALUES ('/?p=4', $1)`,
	} {
		if _, err := db.Exec(q, post.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO redirects (path, tag) VALUES ('/category/go/', 'go'), ('/tag/go/', 'go')`); err != nil {
		t.Fatal(err)
	}
	if _, err := (&models.AdminModel{DB: db}).AddRedirect(ctx, boss, "/shop/", models.RedirectTarget{URL: "https://shop.example/"}); err != nil {
		t.Fatal(err)
	}
	m := migrateDownThrough(t, db, 26)
	if err := m.Up(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := db.Select(&got, `SELECT path || ' ' || origin FROM redirects ORDER BY path`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"/?p=4 wordpress", "/category/go/ wordpress", "/tag/go/ import"}; !slices.Equal(got, want) {
		t.Errorf("after down and up: %q, want %q", got, want)
	}
}

// migrateDownThrough rolls db's schema back to before migration version,
// through any after it, and returns the migrator to bring it up again.
func migrateDownThrough(t *testing.T, db *sqlx.DB, version int64) *models.Migrator {
	t.Helper()
	ctx := context.Background()
	m, err := models.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	for v := models.SchemaVersion(); v >= version; {
		if err := m.Down(ctx, io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := db.GetContext(ctx, &v, `SELECT max(version_id) FROM goose_db_version`); err != nil {
			t.Fatal(err)
		}
	}
	return m
}
