package models_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/dbtest"
)

// newUser adds an account straight to the table: post tests need authors,
// not password hashing.
func newUser(t *testing.T, db *sqlx.DB, username, displayName string) int64 {
	t.Helper()
	var id int64
	err := db.Get(&id, `INSERT INTO users (username, email, password_hash, display_name)
		VALUES ($1, $1 || '@example.com', 'x', $2) RETURNING id`, username, displayName)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newPost(t *testing.T, pm *models.PostModel, authorID int64, in models.PostInput) models.Post {
	t.Helper()
	p, err := pm.Insert(context.Background(), authorID, in)
	if err != nil {
		t.Fatalf("insert %q: %v", in.Title, err)
	}
	return p
}

// publishedPost inserts and publishes a post.
func publishedPost(t *testing.T, pm *models.PostModel, authorID int64, in models.PostInput) models.Post {
	t.Helper()
	p := newPost(t, pm, authorID, in)
	p, err := pm.Publish(context.Background(), asAuthor(p), p.ID, p.Version)
	if err != nil {
		t.Fatalf("publish %q: %v", in.Title, err)
	}
	return p
}

// inputOf is the form an editor would show for p.
func inputOf(p models.Post) models.PostInput {
	return models.PostInput{Title: p.Title, Body: p.Body, Excerpt: p.Excerpt, CoverKey: p.CoverKey,
		CoverAlt: p.CoverAlt, Tags: p.Tags}
}

func TestPostInsertGetResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "Ada Lovelace")

	p := newPost(t, pm, ada, models.PostInput{
		Title: "  Hello, World!  ",
		Body:  "## Intro\r\n\r\nSome *Markdown* text.\r\n",
		Tags:  []string{"Go", " Slow Travel ", "go"},
	})
	want := models.Post{Title: "Hello, World!", Slug: "hello-world", Status: models.PostDraft, Version: 1,
		AuthorUsername: "ada", AuthorName: "Ada Lovelace", Body: "## Intro\n\nSome *Markdown* text.\n"}
	if p.Title != want.Title || p.Slug != want.Slug || p.Status != want.Status || p.Version != want.Version ||
		p.AuthorUsername != want.AuthorUsername || p.AuthorName != want.AuthorName || p.Body != want.Body {
		t.Errorf("inserted %+v, want %+v", p, want)
	}
	if !p.AuthorID.Valid || p.AuthorID.Int64 != ada {
		t.Errorf("AuthorID = %v, want %d", p.AuthorID, ada)
	}
	if !slices.Equal(p.Tags, []string{"go", "slow-travel"}) {
		t.Errorf("Tags = %q", p.Tags)
	}
	if !strings.Contains(p.BodyHTML, "<h2") || !strings.Contains(p.BodyHTML, "<em>Markdown</em>") {
		t.Errorf("BodyHTML = %q", p.BodyHTML)
	}
	if p.Summary != "Some Markdown text." {
		t.Errorf("Summary = %q, want the body's plain text", p.Summary)
	}
	if p.PublishedAt != nil || p.DeletedAt != nil || p.IsPublic() {
		t.Errorf("a new post must be an unpublished draft: %+v", p)
	}

	got, err := pm.Get(ctx, p.ID)
	if err != nil || got.Slug != p.Slug || got.BodyHTML != p.BodyHTML || got.AuthorName != "Ada Lovelace" {
		t.Errorf("Get = %+v, %v", got, err)
	}
	got, moved, err := pm.Resolve(ctx, "hello-world")
	if err != nil || moved || got.ID != p.ID {
		t.Errorf("Resolve = %d, %v, %v; want %d, false, nil", got.ID, moved, err, p.ID)
	}
	if _, err := pm.Get(ctx, p.ID+1000); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	if _, _, err := pm.Resolve(ctx, "no-such-post"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("Resolve(missing) = %v, want ErrNotFound", err)
	}

	withExcerpt := newPost(t, pm, ada, models.PostInput{Title: "Second", Body: "Body text.", Excerpt: " My own words. "})
	if withExcerpt.Summary != "My own words." || withExcerpt.Excerpt != "My own words." {
		t.Errorf("with an excerpt: Summary %q, Excerpt %q", withExcerpt.Summary, withExcerpt.Excerpt)
	}
	explicit := newPost(t, pm, ada, models.PostInput{Title: "Third", Slug: "My Custom Slug"})
	if explicit.Slug != "my-custom-slug" {
		t.Errorf("explicit slug = %q, want my-custom-slug", explicit.Slug)
	}
}

