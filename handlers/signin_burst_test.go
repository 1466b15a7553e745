package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"quire/models"
)

// burst sends every form to path at the same moment, each from its own
// signed-out client (with its own CSRF token), and counts the statuses.
func burst(t *testing.T, a *testApp, path string, forms []url.Values) map[int]int {
	t.Helper()
	reqs := make([]*http.Request, len(forms))
	clients := make([]*client, len(forms))
	for i, f := range forms {
		c := a.client()
		c.get("/login")
		f.Set("_csrf", c.csrf)
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+path, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		reqs[i], clients[i] = req, c
	}
	var (
		mu       sync.Mutex
		statuses = map[int]int{}
		start    = make(chan struct{})
		wg       sync.WaitGroup
	)
	for i := range reqs {
		wg.Go(func() {
			<-start
			status := -1 // a transport error
			if res, err := clients[i].http.Do(reqs[i]); err == nil {
				status = res.StatusCode
				res.Body.Close()
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return statuses
}

// TestLoginThrottleHoldsUnderBurst sends 31 wrong guesses at once and
// checks that at most MaxLoginFailures were compared: the others were
// refused before their compare, and the right password after them is too.
func TestLoginThrottleHoldsUnderBurst(t *testing.T) {
	t.Parallel()
	const guesses = 31
	cases := []struct {
		name  string
		login func(i int) string
	}{
		{"one account", func(int) string { return "grace" }},
		{"one address, many accounts", func(i int) string { return "someone" + strconv.Itoa(i) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(t) // its own database: the address's count starts at zero
			a.createUser("grace", "author")
			forms := make([]url.Values, guesses)
			for i := range forms {
				forms[i] = url.Values{"login": {tc.login(i)}, "password": {"wrong guess number " + strconv.Itoa(i)}}
			}
			got := burst(t, a, "/login", forms)
			compared := got[http.StatusUnprocessableEntity]
			t.Logf("statuses: %v", got)
			if compared > models.MaxLoginFailures || compared == 0 {
				t.Fatalf("%d of %d guesses were compared (statuses %v), want 1 to %d", compared, guesses, got, models.MaxLoginFailures)
			}
			if got[http.StatusTooManyRequests] != guesses-compared {
				t.Fatalf("statuses %v: every guess past the limit must be refused with 429", got)
			}
			var rows int
			if err := a.db.Get(&rows, "SELECT count(*) FROM login_failures"); err != nil || rows != got[http.StatusUnprocessableEntity] {
				t.Fatalf("login_failures = %d (%v), want one per failed compare (%d)", rows, err, got[http.StatusUnprocessableEntity])
			}
			// The limit holds afterwards: the right password is refused too.
			res := a.client().post("/login", url.Values{"login": {"grace"}, "password": {strongPassword}})
			wantStatus(t, res, http.StatusTooManyRequests)
		})
	}
}
