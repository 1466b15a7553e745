package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"quire/models"
)

// caseResult is one case's measurements.
type caseResult struct {
	Case    benchCase
	Path    string
	Skipped string // why the case could not run ("" when it ran)
	Failed  string // why a run that started did not give figures
	Notes   []string

	Wrk     *wrkResult
	Limit   *wrkResult    // nginx serving the same bytes (limit.go)
	PeakRSS int64         // bytes
	CPU     time.Duration // the server's CPU time during the measured run

	Ceiling     *pgbenchResult
	CeilingNote string
	// SQLCheck compares the ceiling script with the statements PostgreSQL
	// logged for one request: "same", or how they differ ("" = not run).
	SQLCheck string
	Script   string // the pgbench script
	Commands []string
}

// CPUPerRequest is the server's CPU time per request: unlike requests per
// second, it hardly moves when other work shares the machine.
func (r caseResult) CPUPerRequest() time.Duration {
	if r.Wrk == nil || r.Wrk.Requests == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Wrk.Requests)
}

// Ratio is the app's requests per second over PostgreSQL's transactions
// per second for the same SQL; 0 when either is missing.
func (r caseResult) Ratio() float64 {
	if r.Wrk == nil || r.Ceiling == nil || r.Ceiling.TPS == 0 {
		return 0
	}
	return r.Wrk.RPS / r.Ceiling.TPS
}

// request is how a case asks: path, extra headers, Lua script, and the
// status it must get.
type request struct {
	path    string
	headers []string
	script  string
	redact  map[string]string
	want    int
	// connections, when set, replaces the run's for this case's load.
	connections int
}

// plan decides the request a case makes and checks once, before loading
// the server, that the app answers it as expected. A route that does not
// exist (yet) makes the case "not available".
func (b *bench) plan(c benchCase) (request, string, []string, error) {
	fx := &b.fx
	rq := request{redact: map[string]string{}}
	var notes []string
	client := newClient()
	base := b.app.url("")
	// Pages are asked for as a returning browser would: with the CSRF
	// cookie it was given and accepting gzip.
	cookie := "quire_csrf=" + fx.CSRFCookie
	rq.redact[fx.CSRFCookie] = "<csrf cookie>"
	rq.redact[fx.CSRFToken] = "<csrf token>"
	const gzip = "Accept-Encoding: gzip"
	want := http.StatusOK

	switch c.Kind {
	case kindGet:
		rq.path = c.Path(fx)
		rq.headers = []string{"Cookie: " + cookie, gzip}
	case kindAdmin:
		rq.path = c.Path(fx)
		rq.headers = []string{"Cookie: " + fx.AdminCookie, gzip}
		rq.redact[fx.AdminToken] = "<admin session>"
		for _, part := range strings.Split(fx.AdminCookie, "; ") {
			if v, ok := strings.CutPrefix(part, "quire_csrf="); ok {
				rq.redact[v] = "<admin csrf cookie>"
			}
		}
	case kindRevalidate:
		// The home page when it sends an ETag, else the feed. The ETag
		// covers the CSRF cookie, so it is fetched with the same one.
		for _, p := range []string{"/", "/feed.xml"} {
			req, err := http.NewRequest(http.MethodGet, base+p, nil)
			if err != nil {
				return rq, "", nil, err
			}
			req.Header.Set("Cookie", cookie)
			resp, err := client.Do(req)
			if err != nil {
				return rq, "", nil, err
			}
			_, _ = io.Copy(io.Discard, resp.Body) // only the status and ETag matter
			_ = resp.Body.Close()
			if et := resp.Header.Get("ETag"); resp.StatusCode == http.StatusOK && et != "" {
				fx.ETagPath, fx.ETag = p, et
				break
			}
		}
		if fx.ETag == "" {
			return rq, "no page sends an ETag yet (tried / and /feed.xml)", nil, nil
		}
		if fx.ETagPath != "/" {
			notes = append(notes, "the home page sends no ETag yet, so this revalidates "+fx.ETagPath)
		}
		rq.path = fx.ETagPath
		rq.headers = []string{"Cookie: " + cookie, gzip, "If-None-Match: " + fx.ETag}
		want = http.StatusNotModified
	case kindLogin:
		script, err := writeLoginScript(b.tmp, fx)
		if err != nil {
			return rq, "", nil, err
		}
		rq.path, rq.script = c.Path(fx), script
		want = http.StatusSeeOther
		// Every sign-in from one address is counted while its password is
		// compared, and the address may have MaxLoginFailures at once:
		// more connections would be answered 429, as an attacker's are.
		rq.connections = min(b.o.Connections, models.MaxLoginFailures-1)
	}

	rq.want = want
	status, err := b.send(c, rq)
	if err != nil {
		return rq, "", nil, err
	}
	method := http.MethodGet
	if c.Kind == kindLogin {
		method = http.MethodPost
	}
	switch {
	case status == want:
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return rq, fmt.Sprintf("not available: %s %s answers %d (the route is not there yet)", method, rq.path, status), notes, nil
	default:
		return rq, "", notes, fmt.Errorf("%s %s answers %d, want %d", method, rq.path, status, want)
	}
	return rq, "", notes, nil
}

