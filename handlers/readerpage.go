package handlers

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"quire/handlers/pagecache"
	"quire/views/layout"
	"quire/views/personal"
)

// sharedMemoBytes bounds the reader pages kept whole for signed-out readers.
const sharedMemoBytes = 16 << 20

// A readerPage declares a page that readers read (the home, tag, author and
// post pages): what its validators are and how it is built. serveReader
// serves every one of them in the same order, so no handler re-enacts the
// caching steps, and none can take them in the wrong order.
type readerPage struct {
	// lastMod and etag are the page's validators: when what it shows last
	// changed, and everything else it shows (see notModified).
	lastMod time.Time
	etag    []string
	// build reads what the page shows and renders it in the frame p, which
	// carries the viewer and any notice waiting for them.
	build func(ctx context.Context, p layout.Page) (page, fragment templ.Component, err error)
}

// serveReader answers a reader page: 304 when the reader's copy is current;
// else, for a signed-out reader, the copy they all share; else a fresh
// render.
//
// It owns the sharing rule. A signed-out reader's page holds nothing of
// theirs: no account, no message, and no CSRF token (they have no form to
// send from it; the sign-in and register pages carry their own), so every
// signed-out reader may get the same copy, rendered and gzipped once
// (rendering and compression were half of such a page's CPU). A fresh
// render becomes that copy only if nothing personal rendered in it (a
// notice for this visitor, a token: views/personal); that is decided from
// what it rendered, never from a check made before the page was built:
// building it pops the visitor's notice.
func (a *App) serveReader(c echo.Context, rp readerPage) error {
	if a.notModified(c, rp.lastMod, rp.etag...) {
		return nil
	}
	key, etag, shareable := sharedKey(c)
	if shareable && !a.flashWaiting(c) { // a waiting notice needs a fresh page
		if p, ok := a.shared.Get(key, etag); ok {
			return writeShared(c, p)
		}
	}
	page, fragment, err := rp.build(c.Request().Context(), a.readerFrame(c))
	if err != nil {
		return err
	}
	if !shareable {
		return render(c, 200, page, fragment)
	}
	ctx, personalSeen := personal.Track(c.Request().Context())
	var buf bytes.Buffer
	if err := pick(c, page, fragment).Render(ctx, &buf); err != nil {
		return err
	}
	if personalSeen() { // this visitor's alone
		c.Response().Header().Add(echo.HeaderVary, hxRequest)
		return c.HTMLBlob(http.StatusOK, buf.Bytes())
	}
	p, err := a.shared.Keep(key, etag, buf.Bytes())
	if err != nil {
		return err
	}
	return writeShared(c, p)
}

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

// writeShared sends a kept page, which varies on HX-Request as render's do.
func writeShared(c echo.Context, p pagecache.Page) error {
	c.Response().Header().Add(echo.HeaderVary, hxRequest)
	return p.Write(c.Response(), c.Request())
}
