package models

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Limit is a rate limit: at most Max requests under one key in any Window.
type Limit struct {
	Name   string
	Max    int
	Window time.Duration
}

// The rate limits of the account forms, besides the sign-in throttle.
var (
	// RegisterLimit bounds sign-ups (those that reach the database) per
	// client address: each one probes whether a name or address is taken.
	RegisterLimit = Limit{Name: "register", Max: 10, Window: time.Hour}
	// RegisterNoticeLimit bounds the "someone tried to sign up with your
	// address" mail per email address, so sign-ups cannot flood an inbox.
	RegisterNoticeLimit = Limit{Name: "register-notice", Max: 1, Window: time.Hour}
	// InviteAcceptLimit bounds invitation sign-ups per client address, like
	// RegisterLimit: each probes whether a username is taken.
	InviteAcceptLimit = Limit{Name: "invite-accept", Max: 10, Window: time.Hour}
	// ResetClientLimit bounds password reset requests per client address.
	ResetClientLimit = Limit{Name: "reset-client", Max: 10, Window: time.Hour}
	// ResetEmailLimit bounds reset mail per email address; the links already
	// sent keep working, so the owner is never locked out by others' requests.
	ResetEmailLimit = Limit{Name: "reset-email", Max: 3, Window: time.Hour}
)

// Hit is one request counted against a limit under a key (a client
// address, a lower-cased email address).
type Hit struct {
	Limit Limit
	Key   string
}

func (h Hit) key() string { return h.Limit.Name + " " + h.Key }

// The oldest of the newest Max hits leaves the window first.
const limitRetrySQL = `SELECT coalesce((
	SELECT extract(epoch FROM (min(at) + $2::interval - now()))
	FROM (SELECT at FROM rate_limit_hits WHERE key = $1 AND at > now() - $2::interval ORDER BY at DESC LIMIT $3) a
	HAVING count(*) >= $3), 0)`

const insertHitSQL = `INSERT INTO rate_limit_hits (key, expires_at) VALUES ($1, now() + $2::interval)`

// Take counts one request against each hit's limit, all or nothing: when
// any limit is reached nothing is counted and the error is a
// *ThrottledError. Requests sharing a key queue on an advisory lock, so a
// burst cannot all pass a count made before any of them was recorded.
func (m *ThrottleModel) Take(ctx context.Context, hits ...Hit) error {
	keys := make([]string, len(hits))
	for i, h := range hits {
		keys[i] = h.key()
	}
	var wait float64
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if err := lockKeys(ctx, tx, keys...); err != nil {
			return err
		}
		for _, h := range hits {
			var secs float64
			if err := tx.GetContext(ctx, &secs, limitRetrySQL, h.key(), interval(h.Limit.Window), h.Limit.Max); err != nil {
				return err
			}
			wait = max(wait, secs)
		}
		if wait > 0 {
			return nil
		}
		for _, h := range hits {
			if _, err := tx.ExecContext(ctx, insertHitSQL, h.key(), interval(h.Limit.Window)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("models: rate limit: %w", err)
	}
	if wait > 0 {
		return &ThrottledError{RetryAfter: retryAfter(wait)}
	}
	m.prune(ctx)
	return nil
}

// A bounded batch that skips rows another prune holds: pruning never waits.
const pruneHitsSQL = `DELETE FROM rate_limit_hits WHERE id IN (
	SELECT id FROM rate_limit_hits WHERE expires_at <= now() LIMIT 100 FOR UPDATE SKIP LOCKED)`

// prune removes some expired hits. Each request that is counted removes up
// to a batch, so the table stays near the size of what the windows hold;
// a failure is harmless (expired hits never count) and left to the next.
func (m *ThrottleModel) prune(ctx context.Context) {
	_, _ = m.DB.ExecContext(ctx, pruneHitsSQL)
}
