package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// author finds the account an author page or feed shows (to builds its address).
// A name its account gave up by a rename answers 301 to the account's
// address now; a deleted account's name answers 410 while it is held
// (sql/00008). moved is true when the answer has been sent.
func (a *App) author(c echo.Context, name string, to func(username string) string) (u models.User, moved bool, err error) {
	ctx := c.Request().Context()
	u, err = a.Users.GetByUsername(ctx, name)
	if !errors.Is(err, models.ErrNotFound) {
		return u, false, err
	}
	now, err := a.Users.RenamedTo(ctx, name)
	switch {
	case errors.Is(err, models.ErrGone):
		return u, false, echo.NewHTTPError(http.StatusGone, "This account has been deleted.")
	case err != nil:
		return u, false, err
	}
	dest := to(now)
	if q := c.Request().URL.RawQuery; q != "" {
		dest += "?" + q
	}
	// Browsers keep a 301 for good unless told otherwise; the name may
	// come back to its account, or to someone else after the hold.
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return u, true, c.Redirect(http.StatusMovedPermanently, dest)
}
