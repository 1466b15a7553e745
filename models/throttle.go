package models

import (
	"context"
	"fmt"
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

// ThrottleModel counts failed sign-ins.
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

// RetryAfter returns how long sign-in stays refused for this account or
// address; zero means it is allowed.
func (m *ThrottleModel) RetryAfter(ctx context.Context, account, addr string) (time.Duration, error) {
	var secs float64
	err := m.DB.GetContext(ctx, &secs, throttleSQL, account, addr, interval(LoginWindow), MaxLoginFailures)
	if err != nil {
		return 0, fmt.Errorf("models: login throttle: %w", err)
	}
	if secs <= 0 {
		return 0, nil
	}
	return time.Duration(secs*float64(time.Second)).Round(time.Second) + time.Second, nil
}

const failSQL = `INSERT INTO login_failures (account, addr) VALUES ($1, $2)`

const pruneFailuresSQL = `DELETE FROM login_failures WHERE at < now() - $1::interval`

// Fail records a failed sign-in and prunes expired records.
func (m *ThrottleModel) Fail(ctx context.Context, account, addr string) error {
	if _, err := m.DB.ExecContext(ctx, failSQL, account, addr); err != nil {
		return fmt.Errorf("models: record login failure: %w", err)
	}
	if _, err := m.DB.ExecContext(ctx, pruneFailuresSQL, interval(LoginWindow)); err != nil {
		return fmt.Errorf("models: prune login failures: %w", err)
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

// interval renders d as a PostgreSQL interval literal.
func interval(d time.Duration) string { return fmt.Sprintf("%d milliseconds", d.Milliseconds()) }
