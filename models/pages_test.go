package models_test

import (
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"testing"

	"quire/models"
	"quire/models/admintable"
	"quire/models/dbtest"
)

// TestPagesStayOutOfLists: a public page is in no reader list (home, tag,
// author, feeds, search) and in none of their counts or stamps; the sitemap
// lists it, first, and its own stamp moves when it is published.
func TestPagesStayOutOfLists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	post := publishedPost(t, pm, ada, models.PostInput{Title: "Zebra crossing", Body: "Zebras everywhere.", Tags: []string{"go"}})
	st, err := pm.PagesStamp(ctx)
	before := st.At
	if err != nil {
		t.Fatal(err)
	}
	page := publishedPost(t, pm, ada, models.PostInput{Title: "About zebras", Body: "Zebras, about.", Tags: []string{"go"},
		Kind: models.KindPage})
	if !page.IsPage() || page.Slug != "about-zebras" {
		t.Fatalf("page kind %q slug %q", page.Kind, page.Slug)
	}

	only := func(what string, posts []models.Post) {
		t.Helper()
		if len(posts) != 1 || posts[0].ID != post.ID {
			var slugs []string
			for _, p := range posts {
				slugs = append(slugs, p.Slug)
			}
			t.Errorf("%s lists %v, want only the post %s", what, slugs, post.Slug)
		}
	}
	home, err := pm.ListPublished(ctx, models.Page{})
	if err != nil {
		t.Fatal(err)
	}
	only("home", home.Posts)
	if home.Total != 1 {
		t.Errorf("home counts %d, want 1", home.Total)
	}
	byTag, err := pm.ListByTag(ctx, "go", models.Page{})
	if err != nil {
		t.Fatal(err)
	}
	only("tag go", byTag.Posts)
	byAuthor, err := pm.ListByAuthor(ctx, ada, models.Page{})
	if err != nil {
		t.Fatal(err)
	}
	only("author", byAuthor.Posts)
	for _, f := range []models.FeedFilter{{}, {Tag: "go"}, {AuthorID: ada}} {
		feed, err := pm.ListForFeed(ctx, f, 20)
		if err != nil {
			t.Fatal(err)
		}
		only("feed", feed)
		if st, err := pm.ChangeStamp(ctx, f); err != nil || st.Posts != 1 {
			t.Errorf("stamp of %+v counts %d, %v; want 1", f, st.Posts, err)
		}
	}
	hits, total, err := pm.Search(ctx, "zebras", models.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var found []models.Post
	for _, h := range hits {
		found = append(found, h.Post)
	}
	only("search", found)
	if total != 1 {
		t.Errorf("search counts %d, want 1", total)
	}

	st, err = pm.PagesStamp(ctx)
	after, n := st.At, st.Posts
	if err != nil || n != 1 || !after.After(before) {
		t.Errorf("pages stamp %v (was %v), %d pages, %v; want later, 1", after, before, n, err)
	}
	sitemap, err := pm.ListForSitemap(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(sitemap) != 2 || sitemap[0].ID != page.ID || !sitemap[0].IsPage() || sitemap[1].ID != post.ID {
		t.Errorf("sitemap = %+v, want the page then the post", sitemap)
	}
	if sitemap, err := pm.ListForSitemap(ctx, 1); err != nil || len(sitemap) != 1 {
		t.Errorf("sitemap of 1 = %d entries, %v", len(sitemap), err)
	}

	// Unpublished, it leaves the sitemap and its stamp moves again.
	if _, err := pm.Unpublish(ctx, asAuthor(page), page.ID, page.Version); err != nil {
		t.Fatal(err)
	}
	if st, err := pm.PagesStamp(ctx); err != nil || st.Posts != 0 || !st.At.After(after) {
		t.Errorf("after unpublishing: pages stamp %v, %d pages, %v", st.At, st.Posts, err)
	}
}

// TestResolvePageHead: /{slug} finds pages only, by their slug or an old one.
func TestResolvePageHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	post := publishedPost(t, pm, ada, models.PostInput{Title: "Hello"})
	page := publishedPost(t, pm, ada, models.PostInput{Title: "About", Kind: models.KindPage})

	if _, _, err := pm.ResolvePageHead(ctx, post.Slug); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a post's slug as a page: %v, want ErrNotFound", err)
	}
	head, moved, err := pm.ResolvePageHead(ctx, "about")
	if err != nil || moved || head.ID != page.ID || !head.IsPage() || !head.IsPublic() {
		t.Fatalf("resolve about = %+v, %v, %v", head, moved, err)
	}
	in := inputOf(page)
	in.Slug = "about-us"
	if page, err = pm.Update(ctx, page.ID, page.Version, in, ada); err != nil || page.Slug != "about-us" || !page.IsPage() {
		t.Fatalf("renamed page = %q (%s), %v", page.Slug, page.Kind, err)
	}
	if head, moved, err = pm.ResolvePageHead(ctx, "about"); err != nil || !moved || head.Slug != "about-us" {
		t.Errorf("old slug: %+v, moved %v, %v; want moved to about-us", head, moved, err)
	}
	// Kind is read at Insert only: a save never turns a post into a page.
	in = inputOf(post)
	in.Kind = models.KindPage
	if post, err = pm.Update(ctx, post.ID, post.Version, in, ada); err != nil || post.IsPage() {
		t.Errorf("saving a post with kind page: %s, %v", post.Kind, err)
	}
}

