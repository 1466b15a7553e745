package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"quire/models"
)

// longBody is about size bytes of varied prose, the same for the same seed.
func longBody(seed uint32, size int) string {
	words := strings.Fields(`the of and a to in is was he for it with as his on be at by had are but from or
		have an they which one you were her all she there would their we him been has when who will more no
		if out so said what up its about into than them can only other new some could time these two may
		then do first any my now such like our over man me even most made after also did many before must
		take three bread flour water oven crust crumb starter dough loaf river mountain garden kitchen coffee`)
	var b strings.Builder
	for x := seed | 1; b.Len() < size; {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b.WriteString(words[x%uint32(len(words))])
		if x%97 == 0 {
			b.WriteString(".\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// TestSearchCannotStarveReaders: phrase searches over the longest posts
// are quick, and a flood of them leaves reader pages answering. Before, 21
// such searches held every database connection for up to 10 s and the home
// page took 8.6 s; a search over these five posts alone took 6.8 s.
// Not parallel: it times answers.
func TestSearchCannotStarveReaders(t *testing.T) {
	a := newApp(t)
	author := a.createUser("author", "author")
	pm := &models.PostModel{DB: a.db}
	for i := range 5 {
		p, err := pm.Insert(context.Background(), author.ID, models.PostInput{
			Title: "Long read " + strconv.Itoa(i), Body: longBody(uint32(i+1), 195_000)})
		if err == nil {
			_, err = pm.Publish(context.Background(), asAuthor(p), p.ID, p.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	search := "/search?q=" + url.QueryEscape(`"bread flour" or "crust crumb"`)
	start := time.Now()
	res := a.client().get(search)
	took := time.Since(start)
	t.Logf("one phrase search over five 195 KB posts: %v", took)
	wantStatus(t, res, http.StatusOK)
	if got := res.doc.Find("[data-testid=result-count]").Text(); !strings.HasPrefix(got, "5 results") {
		t.Errorf("result count %q, want 5 results", got)
	}
	if took > 3*time.Second {
		t.Errorf("one search took %v", took)
	}

	// 21 clients search without pause; meanwhile reader pages answer.
	const searchers = 21
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		stop  = make(chan struct{})
		count = map[string]int{}
	)
	for range searchers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := http.Get(a.srv.URL + search)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(res.Body)
				_ = res.Body.Close()
				answer := strconv.Itoa(res.StatusCode)
				if res.StatusCode == http.StatusServiceUnavailable &&
					(res.Header.Get("Retry-After") == "" || !strings.Contains(string(b), `data-testid="search-notice"`)) {
					answer += " without Retry-After or notice"
				}
				mu.Lock()
				count[answer]++
				mu.Unlock()
			}
		})
	}
	stopAll := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopAll()
	time.Sleep(500 * time.Millisecond)
	var slowest time.Duration
	for _, path := range []string{"/", "/posts/long-read-0", "/", "/@author", "/"} {
		start := time.Now()
		wantStatus(t, a.client().get(path), http.StatusOK)
		slowest = max(slowest, time.Since(start))
		time.Sleep(100 * time.Millisecond)
	}
	stopAll()
	t.Logf("slowest reader page while %d clients searched: %v; search answers %v", searchers, slowest, count)
	if slowest > 3*time.Second {
		t.Errorf("a reader page took %v while %d clients searched", slowest, searchers)
	}
	for answer := range count {
		if answer != "200" && answer != "503" {
			t.Errorf("searches answered %s %d times; want 200, or 503 with Retry-After and a notice", answer, count[answer])
		}
	}
	if count["200"] == 0 {
		t.Error("no search was answered during the flood")
	}
}

// TestSearchAnyQueryGivesAPage: whatever is typed into search, the answer is
// the search page, never an error (50 hyphens once answered 500).
func TestSearchAnyQueryGivesAPage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	queries := []string{
		strings.Repeat("-", 50), strings.Repeat("- ", 50) + "bread", strings.Repeat("!-", 60), "!!!", "&|", `"`,
		`"unclosed`, `""""`, "'", `\`, ":*", "bread:*", "a <-> b", "'; DROP TABLE posts; --", "日本語", "🍞",
		"\x00", "\xff", strings.Repeat("é", 1000), strings.Repeat("-a", 500), "or or or", "-", " ",
	}
	for _, q := range queries {
		res := a.client().get("/search?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusOK || res.doc.Find("[data-testid=search-input]").Length() != 1 {
			t.Errorf("search %.40q: status %d, search page %v", q, res.StatusCode, res.doc.Find("[data-testid=search-input]").Length() == 1)
		}
	}
}

// TestSearchTooSlowGivesAPage: a search that runs past its own statement
// timeout (2 s, tighter than the connection's 10 s) answers the search page
// with a notice, not an error page. A lock held on posts stands for a
// search too costly to finish.
func TestSearchTooSlowGivesAPage(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	tx, err := a.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.Exec(`LOCK TABLE posts IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res := a.client().get("/search?q=bread")
	took := time.Since(start)
	wantStatus(t, res, http.StatusServiceUnavailable)
	if res.Header.Get("Retry-After") == "" || res.doc.Find("[data-testid=search-notice]").Length() != 1 ||
		res.doc.Find("[data-testid=search-input]").Length() != 1 {
		t.Errorf("a search that took too long answered without Retry-After, notice or search form:\n%s", res.body)
	}
	if took > 6*time.Second {
		t.Errorf("a search that took too long was answered after %v; want about 2 s", took)
	}
}

// TestSearchSaysMoreThanRanked: a word in more posts than a search ranks
// reads "More than N results", and the pager stops at the ranked ones.
func TestSearchSaysMoreThanRanked(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	if _, err := a.db.Exec(`INSERT INTO posts (author_id, title, slug, body, status, published_at)
		SELECT $1, 'Baking day ' || i, 'baking-day-' || i, 'We baked rye again.', 'published', now() - i * interval '1 hour'
		FROM generate_series(1, $2::int) i`, author.ID, models.SearchRanked+5); err != nil {
		t.Fatal(err)
	}
	res := a.client().get("/search?q=rye")
	want := fmt.Sprintf("More than %d results for “rye”: the best of the newest %d are shown.", models.SearchRanked, models.SearchRanked)
	if got := res.doc.Find("[data-testid=result-count]").Text(); got != want {
		t.Errorf("count = %q, want %q", got, want)
	}
	if got := res.doc.Find(".pager").Text(); !strings.Contains(got, fmt.Sprintf("of %d", models.SearchRanked/10)) {
		t.Errorf("pager = %q, want it to end at page %d", got, models.SearchRanked/10)
	}
}
