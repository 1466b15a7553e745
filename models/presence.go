package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models/dbhealth"
)

// serveLockID is the advisory lock every `quire serve` holds shared on the
// database while it runs ("quireser"); a schema rollback asks for it
// exclusively. It is visible to anyone in pg_locks.
const serveLockID int64 = 0x7175697265736572

// ErrServing means `quire serve` is running on the database.
var ErrServing = errors.New("quire serve is running on this database")

// Presence shows, while `quire serve` runs, that it uses the database (the
// serve lock, on one connection of its own), and checks that connection
// every Every: its answer is the probe's part of the database's health.
type Presence struct {
	DB     *sqlx.DB
	Health *dbhealth.Monitor
	Every  time.Duration // 0: every second
}

const presenceTimeout = 2 * time.Second

// Run holds the lock and probes until ctx ends; after a lost connection it
// reconnects and takes the lock again.
func (p *Presence) Run(ctx context.Context) {
	every := p.Every
	if every <= 0 {
		every = time.Second
	}
	var conn *sqlx.Conn
	locked := false
	defer func() {
		if conn != nil {
			discard(conn)
		}
	}()
	for {
		err := p.check(ctx, &conn, &locked)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if conn != nil {
				discard(conn)
				conn, locked = nil, false
				// The pool's idle connections went the same way: drop
				// them rather than fail a request each once it is back.
				p.DB.SetMaxIdleConns(0)
				p.DB.SetMaxIdleConns(maxOpenConns)
			}
			st := dbhealth.Status{State: dbhealth.Unreachable, Reason: err.Error()}
			if Fault(err) == dbhealth.Recovering {
				st.State = dbhealth.Restarting
			}
			p.Health.Set(dbhealth.Probe, st)
		} else {
			p.Health.Set(dbhealth.Probe, dbhealth.Status{State: dbhealth.Up})
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// check connects if need be, takes the serve lock unless a rollback holds
// it, and asks the server for an answer.
func (p *Presence) check(ctx context.Context, conn **sqlx.Conn, locked *bool) error {
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	if *conn == nil {
		c, err := p.DB.Connx(ctx)
		if err != nil {
			return err
		}
		*conn = c
	}
	if *locked {
		var one int
		return (*conn).GetContext(ctx, &one, `SELECT 1`)
	}
	return (*conn).GetContext(ctx, locked, queryLockShared, serveLockID)
}

const queryLockShared = `SELECT pg_try_advisory_lock_shared($1)`

const queryLockExclusive = `SELECT pg_try_advisory_lock($1)`

const queryServers = `SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND mode = 'ShareLock'
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid AND objsubid = 1`

// LockOutServers takes the serve lock exclusively, for a schema change the
// running servers' code would break on: it fails with ErrServing (saying
// how many run) while any `quire serve` uses the database, and otherwise
// keeps new ones from starting until release.
func LockOutServers(ctx context.Context, db *sqlx.DB) (release func(), err error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("models: serve lock: %w", err)
	}
	var got bool
	if err := conn.GetContext(ctx, &got, queryLockExclusive, serveLockID); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("models: serve lock: %w", err)
	}
	if !got {
		var n int
		_ = conn.GetContext(ctx, &n, queryServers, serveLockID)
		_ = conn.Close()
		if n == 0 {
			return nil, errors.New("another schema rollback (quire migrate down) is running on this database")
		}
		return nil, fmt.Errorf("%w (%d %s)", ErrServing, n, plural(n, "process", "processes"))
	}
	return func() { discard(conn) }, nil
}

// discard closes conn's session rather than returning it to the pool, so
// the session's advisory locks end with it.
func discard(conn *sqlx.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
