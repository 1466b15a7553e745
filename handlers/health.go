package handlers

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/dbhealth"
)

// getHealthz tells a process supervisor whether restarting Quire could
// help: 503 only once the private database could not be restarted.
func (a *App) getHealthz(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if a.Health.Status().State == dbhealth.Failed {
		return c.String(http.StatusServiceUnavailable, "unhealthy: the database stopped and could not be restarted\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

// getReadyz tells a load balancer whether this replica can serve pages:
// the database answers, its disk is not full, and its schema is the one
// this build expects.
func (a *App) getReadyz(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	// A full disk or a database given up on is not over until its source
	// says so; otherwise the answer below is the truth now (requests'
	// observations stand for a few seconds after the database is back).
	st := a.Health.Status()
	if st.State >= dbhealth.DiskFull {
		return c.String(http.StatusServiceUnavailable, "not ready: "+notReady[st.State]+"\n")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := models.CheckSchema(ctx, a.DB); err != nil {
		msg := notReady[max(st.State, dbhealth.Unreachable)]
		if errors.Is(err, models.ErrSchemaMismatch) {
			msg = err.Error()
		}
		return c.String(http.StatusServiceUnavailable, "not ready: "+msg+"\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

var notReady = map[dbhealth.State]string{
	dbhealth.Unreachable: "database unreachable",
	dbhealth.Restarting:  "the database is restarting",
	dbhealth.DiskFull:    "the database's disk is full",
	dbhealth.Failed:      "the database stopped and could not be restarted",
}

// outage is a 503's message and Retry-After for an error the database
// caused, told by what the database is doing.
func (a *App) outage(err error) (string, time.Duration) {
	st := a.Health.Status()
	if models.Fault(err) == dbhealth.NoSpace {
		st.State = dbhealth.DiskFull
	}
	switch st.State {
	case dbhealth.Restarting:
		return "The database is restarting; try again in a few seconds.", max(time.Until(st.Until), time.Second)
	case dbhealth.DiskFull:
		return "The site cannot save anything right now because its disk is full. Please try again later.", time.Minute
	case dbhealth.Failed:
		return "The site's database has stopped and could not be restarted. Please try again later.", time.Minute
	}
	return statusMessage(http.StatusServiceUnavailable), 5 * time.Second
}

// quiet reports whether a request's database error is part of an outage
// the health already logged: such requests are not logged one by one.
func (a *App) quiet(err error) bool {
	return models.Fault(err) != dbhealth.NoFault && a.Health.Outage()
}
