package models

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
)

var _ scs.CtxStore = (*SessionStore)(nil)

// SessionStore is scs's PostgreSQL session store with the request's
// context passed down (scs's CtxStore). The plain store queries without a
// context, so on a database that has stopped answering a signed-in request
// would wait past its deadline, holding a pooled connection; with the
// context it answers 503 in time. The statements are postgresstore's own;
// it still runs the clean-up of expired sessions.
type SessionStore struct {
	*postgresstore.PostgresStore
	db *sql.DB
}

// NewSessionStore keeps sessions in the sessions table and removes expired
// ones every cleanupInterval (0: never).
func NewSessionStore(db *sql.DB, cleanupInterval time.Duration) *SessionStore {
	return &SessionStore{PostgresStore: postgresstore.NewWithCleanupInterval(db, cleanupInterval), db: db}
}

const findSessionSQL = `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`

// FindCtx returns a live session's data; found is false for a missing or
// expired one.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = s.db.QueryRowContext(ctx, findSessionSQL, token).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

const commitSessionSQL = `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`

// CommitCtx saves a session's data and expiry.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db.ExecContext(ctx, commitSessionSQL, token, b, expiry)
	return err
}

const deleteSessionSQL = `DELETE FROM sessions WHERE token = $1`

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, deleteSessionSQL, token)
	return err
}
