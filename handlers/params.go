package handlers

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/urls"
)

// safeNext returns next if it points inside this site, else "/": no open
// redirects through //host, /\host, schemes or encoded tricks.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return urls.Home()
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return urls.Home()
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return urls.Home()
		}
	}
	return next
}

// pageParam reads ?page=, defaulting to 1; nonsense is a 404 rather than a
// silently different page.
func pageParam(c echo.Context) (models.Page, error) {
	pg := models.Page{Number: 1, Size: readerPageSize}
	if s := c.QueryParam("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1_000_000 {
			return pg, models.ErrNotFound
		}
		pg.Number = n
	}
	return pg, nil
}

// pathParam returns a path parameter decoded, and false when it cannot be.
// Echo routes on the raw path when a URL holds escapes Go would not write
// itself (%2F, %41), and then leaves those escapes in the parameter.
func pathParam(c echo.Context, name string) (string, bool) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, true
	}
	v, err := url.PathUnescape(v)
	return v, err == nil
}