func TestPostSlugCollisions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	var slugs []string
	for range 3 {
		slugs = append(slugs, newPost(t, pm, ada, models.PostInput{Title: "Same Title"}).Slug)
	}
	if want := []string{"same-title", "same-title-2", "same-title-3"}; !slices.Equal(slugs, want) {
		t.Errorf("slugs = %q, want %q", slugs, want)
	}

	// An old slug that still redirects is taken too.
	p := publishedPost(t, pm, ada, models.PostInput{Title: "Alpha"})
	in := inputOf(p)
	in.Slug = "beta"
	if _, err := pm.Update(ctx, p.ID, p.Version, in, ada); err != nil {
		t.Fatal(err)
	}
	if s := newPost(t, pm, ada, models.PostInput{Title: "Alpha"}).Slug; s != "alpha-2" {
		t.Errorf("slug next to a redirecting old slug = %q, want alpha-2", s)
	}

	// A numbered slug still fits the 80 characters markdown.ValidSlug allows.
	long := strings.Repeat("word ", 30)
	a := newPost(t, pm, ada, models.PostInput{Title: long})
	b := newPost(t, pm, ada, models.PostInput{Title: long})
	if len(a.Slug) > 80 || len(b.Slug) > 80 || a.Slug == b.Slug || !strings.HasSuffix(b.Slug, "-2") {
		t.Errorf("long slugs %q and %q", a.Slug, b.Slug)
	}
}

func TestPostConcurrentInsertsGetDistinctSlugs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	const n = 60 // more than maxSlugAttempts: losers must not run out of retries
	var (
		wg    sync.WaitGroup
		slugs = make([]string, n)
		errs  = make([]error, n)
		start = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			p, err := pm.Insert(ctx, ada, models.PostInput{Title: "Race Condition"})
			slugs[i], errs[i] = p.Slug, err
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	want := []string{"race-condition"}
	for i := 2; i <= n; i++ {
		want = append(want, fmt.Sprintf("race-condition-%d", i))
	}
	slices.Sort(slugs)
	slices.Sort(want)
	if !slices.Equal(slugs, want) {
		t.Errorf("slugs = %q, want %q", slugs, want)
	}
}

func TestPostSlugLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	update := func(p models.Post, title, slug string) models.Post {
		t.Helper()
		in := inputOf(p)
		in.Title, in.Slug = title, slug
		p, err := pm.Update(ctx, p.ID, p.Version, in, ada)
		if err != nil {
			t.Fatalf("update to %q/%q: %v", title, slug, err)
		}
		return p
	}
	resolve := func(slug string, wantID int64, wantMoved bool, wantSlug string) {
		t.Helper()
		p, moved, err := pm.Resolve(ctx, slug)
		if err != nil || p.ID != wantID || moved != wantMoved || p.Slug != wantSlug {
			t.Errorf("Resolve(%q) = post %d %q, moved %v, %v; want post %d %q, moved %v",
				slug, p.ID, p.Slug, moved, err, wantID, wantSlug, wantMoved)
		}
		// The head agrees, with its stamp and without the text.
		h, hmoved, err := pm.ResolveHead(ctx, slug)
		if err != nil || h.ID != p.ID || hmoved != moved || h.Slug != p.Slug || !h.UpdatedAt.Equal(p.UpdatedAt) ||
			h.Status != p.Status || h.AuthorID != p.AuthorID || h.AuthorName != p.AuthorName || h.Title != "" || h.BodyHTML != "" {
			t.Errorf("ResolveHead(%q) = %+v, moved %v, %v; want the head of %+v", slug, h, hmoved, err, p)
		}
	}

	// A draft follows its title, without leaving redirects behind.
	p := newPost(t, pm, ada, models.PostInput{Title: "First draft"})
	p = update(p, "Better title", "")
	if p.Slug != "better-title" {
		t.Fatalf("draft slug after title edit = %q, want better-title", p.Slug)
	}
	if _, _, err := pm.Resolve(ctx, "first-draft"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a draft's old slug resolves: %v", err)
	}
	// A numbered slug is kept while the title still matches it.
	newPost(t, pm, ada, models.PostInput{Title: "Shared"})
	q := newPost(t, pm, ada, models.PostInput{Title: "Shared"})
	if q = update(q, "Shared", ""); q.Slug != "shared-2" {
		t.Errorf("re-saving a numbered draft changed its slug to %q", q.Slug)
	}

	// Once published, the title no longer moves the slug.
	p, err := pm.Publish(ctx, asAuthor(p), p.ID, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	p = update(p, "A completely new title", "")
	if p.Slug != "better-title" {
		t.Errorf("published slug changed with the title to %q", p.Slug)
	}
	// Nor after unpublishing: the old links are out there.
	p, err = pm.Unpublish(ctx, asAuthor(p), p.ID, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	if p = update(p, "Yet another title", ""); p.Slug != "better-title" {
		t.Errorf("unpublished post's slug changed with the title to %q", p.Slug)
	}

	// An explicit slug change leaves a redirect.
	p = update(p, p.Title, "new-home")
	if p.Slug != "new-home" {
		t.Fatalf("slug = %q, want new-home", p.Slug)
	}
	resolve("new-home", p.ID, false, "new-home")
	resolve("better-title", p.ID, true, "new-home")
	// Asking for the same slug again changes nothing.
	if p = update(p, p.Title, "new-home"); p.Slug != "new-home" {
		t.Errorf("slug = %q after re-saving it", p.Slug)
	}

	// Taking back an old slug makes it current again, and the other redirects.
	p = update(p, p.Title, "better-title")
	resolve("better-title", p.ID, false, "better-title")
	resolve("new-home", p.ID, true, "better-title")

	// Another post cannot take over a redirecting slug.
	other := newPost(t, pm, ada, models.PostInput{Title: "Other"})
	other = update(other, other.Title, "new-home")
	if other.Slug != "new-home-2" {
		t.Errorf("other post took slug %q, want new-home-2", other.Slug)
	}
	resolve("new-home", p.ID, true, "better-title")
}

func TestPostUpdateTags(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	p := publishedPost(t, pm, ada, models.PostInput{Title: "Tagged", Tags: []string{"go", "web"}})
	in := inputOf(p)
	in.Tags = []string{"Postgres", "go"}
	p, err := pm.Update(ctx, p.ID, p.Version, in, ada)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Tags, []string{"postgres", "go"}) {
		t.Errorf("Tags = %q, want [postgres go]", p.Tags)
	}
	for _, tc := range []struct {
		tag  string
		want int
	}{{"postgres", 1}, {"POSTGRES", 1}, {"go", 1}, {"web", 0}} {
		l, err := pm.ListByTag(ctx, tc.tag, models.Page{})
		if err != nil || l.Total != tc.want || len(l.Posts) != tc.want {
			t.Errorf("ListByTag(%q) = %d posts of %d, %v; want %d", tc.tag, len(l.Posts), l.Total, err, tc.want)
		}
	}
}

func TestPostVersionConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	p := newPost(t, pm, ada, models.PostInput{Title: "Shared doc", Body: "original"})
	first, second := inputOf(p), inputOf(p)
	first.Body, second.Body = "first editor's text", "second editor's text"

	got, err := pm.Update(ctx, p.ID, p.Version, first, ada)
	if err != nil || got.Version != p.Version+1 || got.UpdatedAt.Before(p.UpdatedAt) {
		t.Fatalf("first update = v%d, %v", got.Version, err)
	}
	if _, err := pm.Update(ctx, p.ID, p.Version, second, ada); !errors.Is(err, models.ErrConflict) {
		t.Fatalf("second update from the same version = %v, want ErrConflict", err)
	}
	cur, err := pm.Get(ctx, p.ID)
	if err != nil || cur.Body != "first editor's text" || cur.Version != p.Version+1 {
		t.Errorf("after the conflict: body %q v%d, %v", cur.Body, cur.Version, err)
	}

	if _, err := pm.Update(ctx, p.ID+1000, 1, first, ada); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("update of a missing post = %v, want ErrNotFound", err)
	}
	if err := pm.SoftDelete(ctx, asAuthor(p), p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := pm.Update(ctx, p.ID, cur.Version+1, first, ada); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("update of a deleted post = %v, want ErrNotFound", err)
	}
}

