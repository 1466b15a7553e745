package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/urls"
)

// oldAddresses answers old addresses (imported sites', and those admins
// add in /admin/redirects) with a 301 to where they lead now. It looks
// only where nothing else answers: a GET that found nothing, or the home
// page asked for WordPress's /?p=ID or /?page_id=ID.
func (a *App) oldAddresses(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return next(c)
		}
		if r.URL.Path == "/" {
			for _, q := range []string{"p", "page_id"} {
				if v := c.QueryParam(q); v != "" {
					to, err := a.oldAddress(c, "/?"+q+"="+v)
					if err != nil || to != "" {
						return redirectOr(c, to, err)
					}
				}
			}
			return next(c)
		}
		err := next(c)
		var he *echo.HTTPError
		if errors.Is(err, models.ErrNotFound) || errors.As(err, &he) && he.Code == http.StatusNotFound {
			if to, ferr := a.oldAddress(c, r.URL.Path); ferr != nil || to != "" {
				return redirectOr(c, to, ferr)
			}
		}
		return err
	}
}

// redirectOr answers 301 to to, or the error that stopped the look-up.
func redirectOr(c echo.Context, to string, err error) error {
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusMovedPermanently, to)
}

// oldAddress is where an old path leads now (a post, a tag page, another
// address here or, as an admin typed it, one elsewhere), or "" when
// nowhere readers may go. Only stored addresses are answered, never one
// read from the request: what no admin typed cannot send a reader away.
func (a *App) oldAddress(c echo.Context, path string) (string, error) {
	ctx := c.Request().Context()
	to, err := a.Redirects.Find(ctx, path)
	if errors.Is(err, models.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	switch {
	case to.Tag.Valid:
		return urls.Tag(to.Tag.String), nil
	case to.TargetPath.Valid:
		return redirectHref("path", to.TargetPath.String), nil
	case to.TargetURL.Valid:
		return redirectHref("url", to.TargetURL.String), nil
	}
	p, err := a.Posts.Get(ctx, to.PostID.Int64)
	if errors.Is(err, models.ErrNotFound) || err == nil && !p.IsPublic() {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return redirectHref(p.Kind, p.Slug), nil
}
