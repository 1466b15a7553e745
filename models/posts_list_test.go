package models_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

func TestPageNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         models.Page
		want       models.Page
		wantOffset int
	}{
		{models.Page{}, models.Page{Number: 1, Size: 20}, 0},
		{models.Page{Number: -3, Size: -1}, models.Page{Number: 1, Size: 20}, 0},
		{models.Page{Number: 3, Size: 10}, models.Page{Number: 3, Size: 10}, 20},
		{models.Page{Number: 2, Size: 1000}, models.Page{Number: 2, Size: 100}, 100},
		{models.Page{Number: 1 << 62, Size: 100}, models.Page{Number: 1_000_000, Size: 100}, 99_999_900},
	}
	for _, tc := range tests {
		if got := tc.in.Normalize(); got != tc.want || tc.in.Offset() != tc.wantOffset {
			t.Errorf("%+v: Normalize = %+v, Offset = %d; want %+v, %d", tc.in, got, tc.in.Offset(), tc.want, tc.wantOffset)
		}
	}
}

func TestPostListPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	bob := newUser(t, db, "bob", "")

	// 25 public posts by ada and 5 by bob, published one hour apart (post i
	// i hours ago), and 3 drafts by ada.
	var public []models.Post
	for i := range 30 {
		author, tags := ada, []string{"even"}
		if i%6 == 5 {
			author = bob
		}
		if i%2 == 1 {
			tags = []string{"odd"}
		}
		p := publishedPost(t, pm, author, models.PostInput{Title: fmt.Sprintf("Post %d", i), Body: "Some *text*.", Tags: tags})
		_, err := db.Exec(`UPDATE posts SET published_at = now() - make_interval(hours => $2) WHERE id = $1`, p.ID, i)
		if err != nil {
			t.Fatal(err)
		}
		public = append(public, p)
	}
	for i := range 3 {
		newPost(t, pm, ada, models.PostInput{Title: fmt.Sprintf("Draft %d", i)})
	}

	titles := func(l models.PostList) []string {
		var out []string
		for _, p := range l.Posts {
			out = append(out, p.Title)
		}
		return out
	}
	tests := []struct {
		name             string
		list             func(models.Page) (models.PostList, error)
		page             models.Page
		total, n, last   int
		hasPrev, hasNext bool
		firstTitle       string
	}{
		{"home page 1", func(pg models.Page) (models.PostList, error) { return pm.ListPublished(ctx, pg) },
			models.Page{Number: 1, Size: 10}, 30, 10, 3, false, true, "Post 0"},
		{"home page 3", func(pg models.Page) (models.PostList, error) { return pm.ListPublished(ctx, pg) },
			models.Page{Number: 3, Size: 10}, 30, 10, 3, true, false, "Post 20"},
		{"home past the end", func(pg models.Page) (models.PostList, error) { return pm.ListPublished(ctx, pg) },
			models.Page{Number: 4, Size: 10}, 30, 0, 3, true, false, ""},
		{"ada", func(pg models.Page) (models.PostList, error) { return pm.ListByAuthor(ctx, ada, pg) },
			models.Page{Number: 2, Size: 20}, 25, 5, 2, true, false, "Post 24"},
		{"bob", func(pg models.Page) (models.PostList, error) { return pm.ListByAuthor(ctx, bob, pg) },
			models.Page{}, 5, 5, 1, false, false, "Post 5"},
		{"tag odd", func(pg models.Page) (models.PostList, error) { return pm.ListByTag(ctx, "odd", pg) },
			models.Page{Number: 1, Size: 4}, 15, 4, 4, false, true, "Post 1"},
		{"unknown tag", func(pg models.Page) (models.PostList, error) { return pm.ListByTag(ctx, "nope", pg) },
			models.Page{}, 0, 0, 1, false, false, ""},
		{"own, with drafts", func(pg models.Page) (models.PostList, error) { return pm.ListOwn(ctx, ada, pg) },
			models.Page{Number: 1, Size: 5}, 28, 5, 6, false, true, "Draft 2"},
	}
	for _, tc := range tests {
		l, err := tc.list(tc.page)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := titles(l)
		first := ""
		if len(got) > 0 {
			first = got[0]
		}
		if l.Total != tc.total || len(l.Posts) != tc.n || l.LastPage() != tc.last || l.HasPrev() != tc.hasPrev ||
			l.HasNext() != tc.hasNext || first != tc.firstTitle {
			t.Errorf("%s: total %d, %d posts %q, last page %d, prev %v, next %v; want total %d, %d posts from %q, last %d, prev %v, next %v",
				tc.name, l.Total, len(l.Posts), got, l.LastPage(), l.HasPrev(), l.HasNext(),
				tc.total, tc.n, tc.firstTitle, tc.last, tc.hasPrev, tc.hasNext)
		}
		for _, p := range l.Posts {
			if p.Body != "" || p.BodyHTML != "" {
				t.Errorf("%s: lists must not load bodies", tc.name)
			}
		}
	}

	// The home page reads newest first, in order, across pages.
	var all []string
	for n := 1; n <= 3; n++ {
		l, _ := pm.ListPublished(ctx, models.Page{Number: n, Size: 10})
		all = append(all, titles(l)...)
	}
	var want []string
	for i := range 30 {
		want = append(want, fmt.Sprintf("Post %d", i))
	}
	if !slices.Equal(all, want) {
		t.Errorf("home pages = %q", all)
	}

	feed, err := pm.ListForFeed(ctx, models.FeedFilter{AuthorID: bob}, 3)
	if err != nil || len(feed) != 3 || feed[0].Title != "Post 5" || feed[0].BodyHTML != public[5].BodyHTML || feed[0].Body != "" {
		t.Errorf("bob's feed = %d posts, %v", len(feed), err)
	}
	feed, err = pm.ListForFeed(ctx, models.FeedFilter{Tag: "Even"}, 0)
	if err != nil || len(feed) != 15 || feed[0].Title != "Post 0" {
		t.Errorf("tag feed = %d posts, %v", len(feed), err)
	}
	feed, err = pm.ListForFeed(ctx, models.FeedFilter{AuthorID: bob, Tag: "even"}, 10)
	if err != nil || len(feed) != 0 { // bob's posts are all odd-numbered
		t.Errorf("bob's even feed = %d posts, %v", len(feed), err)
	}

	sm, err := pm.ListForSitemap(ctx, 0)
	if err != nil || len(sm) != 30 || sm[0].Slug != public[0].Slug || sm[0].UpdatedAt.IsZero() || sm[0].Title != "" {
		t.Errorf("sitemap = %d entries, first %+v, %v", len(sm), sm[0], err)
	}
}

