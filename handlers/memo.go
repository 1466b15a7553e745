package handlers

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// Memory for what readers ask most: rendered feeds and sitemaps, the pages
// of public lists, and public posts.
const (
	docMemoBytes  = 8 << 20
	listMemoBytes = 4 << 20
	postMemoBytes = 8 << 20
)

// memo keeps one value per key together with the stamp it was made under,
// and gives it back only for that stamp. The stamps used here are read
// from PostgreSQL on every request and change whenever what the value shows
// does (a list's models.PostModel.ChangeStamp, a post's updated_at and
// author), so a kept value is never staler than a fresh query, on any
// replica. Size is bounded: values of more than half the limit are not
// kept, and to make room other entries go in no particular order.
type memo[V any] struct {
	mu      sync.Mutex
	entries map[string]memoEntry[V]
	size    int // of all values, as sizeOf counts
	limit   int
	sizeOf  func(V) int
}

type memoEntry[V any] struct {
	stamp string
	value V
	size  int
}

func newMemo[V any](limit int, sizeOf func(V) int) *memo[V] {
	return &memo[V]{entries: map[string]memoEntry[V]{}, limit: limit, sizeOf: sizeOf}
}

func (m *memo[V]) get(key, stamp string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || e.stamp != stamp {
		var zero V
		return zero, false
	}
	return e.value, true
}

// put keeps v for key under stamp, replacing what was there.
func (m *memo[V]) put(key, stamp string, v V) {
	n := m.sizeOf(v)
	if n > m.limit/2 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[key]; ok {
		m.size -= old.size
		delete(m.entries, key)
	}
	for k, e := range m.entries {
		if m.size+n <= m.limit {
			break
		}
		m.size -= e.size
		delete(m.entries, k)
	}
	m.entries[key] = memoEntry[V]{stamp: stamp, value: v, size: n}
	m.size += n
}

// cachedXML sends the URL's document from memory when it was rendered
// under the ETag notModified has just set (for feeds and sitemaps, which
// are the same for every reader, the ETag covers all they show), and
// otherwise builds it, encodes it to a buffer (so an error never sends half
// a document) and keeps it. Encoding a feed of full posts is most of its
// cost, and feed readers ask often.
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

// listStamp is a public list's change stamp (models.PostModel.ChangeStamp).
type listStamp struct {
	at    string // the time, in nanoseconds
	total int
}

func (s listStamp) String() string { return s.at + "/" + strconv.Itoa(s.total) }

// publicList returns a page of the public list named key, from memory while
// the list's stamp is the one it was read under, else from load.
func (a *App) publicList(ctx context.Context, key string, pg models.Page, s listStamp,
	load func(context.Context, models.Page) (models.PostList, error)) (models.PostList, error) {
	pg = pg.WithTotal(s.total).Normalize()
	k := key + "?page=" + strconv.Itoa(pg.Number) + "&size=" + strconv.Itoa(pg.Size)
	if l, ok := a.lists.get(k, s.String()); ok {
		return l, nil
	}
	l, err := load(ctx, pg)
	if err != nil {
		return l, err
	}
	a.lists.put(k, s.String(), l)
	return l, nil
}

// listSize estimates the memory a page of a list holds.
func listSize(l models.PostList) int {
	n := 64
	for _, p := range l.Posts {
		n += 256 + len(p.AuthorUsername) + len(p.AuthorName) + len(p.Title) + len(p.Slug) + len(p.Excerpt) +
			len(p.Summary) + len(p.CoverKey) + len(p.CoverAlt) + len(p.HiddenReason)
		for _, t := range p.Tags {
			n += 16 + len(t)
		}
	}
	return n
}

// postSize estimates the memory a kept post holds; its text dominates.
func postSize(rp readerPost) int {
	p := rp.post
	n := 512 + len(rp.srcset) + len(p.AuthorUsername) + len(p.AuthorName) + len(p.Title) + len(p.Slug) +
		len(p.Body) + len(p.BodyHTML) + len(p.Excerpt) + len(p.Summary) + len(p.CoverKey) + len(p.CoverAlt) + len(p.HiddenReason)
	for _, t := range p.Tags {
		n += 16 + len(t)
	}
	return n
}
