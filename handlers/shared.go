package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"quire/views/personal"
)

// sharedMemoBytes bounds the reader pages kept whole (see sharedPage).
const sharedMemoBytes = 16 << 20

// A sharedPage is a reader page (home, tag, author, post) as every
// signed-out reader gets it, kept rendered and gzipped, so the many
// readers of a popular page cost neither rendering nor compression, which
// were half of such a page's CPU. Such a page can be shared because
// it holds nothing of the reader's: no account, no message, and no CSRF
// token (a signed-out reader has no form to send from it; the sign-in and
// register pages carry their own). It is kept under the page's ETag, which
// covers all it shows, so it is never staler than a 304 would be.
type sharedPage struct {
	plain, gz []byte // gz is nil when the page is too small to compress
}

func sharedSize(p sharedPage) int { return 64 + len(p.plain) + len(p.gz) }

// sharedKey names the copy this request may share: the page and its
// number, as a whole page or as htmx's fragment. Other query parameters
// change nothing on these pages, so they do not multiply the copies.
func sharedKey(c echo.Context) (key, etag string, ok bool) {
	etag = c.Response().Header().Get(headerETag)
	if _, signedIn := currentUser(c); signedIn || etag == "" {
		return "", "", false
	}
	kind := "page"
	if wantsFragment(c.Request()) {
		kind = "fragment"
	}
	return kind + " " + c.Request().URL.Path + "?page=" + c.QueryParam("page"), etag, true
}

// renderShared renders a reader page for a signed-out reader and keeps it
// as the copy the next ones share, unless anything personal rendered in it
// (a notice for this visitor, a CSRF token: views/personal): then it is
// this visitor's alone.
func (a *App) renderShared(c echo.Context, key, etag string, page, fragment templ.Component) error {
	ctx, personalSeen := personal.Track(c.Request().Context())
	var buf bytes.Buffer
	if err := pick(c, page, fragment).Render(ctx, &buf); err != nil {
		return err
	}
	if personalSeen() {
		c.Response().Header().Add(echo.HeaderVary, hxRequest)
		return c.HTMLBlob(http.StatusOK, buf.Bytes())
	}
	p := sharedPage{plain: buf.Bytes()}
	if len(p.plain) >= gzipMinSize {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // once per change: worth the smallest copy
		_, _ = zw.Write(p.plain)
		if err := zw.Close(); err != nil {
			return err
		}
		p.gz = gz.Bytes()
	}
	a.shared.put(key, etag, p)
	return writeShared(c, p)
}

// writeShared sends a kept page, gzipped when the reader accepts it; the
// compress middleware leaves an answer with its own encoding alone.
func writeShared(c echo.Context, p sharedPage) error {
	h := c.Response().Header()
	h.Add(echo.HeaderVary, hxRequest)
	if p.gz != nil && acceptsGzip(c.Request()) {
		h.Set(echo.HeaderContentEncoding, "gzip")
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(p.gz)))
		return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, p.gz)
	}
	return c.HTMLBlob(http.StatusOK, p.plain)
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