func TestPostChangeStamp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	bob := newUser(t, db, "bob", "")

	stamp := func(f models.FeedFilter) (time.Time, int) {
		t.Helper()
		at, n, err := pm.ChangeStamp(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return at, n
	}
	if at, n := stamp(models.FeedFilter{}); !at.IsZero() || n != 0 {
		t.Errorf("empty site stamp = %v, %d", at, n)
	}
	p := publishedPost(t, pm, ada, models.PostInput{Title: "One", Tags: []string{"go"}})
	publishedPost(t, pm, bob, models.PostInput{Title: "Two"})
	newPost(t, pm, ada, models.PostInput{Title: "Draft"})

	at1, n1 := stamp(models.FeedFilter{})
	if n1 != 2 || at1.IsZero() {
		t.Fatalf("stamp = %v, %d; want 2 posts", at1, n1)
	}
	for _, tc := range []struct {
		f    models.FeedFilter
		want int
	}{{models.FeedFilter{AuthorID: ada}, 1}, {models.FeedFilter{Tag: "go"}, 1}, {models.FeedFilter{AuthorID: bob, Tag: "go"}, 0}} {
		if _, n := stamp(tc.f); n != tc.want {
			t.Errorf("stamp(%+v) counts %d, want %d", tc.f, n, tc.want)
		}
	}

	// Updates run in their own transactions, so now() moves on.
	time.Sleep(5 * time.Millisecond)
	in := inputOf(p)
	in.Body = "changed"
	p, err := pm.Update(ctx, p.ID, p.Version, in, ada)
	if err != nil {
		t.Fatal(err)
	}
	at2, n2 := stamp(models.FeedFilter{})
	if !at2.After(at1) || n2 != 2 {
		t.Errorf("after an update the stamp is %v, %d; want later than %v", at2, n2, at1)
	}
	if _, err := pm.Unpublish(ctx, p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	if _, n3 := stamp(models.FeedFilter{}); n3 != 1 {
		t.Errorf("after unpublishing the count is %d, want 1", n3)
	}
}
