package handlers

import (
	"context"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"quire/views/layout"
)

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
// render. Whether a fresh render may become the shared copy is decided from
// what it rendered (see renderShared), never from a check made before the
// page was built: building it pops the visitor's notice.
func (a *App) serveReader(c echo.Context, rp readerPage) error {
	if a.notModified(c, rp.lastMod, rp.etag...) {
		return nil
	}
	key, etag, shareable := sharedKey(c)
	if shareable && !a.flashWaiting(c) { // a waiting notice needs a fresh page
		if p, ok := a.shared.get(key, etag); ok {
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
	return a.renderShared(c, key, etag, page, fragment)
}
