package handlers

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/dbhealth"
	"quire/models/imaging"
	"quire/models/markdown"
	"quire/views/layout"
	"quire/views/pages"
)

// renderErrors answers a handler's error while the session is still open:
// the session is saved once, with the request's live context, as the error
// page is written (rather than after the request's deadline was released).
func (a *App) renderErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			c.Error(err)
		}
		return nil
	}
}

// handleError is the one place errors become responses: sentinel errors map
// to status codes, a database that is down or slow to 503, anything else to
// a plain 500 page. Clients never see internal details.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := classify(err)
	a.Health.Observe(models.Fault(err), err)
	if status >= 500 && !a.quiet(err) {
		a.Logger.Error("request failed", "err", err, "status", status,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	if status == http.StatusServiceUnavailable {
		msg = a.setRetryAfter(c.Response().Header(), err, msg)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	// The error page renders after the request's deadline has been released
	// and its session saved: keep the context's values, drop its
	// cancellation, and leave any flash message for the next page.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	c.Set(ctxSession, nil)
	if _, ok := c.Get(ctxSite).(models.Settings); !ok {
		c.Set(ctxSite, a.Settings.Kept()) // the database may be what failed
	}
	p := a.readerFrame(c)
	p.Title = msg // no token, and so no cookie, for a signed-out visitor's error
	if rerr := render(c, status, pages.ErrorPage(p, status, msg), pages.ErrorContent(status, msg)); rerr != nil {
		a.Logger.Error("render error page", "err", rerr)
		_ = c.String(status, msg)
	}
}

func classify(err error) (int, string) {
	var he *echo.HTTPError
	var forbidden *models.ForbiddenError
	switch {
	case errors.As(err, &he):
		if m, ok := he.Message.(string); ok && he.Code < 500 && m != http.StatusText(he.Code) {
			return he.Code, m
		}
		return he.Code, statusMessage(he.Code)
	case errors.As(err, &forbidden):
		return http.StatusForbidden, forbidden.Msg
	case errors.Is(err, models.ErrNotFound):
		return http.StatusNotFound, statusMessage(http.StatusNotFound)
	case errors.Is(err, models.ErrConflict):
		return http.StatusConflict, statusMessage(http.StatusConflict)
	case errors.Is(err, imaging.ErrBusy): // its Retry-After is the 503's below
		return http.StatusServiceUnavailable, err.Error()
	case errors.Is(err, markdown.ErrTooLarge): // a post restored or imported past the output budget
		return http.StatusUnprocessableEntity, bodyTooLarge
	case unavailable(err):
		return http.StatusServiceUnavailable, statusMessage(http.StatusServiceUnavailable)
	}
	return http.StatusInternalServerError, statusMessage(http.StatusInternalServerError)
}

func statusMessage(code int) string {
	switch code {
	case http.StatusNotFound:
		return "Page not found."
	case http.StatusForbidden:
		return "You do not have permission to do that."
	case http.StatusConflict:
		return "Someone else changed this in the meantime."
	case http.StatusRequestEntityTooLarge:
		return "This is larger than the site accepts. Nothing was saved."
	case http.StatusRequestURITooLong:
		return "This address is too long."
	case http.StatusServiceUnavailable:
		return "The site is briefly unavailable. Please try again in a few seconds."
	case http.StatusInternalServerError:
		return "Something went wrong on our side."
	}
	if t := http.StatusText(code); t != "" {
		return t + "."
	}
	return "Something went wrong."
}

// unavailable reports errors meaning the database cannot do the work in
// time: timeouts, refused or dropped connections, a server shutting down,
// a full disk (models.Fault reads the driver's codes).
func unavailable(err error) bool { return models.Fault(err) != dbhealth.NoFault }

// setRetryAfter sets a 503's Retry-After and returns its message: for a
// database error, what the database is doing says both; otherwise a
// handler's own Retry-After is kept.
func (a *App) setRetryAfter(h http.Header, err error, msg string) string {
	if !unavailable(err) {
		if h.Get("Retry-After") == "" {
			h.Set("Retry-After", "5")
		}
		return msg
	}
	msg, retry := a.outage(err)
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	return msg
}

// SessionError answers when the session store cannot be read (the database
// is down): a 503 page instead of the session library's bare 500. New
// replaces it with the app's sessionError, which knows the database's health.
func SessionError(w http.ResponseWriter, r *http.Request, err error) {
	(&App{Deps: Deps{Logger: slog.Default(), Health: dbhealth.New(slog.Default())}}).sessionError(w, r, err)
}

func (a *App) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusServiceUnavailable, statusMessage(http.StatusServiceUnavailable)
	if !unavailable(err) {
		status, msg = http.StatusInternalServerError, statusMessage(http.StatusInternalServerError)
	}
	a.Health.Observe(models.Fault(err), err)
	if !a.quiet(err) {
		// The request id, not the path: paths can hold secrets (reset tokens).
		a.Logger.Error("session store", "err", err, "request_id", w.Header().Get(echo.HeaderXRequestID))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status == http.StatusServiceUnavailable {
		msg = a.setRetryAfter(w.Header(), err, msg)
	}
	w.WriteHeader(status)
	// The request's deadline may be what failed: render without it.
	_ = pages.ErrorPage(layout.Page{Title: msg, Site: a.siteFrame(a.Settings.Kept())}, status, msg).Render(context.WithoutCancel(r.Context()), w)
}
