package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"quire/models/dbtest"
	"quire/models/importer"
)

// syntheticWXR is the fixture with its posts repeated to n, each with its
// own id, slug and date: the shape of a large real export.
func syntheticWXR(tb testing.TB, n int) []byte {
	tb.Helper()
	raw, err := os.ReadFile("testdata/wordpress-small.xml")
	if err != nil {
		tb.Fatal(err)
	}
	s := string(raw)
	first := strings.Index(s, "<item>")
	end := strings.Index(s, "</item>") + len("</item>")
	item := s[first:end]
	var b bytes.Buffer
	b.WriteString(s[:first])
	for i := 0; i < n; i++ {
		it := strings.ReplaceAll(item, "<wp:post_id>4</wp:post_id>", fmt.Sprintf("<wp:post_id>%d</wp:post_id>", 100000+i))
		it = strings.ReplaceAll(it, "lessons-from-shooting-at-night-and-what-comes-next-1", fmt.Sprintf("synthetic-post-%d", i))
		b.WriteString(it + "\n")
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// go test -run '^$' -bench ImportWordPress -benchtime 1x ./models/importer/
// imports 10,000 posts (the scale target: under 60 s).
func BenchmarkImportWordPress10k(b *testing.B) {
	data := syntheticWXR(b, 10_000)
	for i := 0; i < b.N; i++ {
		db := dbtest.New(b)
		start := time.Now()
		sum, err := importer.ImportWordPress(context.Background(), db, bytes.NewReader(data), "synthetic.xml", importer.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if sum.Posts.Created != 10_000 {
			b.Fatalf("created %d", sum.Posts.Created)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/10k-posts")
	}
}
