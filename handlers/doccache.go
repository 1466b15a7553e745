package handlers

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
)

// docCacheBytes bounds the rendered feeds and sitemaps kept in memory.
const docCacheBytes = 8 << 20

// docCache keeps the last document rendered for each feed or sitemap URL
// with the ETag it was rendered under. That ETag covers everything the
// document shows (see notModified), so a request that computes the same
// ETag is answered with the kept bytes: no query and no XML encoding, which
// were most of a feed's cost. Feed readers and crawlers ask often and the
// documents rarely change.
type docCache struct {
	mu      sync.Mutex
	entries map[string]docEntry // by URL path
	size    int                 // bytes of all bodies
	limit   int
}

type docEntry struct {
	etag string
	body []byte
}

func newDocCache(limit int) *docCache {
	return &docCache{entries: map[string]docEntry{}, limit: limit}
}

func (d *docCache) get(path, etag string) ([]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.entries[path]
	if !ok || e.etag != etag {
		return nil, false
	}
	return e.body, true
}

// put keeps body for path, replacing what was there. A body of more than
// half the limit is not kept; to make room, other entries are dropped in
// no particular order (one document per URL keeps their number small).
func (d *docCache) put(path, etag string, body []byte) {
	if len(body) > d.limit/2 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if old, ok := d.entries[path]; ok {
		d.size -= len(old.body)
		delete(d.entries, path)
	}
	for p, e := range d.entries {
		if d.size+len(body) <= d.limit {
			break
		}
		d.size -= len(e.body)
		delete(d.entries, p)
	}
	d.entries[path] = docEntry{etag: etag, body: body}
	d.size += len(body)
}

// cachedXML sends the URL's document from the cache when it was rendered
// under the ETag notModified has just set, and otherwise builds it, encodes
// it to a buffer (so an error never sends half a document) and keeps it.
func (a *App) cachedXML(c echo.Context, contentType string, build func() (any, error)) error {
	path, etag := c.Request().URL.Path, c.Response().Header().Get(headerETag)
	if body, ok := a.docs.get(path, etag); ok {
		return c.Blob(http.StatusOK, contentType, body)
	}
	doc, err := build()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	buf.WriteByte('\n')
	if etag != "" {
		a.docs.put(path, etag, buf.Bytes())
	}
	return c.Blob(http.StatusOK, contentType, buf.Bytes())
}
