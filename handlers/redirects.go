package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/importer"
	"quire/views/urls"
)

// oldAddresses answers the addresses of an imported site (sql/00017
// redirects) with a 301 to the post's address here. It looks only where
// nothing else answers: a GET that found nothing, or the home page asked
// for WordPress's /?p=ID or /?page_id=ID.
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

// oldAddress is where an old path leads now (a post, or a tag page for
// an old category or tag address), or "" when nowhere readers may go.
func (a *App) oldAddress(c echo.Context, path string) (string, error) {
	ctx := c.Request().Context()
	to, err := (&importer.Redirects{DB: a.Posts.DB}).Find(ctx, path)
	if errors.Is(err, models.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if to.Tag.Valid {
		return urls.Tag(to.Tag.String), nil
	}
	p, err := a.Posts.Get(ctx, to.PostID.Int64)
	if errors.Is(err, models.ErrNotFound) || err == nil && !p.IsPublic() {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if p.Kind == models.KindPage {
		return urls.Page(p.Slug), nil
	}
	return urls.Post(p.Slug), nil
}
