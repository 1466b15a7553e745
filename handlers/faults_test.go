package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"quire/assets"
	"quire/models"
	"quire/models/dbhealth"
	"quire/models/dbtest"
	"quire/models/pgcluster"
)

// Faults: the database stopping, the network to it going silent, uploads
// cut off or refused by the database, and many editors saving one post at
// once. The app is wired as `quire serve` wires it, on models.Open's
// connection settings.

// newAppOn is newApp on the database at dsn (opened with models.Open) with
// the given request deadline (0: the default). It tracks the server's
// connections so a test can wait until every request has been handled.
func newAppOn(t *testing.T, dsn string, timeout time.Duration) (*testApp, *connStates) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := models.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	states := &connStates{m: map[net.Conn]http.ConnState{}}
	return startApp(t, db, appOptions{timeout: timeout, connState: states.track}), states
}

// connStates follows the test server's connections.
type connStates struct {
	mu     sync.Mutex
	m      map[net.Conn]http.ConnState
	closed int // connections ended so far
}

func (s *connStates) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(s.m, c)
		s.closed++
		return
	}
	s.m[c] = st
}

func (s *connStates) closedCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// waitClosed waits until n connections have ended and no other has a
// request in progress: the server is done with everything sent so far.
func (s *connStates) waitClosed(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		s.mu.Lock()
		done := s.closed >= n
		for _, st := range s.m {
			if st == http.StateActive || st == http.StateNew {
				done = false
			}
		}
		s.mu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server is still handling requests after 10 s")
}

// target is one address the load hits, with the status it must answer
// while the database is unreachable.
type target struct {
	name, path string
	signedIn   bool
	whenDown   int
}

// hit is one finished request of the load.
type hit struct {
	target     string
	status     int // 0: the request failed
	err        error
	errorPage  bool   // the body is the 503 error page
	restarting bool   // saying the database is restarting
	short      string // a body of a line or two (the health checks')
	retryAfter string
	start, end time.Time
}

func (h hit) String() string {
	return fmt.Sprintf("%s at %s: status %d in %v (err %v)", h.target, h.start.Format("15:04:05.000"), h.status,
		h.end.Sub(h.start).Round(time.Millisecond), h.err)
}