func TestPostPublishUnpublish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	p := newPost(t, pm, ada, models.PostInput{Title: "Going live"})
	if _, err := pm.Publish(ctx, asAuthor(p), p.ID, p.Version+1); !errors.Is(err, models.ErrConflict) {
		t.Errorf("publish from a wrong version = %v, want ErrConflict", err)
	}
	p, err := pm.Publish(ctx, asAuthor(p), p.ID, p.Version)
	if err != nil || p.Status != models.PostPublished || p.PublishedAt == nil || !p.IsPublic() || p.Version != 2 {
		t.Fatalf("publish = %+v, %v", p, err)
	}
	firstPublished := *p.PublishedAt
	if _, err := pm.Publish(ctx, asAuthor(p), p.ID, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("publishing a published post = %v, want ErrConflict", err)
	}

	// Make the first publish clearly in the past, then go round again.
	if _, err := db.Exec(`UPDATE posts SET published_at = published_at - interval '1 day' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	firstPublished = firstPublished.Add(-24 * time.Hour)
	p, err = pm.Unpublish(ctx, asAuthor(p), p.ID, p.Version)
	if err != nil || p.Status != models.PostDraft || p.IsPublic() || p.PublishedAt == nil || !p.PublishedAt.Equal(firstPublished) {
		t.Fatalf("unpublish = %+v, %v", p, err)
	}
	if _, err := pm.Unpublish(ctx, asAuthor(p), p.ID, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("unpublishing a draft = %v, want ErrConflict", err)
	}
	p, err = pm.Publish(ctx, asAuthor(p), p.ID, p.Version)
	if err != nil || !p.PublishedAt.Equal(firstPublished) {
		t.Errorf("republish: published_at %v, want the first %v (%v)", p.PublishedAt, firstPublished, err)
	}
	if _, err := pm.Publish(ctx, asAuthor(p), p.ID+1000, 1); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("publish of a missing post = %v, want ErrNotFound", err)
	}
}

// TestPostHideUnhide is an admin's moderation (AdminModel.HidePosts and
// UnhidePosts, the only way a post is hidden) as its author sees it.
func TestPostHideUnhide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	admin := &models.AdminModel{DB: db}
	mod := models.Actor{Name: "moderator", Role: models.RoleAdmin}
	ada := newUser(t, db, "ada", "")

	p := publishedPost(t, pm, ada, models.PostInput{Title: "Spam", Body: "buy now"})
	res, err := admin.HidePosts(ctx, mod, []int64{p.ID}, " spam ")
	if err != nil || res.Changed != 1 || res.Unchanged != 0 {
		t.Fatalf("hide = %+v, %v", res, err)
	}
	p, err = pm.Get(ctx, p.ID)
	if err != nil || p.Status != models.PostHidden || p.HiddenReason != "spam" || p.IsPublic() {
		t.Fatalf("hidden = %+v, %v", p, err)
	}
	if l, _ := pm.ListPublished(ctx, models.Page{}); l.Total != 0 {
		t.Errorf("a hidden post is listed: %d", l.Total)
	}
	if hits, _, _ := pm.Search(ctx, "buy", models.Page{}); len(hits) != 0 {
		t.Errorf("a hidden post is found by search")
	}
	if _, err := pm.Publish(ctx, asAuthor(p), p.ID, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("author publishing a hidden post = %v, want ErrConflict", err)
	}
	// Authors may still edit it; it stays hidden.
	in := inputOf(p)
	in.Body = "cleaned up"
	if p, err = pm.Update(ctx, p.ID, p.Version, in, ada); err != nil || p.Status != models.PostHidden {
		t.Errorf("edit of a hidden post = %q, %v", p.Status, err)
	}

	if res, err := admin.UnhidePosts(ctx, mod, []int64{p.ID}); err != nil || res.Changed != 1 {
		t.Fatalf("unhide = %+v, %v", res, err)
	}
	p, err = pm.Get(ctx, p.ID)
	if err != nil || p.Status != models.PostDraft || p.HiddenReason != "" {
		t.Fatalf("unhidden = %+v, %v", p, err)
	}
	if res, err := admin.UnhidePosts(ctx, mod, []int64{p.ID}); err != nil || res.Changed != 0 || res.Unchanged != 1 {
		t.Errorf("unhiding a post that is not hidden = %+v, %v; want it unchanged", res, err)
	}
	if _, err := pm.Publish(ctx, asAuthor(p), p.ID, p.Version); err != nil {
		t.Errorf("publish after unhide: %v", err)
	}
	if res, err := admin.HidePosts(ctx, mod, []int64{p.ID + 1000}, "x"); err != nil || res.Changed != 0 || res.Unchanged != 1 {
		t.Errorf("hide of a missing post = %+v, %v; want it unchanged", res, err)
	}
}

func TestPostSoftDeleteRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")

	p := publishedPost(t, pm, ada, models.PostInput{Title: "Ephemeral", Body: "zeppelin", Tags: []string{"air"}})
	keep := publishedPost(t, pm, ada, models.PostInput{Title: "Keeper", Body: "zeppelin"})
	if err := pm.SoftDelete(ctx, asAuthor(p), p.ID); err != nil {
		t.Fatal(err)
	}
	visible := func() map[string]bool {
		t.Helper()
		v := map[string]bool{}
		_, err := pm.Get(ctx, p.ID)
		v["get"] = err == nil
		_, _, err = pm.Resolve(ctx, p.Slug)
		v["resolve"] = err == nil
		for name, list := range map[string]func() (models.PostList, error){
			"published": func() (models.PostList, error) { return pm.ListPublished(ctx, models.Page{}) },
			"author":    func() (models.PostList, error) { return pm.ListByAuthor(ctx, ada, models.Page{}) },
			"tag":       func() (models.PostList, error) { return pm.ListByTag(ctx, "air", models.Page{}) },
			"own":       func() (models.PostList, error) { return pm.ListOwn(ctx, ada, models.Page{}) },
		} {
			l, err := list()
			if err != nil {
				t.Fatal(err)
			}
			v[name] = slices.ContainsFunc(l.Posts, func(x models.Post) bool { return x.ID == p.ID })
		}
		hits, total, err := pm.Search(ctx, "zeppelin", models.Page{})
		if err != nil {
			t.Fatal(err)
		}
		v["search"] = slices.ContainsFunc(hits, func(h models.SearchHit) bool { return h.Post.ID == p.ID })
		if total != len(hits) {
			t.Errorf("search total %d for %d hits", total, len(hits))
		}
		feed, err := pm.ListForFeed(ctx, models.FeedFilter{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		v["feed"] = slices.ContainsFunc(feed, func(x models.Post) bool { return x.ID == p.ID })
		trash, err := pm.ListTrash(ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		v["trash"] = slices.ContainsFunc(trash, func(x models.Post) bool { return x.ID == p.ID })
		return v
	}
	deleted := map[string]bool{"get": false, "resolve": false, "published": false, "author": false, "tag": false,
		"own": false, "search": false, "feed": false, "trash": true}
	if got := visible(); !maps.Equal(got, deleted) {
		t.Errorf("after delete, visible in %v; want %v", got, deleted)
	}
	if a, err := pm.GetAny(ctx, p.ID); err != nil || a.DeletedAt == nil {
		t.Errorf("GetAny of a deleted post = %v, %v", a.DeletedAt, err)
	}
	if err := pm.SoftDelete(ctx, asAuthor(p), p.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("deleting twice = %v, want ErrNotFound", err)
	}

	r, err := pm.Restore(ctx, p.ID)
	if err != nil || r.DeletedAt != nil || r.Status != models.PostPublished {
		t.Fatalf("restore = %+v, %v", r, err)
	}
	restored := map[string]bool{"get": true, "resolve": true, "published": true, "author": true, "tag": true,
		"own": true, "search": true, "feed": true, "trash": false}
	if got := visible(); !maps.Equal(got, restored) {
		t.Errorf("after restore, visible in %v; want %v", got, restored)
	}
	if _, err := pm.Restore(ctx, keep.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("restoring a post not in the trash = %v, want ErrNotFound", err)
	}

	// Past the trash period it is gone for good.
	if err := pm.SoftDelete(ctx, asAuthor(p), p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE posts SET deleted_at = now() - interval '31 days' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := pm.Restore(ctx, p.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("restore after 31 days = %v, want ErrNotFound", err)
	}
	if trash, _ := pm.ListTrash(ctx, ada); len(trash) != 0 {
		t.Errorf("trash lists a post deleted 31 days ago")
	}
}

func TestPostAuthorDeletionKeepsPosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "Ada")
	bob := newUser(t, db, "bob", "")

	p := publishedPost(t, pm, ada, models.PostInput{Title: "Legacy"})
	in := inputOf(p)
	in.Body = "edited by bob"
	if _, err := pm.Update(ctx, p.ID, p.Version, in, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM users WHERE id IN ($1, $2)`, ada, bob); err != nil {
		t.Fatal(err)
	}
	got, err := pm.Get(ctx, p.ID)
	if err != nil || got.AuthorID.Valid || got.AuthorUsername != "" || got.AuthorName != "" {
		t.Errorf("after the author's deletion: %+v, %v", got, err)
	}
	l, err := pm.ListPublished(ctx, models.Page{})
	if err != nil || l.Total != 1 || l.Posts[0].AuthorUsername != "" {
		t.Errorf("ListPublished after the author's deletion = %+v, %v", l, err)
	}
	revs, err := pm.Revisions(ctx, p.ID)
	if err != nil || len(revs) != 1 || revs[0].EditedBy.Valid || revs[0].EditorName != "" {
		t.Errorf("revisions after the editor's deletion = %+v, %v", revs, err)
	}
}

