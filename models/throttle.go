package models

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// Login throttling: after MaxLoginFailures failures for one account or one
// client address within LoginWindow, sign-in is refused until the oldest
// failure in the window expires. Kept in PostgreSQL so it holds across replicas.
const (
	MaxLoginFailures = 5
	LoginWindow      = 15 * time.Minute
)

// ErrThrottled means too many attempts; the error is a *ThrottledError
// that says for how long.
var ErrThrottled = errors.New("models: too many attempts")

// ThrottledError is a refusal by a throttle or rate limit.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("models: too many attempts; retry in %s", e.RetryAfter)
}
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// ThrottleModel counts failed sign-ins (and password checks, which are
// guesses too) and requests under rate limits.
type ThrottleModel struct {
	DB *sqlx.DB
}

const throttleSQL = `SELECT coalesce(max(retry), 0) FROM (
	SELECT extract(epoch FROM (min(at) + $3::interval - now())) AS retry
	FROM (SELECT at FROM login_failures WHERE account = $1 AND at > now() - $3::interval ORDER BY at DESC LIMIT $4) a
	HAVING count(*) >= $4
	UNION ALL
	SELECT extract(epoch FROM (min(at) + $3::interval - now()))
	FROM (SELECT at FROM login_failures WHERE addr = $2 AND at > now() - $3::interval ORDER BY at DESC LIMIT $4) b
	HAVING count(*) >= $4
) r`

const failSQL = `INSERT INTO login_failures (account, addr) VALUES ($1, $2)`

// Reserve counts one password attempt against account and addr before the
// password is compared, so that however many arrive at once, at most
// MaxLoginFailures are ever compared in a window. Attempts on one account
// or address queue on advisory locks; each counts the failures (and the
// attempts still comparing) and records its own before the lock is let go.
// The attempt stays counted as a failure until Reset clears the account's
// failures after the right password. When the limit is reached nothing is
// counted and the error is a *ThrottledError.
func (m *ThrottleModel) Reserve(ctx context.Context, account, addr string) error {
	var secs float64
	err := inTx(ctx, m.DB, func(tx *sqlx.Tx) error {
		if err := lockKeys(ctx, tx, "signin account "+account, "signin addr "+addr); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &secs, throttleSQL, account, addr, interval(LoginWindow), MaxLoginFailures); err != nil {
			return err
		}
		if secs > 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, failSQL, account, addr)
		return err
	})
	if err != nil {
		return fmt.Errorf("models: reserve sign-in attempt: %w", err)
	}
	if secs > 0 {
		return &ThrottledError{RetryAfter: retryAfter(secs)}
	}
	return nil
}

const resetFailuresSQL = `DELETE FROM login_failures WHERE account = $1`

// Reset forgets an account's failures after a successful sign-in.
func (m *ThrottleModel) Reset(ctx context.Context, account string) error {
	if _, err := m.DB.ExecContext(ctx, resetFailuresSQL, account); err != nil {
		return fmt.Errorf("models: reset login failures: %w", err)
	}
	return nil
}

// throttleLockSpace is the first key of the advisory locks on throttle and
// rate limit keys ("qthr"); the slug lock and the janitor use others.
const throttleLockSpace = 0x71746872

const lockKeySQL = `SELECT pg_advisory_xact_lock($1, $2)`

// lockKeys takes a transaction-level advisory lock for each key, always in
// the order of their hashes, so two transactions sharing keys queue one
// behind the other and never deadlock.
func lockKeys(ctx context.Context, tx *sqlx.Tx, keys ...string) error {
	hashes := make([]int32, 0, len(keys))
	for _, k := range keys {
		h := fnv.New32a()
		_, _ = h.Write([]byte(k))
		hashes = append(hashes, int32(h.Sum32())) // #nosec G115 -- a hash: wrapping is fine
	}
	slices.Sort(hashes)
	for _, h := range slices.Compact(hashes) {
		if _, err := tx.ExecContext(ctx, lockKeySQL, throttleLockSpace, h); err != nil {
			return fmt.Errorf("lock %d: %w", h, err)
		}
	}
	return nil
}

// retryAfter turns seconds left in a window into a whole Retry-After.
func retryAfter(secs float64) time.Duration {
	if secs <= 0 {
		return 0
	}
	return time.Duration(secs*float64(time.Second)).Round(time.Second) + time.Second
}

// interval renders d as a PostgreSQL interval literal.
func interval(d time.Duration) string { return fmt.Sprintf("%d milliseconds", d.Milliseconds()) }
