package handlers

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

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
