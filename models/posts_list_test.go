package models_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"

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
	// A post too long for a feed entry is read no further than shows it.
	long := strings.Repeat("<p>é</p>", models.FeedEntryHTML)
	if _, err := db.ExecContext(ctx, `UPDATE posts SET body_html = $2 WHERE id = $1`, public[5].ID, long); err != nil {
		t.Fatal(err)
	}
	if feed, err = pm.ListForFeed(ctx, models.FeedFilter{AuthorID: bob}, 1); err != nil || len(feed) != 1 ||
		utf8.RuneCountInString(feed[0].BodyHTML) != models.FeedEntryHTML+1 || !strings.HasPrefix(long, feed[0].BodyHTML) {
		t.Errorf("a long post's feed HTML: %d characters, %v; want its first %d", utf8.RuneCountInString(feed[0].BodyHTML), err, models.FeedEntryHTML+1)
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
		st, err := pm.ChangeStamp(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return st.At, st.Posts
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
	}{{models.FeedFilter{AuthorID: ada}, 1}, {models.FeedFilter{Tag: "go"}, 1}, {models.FeedFilter{AuthorID: bob}, 1}, {models.FeedFilter{Tag: "rust"}, 0}} {
		if _, n := stamp(tc.f); n != tc.want {
			t.Errorf("stamp(%+v) counts %d, want %d", tc.f, n, tc.want)
		}
	}
	if _, err := pm.ChangeStamp(ctx, models.FeedFilter{AuthorID: bob, Tag: "go"}); err == nil {
		t.Error("a stamp for an author and a tag at once: no error")
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

	// Lists show authors' names: renaming ada moves the lists her public
	// post is in, and only those; a sign-in renames no one.
	lists := []models.FeedFilter{{}, {AuthorID: ada}, {Tag: "go"}, {AuthorID: bob}}
	snapshot := func() []time.Time {
		var out []time.Time
		for _, f := range lists {
			at, _ := stamp(f)
			out = append(out, at)
		}
		return out
	}
	s0 := snapshot()
	db.MustExec(`UPDATE users SET last_login_at = now() WHERE id IN ($1, $2)`, ada, bob)
	if s1 := snapshot(); !slices.Equal(s1, s0) {
		t.Errorf("a sign-in moved list stamps: %v, was %v", s1, s0)
	}
	db.MustExec(`UPDATE users SET display_name = 'Ada Lovelace' WHERE id = $1`, ada)
	s2 := snapshot()
	for i, f := range lists[:3] {
		if !s2[i].After(s0[i]) {
			t.Errorf("after ada's rename the stamp of %+v is %v, want later than %v", f, s2[i], s0[i])
		}
	}
	if !s2[3].Equal(s0[3]) {
		t.Errorf("ada's rename moved bob's list: %v, was %v", s2[3], s0[3])
	}

	if _, err := pm.Unpublish(ctx, asAuthor(p), p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	if _, n3 := stamp(models.FeedFilter{}); n3 != 1 {
		t.Errorf("after unpublishing the count is %d, want 1", n3)
	}
}

// TestPostListStatsFollowChanges makes random changes to posts, through the
// model and in bulk SQL as admin actions and account deletion do, and after
// each compares the trigger-kept list sizes with a count of the posts.
func TestPostListStatsFollowChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	um := &models.UserModel{DB: db}
	admin := &models.AdminModel{DB: db}
	authors := []int64{newUser(t, db, "ada", ""), newUser(t, db, "bob", ""), newUser(t, db, "cyd", "")}
	tagSets := [][]string{nil, {"go"}, {"go", "sql"}, {"sql", "web", "art"}}
	r := rand.New(rand.NewPCG(7, 7))

	check := func(step string) {
		t.Helper()
		var diff []string
		err := db.SelectContext(ctx, &diff, `
			WITH counted AS (
				SELECT k.author_id, k.tag, count(*) AS posts
				FROM posts p LEFT JOIN users u ON u.id = p.author_id, quire_post_lists(p.author_id, p.tags, p.kind) k
				WHERE p.status = 'published' AND p.deleted_at IS NULL AND u.state IS DISTINCT FROM 'suspended'
				GROUP BY 1, 2),
			kept AS (SELECT author_id, tag, posts FROM post_list_stats WHERE posts > 0)
			SELECT format('(%s,%s): kept %s, counted %s', author_id, tag, k.posts, c.posts)
			FROM counted c FULL JOIN kept k USING (author_id, tag)
			WHERE c.posts IS DISTINCT FROM k.posts`)
		if err != nil {
			t.Fatal(err)
		}
		if len(diff) > 0 {
			t.Fatalf("after %s the list sizes are wrong: %v", step, diff)
		}
	}

	var ids []int64
	for i := range 200 {
		var step string
		switch op := r.IntN(10); {
		case op < 3 || len(ids) == 0:
			step = "insert and publish"
			in := models.PostInput{Title: fmt.Sprintf("Post %d", i), Body: "text", Tags: tagSets[r.IntN(len(tagSets))]}
			if r.IntN(5) == 0 {
				in.Kind = models.KindPage // in its own list, (-1, ''), and no other
			}
			p := newPost(t, pm, authors[r.IntN(len(authors))], in)
			if r.IntN(3) > 0 {
				var err error
				if p, err = pm.Publish(ctx, asAuthor(p), p.ID, p.Version); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, p.ID)
		default:
			id := ids[r.IntN(len(ids))]
			p, err := pm.GetAny(ctx, id)
			if errors.Is(err, models.ErrNotFound) {
				continue // removed for good below
			}
			if err != nil {
				t.Fatal(err)
			}
			switch op {
			case 3:
				step = "retag"
				in := inputOf(p)
				in.Tags = tagSets[r.IntN(len(tagSets))]
				_, err = pm.Update(ctx, p.ID, p.Version, in, p.AuthorID.Int64)
			case 4:
				step = "unpublish"
				if p.Status == models.PostPublished {
					_, err = pm.Unpublish(ctx, asAuthor(p), p.ID, p.Version)
				}
			case 5:
				step = "hide or unhide"
				if p.Status == models.PostHidden {
					_, err = admin.UnhidePosts(ctx, models.Actor{Role: models.RoleAdmin}, []int64{p.ID})
				} else {
					_, err = admin.HidePosts(ctx, models.Actor{Role: models.RoleAdmin}, []int64{p.ID}, "test")
				}
			case 6:
				step = "delete or restore"
				if p.DeletedAt == nil {
					err = pm.SoftDelete(ctx, asAuthor(p), p.ID)
				} else {
					_, err = pm.Restore(ctx, p.ID)
				}
			case 7:
				step = "bulk publish and unpublish"
				_, err = db.ExecContext(ctx, `UPDATE posts SET status = CASE WHEN id % 2 = 0 THEN 'published' ELSE 'draft' END,
					published_at = coalesce(published_at, now()) WHERE id % 3 = $1`, r.IntN(3))
			case 8:
				step = "purge"
				_, err = db.ExecContext(ctx, `DELETE FROM posts WHERE id = $1`, p.ID)
			case 9:
				step = "suspend or reactivate authors"
				if r.IntN(2) == 0 {
					author := authors[r.IntN(len(authors))]
					if u, _ := um.Get(ctx, author); u.State == models.StateSuspended {
						_, err = admin.Reactivate(ctx, models.Actor{}, []int64{author})
					} else {
						_, err = admin.Suspend(ctx, models.Actor{}, []int64{author}, "test")
					}
				} else { // several at once, as a bulk action does
					_, err = db.ExecContext(ctx, `UPDATE users SET state = CASE WHEN state = 'active' THEN 'suspended' ELSE 'active' END
						WHERE id = ANY($1)`, pq.Array(authors[:2]))
				}
			}
			// Refusals (a trashed post is not edited, a stale version not saved) change nothing.
			if err != nil && !errors.Is(err, models.ErrConflict) && !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("%s: %v", step, err)
			}
		}
		check(step)
	}
	// A suspended account deleted: its posts stay, under no author, public again.
	if _, err := admin.Suspend(ctx, models.Actor{}, []int64{authors[0]}, "test"); err != nil {
		t.Fatal(err)
	}
	check("suspending the first author")
	if _, err := db.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, authors[0]); err != nil {
		t.Fatal(err)
	}
	check("deleting an author")
	var hidden int
	if err := db.GetContext(ctx, &hidden, `SELECT count(*) FROM posts WHERE author_id IS NULL AND author_suspended`); err != nil || hidden != 0 {
		t.Errorf("posts of the deleted author still hidden: %d, %v", hidden, err)
	}
	var left int
	if err := db.GetContext(ctx, &left, `SELECT posts FROM post_list_stats WHERE author_id = $1 AND tag = ''`, authors[0]); err != nil || left != 0 {
		t.Errorf("deleted author's list: %d posts, %v; want 0", left, err)
	}
}