// send makes the case's request once, as wrk makes it, and returns the
// status.
func (b *bench) send(c benchCase, rq request) (int, error) {
	fx := &b.fx
	var req *http.Request
	var err error
	if c.Kind == kindLogin {
		form := url.Values{"_csrf": {fx.CSRFToken}, "login": {fx.LoginUser}, "password": {fx.LoginPassword}, "next": {"/"}}
		req, err = http.NewRequest(http.MethodPost, b.app.url(rq.path), strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", "quire_csrf="+fx.CSRFCookie)
		}
	} else {
		req, err = http.NewRequest(http.MethodGet, b.app.url(rq.path), nil)
		for _, h := range rq.headers {
			k, v, _ := strings.Cut(h, ": ")
			req.Header.Set(k, v)
		}
	}
	if err != nil {
		return 0, err
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body) // only the status matters
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func (b *bench) wrk(rq request, d time.Duration) wrkRun {
	conns := b.o.Connections
	if rq.connections > 0 {
		conns = rq.connections
	}
	return wrkRun{URL: b.app.url(rq.path), Connections: conns, Threads: min(b.o.Threads, conns),
		Duration: d, Headers: rq.headers, Script: rq.script, Redact: rq.redact}
}

// runCase warms the page up, loads it while watching the server's memory,
// checks the app still answered as expected, and measures the ceiling.
func (b *bench) runCase(ctx context.Context, c benchCase) caseResult {
	res := caseResult{Case: c}
	rq, skip, notes, err := b.plan(c)
	res.Path, res.Notes = rq.path, notes
	if err != nil {
		res.Failed = err.Error()
		logf("%s: %v", c.Name, err)
		return res
	}
	if skip != "" {
		res.Skipped = skip
		logf("%s: %s", c.Name, skip)
		return res
	}
	qs, qerr := b.expand(ctx, c.Queries)
	if qerr == nil {
		res.SQLCheck = b.checkCeiling(ctx, c, rq, qs)
		if res.SQLCheck != "same" {
			logf("%s: %s", c.Name, res.SQLCheck)
		}
	}
	if b.o.Warmup > 0 {
		logf("%s: warming up %s", c.Name, b.o.Warmup)
		if _, _, err := b.wrk(rq, b.o.Warmup).run(ctx); err != nil {
			res.Failed = err.Error()
			return res
		}
	}
	w := b.wrk(rq, b.o.Duration)
	res.Commands = append(res.Commands, w.String())
	logf("%s: %s", c.Name, w.String())
	pid := b.app.pid()
	canReset := resetPeak(pid)
	sampler := sampleRSS(pid)
	cpu0, cerr0 := cpuTime(pid)
	wr, out, err := w.run(ctx)
	cpu1, cerr1 := cpuTime(pid)
	sampled := sampler.Stop()
	if cerr0 == nil && cerr1 == nil {
		res.CPU = cpu1 - cpu0
	}
	if err != nil {
		res.Failed = err.Error()
		logf("%s: %v", c.Name, err)
		return res
	}
	res.Wrk = &wr
	res.PeakRSS = sampled
	if _, hwm, err := memory(pid); err == nil && canReset && hwm > sampled {
		res.PeakRSS = hwm
	}
	logf("%s: %.0f req/s, p50 %s, p99 %s, %d errors, %s CPU/request", c.Name, wr.RPS, wr.P50, wr.P99, wr.Errors(), res.CPUPerRequest())
	if wr.Errors() > 0 {
		res.Notes = append(res.Notes, "wrk: "+strings.ReplaceAll(lastLines(out, 6), "\n", " / "))
	}
	// A signed-in page that lost its session would redirect to /login,
	// which wrk counts as success: make sure it still answers 200.
	if c.Kind == kindAdmin {
		if _, skip, _, err := b.plan(c); err != nil || skip != "" {
			res.Failed = fmt.Sprintf("after the run the page no longer answers as expected: %v%s", err, skip)
		}
	}
	if c.Limit {
		b.limit(ctx, &res, rq)
	}
	if qerr != nil {
		res.CeilingNote = "no ceiling: " + qerr.Error()
		return res
	}
	b.ceiling(ctx, &res, qs)
	return res
}

// checkCeiling compares the statements of a case's ceiling with those
// PostgreSQL logs while the app answers one request of the case.
func (b *bench) checkCeiling(ctx context.Context, c benchCase, rq request, qs []query) string {
	var script []string
	for _, q := range qs {
		if q.Memo {
			continue
		}
		text := q.SQL
		if q.As != "" {
			text = q.As
		}
		script = append(script, text)
	}
	logged, err := b.loggedStatements(ctx, func() error {
		status, err := b.send(c, rq)
		if err == nil && status != rq.want {
			err = fmt.Errorf("answered %d, want %d", status, rq.want)
		}
		return err
	})
	if err != nil {
		return "could not check: " + err.Error()
	}
	if diff := compareStatements(script, logged); diff != "" {
		return diff
	}
	return "same"
}

// ceiling runs the page's statements with pgbench on the same cluster,
// with the same number of connections, for the same time.
func (b *bench) ceiling(ctx context.Context, res *caseResult, qs []query) {
	c := res.Case
	script, defs, err := pgbenchScript(qs, &b.fx)
	if err != nil {
		res.CeilingNote = err.Error()
		return
	}
	res.Script = script
	file := filepath.Join(b.tmp, c.Name+".sql")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		res.CeilingNote = err.Error()
		return
	}
	p := pgbenchRun{Bin: b.pgbench, SocketDir: b.socketDir(), Script: file, Defs: defs,
		Connections: b.o.Connections, Threads: b.o.Threads, Duration: b.o.Duration}
	shown := strings.ReplaceAll(p.String(), b.app.dataDir, "$D")
	shown = strings.ReplaceAll(shown, b.tmp, "$TMP")
	res.Commands = append(res.Commands, shown)
	logf("%s: pgbench ceiling", c.Name)
	pr, _, err := p.run(ctx)
	if err != nil {
		res.CeilingNote = err.Error()
		logf("%s: %v", c.Name, err)
		return
	}
	res.Ceiling = &pr
	logf("%s: ceiling %.0f tps, app/ceiling %.2f", c.Name, pr.TPS, res.Ratio())
}

