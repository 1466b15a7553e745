package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/lib/pq"

	"quire/models/dbhealth"
)

// Fault says what an error from the database means for the site's
// availability, so the web layer never reads the driver's error codes:
// a full disk (SQLSTATE 53100), a server restarting after a crash of one
// of its processes or still starting (57P02, 57P03), a connection lost or
// refused (class 08, a shutdown, a socket that is gone), or a timeout or
// shortage that leaves the server up (57014, other class 53, a deadline).
func Fault(err error) dbhealth.Fault {
	var pqErr *pq.Error
	var netErr net.Error
	switch {
	case err == nil:
		return dbhealth.NoFault
	case errors.As(err, &pqErr):
		code := string(pqErr.Code)
		switch {
		case code == "53100":
			return dbhealth.NoSpace
		case code == "57P02" || code == "57P03": // crash_shutdown, cannot_connect_now
			return dbhealth.Recovering
		case code[:2] == "08" || code[:4] == "57P0":
			return dbhealth.Lost
		case code == "57014" || code[:2] == "53":
			return dbhealth.Busy
		}
		return dbhealth.NoFault
	case errors.Is(err, context.DeadlineExceeded):
		return dbhealth.Busy
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.ErrUnexpectedEOF):
		return dbhealth.Lost
	case errors.As(err, &netErr): // a missing socket file (ENOENT) among them, never a missing media file
		if netErr.Timeout() {
			return dbhealth.Busy
		}
		return dbhealth.Lost
	}
	return dbhealth.NoFault
}
