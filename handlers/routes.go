package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/assets"
)

// routes registers every route. Static files and health checks skip the
// session and CSRF layers: they must answer even when the database cannot.
func (a *App) routes(e *echo.Echo) {
	e.GET("/healthz", getHealthz)
	e.GET("/readyz", a.getReadyz)
	e.GET("/metrics", metricsHandler())
	e.GET(assets.Prefix+"*", echo.WrapHandler(assets.Handler()))
	e.GET("/media/:key", a.getMedia)

	g := e.Group("", crossOrigin(), csrfTokens(a.Config.secure()), echo.WrapMiddleware(a.Sessions.LoadAndSave), a.loadUser)
	g.GET("/", a.getHome)
	g.GET("/@:username", a.getAuthor)

	g.GET("/register", a.getRegister)
	g.POST("/register", a.postRegister)
	g.GET("/login", a.getLogin)
	g.POST("/login", a.postLogin)
	g.POST("/logout", a.postLogout)
	g.GET("/password/reset", a.getPasswordReset)
	g.POST("/password/reset", a.postPasswordReset)
	g.GET("/password/reset/:token", a.getPasswordResetToken)
	g.POST("/password/reset/:token", a.postPasswordResetToken)

	g.GET("/settings/profile", a.getSettingsProfile, requireUser)
	g.POST("/settings/profile", a.postSettingsProfile, requireUser)
	g.GET("/settings/password", a.getSettingsPassword, requireUser)
	g.POST("/settings/password", a.postSettingsPassword, requireUser)
}
