package handlers

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"quire/models"
)

// The request metrics are the process's; each App's registry (see
// metricsRegistry) serves them with that App's database, so tests can
// build many servers.
var (
	requestsTotal   = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "quire_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"})
	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "quire_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"route", "method"})

	goCollector      = collectors.NewGoCollector()
	processCollector = collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})
)

// metricsRegistry is what /metrics serves: requests, the Go runtime and the
// process, and this App's database: its connection pool (in use, idle,
// waits: a pool always waiting needs a larger pooler or fewer replicas) and
// its state (what /readyz reports, as a number an alert can watch).
func (a *App) metricsRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(requestsTotal, requestDuration, goCollector, processCollector,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quire_database_state",
			Help: "What the database is doing: 0 up, 1 unreachable, 2 restarting (the private server), 3 disk full, 4 failed (restarts gave up)."},
			func() float64 { return float64(a.Health.Status().State) }))
	if a.DB != nil {
		reg.MustRegister(collectors.NewDBStatsCollector(a.DB.DB, "quire"))
	}
	// The listener (models.Changes): whether reader pages' stamps come from
	// memory, and how often they did or had to ask the database.
	changes := func() models.ChangesState { return a.Posts.Changes.State() }
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quire_changes_listening",
			Help: "1 while this replica hears committed changes (LISTEN) and serves page stamps from memory; 0 while it asks the database on every request."},
			func() float64 {
				if changes().Listening {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "quire_changes_notices_total", Help: "Change notices heard."},
			func() float64 { return float64(changes().Notices) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "quire_changes_memory_hits_total", Help: "Page stamps answered from memory."},
			func() float64 { return float64(changes().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "quire_changes_database_reads_total", Help: "Page stamps read from the database."},
			func() float64 { return float64(changes().Reads) }))
	return reg
}

// metricsMiddleware counts requests by route pattern (never the raw URL, so
// the label set stays small).
func metricsMiddleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				status, _ = classify(err)
			}
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			requestsTotal.WithLabelValues(route, c.Request().Method, strconv.Itoa(status)).Inc()
			requestDuration.WithLabelValues(route, c.Request().Method).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

// metricsHandler serves the metrics to a scraper, not to the world: they
// tell request rates, routes and memory. With a token, the scraper sends
// it as "Authorization: Bearer TOKEN"; without one, only a client on this
// machine that came through no proxy may read them. Others get 404.
func metricsHandler(reg *prometheus.Registry, token string) echo.HandlerFunc {
	h := echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return func(c echo.Context) error {
		r := c.Request()
		if token != "" {
			got := []byte(r.Header.Get(echo.HeaderAuthorization))
			if subtle.ConstantTimeCompare(got, []byte("Bearer "+token)) != 1 {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
				return echo.NewHTTPError(http.StatusUnauthorized, "Send the metrics token as: Authorization: Bearer TOKEN.")
			}
			return h(c)
		}
		if !localDirect(r) {
			return echo.ErrNotFound
		}
		return h(c)
	}
}

// localDirect says whether the request comes straight from this machine:
// a loopback peer, with no header a reverse proxy adds (a proxy on this
// machine is loopback too, yet carries the world's requests).
func localDirect(r *http.Request) bool {
	for _, h := range []string{echo.HeaderXForwardedFor, "Forwarded", echo.HeaderXRealIP} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}
