package handlers

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
)

// gzipMinSize is the smallest answer worth compressing.
const gzipMinSize = 1024

// compress gzips text answers of 1 KiB and more for clients that accept it.
// Every page and feed is rendered to a buffer and written at once, so the
// stateless level compresses each answer as well as the fastest level does,
// at the same speed (twice the standard library's), and keeps no window
// between requests: the standard library's pooled writers, 1.2 MiB each,
// were most of the heap under load. Answers that set their own encoding
// (the metrics endpoint, kept reader pages) or a Content-Range are left alone.
func compress(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(gzipMinSize),
		gzhttp.CompressionLevel(gzip.StatelessCompression),
		gzhttp.EnableZstd(false),
		gzhttp.ContentTypeFilter(compressible),
	)
	if err != nil {
		panic("handlers: gzip settings: " + err.Error()) // the settings above are constants
	}
	return wrap(h)
}

// compressible says whether a content type is text; images are compressed
// already.
func compressible(contentType string) bool {
	ct := strings.ToLower(contentType)
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "xml") ||
		strings.Contains(ct, "json") || strings.Contains(ct, "javascript")
}
