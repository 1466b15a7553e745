package handlers

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics live in their own registry so tests can build many servers.
var (
	registry        = prometheus.NewRegistry()
	requestsTotal   = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "quire_http_requests_total", Help: "HTTP requests by route, method and status."}, []string{"route", "method", "status"})
	requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "quire_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"route", "method"})
)

func init() {
	registry.MustRegister(requestsTotal, requestDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
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

func metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
}
