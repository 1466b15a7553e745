package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/views/format"
)

// formatter writes the dates people read on this request's page in the
// site's time zone. It is the one place that says which zone: site settings
// will set it here.
func (a *App) formatter(echo.Context) format.Formatter {
	return format.Formatter{Zone: a.Config.TimeZone}
}
