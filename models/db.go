// Package models is Quire's data layer: plain structs and the SQL that reads
// and writes them, one file per entity.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/sys/unix"
)

// Connection settings that keep a slow or vanished database from hanging
// requests: every one of them bounds a different way of waiting.
const (
	connectTimeout   = 5 * time.Second  // TCP connect and start-up handshake
	statementTimeout = 10 * time.Second // server-side bound on any one statement
	keepAlive        = 10 * time.Second // probe idle connections
	tcpUserTimeout   = 15 * time.Second // drop a connection whose packets go unanswered
	connMaxLifetime  = 30 * time.Minute // recycle, so fail-overs and DNS changes are picked up
	connMaxIdleTime  = 5 * time.Minute
	maxOpenConns     = 20
)

// Open connects to PostgreSQL with the fault-tolerant settings above and
// checks the connection. A pooler that refuses run-time parameters at
// start-up (PgBouncer does, unless told to ignore them) gets the statement
// timeout as a SET on each new connection instead, so the bound holds
// behind it too.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	db, err := open(ctx, withDefaults(dsn, true), "")
	if refusedStartupParameter(err) && !strings.Contains(dsn, "statement_timeout=") {
		db, err = open(ctx, withDefaults(dsn, false), setStatementTimeoutSQL)
	}
	return db, err
}

var setStatementTimeoutSQL = fmt.Sprintf(`SET statement_timeout = %d`, statementTimeout.Milliseconds())

// refusedStartupParameter reports a server (a pooler) that refused a
// start-up parameter: "unsupported startup parameter", a protocol violation.
func refusedStartupParameter(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "08P01" && strings.Contains(pe.Message, "startup parameter")
}

// open connects with dsn; init, when set, runs on every new connection.
func open(ctx context.Context, dsn, init string) (*sqlx.DB, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("models: database URL: %w", err)
	}
	connector, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("models: database URL: %w", err)
	}
	connector.Dialer(dialer{})
	db := sqlx.NewDb(sql.OpenDB(abortingConnector{Connector: connector, init: init}), "postgres")
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	db.SetConnMaxLifetime(connMaxLifetime)
	db.SetConnMaxIdleTime(connMaxIdleTime)
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("models: connect to database: %w", err)
	}
	return db, nil
}

// withDefaults adds connect_timeout (and statement_timeout, when
// withTimeout) to a DSN (URL or key=value form) unless the operator set them.
func withDefaults(dsn string, withTimeout bool) string {
	add := map[string]string{"connect_timeout": fmt.Sprint(int(connectTimeout.Seconds()))}
	if withTimeout {
		add["statement_timeout"] = fmt.Sprint(statementTimeout.Milliseconds())
	}
	isURL := strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
	for k, v := range add {
		if strings.Contains(dsn, k+"=") {
			continue
		}
		switch {
		case isURL && strings.Contains(dsn, "?"):
			dsn += "&" + k + "=" + v
		case isURL:
			dsn += "?" + k + "=" + v
		default:
			dsn += " " + k + "=" + v
		}
	}
	return dsn
}

// dialer sets TCP keepalives and TCP_USER_TIMEOUT, so a connection whose
// network goes silent (packets dropped, not refused) fails within seconds
// instead of waiting for the kernel's default of many minutes.
type dialer struct{}

func (dialer) netDialer() *net.Dialer {
	return &net.Dialer{
		Timeout:   connectTimeout,
		KeepAlive: keepAlive,
		Control: func(network, _ string, c syscall.RawConn) error {
			if !strings.HasPrefix(network, "tcp") {
				return nil
			}
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, int(tcpUserTimeout.Milliseconds()))
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
}

func (d dialer) Dial(network, address string) (net.Conn, error) {
	return d.netDialer().Dial(network, address)
}

func (d dialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	nd := d.netDialer()
	nd.Timeout = timeout
	return nd.Dial(network, address)
}

// DialContext, which lib/pq uses, also hands the socket to the
// abortingConnector that asked for it (found in ctx).
func (d dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := d.netDialer().DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	s := &socket{Conn: c}
	if slot, ok := ctx.Value(socketSlotKey{}).(*socketSlot); ok {
		slot.set(s)
	}
	return s, nil
}
