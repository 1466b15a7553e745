package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// quire is the production build of the app and its private data folder.
type quire struct {
	bin     string
	dataDir string
	log     *cmdLog

	cmd      *exec.Cmd
	waited   chan error
	addr     string // 127.0.0.1:port
	pprof    string // 127.0.0.1:port
	logFile  *os.File
	stopOnce bool
}

// build compiles quire as it ships: no paths, no symbol table.
func buildQuire(ctx context.Context, root, out string, log *cmdLog) error {
	args := []string{"build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./cmd/quire"}
	log.add("go " + shellJoin(args[:len(args)-3]) + " -o $TMP/quire ./cmd/quire")
	cmd := exec.CommandContext(ctx, "go", args...) // #nosec G204 -- the go command building this module's cmd/quire into the temp folder
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build quire: %w\n%s", err, b)
	}
	return nil
}

// quireEnv is the environment without QUIRE_* settings, so a developer's
// QUIRE_DATABASE_URL cannot point the benchmark at a real database.
func quireEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QUIRE_") {
			env = append(env, kv)
		}
	}
	return env
}

// runQuire runs a quire subcommand to completion.
func (q *quire) runQuire(ctx context.Context, stdin string, shown string, args ...string) (string, error) {
	q.log.add(shown)
	cmd := exec.CommandContext(ctx, q.bin, args...) // #nosec G204 -- the quire binary built for this run, with its own subcommands
	cmd.Env = quireEnv()
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("quire %s: %w\n%s", args[0], err, lastLines(string(out), 20))
	}
	return string(out), nil
}

func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs quire serve on a free loopback port, with pprof on another,
// and waits until /readyz answers.
func (q *quire) start(ctx context.Context) error {
	var err error
	if q.addr, err = freeLoopbackAddr(); err != nil {
		return err
	}
	if q.pprof, err = freeLoopbackAddr(); err != nil {
		return err
	}
	q.logFile, err = os.Create(filepath.Join(filepath.Dir(q.bin), "serve.log"))
	if err != nil {
		return err
	}
	// The fixtures sign up through /register: registration is open for the run.
	args := []string{"serve", "--data-dir", q.dataDir, "--addr", q.addr, "--pprof-addr", q.pprof, "--registration", "open"}
	q.log.add(fmt.Sprintf("$TMP/quire serve --data-dir $D --addr %s --pprof-addr %s --registration open 2>$TMP/serve.log", q.addr, q.pprof))
	q.cmd = exec.Command(q.bin, args...) // #nosec G204 -- the quire binary built for this run, serving on loopback
	q.cmd.Env = quireEnv()
	q.cmd.Stdout = q.logFile
	q.cmd.Stderr = q.logFile
	if err := q.cmd.Start(); err != nil {
		return fmt.Errorf("start quire serve: %w", err)
	}
	q.waited = make(chan error, 1)
	go func() { q.waited <- q.cmd.Wait() }()

	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(q.url("/readyz"))
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-q.waited:
			q.waited <- err
			return fmt.Errorf("quire serve exited: %v\n%s", err, tail(q.logFile.Name(), 20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("quire serve was not ready within 90 s\n%s", tail(q.logFile.Name(), 20))
		}
	}
}

func (q *quire) url(path string) string { return "http://" + q.addr + path }

func (q *quire) pid() int { return q.cmd.Process.Pid }

// stop sends SIGTERM and waits for the graceful shutdown, which also stops
// the private PostgreSQL.
func (q *quire) stop() error {
	if q.cmd == nil || q.stopOnce {
		return nil
	}
	q.stopOnce = true
	defer q.logFile.Close()
	_ = q.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-q.waited:
		return err
	case <-time.After(60 * time.Second):
		_ = q.cmd.Process.Kill()
		<-q.waited
		return errors.New("quire serve did not stop within 60 s: killed")
	}
}

// stopCluster stops the private PostgreSQL if a crash left it running:
// any quire command joins it and, as the last user, stops it on exit.
func (q *quire) stopCluster() {
	if _, err := os.Stat(filepath.Join(q.dataDir, "pgdata", "pg", "postmaster.pid")); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, q.bin, "migrate", "--data-dir", q.dataDir, "status") // #nosec G204 -- the quire binary built for this run
	cmd.Env = quireEnv()
	_ = cmd.Run()
}

// memory reads the server's resident memory from /proc: now and the peak
// since the last resetPeak (or since start).
func memory(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = n * 1024
		case "VmHWM:":
			hwm = n * 1024
		}
	}
	return rss, hwm, nil
}

// cpuTime is the CPU time (user and system) a process has used. Linux
// reports it in USER_HZ ticks, which are 1/100 s on every architecture Go
// supports.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad utime or stime", pid)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// resetPeak resets VmHWM to the current RSS (Linux 4.0+; root or owner).
func resetPeak(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}

// rssSampler records the largest VmRSS seen, every 100 ms, as a fallback
// when VmHWM cannot be reset.
type rssSampler struct {
	stop chan struct{}
	done chan int64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, err := memory(pid); err == nil && rss > peak {
				peak = rss
			}
			select {
			case <-s.stop:
				s.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) Stop() int64 {
	close(s.stop)
	return <-s.done
}

// client is a browser-like HTTP client: a cookie jar, no redirects followed.
func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second},
	}
}

var csrfFieldRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// formToken GETs page and returns its CSRF token (the jar keeps the cookie).
func formToken(c *http.Client, page string) (string, error) {
	resp, err := c.Get(page)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := csrfFieldRE.FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		return "", fmt.Errorf("GET %s: %s, no CSRF token", page, resp.Status)
	}
	return string(m[1]), nil
}

// postForm POSTs a form with the page's CSRF token.
func postForm(c *http.Client, target, token string, form url.Values, headers ...string) (*http.Response, []byte, error) {
	form.Set("_csrf", token)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// signIn signs c in through the login form.
func signIn(c *http.Client, base, login, password string) error {
	token, err := formToken(c, base+"/login")
	if err != nil {
		return err
	}
	resp, body, err := postForm(c, base+"/login", token, url.Values{"login": {login}, "password": {password}, "next": {"/"}})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in as %s: %s\n%s", login, resp.Status, snippet(body))
	}
	return nil
}

// cookieHeader is the Cookie header the jar would send to base.
func cookieHeader(c *http.Client, base string) (string, map[string]string) {
	u, _ := url.Parse(base + "/")
	var parts []string
	vals := map[string]string{}
	for _, ck := range c.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
		vals[ck.Name] = ck.Value
	}
	return strings.Join(parts, "; "), vals
}

func snippet(b []byte) string {
	s := string(b)
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

func tail(path string, n int) string {
	f, err := os.Open(path) // #nosec G304 -- serve.log in the temp folder
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
