package handlers

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"quire/handlers/pagecache"
	"quire/models"
	"quire/models/dbhealth"
)

// Server limits, each set explicitly: Echo has no defaults for them. Body
// sizes are per route (bodylimit.go).
const (
	maxURIBytes       = 8 << 10  // a request target past this is a 414, as with nginx and Apache
	maxHeaderBytes    = 32 << 10 // the request line and headers together; net/http answers 431 past it
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second // uploads on slow links
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	defaultReqTimeout = 10 * time.Second
)

// Server is the HTTP application.
type Server struct {
	*echo.Echo
	app     *App
	handler http.Handler // Echo, compressing its answers
}

// New builds the application: the middleware stack, the error handler and
// every route.
func New(d Deps) *Server {
	if d.Config.RequestTimeout == 0 {
		d.Config.RequestTimeout = defaultReqTimeout
	}
	if d.Health == nil {
		d.Health = dbhealth.New(d.Logger)
	}
	if d.Settings == nil {
		d.Settings = &models.SettingsModel{DB: d.DB}
	}
	a := &App{Deps: d, mailer: newMailer(d.Mail, d.Logger),
		docs:   pagecache.NewMemo(docMemoBytes, func(b []byte) int { return len(b) }),
		lists:  pagecache.NewMemo(listMemoBytes, listSize),
		posts:  pagecache.NewMemo(postMemoBytes, postSize),
		shared: pagecache.NewShared(sharedMemoBytes, gzipMinSize),
		bodies: newBodies(), imports: newImportRunner()}
	a.tables = a.adminTables()
	a.setup.token = d.Config.SetupToken
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = echo.ExtractIPDirect()
	if d.Config.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.HTTPErrorHandler = a.handleError
	if d.Sessions != nil {
		d.Sessions.ErrorFunc = a.sessionError
	}
	e.Server.ReadHeaderTimeout = readHeaderTimeout
	e.Server.ReadTimeout = readTimeout
	e.Server.WriteTimeout = writeTimeout
	e.Server.IdleTimeout = idleTimeout
	e.Server.MaxHeaderBytes = maxHeaderBytes

	// Before routing: an over-long address is not looked at further.
	e.Pre(limitURI)
	// Every response, static or not.
	e.Use(
		middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: a.logPanic}),
		requestID(),
		a.logRequests(),
		metricsMiddleware(),
		securityHeaders(d.Config.secure()),
		a.limitBody,
		a.deadline,
	)
	a.echo = e // admin_redirects.go asks its router what an address is
	a.routes(e)
	return &Server{Echo: e, app: a, handler: compress(e)}
}

// ServeHTTP answers HEAD as GET, which Echo routes apart: the handler runs
// as for GET, and net/http, which still sees the HEAD request, sends the
// headers without the body. Monitors, crawlers and link checkers use HEAD.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		r = r.WithContext(r.Context()) // a copy: the server keeps the original
		r.Method = http.MethodGet
	}
	s.handler.ServeHTTP(w, r)
}

// Serve answers on ln until Shutdown. (Echo's Start would serve the bare
// Echo router, without ServeHTTP above.)
func (s *Server) Serve(ln net.Listener) error {
	s.Echo.Server.Handler = s
	s.Echo.Server.ErrorLog = s.Echo.StdLogger
	return s.Echo.Server.Serve(ln)
}

// Shutdown stops accepting connections, lets in-flight requests finish,
// stops imports running in the background (between two items), then waits
// for mail still being sent.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.Echo.Shutdown(ctx)
	s.app.imports.stop(ctx)
	s.app.mailer.wait(ctx)
	return err
}

// limitURI answers 414 for a request target longer than maxURIBytes.
func limitURI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if len(c.Request().RequestURI) > maxURIBytes {
			return echo.NewHTTPError(http.StatusRequestURITooLong)
		}
		return next(c)
	}
}

// deadline bounds every request's context so a slow database gives a
// prompt 503 instead of a hang.
func (a *App) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), a.Config.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

func (a *App) logPanic(c echo.Context, err error, stack []byte) error {
	a.Logger.Error("panic", "err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "stack", string(stack))
	return errors.New("internal error") // the client sees a plain 500 page
}

func (a *App) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		// The route pattern, not the address: addresses carry secrets (reset
		// tokens) and whatever a client chose to send.
		LogStatus: true, LogRoutePath: true, LogMethod: true, LogLatency: true, LogRequestID: true,
		LogRemoteIP: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			attrs := []any{"method", v.Method, "route", v.RoutePath, "status", v.Status,
				"latency_ms", v.Latency.Milliseconds(), "request_id", v.RequestID, "ip", v.RemoteIP}
			if v.Error != nil && v.Status >= 500 && !a.quiet(v.Error) {
				a.Logger.Error("request", append(attrs, "err", v.Error)...)
				return nil
			}
			a.Logger.Info("request", attrs...)
			return nil
		},
	})
}