func TestPostInputValidate(t *testing.T) {
	t.Parallel()
	key := strings.Repeat("ab", 32) + ".jpg"
	tests := []struct {
		name string
		in   models.PostInput
		want []string // fields with a message
	}{
		{"minimal", models.PostInput{Title: "Hi"}, nil},
		{"full", models.PostInput{Title: "Hi", Body: "x", Excerpt: "e", CoverKey: key, CoverAlt: "a cat",
			Slug: "hi-there", Tags: []string{"go"}}, nil},
		{"blank title", models.PostInput{Title: "   "}, []string{"title"}},
		{"long title", models.PostInput{Title: strings.Repeat("é", 201)}, []string{"title"}},
		{"title at the limit", models.PostInput{Title: strings.Repeat("é", 200)}, nil},
		{"long body", models.PostInput{Title: "x", Body: strings.Repeat("a", 200_001)}, []string{"body"}},
		{"long excerpt", models.PostInput{Title: "x", Excerpt: strings.Repeat("a", 301)}, []string{"excerpt"}},
		{"cover without alt", models.PostInput{Title: "x", CoverKey: key}, []string{"cover_alt"}},
		{"bad cover key", models.PostInput{Title: "x", CoverKey: "../etc/passwd", CoverAlt: "a"}, []string{"cover_key"}},
		{"long alt", models.PostInput{Title: "x", CoverKey: key, CoverAlt: strings.Repeat("a", 201)}, []string{"cover_alt"}},
		{"bad slug", models.PostInput{Title: "x", Slug: "no spaces/please"}, []string{"slug"}},
		{"upper-case slug is lowered", models.PostInput{Title: "x", Slug: "Hello-There"}, nil},
		{"too many tags", models.PostInput{Title: "x", Tags: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}, []string{"tags"}},
		{"bad tag", models.PostInput{Title: "x", Tags: []string{"c++"}}, []string{"tags"}},
		{"everything wrong", models.PostInput{Slug: "-", Tags: []string{"a.b"}}, []string{"slug", "tags", "title"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.in.Validate()
			if errs == nil {
				t.Fatal("Validate returned a nil map")
			}
			var got []string
			for field, msg := range errs {
				if msg == "" {
					t.Errorf("empty message for %s", field)
				}
				got = append(got, field)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("fields with errors = %q, want %q (%v)", got, tc.want, errs)
			}
		})
	}
}

