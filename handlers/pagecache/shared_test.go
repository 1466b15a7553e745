package pagecache

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                       false,
		"gzip":                   true,
		"GZIP":                   true,
		"x-gzip":                 true,
		"gzip, deflate, br":      true,
		"br;q=1.0, gzip;q=0.8":   true,
		"gzip;q=0":               false,
		"gzip; q=0.000":          false,
		"*":                      true,
		"*;q=0":                  false,
		"gzip;q=0, *":            false,
		"*, gzip;q=0":            false,
		"deflate, br":            false,
		"identity":               false,
		"gzip;q=2":               false, // malformed weight: ignored
		"gzip;q=abc, deflate":    false,
		" gzip ; q=0.5 , br;q=1": true,
	} {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", header, got, want)
		}
	}
}

// serve writes p for a request sending Accept-Encoding enc.
func serve(t *testing.T, p Page, enc string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", enc)
	w := httptest.NewRecorder()
	if err := p.Write(w, r); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestSharedKeepsPagesGzippedOnce(t *testing.T) {
	s := NewShared(1<<20, 1024)
	html := []byte("<!doctype html><p>" + strings.Repeat("Shared light. ", 200) + "</p>")
	kept, err := s.Keep("page /?page=", "e1", html)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("page /?page=", "e2"); ok {
		t.Error("a page is given for another ETag")
	}
	if _, ok := s.Get("fragment /?page=", "e1"); ok {
		t.Error("a page is given for another key")
	}
	p, ok := s.Get("page /?page=", "e1")
	if !ok || !bytes.Equal(p.plain, html) || !bytes.Equal(p.gz, kept.gz) {
		t.Fatal("the kept page is not the one rendered")
	}

	w := serve(t, p, "br;q=1, gzip;q=0.5")
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" ||
		w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) || w.Body.Len() >= len(html) {
		t.Errorf("gzip answer: %d, %v, %d bytes", w.Code, w.Header(), w.Body.Len())
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(zr); err != nil || !bytes.Equal(b, html) {
		t.Errorf("the gzipped answer is not the page (%v)", err)
	}

	for _, enc := range []string{"", "gzip;q=0, *"} {
		w := serve(t, p, enc)
		if w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), html) {
			t.Errorf("Accept-Encoding %q: %v, not the plain page", enc, w.Header())
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=UTF-8" {
			t.Errorf("Content-Type %q", ct)
		}
	}

	// A page too small to gain from gzip is kept and sent plain.
	small, err := s.Keep("page /tags/sky?page=", "e1", []byte("<p>short</p>"))
	if err != nil {
		t.Fatal(err)
	}
	if small.gz != nil || serve(t, small, "gzip").Header().Get("Content-Encoding") != "" {
		t.Error("a short page was gzipped")
	}
}
