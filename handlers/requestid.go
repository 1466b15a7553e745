package handlers

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// maxRequestIDLen fits the ids proxies and tracers send (UUIDs, 32 hex
// digits, ULIDs).
const maxRequestIDLen = 64

// requestID gives every request an id, echoed in X-Request-Id and logged.
// A client's own id is kept only when it is short and made of letters,
// digits, '-', '_' and '.'; anything else is replaced by a fresh one, so
// nothing a client sends reaches the logs verbatim.
func requestID() echo.MiddlewareFunc {
	assign := middleware.RequestID()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		h := assign(next)
		return func(c echo.Context) error {
			if hdr := c.Request().Header; !safeRequestID(hdr.Get(echo.HeaderXRequestID)) {
				hdr.Del(echo.HeaderXRequestID)
			}
			return h(c)
		}
	}
}

func safeRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}
