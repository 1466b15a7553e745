package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/models"
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

// currentUser returns the signed-in account, if any.
func currentUser(c echo.Context) (models.User, bool) {
	u, ok := c.Get(ctxUser).(models.User)
	return u, ok
}
