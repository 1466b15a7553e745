package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/pages"
)

func (a *App) getHome(c echo.Context) error {
	_, signedIn := currentUser(c)
	p := a.page(c, "Home")
	v := pages.HomeView{SignedIn: signedIn}
	return render(c, http.StatusOK, pages.Home(p, v), pages.HomeContent(v))
}

// getAuthor is an author's public page, /@username.
func (a *App) getAuthor(c echo.Context) error {
	u, err := a.Users.GetByUsername(c.Request().Context(), c.Param("username"))
	if err != nil {
		return err
	}
	if u.State != models.StateActive {
		return models.ErrNotFound
	}
	v := pages.AuthorView{Username: u.Username, Name: u.Name(), Bio: u.Bio, AvatarURL: avatarURL(u), Joined: u.CreatedAt.Format("January 2006")}
	p := a.page(c, u.Name())
	p.Description = u.Bio
	return render(c, http.StatusOK, pages.Author(p, v), pages.AuthorContent(v))
}

func getHealthz(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }

// getReadyz reports whether the database answers; load balancers stop
// sending traffic to a replica that is not ready.
func (a *App) getReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if err := a.DB.PingContext(ctx); err != nil {
		return c.String(http.StatusServiceUnavailable, "not ready: database unreachable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