// load requests each target from its own goroutine, in a bounded loop,
// until halted (at the latest when the test ends).
type load struct {
	mu   sync.Mutex
	hits []hit
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func startLoad(t *testing.T, base, session string, targets []target) *load {
	l := &load{stop: make(chan struct{})}
	t.Cleanup(func() { l.halt() })
	hc := &http.Client{
		Timeout:       10 * time.Second, // far beyond any bound asserted: a hang shows as a slow hit
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for _, tg := range targets {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for range 5000 {
				select {
				case <-l.stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				req, _ := http.NewRequest(http.MethodGet, base+tg.path, nil)
				if tg.signedIn {
					req.AddCookie(&http.Cookie{Name: "quire_session", Value: session})
				}
				h := hit{target: tg.name, start: time.Now()}
				res, err := hc.Do(req)
				if err == nil {
					body, rerr := io.ReadAll(res.Body)
					res.Body.Close()
					h.status, h.err = res.StatusCode, rerr
					h.errorPage = bytes.Contains(body, []byte(`data-status="503"`))
					h.restarting = bytes.Contains(body, []byte("The database is restarting; try again in a few seconds."))
					if len(body) < 200 {
						h.short = string(body)
					}
					h.retryAfter = res.Header.Get("Retry-After")
				} else {
					h.err = err
				}
				h.end = time.Now()
				l.mu.Lock()
				l.hits = append(l.hits, h)
				l.mu.Unlock()
			}
		}()
	}
	return l
}

// between returns the hits that started at or after from and ended before
// to (zero: no end).
func (l *load) between(from, to time.Time) []hit {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []hit
	for _, h := range l.hits {
		if !h.start.Before(from) && (to.IsZero() || h.end.Before(to)) {
			out = append(out, h)
		}
	}
	return out
}

func (l *load) halt() []hit {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
	return l.between(time.Time{}, time.Time{})
}

// waitRecovered waits until every target has answered 200 for a whole
// second and returns when the last failure started after from ended (from
// itself when there was none); that must be within limit.
func (l *load) waitRecovered(t *testing.T, targets []target, from time.Time, limit time.Duration) time.Time {
	t.Helper()
	for {
		time.Sleep(100 * time.Millisecond)
		lastBad := from
		for _, h := range l.between(from, time.Time{}) {
			if h.status != http.StatusOK && h.end.After(lastBad) {
				lastBad = h.end
			}
		}
		seen := map[string]bool{}
		for _, h := range l.between(lastBad, time.Time{}) {
			seen[h.target] = true
		}
		if time.Since(lastBad) > time.Second && len(seen) == len(targets) {
			if lastBad.Sub(from) > limit {
				t.Errorf("requests failed until %v after the database was back, want at most %v", lastBad.Sub(from), limit)
			}
			return lastBad
		}
		if time.Since(from) > limit+2*time.Second {
			t.Fatalf("requests still failing %v after the database was back", time.Since(from).Round(time.Millisecond))
		}
	}
}

// readerTargets: reader pages, a signed-in page and the health checks,
// which must answer even when the database cannot.
func readerTargets(slug string) []target {
	return []target{
		{"home", "/", false, http.StatusServiceUnavailable},
		{"post", "/posts/" + slug, false, http.StatusServiceUnavailable},
		{"profile (signed in)", "/settings/profile", true, http.StatusServiceUnavailable},
		{"readyz", "/readyz", false, http.StatusServiceUnavailable},
		{"healthz", "/healthz", false, http.StatusOK},
		{"asset", assets.Path("img/avatar.svg"), false, http.StatusOK},
	}
}

// seedReader makes an author with a published post and returns its slug
// and a signed-in session of the author's.
func seedReader(t *testing.T, a *testApp) (slug, session string) {
	t.Helper()
	author := a.createUser("author", "author")
	p := a.newPost(author, "Still here", true)
	c := a.client()
	c.login("author", strongPassword)
	return p.Slug, c.cookie("quire_session")
}

// checkHits asserts the common rules of a fault: every answer arrives
// within bound and is the target's normal 200 or its status for an
// unreachable database, never a 500 or a dropped connection.
func checkHits(t *testing.T, hits []hit, targets []target, bound time.Duration) {
	t.Helper()
	down := map[string]int{}
	for _, tg := range targets {
		down[tg.name] = tg.whenDown
	}
	for _, h := range hits {
		if d := h.end.Sub(h.start); d > bound || h.err != nil || (h.status != http.StatusOK && h.status != down[h.target]) {
			t.Errorf("%v; want 200 or %d within %v", h, down[h.target], bound)
		}
	}
}

// checkDown asserts the answers while the database is unreachable: each
// target's status for that, pages as the error page with Retry-After.
func checkDown(t *testing.T, hits []hit, targets []target) {
	t.Helper()
	n := map[string]int{}
	for _, h := range hits {
		n[h.target]++
		for _, tg := range targets {
			if tg.name != h.target {
				continue
			}
			if h.status != tg.whenDown {
				t.Errorf("database unreachable: %v, want %d", h, tg.whenDown)
			}
			if h.status == http.StatusServiceUnavailable && tg.name != "readyz" && (!h.errorPage || h.retryAfter == "") {
				t.Errorf("database unreachable: %v: not the error page with Retry-After", h)
			}
		}
	}
	for _, tg := range targets {
		if n[tg.name] == 0 {
			t.Errorf("no request to %s while the database was unreachable", tg.name)
		}
	}
}

// slowest returns the longest of the hits with status, and their number.
func slowest(hits []hit, status int) (d time.Duration, n int) {
	for _, h := range hits {
		if h.status == status {
			n++
			d = max(d, h.end.Sub(h.start))
		}
	}
	return d, n
}

// shortDir is a data directory for a cluster: short (the socket lives
// inside) and reachable by the postgres account when the tests run as root.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "qf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// lineLog keeps every line the application logs, for counting.
type lineLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// mark is where the log ends now, for since.
func (l *lineLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Len()
}

// lines returns the lines that contain want and none of skip.
func (l *lineLog) lines(want string, skip ...string) []string { return l.since(0, want, skip...) }

// since is lines, from mark on.
func (l *lineLog) since(mark int, want string, skip ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
next:
	for line := range strings.SplitSeq(l.buf.String()[mark:], "\n") {
		if line == "" || !strings.Contains(line, want) {
			continue
		}
		for _, s := range skip {
			if strings.Contains(line, s) {
				continue next
			}
		}
		out = append(out, line)
	}
	return out
}

// TestFaultDatabaseKilled SIGKILLs a PostgreSQL backend, then the
// postmaster itself, under load, as the OOM killer would, with the app wired
// as `quire serve` wires it (supervisor, probe, one health value). With no
// human, every page answers 200 again within 5 s: after a backend's death
// PostgreSQL resets itself, after the postmaster's the supervisor restarts
// it. Meanwhile pages answer 503 saying the database is restarting with a
// Retry-After that fits, /readyz says not ready, /healthz stays 200, and
// the log holds one line per change of state, none per request.
func TestFaultDatabaseKilled(t *testing.T) {
	// Not parallel: it times answers against deadlines.
	dir := shortDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cluster, err := pgcluster.Open(ctx, pgcluster.Options{
		DataDir: dir, Database: "quire", Logger: slog.New(slog.DiscardHandler),
		ExtraSettings: map[string]string{"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Close(context.Background()) })
	migrate(t, cluster.DSN())
	logs := &lineLog{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	health := dbhealth.New(log)
	cluster.Supervise(health, pgcluster.SuperviseOptions{})
	db, err := models.Open(ctx, cluster.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := startApp(t, db, appOptions{health: health, logger: log})
	pctx, stopProbe := context.WithCancel(context.Background())
	t.Cleanup(stopProbe)
	go (&models.Presence{DB: db, Health: health}).Run(pctx)

	slug, session := seedReader(t, a)
	targets := readerTargets(slug)
	l := startLoad(t, a.srv.URL, session, targets)
	time.Sleep(700 * time.Millisecond)

	postmaster := func() int {
		pidText, err := os.ReadFile(filepath.Join(dir, "pg", "postmaster.pid"))
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(string(pidText), "\n")
		pid, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	backend := func() int {
		var pid int
		if err := db.Get(&pid, `SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'
			AND datname = current_database() AND pid <> pg_backend_pid() ORDER BY backend_start LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		return pid
	}
	for _, victim := range []struct {
		name string
		pid  func() int
	}{{"a backend", backend}, {"the postmaster", postmaster}} {
		mark := logs.mark()
		if err := syscall.Kill(victim.pid(), syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed := time.Now()
		lastBad := l.waitRecovered(t, targets, killed, 5*time.Second)
		var pages, restarting, readyz int
		hits := l.between(killed, lastBad)
		// When the first answer saying the database restarts was sent, the
		// server knew: a 503 page that started after that must say so too.
		// (One that started earlier may have begun before the server knew.)
		told := lastBad
		for _, h := range hits {
			if h.restarting && h.end.Before(told) {
				told = h.end
			}
		}
		for _, h := range hits {
			switch {
			case h.status != http.StatusServiceUnavailable:
			case h.target == "readyz":
				readyz++
				if !strings.Contains(h.short, "not ready") {
					t.Errorf("%s killed: /readyz said %q", victim.name, h.short)
				}
			default:
				pages++
				if h.restarting {
					restarting++
				} else if h.start.After(told) {
					t.Errorf("%s killed: a page started %v after the kill, when the database was known to restart, did not say so",
						victim.name, h.start.Sub(killed).Round(time.Millisecond))
				}
				if ra, err := strconv.Atoi(h.retryAfter); !h.errorPage || err != nil || ra < 1 || ra > 6 {
					t.Errorf("%s killed: %v: error page %v, Retry-After %q, want 1 to 6 s", victim.name, h, h.errorPage, h.retryAfter)
				}
			}
		}
		// Requests already in flight at the kill may fail before anything
		// has said what happened (checked above); most must say it.
		if pages == 0 || restarting == 0 || readyz == 0 {
			t.Errorf("%s killed: %d pages of 503, %d of them saying the database restarts; %d 503s of /readyz",
				victim.name, pages, restarting, readyz)
		}
		time.Sleep(2500 * time.Millisecond) // past every hold: what the outage logs is logged
		noise := logs.since(mark, "", "msg=request ")
		if len(logs.since(mark, "database: restarting")) != 1 || len(logs.since(mark, "database: available again")) != 1 || len(noise) > 4 {
			t.Errorf("%s killed: want one line when the database went down and one when it came back, nothing per request; got:\n%s",
				victim.name, strings.Join(noise, "\n"))
		}
		t.Logf("%s killed: pages answered again %v after; meanwhile %d pages of 503 (%d saying the database restarts), %d log lines besides the access log",
			victim.name, lastBad.Sub(killed).Round(time.Millisecond), pages, restarting, len(noise))
	}
	checkHits(t, l.halt(), targets, 2*time.Second)
}

// TestFaultDatabaseStops stops PostgreSQL under load and starts it again:
// while it is down every page answers 503 promptly (no hangs, no 500s),
// /readyz says not ready, /healthz and assets stay up; within 5 s of its
// return everything answers 200 again.
func TestFaultDatabaseStops(t *testing.T) {
	// Not parallel: it times answers against deadlines, and the package's
	// other tests (a browser among them) would stretch them on a small machine.
	dir, err := os.MkdirTemp("", "qf") // short: the socket lives inside
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // reachable by the postgres account when root
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := pgcluster.Options{
		DataDir: dir, Database: "quire", Logger: slog.New(slog.DiscardHandler),
		ExtraSettings: map[string]string{"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"},
	}
	cluster, err := pgcluster.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cluster != nil { // the restarted one
			_ = cluster.Close(context.Background())
		}
	})
	migrate(t, cluster.DSN())

	a, _ := newAppOn(t, cluster.DSN(), 0)
	slug, session := seedReader(t, a)
	targets := readerTargets(slug)
	l := startLoad(t, a.srv.URL, session, targets)
	time.Sleep(700 * time.Millisecond)

	stopping := time.Now()
	if err := cluster.Close(ctx); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	time.Sleep(1500 * time.Millisecond)
	starting := time.Now()
	if cluster, err = pgcluster.Open(ctx, opts); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	lastBad := l.waitRecovered(t, targets, up, 5*time.Second)
	hits := l.halt()

	checkHits(t, hits, targets, 2*time.Second)
	checkDown(t, l.between(down, starting), targets)
	before := l.between(time.Time{}, stopping)
	if len(before) == 0 {
		t.Error("no requests before the stop")
	}
	for _, h := range before {
		if h.status != http.StatusOK {
			t.Errorf("before the stop: %v", h)
		}
	}
	slowDown, nDown := slowest(l.between(down, starting), http.StatusServiceUnavailable)
	t.Logf("stop took %v, restart %v; while down %d answers of 503, slowest %v; recovered %v after restart",
		down.Sub(stopping).Round(time.Millisecond), up.Sub(starting).Round(time.Millisecond), nDown,
		slowDown.Round(time.Millisecond), lastBad.Sub(up).Round(time.Millisecond))
}

// TestFaultNetworkPartition cuts the app off from PostgreSQL under load,
// first silently (connections stay open, no byte arrives), then with every
// connection refused: pages answer 503 within the request deadline (at
// once when refused), /healthz and assets keep answering, and once the
// network returns the connections caught in the partition do not hold the
// pool: everything answers 200 again.
func TestFaultNetworkPartition(t *testing.T) {
	// Not parallel: it times answers against deadlines, and the package's
	// other tests (a browser among them) would stretch them on a small machine.
	proxy, dsn := startFaultProxy(t, dbtest.URL(t))
	const deadline = 2 * time.Second
	a, _ := newAppOn(t, dsn, deadline)
	// However the test ends, unblock anything still waiting on the proxy
	// before the server waits for its requests.
	t.Cleanup(func() { proxy.set(proxyRefuse) })
	slug, session := seedReader(t, a)
	targets := readerTargets(slug)
	l := startLoad(t, a.srv.URL, session, targets)
	time.Sleep(700 * time.Millisecond)

	silent := time.Now()
	proxy.set(proxySilent)
	// Two request deadlines and more: requests on pooled connections and
	// on new ones made during the partition.
	time.Sleep(2*deadline + time.Second)
	refused := time.Now()
	proxy.set(proxyRefuse)
	time.Sleep(time.Second)
	resumed := time.Now()
	proxy.set(proxyPass)
	lastBad := l.waitRecovered(t, targets, resumed, 15*time.Second)
	hits := l.halt()

	checkHits(t, hits, targets, deadline+time.Second)
	// Requests that started once the partition had begun.
	during := l.between(silent.Add(50*time.Millisecond), refused)
	checkDown(t, during, targets)
	slow, n := slowest(during, http.StatusServiceUnavailable)
	fast, nOK := slowest(l.between(silent, resumed), http.StatusOK)
	if fast > time.Second {
		t.Errorf("/healthz or an asset took %v during the partition", fast)
	}
	duringRefused := l.between(refused.Add(50*time.Millisecond), resumed)
	checkDown(t, duringRefused, targets)
	slowRefused, nRefused := slowest(duringRefused, http.StatusServiceUnavailable)
	if slowRefused > time.Second {
		t.Errorf("a refused connection took %v to become a 503", slowRefused)
	}
	t.Logf("silent: %d answers of 503, slowest %v (deadline %v); refused: %d of 503, slowest %v; "+
		"health and assets: %d of 200, slowest %v; recovered %v after the network returned",
		n, slow.Round(time.Millisecond), deadline, nRefused, slowRefused.Round(time.Millisecond),
		nOK, fast.Round(time.Millisecond), lastBad.Sub(resumed).Round(time.Millisecond))
}

func migrate(t *testing.T, dsn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := models.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := models.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// TestLostUpdates has 50 sessions save one published post at once, all
// from the same version: exactly one save wins and the others get 409 with
// the newer version; then each loser saves again from the version its 409
// gave it until it succeeds. Every accepted text must survive, as the
// final text or in the revision history.
func TestLostUpdates(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	author := a.createUser("author", "author")
	p := a.newPost(author, "Contended", true)
	const n = 50
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = a.client()
		clients[i].login("author", strongPassword)
	}
	id := strconv.FormatInt(p.ID, 10)
	text := func(i int) string { return fmt.Sprintf("Text of editor %d.", i) }
	type result struct {
		status  int
		version string // from a 409's form
		err     error
	}
	save := func(c *client, i int, version string) result {
		form := url.Values{"_csrf": {c.csrf}, "title": {"Contended"}, "body": {text(i)}, "tags": {"testing"}, "version": {version}}
		req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/posts/"+id, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.http.Do(req)
		if err != nil {
			return result{err: err}
		}
		defer res.Body.Close()
		r := result{status: res.StatusCode}
		if res.StatusCode == http.StatusConflict {
			doc, err := goquery.NewDocumentFromReader(res.Body)
			if err != nil {
				return result{err: err}
			}
			r.version, _ = doc.Find(`input[name="version"]`).Attr("value")
		}
		return r
	}

	// Round one: everyone from the same version at the same moment.
	start := make(chan struct{})
	results := make([]result, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = save(c, i, strconv.Itoa(p.Version))
		}()
	}
	close(start)
	wg.Wait()
	var accepted []string
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Fatalf("editor %d: %v", i, r.err)
		case r.status == http.StatusSeeOther:
			accepted = append(accepted, text(i))
		case r.status != http.StatusConflict:
			t.Fatalf("editor %d: status %d, want 303 or 409", i, r.status)
		}
	}
	if len(accepted) != 1 {
		t.Fatalf("%d saves from version %d were accepted, want exactly 1", len(accepted), p.Version)
	}
	if got := a.postByID(p.ID).Body; got != accepted[0] {
		t.Fatalf("stored body %q, but the accepted save was %q", got, accepted[0])
	}

	// Round two: the losers retry from the version their 409 showed them.
	var mu sync.Mutex
	var attempts atomic.Int64
	errs := make(chan error, n)
	for i, c := range clients {
		if results[i].status != http.StatusConflict {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			version := results[i].version
			for attempt := 1; attempt <= 200; attempt++ {
				attempts.Add(1)
				r := save(c, i, version)
				switch {
				case r.err != nil:
					errs <- fmt.Errorf("editor %d: %w", i, r.err)
					return
				case r.status == http.StatusSeeOther:
					mu.Lock()
					accepted = append(accepted, text(i))
					mu.Unlock()
					return
				case r.status != http.StatusConflict || r.version == "":
					errs <- fmt.Errorf("editor %d: status %d (version %q)", i, r.status, r.version)
					return
				}
				version = r.version
			}
			errs <- fmt.Errorf("editor %d: still conflicting after 200 attempts", i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(accepted) != n {
		t.Fatalf("%d saves accepted in all, want %d", len(accepted), n)
	}
	t.Logf("round two: %d saves for %d editors", attempts.Load(), n-1)

	// Nothing lost: the revisions hold the starting text and every accepted
	// text but the last, which is the post's.
	final := a.postByID(p.ID)
	var revs []string
	if err := a.db.Select(&revs, `SELECT body FROM post_revisions WHERE post_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	kept := append(revs, final.Body)
	want := append([]string{p.Body}, accepted...)
	slices.Sort(kept)
	slices.Sort(want)
	if !slices.Equal(kept, want) {
		t.Fatalf("texts kept (revisions and final) differ from those accepted:\nkept %q\nwant %q", kept, want)
	}
	// One save per version: each replaced a different version's text.
	var versions []int
	if err := a.db.Select(&versions, `SELECT version FROM post_revisions WHERE post_id = $1 ORDER BY version`, p.ID); err != nil {
		t.Fatal(err)
	}
	for i, v := range versions {
		if v != p.Version+i {
			t.Fatalf("revision versions %v, want %d to %d once each", versions, p.Version, p.Version+n-1)
		}
	}
	if final.Version != p.Version+n {
		t.Errorf("version %d after %d saves from %d", final.Version, n, p.Version)
	}
}

// testImage is a PNG wide enough that an upload also stores srcset copies.
func testImage(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1000, 600))
	for i := 0; i < len(img.Pix); i += 4 {
		x, y := i/4%1000, i/4/1000
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x+seed), uint8(y), uint8(x^y), 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadBody is a multipart form of POST /media.
func uploadBody(t *testing.T, img []byte) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("alt", "a test card")
	fw, err := w.CreateFormFile("file", "card.png")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(img)
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// mediaFiles lists the media folder, temporary files included.
func (a *testApp) mediaFiles() []string {
	a.t.Helper()
	entries, err := os.ReadDir(a.media)
	if err != nil && !os.IsNotExist(err) {
		a.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func (a *testApp) mediaRows() int {
	a.t.Helper()
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM media`); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// upload posts an image to /media in one go.
func (c *client) upload(img []byte) *response {
	c.a.t.Helper()
	body, ctype := uploadBody(c.a.t, img)
	req, _ := http.NewRequest(http.MethodPost, c.a.srv.URL+"/media", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-CSRF-Token", c.csrf)
	return c.do(req)
}

// TestUploadCutOff cuts an upload short at several points: nothing is
// stored, neither a file (temporary or not) nor a row. A client that drops
// the connection hears nothing; one whose body ends early (a chunked body
// cut short, as a proxy might) is told the upload did not arrive complete
// (a 400, which htmx does not swap: the editor keeps its text).
// The same request complete is then stored.
func TestUploadCutOff(t *testing.T) {
	t.Parallel()
	a, conns := newAppOn(t, dbtest.URL(t), 0)
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	img := testImage(t, 1)
	body, ctype := uploadBody(t, img)
	addr := strings.TrimPrefix(a.srv.URL, "http://")
	head := func(framing string) string {
		return fmt.Sprintf("POST /media HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n%s\r\n"+
			"X-CSRF-Token: %s\r\nCookie: quire_session=%s; quire_csrf=%s\r\n\r\n",
			addr, ctype, framing, c.csrf, c.cookie("quire_session"), c.cookie("quire_csrf"))
	}
	fileAt := bytes.Index(body, img)

	for _, cut := range []struct {
		name    string
		at      int
		chunked bool // the body ends early but the connection stays
	}{
		{"connection closed after the headers", 0, false},
		{"connection closed half way through the file", fileAt + len(img)/2, false},
		{"connection closed before the closing boundary", len(body) - 8, false},
		{"empty body", 0, true},
		{"body ends in the form fields", fileAt / 2, true},
		{"body ends half way through the file", fileAt + len(img)/2, true},
		{"body ends before the closing boundary", len(body) - 8, true},
	} {
		closed := conns.closedCount()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		if cut.chunked {
			fmt.Fprintf(conn, "%s", head("Transfer-Encoding: chunked"))
			if cut.at > 0 {
				fmt.Fprintf(conn, "%x\r\n%s\r\n", cut.at, body[:cut.at])
			}
			io.WriteString(conn, "0\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("%s: %v", cut.name, err)
			}
			reply, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusBadRequest || !bytes.Contains(reply, []byte("did not arrive complete")) {
				t.Errorf("%s: status %d, want 400 saying the upload was incomplete", cut.name, res.StatusCode)
			}
		} else {
			fmt.Fprintf(conn, "%s%s", head(fmt.Sprintf("Content-Length: %d", len(body))), body[:cut.at])
			time.Sleep(50 * time.Millisecond) // the handler is reading the body
		}
		conn.Close()
		conns.waitClosed(t, closed+1)
		if files := a.mediaFiles(); len(files) > 0 {
			t.Errorf("%s: files left in the media folder: %v", cut.name, files)
		}
		if n := a.mediaRows(); n > 0 {
			t.Errorf("%s: %d media rows", cut.name, n)
		}
	}

	// The same request, complete, is stored: the cut-offs above failed
	// because they were cut off.
	res := c.upload(img)
	wantStatus(t, res, http.StatusOK)
	if files := a.mediaFiles(); len(files) != 3 || a.mediaRows() != 1 {
		t.Fatalf("complete upload stored files %v and %d rows, want the image, 2 copies and 1 row", files, a.mediaRows())
	}
}

// TestUploadInsertFails makes the database refuse the media row after the
// files are written: the upload fails and its files are removed again, so
// nothing is orphaned. With the database willing, the same upload is stored.
func TestUploadInsertFails(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	a.db.MustExec(`CREATE FUNCTION refuse_media() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'media insert refused by the test'; END $$`)
	a.db.MustExec(`CREATE TRIGGER refuse_media BEFORE INSERT ON media FOR EACH ROW EXECUTE FUNCTION refuse_media()`)

	img := testImage(t, 2)
	res := c.upload(img)
	if res.StatusCode < 500 {
		t.Fatalf("upload with the insert refused: status %d, want a server error", res.StatusCode)
	}
	if files := a.mediaFiles(); len(files) > 0 {
		t.Errorf("files orphaned by the failed insert: %v", files)
	}
	if n := a.mediaRows(); n > 0 {
		t.Errorf("%d media rows", n)
	}

	a.db.MustExec(`DROP TRIGGER refuse_media ON media`)
	res = c.upload(img)
	wantStatus(t, res, http.StatusOK)
	if files := a.mediaFiles(); len(files) != 3 || a.mediaRows() != 1 {
		t.Fatalf("upload stored files %v and %d rows, want the image, 2 copies and 1 row", files, a.mediaRows())
	}
}

// TestFaultDiskFull has the database refuse writes as a full disk does
// (a trigger raises PostgreSQL's own message with SQLSTATE 53100, the
// narrowest point at which a full disk reaches the app): every save answers
// 503 saying the disk is full with a Retry-After of a minute, /readyz says
// so, /healthz stays 200 (restarting Quire would not help), reader pages
// still load, and the log says it once, not per request.
func TestFaultDiskFull(t *testing.T) {
	t.Parallel()
	logs := &lineLog{}
	a := startApp(t, dbtest.New(t), appOptions{logger: slog.New(slog.NewTextHandler(logs, nil))})
	author := a.createUser("author", "author")
	p := a.newPost(author, "Written before the disk filled", true)
	c := a.client()
	c.login("author", strongPassword)
	a.db.MustExec(`CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
		RAISE EXCEPTION 'could not extend file "base/16384/16402": No space left on device'
			USING ERRCODE = 'disk_full', HINT = 'Check free disk space.'; END $$`)
	a.db.MustExec(`CREATE TRIGGER disk_full BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION disk_full()`)

	id := strconv.FormatInt(p.ID, 10)
	for i := range 10 {
		res := c.post("/posts/"+id, url.Values{"title": {"Edited"}, "body": {fmt.Sprint("Edit ", i)},
			"tags": {"testing"}, "version": {strconv.Itoa(p.Version)}})
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.body, "its disk is full") ||
			res.Header.Get("Retry-After") != "60" {
			t.Fatalf("save %d on a full disk: status %d, Retry-After %q:\n%.500s", i, res.StatusCode,
				res.Header.Get("Retry-After"), res.body)
		}
	}
	if res := c.get("/readyz"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.body, "disk is full") {
		t.Errorf("/readyz on a full disk: %d %q", res.StatusCode, res.body)
	}
	if res := c.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz on a full disk: %d %q", res.StatusCode, res.body)
	}
	if res := a.client().get("/posts/" + p.Slug); res.StatusCode != http.StatusOK {
		t.Errorf("a reader's page on a full disk: %d", res.StatusCode)
	}
	if n := len(logs.lines("database: disk full")); n != 1 {
		t.Errorf("the full disk was logged %d times, want once", n)
	}
	if lines := logs.lines("level=ERROR"); len(lines) > 0 {
		t.Errorf("errors logged per request:\n%s", strings.Join(lines, "\n"))
	}
}
