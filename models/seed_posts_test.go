package models_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/markdown"
)

func TestSeedPosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	authors := []int64{newUser(t, db, "ada", ""), newUser(t, db, "bob", ""), newUser(t, db, "cyd", "")}
	covers := []string{mediaKey(1), mediaKey(2)}

	const n = 1234 // more than two batches, the last one partial
	r := rand.New(rand.NewPCG(1, 2))
	created, err := pm.SeedPosts(ctx, n, authors, covers, r)
	if err != nil || created != n {
		t.Fatalf("SeedPosts = %d, %v; want %d", created, err, n)
	}
	// Seeded into an empty site, the posts are the current renderer's:
	// the audit log says so, and serve's first start renders none again
	// (without the entry it would render every post to find no change).
	var notes []string
	if err := db.Select(&notes, `SELECT note FROM audit_log WHERE model = 'markdown' AND action = 'rerender' AND object_id = $1`,
		markdown.RenderVersion); err != nil || len(notes) != 1 || !strings.Contains(notes[0], "wrote the demo posts") {
		t.Errorf("after seeding an empty site, the renderer's audit entries = %q, %v; want one saying it wrote the demo posts", notes, err)
	}
	if n, err := pm.RerenderStale(ctx, nil); err != nil || n != 0 {
		t.Errorf("RerenderStale after seeding an empty site = %d, %v; want 0", n, err)
	}
	// Seeding again adds posts rather than colliding on slugs.
	if created, err := pm.SeedPosts(ctx, 10, authors, nil, r); err != nil || created != 10 {
		t.Fatalf("second SeedPosts = %d, %v; want 10", created, err)
	}

	var s struct {
		Total, Published, Drafts, Covers, Authors, Untagged, HTML, Summaries int
		MaxTags, Code, Images, Headings, Lists, Links                        int
		Oldest, Newest                                                       time.Time
	}
	err = db.Get(&s, `SELECT count(*) AS total,
		count(*) FILTER (WHERE status = 'published') AS published,
		count(*) FILTER (WHERE status = 'draft' AND published_at IS NULL) AS drafts,
		count(*) FILTER (WHERE cover_key <> '' AND cover_alt <> '') AS covers,
		count(DISTINCT author_id) AS authors,
		count(*) FILTER (WHERE tags = '{}') AS untagged,
		max(cardinality(tags)) AS maxtags,
		count(*) FILTER (WHERE body_html LIKE '%<h2%') AS html,
		count(*) FILTER (WHERE summary <> '') AS summaries,
		count(*) FILTER (WHERE body LIKE '%`+"```"+`%') AS code,
		count(*) FILTER (WHERE body LIKE '%![%](/media/%') AS images,
		count(*) FILTER (WHERE body LIKE '%## %') AS headings,
		count(*) FILTER (WHERE body LIKE '%' || E'\n' || '- %') AS lists,
		count(*) FILTER (WHERE body LIKE '%](https://%') AS links,
		min(published_at) AS oldest, max(published_at) AS newest
		FROM posts`)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", s)
	total := n + 10
	switch {
	case s.Total != total:
		t.Errorf("%d posts, want %d", s.Total, total)
	case s.Published+s.Drafts != total, s.Published < total*75/100, s.Published > total*95/100:
		t.Errorf("%d published and %d drafts; want about 85%% published", s.Published, s.Drafts)
	case s.Covers < n*35/100 || s.Covers > n*65/100:
		t.Errorf("%d covers; want about half of %d", s.Covers, n)
	case s.Authors != 3, s.MaxTags > 4, s.Untagged == 0, s.Untagged > total/4:
		t.Errorf("authors %d, max tags %d, untagged %d", s.Authors, s.MaxTags, s.Untagged)
	case s.HTML != total, s.Summaries != total, s.Headings != total:
		t.Errorf("rendered %d, summaries %d, headings %d of %d", s.HTML, s.Summaries, s.Headings, total)
	case s.Code == 0, s.Images == 0, s.Lists == 0, s.Links == 0:
		t.Errorf("code %d, images %d, lists %d, links %d: want some of each", s.Code, s.Images, s.Lists, s.Links)
	case time.Since(s.Oldest) < 2*365*24*time.Hour, time.Since(s.Oldest) > 3*366*24*time.Hour, time.Since(s.Newest) > 30*24*time.Hour:
		t.Errorf("published between %v and %v; want spread over three years", s.Oldest, s.Newest)
	}

	var slugs []string
	if err := db.Select(&slugs, `SELECT slug FROM posts`); err != nil {
		t.Fatal(err)
	}
	for _, slug := range slugs {
		if !markdown.ValidSlug(slug) {
			t.Errorf("invalid slug %q", slug)
		}
	}
	// Posts are assembled from pre-rendered blocks: the result must be what
	// rendering each whole post gives, as an edit would store it.
	var sample []struct{ Body, BodyHTML, Excerpt, Summary string }
	err = db.Select(&sample, `SELECT body, body_html AS bodyhtml, excerpt, summary FROM posts ORDER BY id LIMIT 300`)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range sample {
		html, err := markdown.Render(p.Body)
		if err != nil || html != p.BodyHTML {
			t.Fatalf("stored HTML differs from rendering the body (%v):\n%s\n---\n%s", err, p.BodyHTML, html)
		}
		want := p.Excerpt
		if want == "" {
			want = markdown.Excerpt(p.Body, models.SummaryLen)
		}
		if p.Summary != want {
			t.Fatalf("summary %q, want %q", p.Summary, want)
		}
	}

	// The seeded data serves the real queries.
	l, err := pm.ListPublished(ctx, models.Page{Number: 2})
	if err != nil || l.Total != s.Published || len(l.Posts) != 20 {
		t.Errorf("ListPublished over seeded posts = %d of %d, %v", len(l.Posts), l.Total, err)
	}
	if hits, _, err := pm.Search(ctx, "sourdough", models.Page{}); err != nil || len(hits) == 0 {
		t.Errorf("search over seeded posts = %d hits, %v", len(hits), err)
	}
}

// BenchmarkSeedPosts100k times seeding the scale the list indexes are
// designed for: go test -run '^$' -bench SeedPosts ./models/
func BenchmarkSeedPosts100k(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := dbtest.New(b)
		pm := &models.PostModel{DB: db}
		var ids []int64
		if err := db.Select(&ids, `INSERT INTO users (username, email, password_hash)
			SELECT 'user' || i, 'user' || i || '@example.com', 'x' FROM generate_series(1, 50) i RETURNING id`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := pm.SeedPosts(ctx, 100_000, ids, []string{mediaKey(1)}, rand.New(rand.NewPCG(1, 2)))
		if err != nil || n != 100_000 {
			b.Fatalf("SeedPosts = %d, %v", n, err)
		}
	}
}
