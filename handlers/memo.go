package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// Memory for what readers ask most: rendered feeds and sitemaps, the pages
// of public lists, and public posts, each a pagecache.Memo under a stamp
// (a list's models.PostModel.ChangeStamp, a post's updated_at and author),
// itself kept in memory while changes are pushed (models.Changes) and read
// from PostgreSQL on every request otherwise.
const (
	docMemoBytes  = 8 << 20
	listMemoBytes = 4 << 20
	postMemoBytes = 8 << 20
)

// cachedDoc sends the URL's document from memory when it was rendered
// under the ETag notModified has just set (for feeds and sitemaps, which
// are the same for every reader, the ETag covers all they show), and
// otherwise builds it, encodes it to a buffer (so an error never sends half
// a document) and keeps it. Encoding a feed of full posts is most of its
// cost, and feed readers ask often.
func (a *App) cachedDoc(c echo.Context, contentType string, encode docEncoding, build func() (any, error)) error {
	path, etag := c.Request().URL.Path, c.Response().Header().Get(headerETag)
	if body, ok := a.docs.Get(path, etag); ok {
		return c.Blob(http.StatusOK, contentType, body)
	}
	doc, err := build()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := encode(&buf, doc); err != nil {
		return err
	}
	if etag != "" {
		a.docs.Put(path, etag, buf.Bytes())
	}
	return c.Blob(http.StatusOK, contentType, buf.Bytes())
}

// docEncoding writes a document in its format.
type docEncoding func(*bytes.Buffer, any) error

func encodeXML(buf *bytes.Buffer, doc any) error {
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}

// encodeJSON escapes <, > and & as JSON allows, so HTML in a document stays
// inert even if something shows it as HTML.
func encodeJSON(buf *bytes.Buffer, doc any) error { return json.NewEncoder(buf).Encode(doc) }

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
	if l, ok := a.lists.Get(k, s.String()); ok {
		return l, nil
	}
	l, err := load(ctx, pg)
	if err != nil {
		return l, err
	}
	a.lists.Put(k, s.String(), l)
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
