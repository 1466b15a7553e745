package handlers

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
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
// UpdatedAt. etagParts is everything else the response depends on: which
// page it is (a kind and its key), the post count, the page number, names
// shown that live elsewhere (the author's). Reader pages call it through
// serveReader, which takes the steps in their order; feeds and the sitemap
// call it directly, once the stamp is known and before the expensive work.
//
// The ETag (weak: gzip re-encodes the bytes) also covers the release, the
// base URL, the signed-in account and their CSRF token (their pages embed
// it; signed-out readers' pages hold none and are alike, see sharedPage)
// and whether htmx asked for a fragment: another viewer's copy, a
// signed-out one or a fragment never revalidates as the page asked for.
// Last-Modified is lastMod in whole seconds, omitted when lastMod is zero.
// Cache-Control is no-cache (store, but ask every time); pages behind the
// session layer carry viewer data, so theirs is "private, no-cache" and
// their 304 says Vary: HX-Request as render's 200 does. A Cache-Control set
// earlier (no-store on private pages) is kept. If-None-Match, when sent,
// decides alone (RFC 9110 13.1.3); otherwise If-Modified-Since at or after
// Last-Modified matches. Only GET and HEAD are answered 304, and never while
// a flash message waits to be shown.
func (a *App) notModified(c echo.Context, lastMod time.Time, etagParts ...string) bool {
	req := c.Request()
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false
	}
	h := c.Response().Header()
	if s := a.site(c); s.Version > 0 && s.UpdatedAt.After(lastMod) {
		lastMod = s.UpdatedAt // the settings show on every page
	}
	etag := a.etag(c, lastMod, etagParts)
	h.Set(headerETag, etag)
	lastMod = lastMod.UTC().Truncate(time.Second)
	if !lastMod.IsZero() {
		h.Set(echo.HeaderLastModified, lastMod.Format(http.TimeFormat))
	}
	// Pages behind the session layer embed the viewer and their CSRF token;
	// feeds and the sitemap are the same for everyone.
	page := c.Get(ctxSession) != nil
	if h.Get(echo.HeaderCacheControl) == "" {
		if page {
			h.Set(echo.HeaderCacheControl, "private, no-cache")
		} else {
			h.Set(echo.HeaderCacheControl, "no-cache")
		}
	}
	if !clientHasCurrent(req, etag, lastMod) || a.flashWaiting(c) {
		return false
	}
	// A 304 carries the Vary its 200 would have: render adds HX-Request.
	if page && !headerHasToken(h.Values(echo.HeaderVary), hxRequest) {
		h.Add(echo.HeaderVary, hxRequest)
	}
	_ = c.NoContent(http.StatusNotModified)
	return true
}

// clientHasCurrent evaluates the request's preconditions against the
// response's validators.
func clientHasCurrent(req *http.Request, etag string, lastMod time.Time) bool {
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		return etagListMatches(inm, etag)
	}
	ims := req.Header.Get(echo.HeaderIfModifiedSince)
	if ims == "" || lastMod.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !lastMod.After(t)
}

// etag hashes what the response depends on. Each value is length-prefixed
// so no two different lists hash alike.
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
	sum := sha256.New()
	for _, p := range append([]string{a.Config.Version, base, strconv.FormatInt(userID, 10), string(csrf), fragment,
		strconv.FormatInt(lastMod.UnixNano(), 10), strconv.FormatInt(a.site(c).Version, 10)}, parts...) {
		sum.Write([]byte(strconv.Itoa(len(p)) + ":" + p))
	}
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:18]) + `"`
}

// flashWaiting reports a one-time message for the next page: the cached
// copy does not show it, so the page must be rendered afresh.
func (a *App) flashWaiting(c echo.Context) bool {
	return c.Get(ctxSession) != nil && a.Sessions.Exists(c.Request().Context(), sessFlash)
}

// etagListMatches compares an If-None-Match list with etag using the weak
// comparison (RFC 9110 8.8.3.2): W/ prefixes are ignored.
func etagListMatches(list, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, tag := range splitETags(list) {
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}

// splitETags reads a comma-separated list of entity tags. Commas may occur
// inside the quotes, so it scans rather than splits; malformed input ends
// the list.
func splitETags(list string) []string {
	var tags []string
	for s := strings.TrimLeft(list, " \t,"); s != ""; s = strings.TrimLeft(s, " \t,") {
		if s[0] == '*' {
			tags = append(tags, "*")
			s = s[1:]
			continue
		}
		start := 0
		if strings.HasPrefix(s, "W/") {
			start = 2
		}
		if len(s) <= start || s[start] != '"' {
			break
		}
		end := strings.IndexByte(s[start+1:], '"')
		if end < 0 {
			break
		}
		end += start + 2
		tags = append(tags, s[:end])
		s = s[end:]
	}
	return tags
}

// headerHasToken reports whether a comma-separated header holds token.
func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
