package pagecache

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// A Page is an HTML page kept whole for everyone who may share it, plain
// and gzipped, so its many readers cost neither rendering nor compression.
type Page struct {
	plain, gz []byte // gz is nil when the page is too small to compress
}

func pageSize(p Page) int { return 64 + len(p.plain) + len(p.gz) }

// Shared keeps pages under a key and the ETag they were rendered under.
// The ETag covers all a page shows, so a kept page is never staler than a
// 304 would be. Which pages may be shared is the caller's rule: a page
// kept here is sent to everyone who asks for its key.
type Shared struct {
	pages   *Memo[Page]
	minGzip int
}

// NewShared keeps at most limit bytes of pages; pages shorter than minGzip
// bytes are kept plain only.
func NewShared(limit, minGzip int) *Shared {
	return &Shared{pages: NewMemo(limit, pageSize), minGzip: minGzip}
}

// Get returns the page kept for key, if it was kept under etag.
func (s *Shared) Get(key, etag string) (Page, bool) { return s.pages.Get(key, etag) }

// Keep gzips html, keeps it for key under etag and returns it to be sent.
func (s *Shared) Keep(key, etag string, html []byte) (Page, error) {
	p := Page{plain: html}
	if len(html) >= s.minGzip {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // once per change: worth the smallest copy
		_, _ = zw.Write(html)
		if err := zw.Close(); err != nil {
			return Page{}, err
		}
		p.gz = gz.Bytes()
	}
	s.pages.Put(key, etag, p)
	return p, nil
}

// Write sends p with status 200, gzipped when r accepts it; Content-Encoding
// is set, so a compressing middleware leaves the answer alone.
func (p Page) Write(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	body := p.plain
	if p.gz != nil && acceptsGzip(r) {
		body = p.gz
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(p.gz)))
	}
	h.Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// acceptsGzip reads Accept-Encoding (RFC 9110 12.5.3): gzip, x-gzip or *
// with a non-zero weight, where an explicit gzip weight overrides *.
func acceptsGzip(r *http.Request) bool {
	gzipQ, anyQ := -1.0, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		if name, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(name), "q") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = max(gzipQ, q)
		case "*":
			anyQ = max(anyQ, q)
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return anyQ > 0
}