// TestPageSlugs: a page's slug is never a word the site's routes use at the
// top level (nor under /posts/), and pages and posts share one namespace.
func TestPageSlugs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	page := func(in models.PostInput) models.PostInput { in.Kind = models.KindPage; return in }

	for _, tc := range []struct {
		in   models.PostInput
		want string
	}{
		{page(models.PostInput{Title: "Login"}), "login-2"},
		{models.PostInput{Title: "Login"}, "login"}, // /posts/login is no route
		{page(models.PostInput{Title: "Admin"}), "admin-2"},
		{page(models.PostInput{Title: "Anything", Slug: "search"}), "search-2"},
		{page(models.PostInput{Title: "New"}), "new-2"},
		{page(models.PostInput{Title: "About"}), "about"},
		{page(models.PostInput{Title: "About"}), "about-2"},
		{models.PostInput{Title: "About"}, "about-3"},
	} {
		if p := newPost(t, pm, ada, tc.in); p.Slug != tc.want {
			t.Errorf("%s %q (slug %q) got slug %q, want %q", tc.in.Kind, tc.in.Title, tc.in.Slug, p.Slug, tc.want)
		}
	}

	// Asking for a route word at an edit numbers it too.
	p := publishedPost(t, pm, ada, page(models.PostInput{Title: "Contact"}))
	in := inputOf(p)
	in.Slug = "settings"
	if p, err := pm.Update(ctx, p.ID, p.Version, in, ada); err != nil || p.Slug != "settings-2" {
		t.Errorf("edit to slug settings = %q, %v; want settings-2", p.Slug, err)
	}
	if !models.ReservedPageSlug("login") || !models.ReservedPageSlug("pages") {
		t.Error("login and pages are not reserved page slugs")
	}
	if in := (models.PostInput{Title: "x", Kind: "poster"}); in.Validate()["kind"] == "" {
		t.Error("an unknown kind passes validation")
	}
}

// TestPagesMigrationDown: rolling 00013 back makes pages posts again, in the
// lists they would be in, and applying it again leaves the counts exact.
func TestPagesMigrationDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	publishedPost(t, pm, ada, models.PostInput{Title: "Hello"})
	publishedPost(t, pm, ada, models.PostInput{Title: "About", Kind: models.KindPage})
	count := func() (home, pages int) {
		t.Helper()
		err := db.QueryRowContext(ctx, `SELECT coalesce(sum(posts) FILTER (WHERE author_id = 0 AND tag = ''), 0),
			coalesce(sum(posts) FILTER (WHERE author_id = -1), 0) FROM post_list_stats`).Scan(&home, &pages)
		if err != nil {
			t.Fatal(err)
		}
		return home, pages
	}
	if home, pages := count(); home != 1 || pages != 1 {
		t.Fatalf("before: home %d, pages %d; want 1, 1", home, pages)
	}
	m := migrateDownThrough(t, db, 13)
	if home, pages := count(); home != 2 || pages != 0 {
		t.Errorf("after down: home %d, pages %d; want 2, 0", home, pages)
	}
	if err := m.Up(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if home, pages := count(); home != 2 || pages != 0 {
		t.Errorf("after up again: home %d, pages %d; want 2, 0", home, pages)
	}
	publishedPost(t, pm, ada, models.PostInput{Title: "Contact", Kind: models.KindPage})
	if home, pages := count(); home != 2 || pages != 1 {
		t.Errorf("a new page: home %d, pages %d; want 2, 1", home, pages)
	}
}

// TestAdminPostsKind: the admin's posts table shows each row's kind, links a
// page's title to its own address and filters by kind.
func TestAdminPostsKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	post := newPost(t, pm, ada, models.PostInput{Title: "Hello"})
	page := newPost(t, pm, ada, models.PostInput{Title: "About", Kind: models.KindPage})
	list := func(v url.Values) []admintable.Row {
		t.Helper()
		q, err := models.PostsTable.Parse(v)
		if err != nil {
			t.Fatal(err)
		}
		res, err := models.PostsTable.List(ctx, db, q)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows
	}
	for _, tc := range []struct {
		kind string
		want models.Post
	}{{models.KindPage, page}, {models.KindPost, post}} {
		rows := list(url.Values{"kind": {tc.kind}})
		if len(rows) != 1 || rows[0].ID != tc.want.ID {
			t.Errorf("kind=%s: %d rows, want %s alone", tc.kind, len(rows), tc.want.Slug)
			continue
		}
		// The handlers make a page's link /{slug} from the kind (TestAdminPostsKind).
		to := rows[0].Targets["title"]
		if rows[0].Values["kind"] != tc.kind || to.Page != models.PostPage || !slices.Equal(to.Args, []string{tc.want.Slug, tc.kind}) {
			t.Errorf("kind=%s: kind %v, link %+v; want %s, [%s %s]", tc.kind, rows[0].Values["kind"], to, tc.kind, tc.want.Slug, tc.kind)
		}
	}
	if _, err := models.PostsTable.Parse(url.Values{"kind": {"poster"}}); err == nil {
		t.Error("kind=poster is accepted")
	}
}
