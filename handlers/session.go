package handlers

import (
	"net/http"
	"time"

	"errors"
	"github.com/alexedwards/scs/v2"
	"net/url"

	"github.com/labstack/echo/v4"

	"quire/assets"
	"quire/models"
	"quire/views/layout"
)

// Context keys set by middleware.
const (
	ctxUser       = "user"        // models.User of the signed-in account
	ctxCSRFSecret = "csrf_secret" // the browser's CSRF secret itself, once it has one
	ctxCSRFSecure = "csrf_secure" // set by the CSRF layer: whether its cookie is https-only
	// ctxSession marks that the session is loaded; error pages for requests
	// refused earlier (CSRF, static files) render without one.
	ctxSession = "session"
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

// currentUser returns the signed-in account, if any.
func currentUser(c echo.Context) (models.User, bool) {
	u, ok := c.Get(ctxUser).(models.User)
	return u, ok
}

// requireUser sends anonymous visitors to the sign-in page and back.
func requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := currentUser(c); !ok {
			return redirect(c, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
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

func (a *App) flash(c echo.Context, msg string) {
	a.Sessions.Put(c.Request().Context(), sessFlash, msg)
}

// page builds the frame's view model for this request, with a CSRF token
// for its forms.
func (a *App) page(c echo.Context, title string) layout.Page {
	p := a.frame(c, title)
	p.CSRF = csrfToken(c)
	return p
}

// readerFrame is the frame of what readers read: signed out, it carries no
// CSRF token (they have no form to send), so it sets no cookie and is the
// same for every signed-out reader (see sharedPage). The page's title and
// description are the reader page's to set.
func (a *App) readerFrame(c echo.Context) layout.Page {
	p := a.frame(c, "")
	if p.Viewer != nil {
		p.CSRF = csrfToken(c)
	}
	return p
}

// frame is the view model every page shares, without a token.
func (a *App) frame(c echo.Context, title string) layout.Page {
	p := layout.Page{Title: title}
	if u, ok := currentUser(c); ok {
		p.Viewer = &layout.Viewer{Username: u.Username, Name: u.Name(), AvatarURL: avatarURL(u), IsAdmin: u.IsAdmin()}
	}
	// Exists first: popping from an empty session would create a session row.
	if c.Get(ctxSession) != nil && a.Sessions.Exists(c.Request().Context(), sessFlash) {
		p.Flash = a.Sessions.PopString(c.Request().Context(), sessFlash)
	}
	return p
}

// privatePage is a page for one account's eyes: never cached anywhere.
func (a *App) privatePage(c echo.Context, title string) layout.Page {
	private(c)
	p := a.page(c, title)
	p.Private = true
	return p
}

func avatarURL(u models.User) string {
	if u.Avatar != "" {
		return "/media/" + u.Avatar
	}
	return assets.Path("img/avatar.svg")
}

// safeNext returns next if it points inside this site, else "/": no open
// redirects through //host, /\host, schemes or encoded tricks.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	return next
}