// TestPublicPostCondition: the SQL condition every public query splices in
// and Post.IsPublic agree on a post in each state, trashed or not, by an
// active or a suspended author.
func TestPublicPostCondition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	admin := &models.AdminModel{DB: db}
	active, suspended := newUser(t, db, "ada", ""), newUser(t, db, "bob", "")
	var ids []int64
	for _, author := range []int64{active, suspended} {
		for _, status := range []string{models.PostDraft, models.PostPublished, models.PostHidden, models.PostScheduled} {
			for _, trashed := range []bool{false, true} {
				p := newPost(t, pm, author, models.PostInput{Title: fmt.Sprintf("%s %v", status, trashed)})
				_, err := db.Exec(`UPDATE posts SET status = $2, published_at = now(),
					scheduled_at = CASE WHEN $2 = 'scheduled' THEN now() END,
					deleted_at = CASE WHEN $3 THEN now() END WHERE id = $1`, p.ID, status, trashed)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, p.ID)
			}
		}
	}
	if res, err := admin.Suspend(ctx, models.Actor{}, []int64{suspended}, "spam"); err != nil || res.Changed != 1 {
		t.Fatalf("suspend = %+v, %v", res, err)
	}
	var public []int64
	if err := db.Select(&public, `SELECT id FROM posts p WHERE `+models.PublicPost); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		p, err := pm.GetAny(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if inSQL := slices.Contains(public, id); inSQL != p.IsPublic() {
			t.Errorf("%s post, deleted %v, author suspended %v: public in SQL %v, IsPublic %v",
				p.Status, p.DeletedAt != nil, p.AuthorSuspended, inSQL, p.IsPublic())
		}
	}
	if len(public) != 1 {
		t.Errorf("%d public posts, want 1 (published, not trashed, by the active author)", len(public))
	}
}

// TestCoverKeyMessage: the editor shows the model's one message for a cover
// that is not a media key (the handler no longer checks it again).
func TestCoverKeyMessage(t *testing.T) {
	in := models.PostInput{Title: "x", CoverKey: "../etc/passwd", CoverAlt: "a"}
	if got, want := in.Validate()["cover_key"], "Use the file name of an image from your media library."; got != want {
		t.Errorf("cover_key message %q, want %q", got, want)
	}
}
