package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// abortingConnector makes a context's end interrupt the database work
// waiting on it. lib/pq, when a context ends, only asks the server to
// cancel (over a new connection) and keeps waiting for its answer; over a
// network that has gone silent that answer never comes, and the request
// would hang far past its deadline, holding a pooled connection. Here the
// socket is aborted instead: the blocked read fails at once, the request
// gets its error (a 503), and the connection is thrown away.
type abortingConnector struct {
	*pq.Connector
	init string // run on each new connection when set (see Open)
}

type socketSlotKey struct{}

func (c abortingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	slot := &socketSlot{}
	stop := context.AfterFunc(ctx, slot.abort) // a start-up handshake nobody answers
	dc, err := c.Connector.Connect(context.WithValue(ctx, socketSlotKey{}, slot))
	aborted := !stop()
	if err != nil {
		return nil, err
	}
	pc, ok := dc.(pqConn)
	if aborted || !ok || slot.s == nil {
		_ = dc.Close()
		if aborted {
			return nil, ctx.Err()
		}
		return nil, errors.New("models: database connection of an unexpected kind")
	}
	if c.init != "" {
		if _, err := pc.ExecContext(ctx, c.init, nil); err != nil {
			_ = dc.Close()
			return nil, err
		}
	}
	return &abortingConn{pqConn: pc, sock: slot.s}, nil
}

// socketSlot receives the socket of the connection being made.
type socketSlot struct {
	mu      sync.Mutex
	s       *socket
	aborted bool
}

func (sl *socketSlot) set(s *socket) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.s = s
	if sl.aborted {
		s.abort()
	}
}

func (sl *socketSlot) abort() {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	sl.aborted = true
	if sl.s != nil {
		sl.s.abort()
	}
}

// socket is a connection's network socket. Once aborted, every read and
// write fails at once, whatever deadline lib/pq sets afterwards.
type socket struct {
	net.Conn
	mu      sync.Mutex
	aborted bool
}

func (s *socket) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	_ = s.Conn.SetDeadline(time.Unix(1, 0))
}

func (s *socket) SetDeadline(t time.Time) error {
	return s.setDeadline(t, s.Conn.SetDeadline)
}

func (s *socket) SetReadDeadline(t time.Time) error {
	return s.setDeadline(t, s.Conn.SetReadDeadline)
}

func (s *socket) SetWriteDeadline(t time.Time) error {
	return s.setDeadline(t, s.Conn.SetWriteDeadline)
}

func (s *socket) setDeadline(t time.Time, set func(time.Time) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.aborted {
		return nil
	}
	return set(t)
}

// pqConn is what lib/pq's connections implement and database/sql uses.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.NamedValueChecker
	driver.SessionResetter
	driver.Validator
}

// abortingConn aborts its socket when the context of the work in progress
// ends: a query until its rows are closed, a transaction until it ends.
type abortingConn struct {
	pqConn
	sock *socket
	bad  atomic.Bool // aborted: never to be used again
}

// watch aborts the socket if ctx ends before the returned func is called.
func (c *abortingConn) watch(ctx context.Context) func() {
	stop := context.AfterFunc(ctx, c.sock.abort)
	return sync.OnceFunc(func() {
		if !stop() {
			c.bad.Store(true)
		}
	})
}

func (c *abortingConn) IsValid() bool { return !c.bad.Load() && c.pqConn.IsValid() }

func (c *abortingConn) ResetSession(ctx context.Context) error {
	if c.bad.Load() {
		return driver.ErrBadConn
	}
	return c.pqConn.ResetSession(ctx)
}

func (c *abortingConn) Ping(ctx context.Context) error {
	defer c.watch(ctx)()
	return c.pqConn.Ping(ctx)
}

func (c *abortingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	defer c.watch(ctx)()
	return c.pqConn.ExecContext(ctx, query, args)
}

func (c *abortingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	done := c.watch(ctx)
	r, err := c.pqConn.QueryContext(ctx, query, args)
	return watchedRows(r, err, done)
}

func (c *abortingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	defer c.watch(ctx)()
	st, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ps, ok := st.(pqStmt)
	if !ok && strings.HasPrefix(query, "COPY ") {
		return st, nil // lib/pq's COPY FROM STDIN has Exec alone (seeding copies posts in)
	}
	if !ok {
		_ = st.Close()
		return nil, errors.New("models: lib/pq statement without the expected methods")
	}
	return &abortingStmt{pqStmt: ps, c: c}, nil
}

func (c *abortingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	done := c.watch(ctx)
	tx, err := c.pqConn.BeginTx(ctx, opts)
	if err != nil {
		done()
		return nil, err
	}
	return &abortingTx{Tx: tx, done: done}, nil
}

type abortingTx struct {
	driver.Tx
	done func()
}

func (t *abortingTx) Commit() error {
	defer t.done()
	return t.Tx.Commit()
}

func (t *abortingTx) Rollback() error {
	defer t.done()
	return t.Tx.Rollback()
}

type pqStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// abortingStmt is a prepared statement whose work the socket abort alone
// interrupts. lib/pq is given the context without its end: for a prepared
// statement it would, when the context ends, dial the server to cancel and
// wait for that before returning, which over a silent network takes the
// whole connect timeout. The server ends the orphaned statement itself
// (statement_timeout) when its client has gone.
type abortingStmt struct {
	pqStmt
	c *abortingConn
}

func (s *abortingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	defer s.c.watch(ctx)()
	return s.pqStmt.ExecContext(context.WithoutCancel(ctx), args)
}

func (s *abortingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	done := s.c.watch(ctx)
	r, err := s.pqStmt.QueryContext(context.WithoutCancel(ctx), args)
	return watchedRows(r, err, done)
}

// pqRows is what lib/pq's rows implement.
type pqRows interface {
	driver.Rows
	driver.RowsNextResultSet
	driver.RowsColumnTypeScanType
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypePrecisionScale
}

// abortingRows keeps watching until the rows are closed: reading them
// waits on the server too.
type abortingRows struct {
	pqRows
	done func()
}

func watchedRows(r driver.Rows, err error, done func()) (driver.Rows, error) {
	if err != nil {
		done()
		return nil, err
	}
	pr, ok := r.(pqRows)
	if !ok {
		done() // unexpected: rows as they are, unwatched
		return r, nil
	}
	return &abortingRows{pqRows: pr, done: done}, nil
}

func (r *abortingRows) Close() error {
	defer r.done()
	return r.pqRows.Close()
}
