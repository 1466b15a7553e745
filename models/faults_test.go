package models_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbhealth"
	"quire/models/dbtest"
)

// TestFault classifies errors the real server raises (each injected with
// its SQLSTATE, the narrowest point at which a full disk shows), and
// connection failures: a full disk is NoSpace, a lost server Lost, a
// timeout Busy, and an ordinary error no fault at all.
func TestFault(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	raise := func(code string) error {
		_, err := db.Exec(fmt.Sprintf(`DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '%s'; END $$`, code))
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, deadline := db.ExecContext(ctx, `SELECT pg_sleep(0.3)`)
	tx := db.MustBegin()
	tx.MustExec(`SET LOCAL statement_timeout = 10`)
	_, timeout := tx.Exec(`SELECT pg_sleep(5)`)
	_ = tx.Rollback()
	// The backend whose socket the deadline cut finishes its sleep, then
	// goes: the test's database is dropped only when nobody is in it.
	t.Cleanup(func() {
		for range 100 {
			var n int
			if err := db.Get(&n, `SELECT count(*) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'`); err != nil || n == 0 {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	_, refused := net.Dial("unix", t.TempDir()+"/.s.PGSQL.5432")
	for _, c := range []struct {
		name string
		err  error
		want dbhealth.Fault
	}{
		{"disk_full", raise("53100"), dbhealth.NoSpace},
		{"disk_full wrapped", fmt.Errorf("models: save: %w", raise("53100")), dbhealth.NoSpace},
		{"out_of_memory", raise("53200"), dbhealth.Busy},
		{"admin_shutdown", raise("57P01"), dbhealth.Lost},
		{"crash_shutdown", raise("57P02"), dbhealth.Recovering},
		{"cannot_connect_now", raise("57P03"), dbhealth.Recovering},
		{"connection_failure", raise("08006"), dbhealth.Lost},
		{"statement timeout", timeout, dbhealth.Busy},
		{"request deadline", deadline, dbhealth.Busy},
		{"socket gone", refused, dbhealth.Lost},
		{"unique_violation", raise("23505"), dbhealth.NoFault},
		{"not found", models.ErrNotFound, dbhealth.NoFault},
		{"a missing file", errors.New("open media/x.png: no such file or directory"), dbhealth.NoFault},
		{"none", nil, dbhealth.NoFault},
	} {
		if got := models.Fault(c.err); got != c.want {
			t.Errorf("%s (%v): %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