// expand replaces the statements built at run time by the ones they stand for.
func (b *bench) expand(ctx context.Context, qs []query) ([]query, error) {
	var out []query
	for _, q := range qs {
		if q.Expand == nil {
			out = append(out, q)
			continue
		}
		db, err := b.openDB(ctx)
		if err != nil {
			return nil, err
		}
		more, err := q.Expand(ctx, db, &b.fx)
		_ = db.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.Runs, err)
		}
		out = append(out, more...)
	}
	return out, nil
}

// profile loads the page again while taking a profile from the server's
// pprof listener, and keeps `go tool pprof -top`: a 10 s CPU profile, or
// (heap) the live heap a few seconds into the load.
func (b *bench) profile(ctx context.Context, r caseResult, heap bool) Profile {
	p := Profile{Case: r.Case.Name, Heap: heap}
	rq, skip, _, err := b.plan(r.Case)
	if err != nil || skip != "" {
		p.Err = fmt.Sprintf("could not plan the request: %v%s", err, skip)
		return p
	}
	const seconds = 10
	w := b.wrk(rq, (seconds+4)*time.Second)
	what, name := "cpu", r.Case.Name+".cpu.pprof"
	profURL := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", b.app.pprof, seconds)
	views := [][]string{{"-top", "-nodecount=15"}, {"-top", "-nodecount=15", "-cum"}}
	p.PprofCommand = "go tool pprof -top -nodecount=15 [-cum] " + name
	if heap {
		what, name = "heap", r.Case.Name+".heap.pprof"
		profURL = fmt.Sprintf("http://%s/debug/pprof/heap", b.app.pprof)
		views = [][]string{{"-top", "-nodecount=15", "-sample_index=inuse_space"}, {"-top", "-nodecount=15", "-sample_index=alloc_space"}}
		p.PprofCommand = "go tool pprof -top -nodecount=15 -sample_index=inuse_space|alloc_space " + name
	}
	logf("%s: %s profile while %s", r.Case.Name, what, w.String())
	done := make(chan error, 1)
	go func() {
		_, _, err := w.run(ctx)
		done <- err
	}()
	time.Sleep(2 * time.Second)
	if heap {
		time.Sleep(6 * time.Second)
	}
	file := filepath.Join(b.tmp, name)
	p.Command = fmt.Sprintf("curl -o %s '%s'  # while: %s", name, profURL, w.String())
	err = fetch(ctx, profURL, file)
	if werr := <-done; err == nil && werr != nil {
		err = werr
	}
	if err != nil {
		p.Err = err.Error()
		return p
	}
	for i, view := range views {
		// #nosec G204 -- go tool pprof on the profile just fetched into the temp folder
		cmd := exec.CommandContext(ctx, "go", append(append([]string{"tool", "pprof"}, view...), file)...)
		cmd.Dir = b.root
		out, err := cmd.Output()
		if err != nil {
			p.Err = fmt.Sprintf("go tool pprof: %v", err)
			return p
		}
		text := trimPprof(string(out))
		if i == 0 {
			p.Flat = text
		} else {
			p.Cum = text
		}
	}
	if !heap {
		cmd := exec.CommandContext(ctx, "go", "tool", "pprof", "-traces", file) // #nosec G204 -- the same profile, as above
		cmd.Dir = b.root
		if out, err := cmd.Output(); err == nil {
			p.Breakdown = cpuBreakdown(string(out))
		}
	}
	return p
}

// trimPprof keeps the sampling summary and the table of pprof -top.
func trimPprof(out string) string {
	var keep []string
	table := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		switch {
		case table:
			keep = append(keep, line)
		case strings.HasPrefix(line, "Duration:"), strings.HasPrefix(line, "Type:"):
			keep = append(keep, line)
		case strings.Contains(line, "flat%") && strings.Contains(line, "cum%"):
			table = true
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

func fetch(ctx context.Context, u, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	f, err := os.Create(file) // #nosec G304 -- a profile file in the temp folder
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close() // the copy error is the one to report
		return err
	}
	return f.Close()
}
