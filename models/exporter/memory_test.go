package exporter_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/exporter"
)

// The export reads posts a page at a time and writes the zip as it goes:
// its heap stays a small fraction of the site. 2,000 posts of 20 KB (40 MB
// of text) are exported with the heap sampled throughout.
func TestExportMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 40 MB of posts")
	}
	db := dbtest.New(t)
	if _, err := db.Exec(`INSERT INTO users (username, email, password_hash) VALUES ('writer', 'w@example.com', 'x')`); err != nil {
		t.Fatal(err)
	}
	const posts, bodyLen = 2000, 20_000
	for from := 1; from <= posts; from += 100 { // in steps: the search trigger reads every body
		if _, err := db.Exec(`INSERT INTO posts (author_id, title, slug, body, status, published_at)
			SELECT (SELECT id FROM users), 'Post ' || n, 'post-' || n, repeat(md5(n::text), $1 / 32), 'published', now()
			FROM generate_series($2::int, $2::int + 99) AS n`, bodyLen, from); err != nil {
			t.Fatal(err)
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(20)) // the heap follows what is live, not the pacer's slack
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	}()
	start := time.Now()
	name := filepath.Join(t.TempDir(), "big.zip")
	sum, err := exporter.Export(context.Background(), db, models.LocalStore{Dir: t.TempDir()}, name, testOptions)
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	st, _ := os.Stat(name)
	growth := int64(peak.Load()) - int64(before.HeapAlloc)
	t.Logf("%d posts (%d MB of text) exported in %v to a %d KB zip; heap peak %.1f MB above the start",
		sum.Posts, posts*bodyLen>>20, took.Round(time.Millisecond), st.Size()>>10, float64(growth)/(1<<20))
	if sum.Posts != posts {
		t.Errorf("exported %d posts, want %d", sum.Posts, posts)
	}
	if limit := int64(posts * bodyLen / 4); growth > limit {
		t.Errorf("heap grew by %d bytes exporting %d bytes of posts; want under %d", growth, posts*bodyLen, limit)
	}
}
