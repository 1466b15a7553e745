package handlers

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// htmx request headers; render.go is the only place that reads them.
const (
	hxRequest        = "HX-Request"
	hxBoosted        = "HX-Boosted"
	hxHistoryRestore = "HX-History-Restore-Request"
	hxRedirect       = "HX-Redirect"
	hxTriggerName    = "HX-Trigger-Name"
)

// liveSearchField is the name of the search boxes that ask as you type.
const liveSearchField = "q"

// wantsFragment: an htmx request that is neither boosted navigation nor a
// history restore gets just the fragment; everything else a full page.
func wantsFragment(r *http.Request) bool {
	return r.Header.Get(hxRequest) == "true" &&
		r.Header.Get(hxBoosted) != "true" &&
		r.Header.Get(hxHistoryRestore) != "true"
}

// isHTMX reports whether htmx sent the request (boosted or not).
func isHTMX(r *http.Request) bool { return r.Header.Get(hxRequest) == "true" }

// render writes page or fragment with status. It renders into a buffer
// first, so a failed render never sends half a page, and always varies the
// cache on HX-Request so a fragment is never served where a page belongs.
func render(c echo.Context, status int, page, fragment templ.Component) error {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := pick(c, page, fragment).Render(c.Request().Context(), buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Add(echo.HeaderVary, hxRequest)
	return c.HTMLBlob(status, buf.Bytes())
}

// pick chooses what answers the request: fragment when htmx asks for one
// and there is one, else the whole page.
func pick(c echo.Context, page, fragment templ.Component) templ.Component {
	if fragment != nil && wantsFragment(c.Request()) {
		return fragment
	}
	return page
}

// redirect sends the browser to url after an unsafe request: HX-Redirect
// (a full page load) for htmx, 303 See Other otherwise.
func redirect(c echo.Context, url string) error {
	if isHTMX(c.Request()) {
		c.Response().Header().Set(hxRedirect, url)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// private marks a response as never to be stored by any cache.
func private(c echo.Context) {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
}

// setPushURL has htmx put url in the address bar after a swap: a new
// history entry for a click (sort, filter, page), the current one replaced
// while typing in a live search box, so Back leaves the search instead of
// stepping back through every keystroke.
func setPushURL(c echo.Context, url string) {
	if c.Request().Header.Get(hxTriggerName) == liveSearchField {
		c.Response().Header().Set("HX-Replace-Url", url)
		return
	}
	c.Response().Header().Set("HX-Push-Url", url)
}
