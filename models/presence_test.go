package models_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbhealth"
	"quire/models/dbtest"
)

// TestPresenceLocksOutRollbacks: while a Presence runs (as in `quire
// serve`), LockOutServers fails with ErrServing and says how many serve;
// once it stops, LockOutServers succeeds and holds new servers off until
// released. The probe keeps the health up throughout.
func TestPresenceLocksOutRollbacks(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	health := dbhealth.New(slog.New(slog.DiscardHandler))
	serving := func() (stop func()) {
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			(&models.Presence{DB: db, Health: health, Every: 20 * time.Millisecond}).Run(pctx)
		}()
		return func() { cancel(); <-done }
	}
	lockOut := func() (func(), error) { return models.LockOutServers(ctx, db) }
	waitFor := func(want error) func() {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; {
			release, err := lockOut()
			if errors.Is(err, want) || (want == nil && err == nil) {
				return release
			}
			if err == nil {
				release()
			}
			if time.Now().After(deadline) {
				t.Fatalf("LockOutServers: %v, want %v", err, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	stopA, stopB := serving(), serving()
	waitFor(models.ErrServing)
	for deadline := time.Now().Add(5 * time.Second); ; {
		_, err := lockOut()
		if strings.Contains(err.Error(), "(2 processes)") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("LockOutServers: %v, want it to count 2 processes", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopA()
	stopB()
	release := waitFor(nil)
	// A server starting now probes, but cannot show itself until release.
	stop := serving()
	time.Sleep(100 * time.Millisecond)
	if _, err := lockOut(); errors.Is(err, models.ErrServing) || !strings.Contains(err.Error(), "migrate down") {
		t.Fatalf("with a rollback holding the lock, a second one: %v", err)
	}
	release()
	waitFor(models.ErrServing)
	stop()
	if st := health.Status(); st.State != dbhealth.Up {
		t.Errorf("health %v with the database answering", st)
	}
}
