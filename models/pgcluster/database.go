package pgcluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// connectTimeout bounds the wait for a joined server that is still starting
// up or recovering from a crash.
const connectTimeout = 30 * time.Second

// dsn builds a lib/pq key=value connection string for the cluster's socket.
func dsn(socketDir, database string) string {
	return "host=" + dsnQuote(socketDir) + " port=" + port + " user=" + superuser +
		" dbname=" + dsnQuote(database) + " sslmode=disable"
}

func dsnQuote(v string) string {
	if v != "" && !strings.ContainsAny(v, ` '\`) {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(v) + "'"
}

// ensureDatabase creates the application's database unless it exists.
func (c *Cluster) ensureDatabase(ctx context.Context) error {
	conn, err := pq.NewConnector(dsn(c.runDir, "postgres"))
	if err != nil {
		return err
	}
	db := sql.OpenDB(conn)
	defer db.Close()

	if err := waitReady(ctx, db); err != nil {
		return err
	}
	var one int
	err = db.QueryRowContext(ctx, "SELECT 1 FROM pg_database WHERE datname = $1", c.database).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(c.database))
	if pqErr := (*pq.Error)(nil); errors.As(err, &pqErr) && pqErr.Code == "42P04" {
		return nil // created meanwhile by someone else
	}
	return err
}

// waitReady pings until the server accepts connections. Anything but a
// connection failure or "starting up" (57P03) is final.
func waitReady(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		if pqErr := (*pq.Error)(nil); errors.As(err, &pqErr) && pqErr.Code != "57P03" {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server not accepting connections: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
