package models_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"quire/models"
	"quire/models/dbtest"
)

// planNode is the part of EXPLAIN (FORMAT JSON) output the test reads.
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	IndexName string     `json:"Index Name"`
	TotalCost float64    `json:"Total Cost"`
	Plans     []planNode `json:"Plans"`
}

// walk visits n and every node below it.
func (n planNode) walk(fn func(planNode)) {
	fn(n)
	for _, c := range n.Plans {
		c.walk(fn)
	}
}

// TestPostQueriesUseIndexes plans every reader-facing query against 20,000
// published posts and fails if any of them reads the whole posts table.
func TestPostQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	var authors []int64
	for _, name := range []string{"ada", "bob", "cyd"} {
		authors = append(authors, newUser(t, db, name, ""))
	}

	// Each post mentions one of 200 topic words, so a search term matches
	// 0.5% of posts; tags cycle through eight names with "go" on every
	// eighth post.
	start := time.Now()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	// The test cluster commits asynchronously, and VACUUM cannot mark pages
	// all-visible (which index-only scans need) before the commit record is
	// flushed; a live site's autovacuum gets there on its own.
	if _, err := tx.Exec(`SET LOCAL synchronous_commit = on; SET LOCAL statement_timeout = 0`); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(`INSERT INTO posts (author_id, title, slug, body, body_html, summary, status, tags,
			published_at, created_at, updated_at)
		SELECT ($1::bigint[])[1 + i % 3], 'Post number ' || i, 'post-' || i,
			'Some words about topic' || (i % 200) || ' and the usual things people write. ' ||
				repeat('Filler sentence with ordinary vocabulary. ', 5),
			'<p>html</p>', 'summary', 'published',
			ARRAY[(ARRAY['go','postgres','htmx','design','travel','cooking','books','music'])[1 + i % 8]],
			now() - make_interval(mins => i), now() - make_interval(mins => i), now() - make_interval(mins => i)
		FROM generate_series(1, 20000) i`, pq.Array(authors))
	if err != nil {
		t.Fatal(err)
	}
	// Pages, newer than every post, that no list may carry or step over.
	_, err = tx.Exec(`INSERT INTO posts (author_id, title, slug, body, summary, status, tags, published_at, kind)
		SELECT $1, 'Page ' || i, 'page-' || i, 'About topic7.', 'summary', 'published', '{go}', now(), 'page'
		FROM generate_series(1, 20) i`, authors[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`VACUUM ANALYZE posts`); err != nil {
		t.Fatal(err)
	}
	t.Logf("inserted 20,000 posts and analyzed in %v", time.Since(start).Round(time.Millisecond))

	tests := []struct {
		name  string
		query string
		args  []any
		index string // an index the plan must use
	}{
		{"home page 500", models.ListPublishedSQL, []any{10, 4990}, "posts_published_idx"},
		{"home count", models.CountPublishedSQL, nil, ""},
		{"author page 1", models.ListByAuthorSQL, []any{authors[1], 20, 0}, "posts_author_published_idx"},
		{"author page 300", models.ListByAuthorSQL, []any{authors[1], 20, 5980}, "posts_author_published_idx"},
		{"author count", models.CountByAuthorSQL, []any{authors[1]}, "posts_author_published_idx"},
		{"tag page 1", models.ListByTagSQL, []any{"go", 20, 0}, ""},
		{"tag page 100", models.ListByTagSQL, []any{"go", 20, 1980}, ""},
		{"tag count", models.CountByTagSQL, []any{"go"}, ""},
		{"search", models.SearchSQL, []any{"topic7", 20, 0, 10_000, models.SearchRanked + 1}, "posts_search_idx"},
		{"search count", models.SearchCountSQL, []any{"topic7", models.SearchRanked + 1}, "posts_search_idx"},
		{"own posts", models.ListOwnSQL, []any{authors[0], 20, 0}, "posts_author_updated_idx"},
		{"feed", models.ListForFeedSQL, []any{0, "", 20, models.FeedEntryHTML + 1}, "posts_published_idx"},
		{"author feed", models.ListForFeedSQL, []any{authors[2], "", 20, models.FeedEntryHTML + 1}, ""},
		{"change stamp", models.ChangeStampSQL, []any{0, ""}, ""},
		{"author change stamp", models.ChangeStampSQL, []any{authors[2], ""}, ""},
		{"free slug", models.TakenSlugsSQL, []any{"post-1234%", 0}, "posts_slug_key"},
		{"resolve", models.ResolvePostSQL, []any{"post-123"}, "posts_slug_key"},
		{"resolve head", models.ResolveHeadSQL, []any{"post-123"}, "posts_slug_key"},
		{"resolve old slug", models.ResolveMovedSQL, []any{"post-123"}, "post_slugs_pkey"},
		{"resolve page", models.ResolvePageHeadSQL, []any{"page-12"}, "posts_pages_idx"},
		{"sitemap posts", models.ListForSitemapSQL, []any{1000}, "posts_published_idx"}, // all 20,000: a seq scan is right
		{"sitemap pages", models.ListPagesForSitemapSQL, []any{models.MaxSitemapURLs}, "posts_pages_idx"},
		{"sitemap posts file", models.SitemapPostsFileSQL, []any{time.Now().Add(-24 * time.Hour), 0, 1000}, "posts_published_idx"}, // keyset, not OFFSET
	}
	for _, tc := range tests {
		var raw []byte
		if err := db.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+tc.query, tc.args...).Scan(&raw); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var out []struct {
			Plan          planNode `json:"Plan"`
			ExecutionTime float64  `json:"Execution Time"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var (
			scans   []string
			indexes = map[string]bool{}
		)
		out[0].Plan.walk(func(n planNode) {
			if n.Relation != "" || n.IndexName != "" {
				scans = append(scans, strings.TrimSpace(n.NodeType+" "+n.Relation+" "+n.IndexName))
			}
			if n.IndexName != "" {
				indexes[n.IndexName] = true
			}
			if n.NodeType == "Seq Scan" && n.Relation == "posts" {
				t.Errorf("%s: sequential scan of posts:\n%s", tc.name, raw)
			}
		})
		if tc.index != "" && !indexes[tc.index] {
			t.Errorf("%s: plan does not use %s:\n%s", tc.name, tc.index, raw)
		}
		t.Logf("%-20s cost %8.1f  %6.2f ms  %s", tc.name, out[0].Plan.TotalCost, out[0].ExecutionTime,
			strings.Join(scans, "; "))
	}
}
