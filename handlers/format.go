package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/views/format"
)

// formatter writes the dates people read on this request's page in the
// site's time zone: the settings' (Admin → Settings), unless serve was
// given one (--timezone, QUIRE_TIMEZONE). It is the one place that says which.
func (a *App) formatter(c echo.Context) format.Formatter {
	if a.Config.TimeZone != nil {
		return format.Formatter{Zone: a.Config.TimeZone}
	}
	return format.Formatter{Zone: a.site(c).Location()}
}
