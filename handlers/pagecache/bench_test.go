package pagecache

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchPage is about the size of a home page of ten posts.
var benchPage = []byte("<!doctype html><main>" + strings.Repeat("<article><h2>A post</h2><p>Some words of a summary, as readers see them.</p></article>", 300) + "</main>")

// BenchmarkSharedServe is a signed-out reader's hit: the kept page found
// and sent gzipped.
func BenchmarkSharedServe(b *testing.B) {
	s := NewShared(16<<20, 1024)
	if _, err := s.Keep("page /?page=", "e", benchPage); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	b.ReportAllocs()
	for b.Loop() {
		p, ok := s.Get("page /?page=", "e")
		if !ok {
			b.Fatal("not kept")
		}
		if err := p.Write(httptest.NewRecorder(), r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSharedKeep is the once-per-change cost: gzip at the best level.
func BenchmarkSharedKeep(b *testing.B) {
	s := NewShared(16<<20, 1024)
	b.SetBytes(int64(len(benchPage)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Keep("page /?page=", "e", benchPage); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck is a revalidation that ends in 304.
func BenchmarkCheck(b *testing.B) {
	v := Validators{ETag: Tag("v1", "", "0", "", "page", "1740821415123456789", "home", "10", ""), CacheControl: "no-cache"}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("If-None-Match", v.ETag)
	b.ReportAllocs()
	for b.Loop() {
		if !Check(r, http.Header{}, v) {
			b.Fatal("not current")
		}
	}
}
