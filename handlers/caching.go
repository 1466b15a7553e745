package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"quire/handlers/pagecache"
)

// headerETag is missing from Echo's header constants.
const headerETag = "ETag"

// notModified makes a public GET revalidate cheaply: it sets the response's
// validators and answers 304 Not Modified (and returns true) when the
// client's cached copy is still current. The handler must then return nil
// at once; on false it renders as usual with the validators already set.
//
// lastMod is when the data shown last changed: for a list (home, author,
// tag) the stamp from models.PostModel.ChangeStamp, for one post its
// UpdatedAt (both from memory while the replica hears every change:
// models.Changes). etagParts is everything else the response depends on: which
// page it is (a kind and its key), the post count, the page number, names
// shown that live elsewhere (the author's). Reader pages call it through
// serveReader, which takes the steps in their order; feeds and the sitemap
// call it directly, once the stamp is known and before the expensive work.
//
// The ETag also covers the release, the base URL, the signed-in account
// and their CSRF token (their pages embed it; signed-out readers' pages
// hold none and are alike, see serveReader) and whether htmx asked for a
// fragment: another viewer's copy, a signed-out one or a fragment never
// revalidates as the page asked for. Cache-Control is no-cache (store, but
// ask every time); pages behind the session layer carry viewer data, so
// theirs is "private, no-cache" and their 304 says Vary: HX-Request as
// render's 200 does. The preconditions and the validators' form are
// pagecache.Check's; no 304 answers while a flash message waits to be shown.
func (a *App) notModified(c echo.Context, lastMod time.Time, etagParts ...string) bool {
	if s := a.site(c); s.Version > 0 && s.UpdatedAt.After(lastMod) {
		lastMod = s.UpdatedAt // the settings show on every page
	}
	// Pages behind the session layer embed the viewer and their CSRF token;
	// feeds and the sitemap are the same for everyone.
	page := c.Get(ctxSession) != nil
	cacheControl := "no-cache"
	if page {
		cacheControl = "private, no-cache"
	}
	h := c.Response().Header()
	v := pagecache.Validators{ETag: a.etag(c, lastMod, etagParts), LastModified: lastMod, CacheControl: cacheControl}
	if !pagecache.Check(c.Request(), h, v) || a.flashWaiting(c) {
		return false
	}
	// A 304 carries the Vary its 200 would have: render adds HX-Request.
	if page {
		pagecache.AddVary(h, hxRequest)
	}
	_ = c.NoContent(http.StatusNotModified)
	return true
}

// etag is the tag of what the response depends on: the release, the base
// URL, the viewer, whether a fragment was asked for, the time and parts.
func (a *App) etag(c echo.Context, lastMod time.Time, parts []string) string {
	var userID int64
	if u, ok := currentUser(c); ok {
		userID = u.ID
	}
	var csrf []byte
	if userID != 0 {
		csrf, _ = c.Get(ctxCSRFSecret).([]byte)
	}
	fragment := "page"
	if wantsFragment(c.Request()) {
		fragment = "fragment"
	}
	base := ""
	if a.Config.BaseURL != nil {
		base = a.Config.BaseURL.String()
	}
	return pagecache.Tag(append([]string{a.Config.Version, base, strconv.FormatInt(userID, 10), string(csrf), fragment,
		strconv.FormatInt(lastMod.UnixNano(), 10), strconv.FormatInt(a.site(c).Version, 10), a.Config.Registration}, parts...)...)
}

// flashWaiting reports a one-time message for the next page: the cached
// copy does not show it, so the page must be rendered afresh.
func (a *App) flashWaiting(c echo.Context) bool {
	return c.Get(ctxSession) != nil && a.Sessions.Exists(c.Request().Context(), sessFlash)
}
