package importer_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"quire/models/dbtest"
	"quire/models/importer"
)

// syntheticGhost writes the fixture with its first seeded post repeated n
// times, each with its own id and slug and its html padded to about
// htmlBytes, and returns the file's path. revisionBytes more go into a
// post_revisions table, which real exports carry and the import skips.
func syntheticGhost(tb testing.TB, n, htmlBytes, revisionBytes int) string {
	tb.Helper()
	raw, err := os.ReadFile(ghostFixture)
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		DB []struct {
			Data map[string][]map[string]any `json:"data"`
		} `json:"db"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatal(err)
	}
	data := doc.DB[0].Data
	seed := data["posts"][1]
	pad := strings.Repeat("<p>"+strings.Repeat("Words to make a long post. ", 20)+"</p>", htmlBytes/550+1)
	posts := make([]map[string]any, 0, n)
	var authors []map[string]any
	for i := 0; i < n; i++ {
		p := map[string]any{}
		for k, v := range seed {
			p[k] = v
		}
		id := fmt.Sprintf("%024x", i)
		p["id"], p["slug"], p["title"] = id, fmt.Sprintf("synthetic-post-%d", i), fmt.Sprintf("Synthetic post %d", i)
		p["html"] = pad
		posts = append(posts, p)
		authors = append(authors, map[string]any{"id": "a" + id, "post_id": id, "author_id": "1", "sort_order": 0})
	}
	data["posts"], data["posts_authors"], data["posts_tags"], data["posts_meta"] = posts, authors, nil, nil
	var revisions []map[string]any
	for i := 0; i*len(pad) < revisionBytes; i++ {
		revisions = append(revisions, map[string]any{"id": fmt.Sprintf("r%d", i), "post_id": posts[0]["id"], "lexical": pad})
	}
	data["post_revisions"] = revisions
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "synthetic.json")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// One row is read at a time, and a row larger than MaxItemBytes is
// refused with its table and row rather than read whole.
func TestImportGhostRowTooLarge(t *testing.T) {
	db := dbtest.New(t)
	path := syntheticGhost(t, 3, 1_000, importer.MaxItemBytes+1_000_000)
	// The revisions table is skipped row by row: its rows are small.
	if sum, err := importGhost(t, db, path, importer.Options{DryRun: true}); err != nil || sum.Posts.Created != 3 {
		t.Fatalf("import = %+v, %v", sum.Posts, err)
	}
	big := filepath.Join(t.TempDir(), "big.json")
	row := `{"id":"x","title":"` + strings.Repeat("a", importer.MaxItemBytes+1<<20) + `"}`
	if err := os.WriteFile(big, []byte(`{"db":[{"data":{"posts":[{"id":"y"},`+row+`]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := importGhost(t, db, big, importer.Options{})
	if err == nil || !strings.Contains(err.Error(), "big.json (posts row 2): importer: an element of the file is too large (over 8 MiB)") {
		t.Errorf("a row over the limit: %.300v", err)
	}
}

// go test -run '^$' -bench ImportGhost -benchtime 1x ./models/importer/
func BenchmarkImportGhost10k(b *testing.B) {
	path := syntheticGhost(b, 10_000, 2_000, 0)
	for i := 0; i < b.N; i++ {
		db := dbtest.New(b)
		start := time.Now()
		sum, err := importGhost(b, db, path, importer.Options{})
		if err != nil || sum.Posts.Created != 10_000 {
			b.Fatalf("import = %+v, %v", sum.Posts, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/10k-posts")
	}
}
