package handlers

import (
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/urls"
)

// Session keys.
const (
	sessUserID = "user_id"
	sessEpoch  = "epoch" // must equal the account's session_epoch
	sessFlash  = "flash"
)

// Session lifetimes: an idle session ends after a week, any session after 30 days.
const (
	sessionIdle     = 7 * 24 * time.Hour
	sessionLifetime = 30 * 24 * time.Hour
)

// NewSessionManager configures server-side sessions: HttpOnly, SameSite=Lax
// cookies, Secure when the site is served over https.
func NewSessionManager(store scs.Store, secure bool) *scs.SessionManager {
	s := scs.New()
	s.Store = store
	s.IdleTimeout = sessionIdle
	s.Lifetime = sessionLifetime
	s.Cookie.Name = "quire_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	s.Cookie.Secure = secure
	s.Cookie.Path = "/"
	s.ErrorFunc = SessionError
	return s
}

// loadUser puts the signed-in account in the context. A session whose
// account is gone, suspended, or whose epoch is stale (password changed
// elsewhere, suspension) is destroyed: that is how sessions end at once.
func (a *App) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxSession, true)
		ctx := c.Request().Context()
		id := a.Sessions.GetInt64(ctx, sessUserID)
		if id == 0 {
			return next(c)
		}
		u, err := a.Users.Get(ctx, id)
		switch {
		case errors.Is(err, models.ErrNotFound):
		case err != nil:
			return err
		case u.State == models.StateActive && u.SessionEpoch == a.Sessions.GetInt(ctx, sessEpoch):
			c.Set(ctxUser, u)
			return next(c)
		}
		if err := a.Sessions.Destroy(ctx); err != nil {
			return err
		}
		return next(c)
	}
}

// requireUser sends anonymous visitors to the sign-in page and back.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := currentUser(c); !ok {
			return redirect(c, urls.Login(c.Request().URL.RequestURI()))
		}
		return next(c)
	}
}

// logIn starts a session for u with a new token (no session fixation).
func (a *App) logIn(c echo.Context, u models.User) error {
	ctx := c.Request().Context()
	if err := a.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	a.Sessions.Put(ctx, sessUserID, u.ID)
	a.Sessions.Put(ctx, sessEpoch, u.SessionEpoch)
	c.Set(ctxUser, u)
	return nil
}

// logOut ends the session and its server-side record.
func (a *App) logOut(c echo.Context) error {
	if err := a.Sessions.Destroy(c.Request().Context()); err != nil {
		return err
	}
	c.Set(ctxUser, nil)
	return nil
}

// flash leaves msg for the next page this session is shown.
func (a *App) flash(c echo.Context, msg string) {
	a.Sessions.Put(c.Request().Context(), sessFlash, msg)
}
