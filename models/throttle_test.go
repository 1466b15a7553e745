package models_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// parallel runs fn n times at once and counts the calls that returned nil
// and those refused with ErrThrottled; any other error fails the test.
func parallel(t *testing.T, n int, fn func(i int) error) (passed, refused int) {
	t.Helper()
	var ok, no atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			switch err := fn(i); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, models.ErrThrottled):
				no.Add(1)
			default:
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return int(ok.Load()), int(no.Load())
}

// TestReserveUnderBurst: of 40 attempts reserved at once, exactly
// MaxLoginFailures pass, for one account and for one address across many
// accounts; the refused ones record nothing.
func TestReserveUnderBurst(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	th := &models.ThrottleModel{DB: db}
	ctx := context.Background()
	passed, refused := parallel(t, 40, func(int) error { return th.Reserve(ctx, "user:1", "10.0.0.1") })
	if passed != models.MaxLoginFailures || refused != 40-passed {
		t.Fatalf("one account: %d passed, %d refused; want %d passed", passed, refused, models.MaxLoginFailures)
	}
	passed, _ = parallel(t, 40, func(i int) error { return th.Reserve(ctx, "login:x"+strconv.Itoa(i), "10.0.0.2") })
	if passed != models.MaxLoginFailures {
		t.Fatalf("one address: %d passed, want %d", passed, models.MaxLoginFailures)
	}
	if n := countRows(t, db, "SELECT count(*) FROM login_failures"); n != 2*models.MaxLoginFailures {
		t.Fatalf("login_failures = %d, want %d", n, 2*models.MaxLoginFailures)
	}
	err := th.Reserve(ctx, "user:1", "10.0.0.9")
	var te *models.ThrottledError
	if !errors.As(err, &te) || te.RetryAfter < 14*time.Minute || te.RetryAfter > models.LoginWindow+time.Second {
		t.Fatalf("refusal %v, want a Retry-After of about the window", err)
	}
	// A success clears the account, not the address.
	if err := th.Reset(ctx, "user:1"); err != nil {
		t.Fatal(err)
	}
	if err := th.Reserve(ctx, "user:1", "10.0.0.9"); err != nil {
		t.Fatalf("after Reset: %v", err)
	}
}

// TestTakeAllOrNothing: a rate limit holds under a burst, and a request
// refused by one of its limits is counted under none.
func TestTakeAllOrNothing(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	th := &models.ThrottleModel{DB: db}
	ctx := context.Background()
	perClient := models.Limit{Name: "test-client", Max: 7, Window: time.Hour}
	perEmail := models.Limit{Name: "test-email", Max: 2, Window: time.Hour}
	// Keys shared in every order: the locks must not deadlock.
	passed, _ := parallel(t, 30, func(i int) error {
		a, b := models.Hit{Limit: perClient, Key: "10.0.0.1"}, models.Hit{Limit: perEmail, Key: "e" + strconv.Itoa(i%5)}
		if i%2 == 0 {
			return th.Take(ctx, a, b)
		}
		return th.Take(ctx, b, a)
	})
	if passed != perClient.Max {
		t.Fatalf("%d passed, want %d", passed, perClient.Max)
	}
	// e9 is fresh, but the client is spent: e9 must not be counted.
	if err := th.Take(ctx, models.Hit{Limit: perClient, Key: "10.0.0.1"}, models.Hit{Limit: perEmail, Key: "e9"}); !errors.Is(err, models.ErrThrottled) {
		t.Fatalf("spent client: %v", err)
	}
	if n := countRows(t, db, "SELECT count(*) FROM rate_limit_hits WHERE key = 'test-email e9'"); n != 0 {
		t.Fatalf("a refused request was counted under its other key (%d)", n)
	}
	// Expired hits stop counting and are pruned by later requests.
	mustExec(t, db, "UPDATE rate_limit_hits SET at = at - interval '2 hours', expires_at = expires_at - interval '2 hours'")
	if err := th.Take(ctx, models.Hit{Limit: perClient, Key: "10.0.0.1"}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if n := countRows(t, db, "SELECT count(*) FROM rate_limit_hits"); n != 1 {
		t.Fatalf("rate_limit_hits = %d after pruning, want 1", n)
	}
}
