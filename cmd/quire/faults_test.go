package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
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
	"testing"
	"time"

	"github.com/pressly/goose/v3/lock"

	"quire/models"
	"quire/models/pgcluster"
)

// Faults of the real binary: SIGTERM in the middle of a slow upload, and
// two replicas started together on one database.

// launch starts `quire serve` with args and returns at once; waitReady
// waits for it. startServe is both for a server on its private database.
func launch(t *testing.T, args ...string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), out: new(bytes.Buffer)}
	s.cmd = exec.Command(quireBin, append([]string{"serve", "--addr", s.addr}, args...)...)
	s.cmd.Env = cleanEnv()
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			_ = s.cmd.Wait()
		}
	})
	return s
}

func (s *server) waitReady(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		if s.exited() {
			t.Fatalf("quire serve exited before it was ready:\n%s", s.out)
		}
		res, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("quire serve did not become ready:\n%s", s.out)
}

// exited reports whether the process has ended, without reaping it (the
// test's cleanup or stop waits for it).
func (s *server) exited() bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// browser is a cookie jar and the CSRF token of the last form it loaded.
// Cookies belong to a host, not a port: one browser visits every replica
// on 127.0.0.1 with the same cookies.
type browser struct {
	t    *testing.T
	http *http.Client
	csrf string
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, http: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) get(addr, path string) (int, string) {
	b.t.Helper()
	res, err := b.http.Get("http://" + addr + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return res.StatusCode, string(body)
}

// signIn posts the sign-in form on addr and returns the status: 303 when
// signed in, 422 for a wrong password, 429 when throttled.
func (b *browser) signIn(addr, user, password string) int {
	b.t.Helper()
	b.get(addr, "/login")
	res, err := b.http.PostForm("http://"+addr+"/login", url.Values{"_csrf": {b.csrf}, "login": {user}, "password": {password}})
	if err != nil {
		b.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func (b *browser) cookieHeader(addr string) string {
	var parts []string
	for _, c := range b.http.Jar.Cookies(&url.URL{Scheme: "http", Host: addr}) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; ")
}

// pngImage is a PNG wider than the smallest srcset copy.
func pngImage(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 400))
	for i := 0; i < len(img.Pix); i += 4 {
		x, y := i/4%640, i/4/640
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x), uint8(y), uint8(x*y), 255
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestShutdownSlowUpload sends SIGTERM as an upload's handler starts
// reading a body that then arrives over about a second: the server stops
// taking new connections at once, yet the upload is read to the end,
// stored and answered in full, and only then does the process exit, with 0.
func TestShutdownSlowUpload(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	s := startServe(t, dir)
	run(t, adminPassword+"\n", "createadmin", "--data-dir", dir, "--username", "admin", "--email", "admin@example.com")
	b := newBrowser(t)
	if st := b.signIn(s.addr, "admin", adminPassword); st != http.StatusSeeOther {
		t.Fatalf("sign in: status %d", st)
	}

	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	_ = w.WriteField("alt", "uploaded during shutdown")
	fw, _ := w.CreateFormFile("file", "card.png")
	fw.Write(pngImage(t))
	w.Close()
	body := form.Bytes()

	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	// Expect: 100-continue makes the server say when the handler starts
	// reading the body: from then on the request is surely in flight.
	fmt.Fprintf(conn, "POST /media HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"+
		"X-CSRF-Token: %s\r\nCookie: %s\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
		s.addr, w.FormDataContentType(), len(body), b.csrf, b.cookieHeader(s.addr))
	replies := bufio.NewReader(conn)
	if res, err := http.ReadResponse(replies, nil); err != nil || res.StatusCode != http.StatusContinue {
		t.Fatalf("waiting for 100 Continue: %v %v\n%s", res, err, s.out)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()
	var refused time.Time
	const chunks = 10
	size := (len(body) + chunks - 1) / chunks
	for i := 0; i < len(body); i += size {
		time.Sleep(100 * time.Millisecond)
		if _, err := conn.Write(body[i:min(i+size, len(body))]); err != nil {
			t.Fatalf("writing the upload %v after SIGTERM: %v\n%s", time.Since(signalled), err, s.out)
		}
		if refused.IsZero() {
			if c, err := net.DialTimeout("tcp", s.addr, time.Second); err != nil {
				refused = time.Now()
			} else {
				c.Close()
			}
		}
	}
	res, err := http.ReadResponse(replies, nil)
	if err != nil {
		t.Fatalf("reading the reply: %v\n%s", err, s.out)
	}
	reply, err := io.ReadAll(res.Body)
	answered := time.Now()
	if err != nil || res.StatusCode != http.StatusOK || !bytes.Contains(reply, []byte("</html>")) ||
		!bytes.Contains(reply, []byte("uploaded during shutdown")) {
		t.Fatalf("the upload in flight got %d %.300q (%v)\n%s", res.StatusCode, reply, err, s.out)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, s.out)
	}
	if refused.IsZero() {
		t.Error("new connections were still accepted a second after SIGTERM")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "media", "*.png"))
	if len(files) != 2 {
		t.Errorf("media folder holds %v, want the image and its copy", files)
	}
	t.Logf("SIGTERM as the body began; new connections refused %v after; the upload answered %v after",
		refused.Sub(signalled).Round(time.Millisecond), answered.Sub(signalled).Round(time.Millisecond))
}

// TestReplicasShareOneDatabase starts two `quire serve` at the same moment
// on one empty database: neither migrates while the migration lock is
// held elsewhere, then both become ready with every migration applied
// once; a session made on one is valid on the other; failed sign-ins are
// counted across both.
func TestReplicasShareOneDatabase(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cluster, err := pgcluster.Open(ctx, pgcluster.Options{
		DataDir: filepath.Join(dir, "pg"), Database: "quire",
		ExtraSettings: map[string]string{"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cluster.Close(context.Background()) })
	dsn := cluster.DSN() // key=value form

	db, err := models.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Hold the migration lock (goose's advisory lock) while both start:
	// a replica must wait for it rather than migrate alongside another.
	held, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if _, err := held.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lock.DefaultLockID); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	a := launch(t, "--database-url", dsn, "--data-dir", filepath.Join(dir, "a"))
	b := launch(t, "--database-url", dsn, "--data-dir", filepath.Join(dir, "b"))
	// One replica seen waiting is enough: releasing at once spares the
	// other goose's 5-second retry.
	for waiting := 0; waiting < 1; {
		if time.Since(started) > 30*time.Second {
			t.Fatalf("no replica asked for the migration lock in 30 s\nA:\n%s\nB:\n%s", a.out, b.out)
		}
		for _, s := range []*server{a, b} {
			if c, err := net.Dial("tcp", s.addr); err == nil || s.exited() {
				if c != nil {
					c.Close()
				}
				t.Fatalf("a replica is serving or gone while the migration lock is held:\n%s", s.out)
			}
		}
		time.Sleep(20 * time.Millisecond) // release soon after: the other may not have asked yet
		if err := db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE query LIKE 'SELECT pg_try_advisory_lock(%' AND pid <> pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := held.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lock.DefaultLockID); err != nil {
		t.Fatal(err)
	}
	released := time.Now()
	a.waitReady(t)
	b.waitReady(t)
	t.Logf("a replica waited for the migration lock (%v after launch); both ready %v after its release",
		released.Sub(started).Round(time.Millisecond), time.Since(released).Round(time.Millisecond))

	var applied, twice int
	if err := db.Get(&applied, `SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&twice, `SELECT count(*) FROM (SELECT version_id FROM goose_db_version
		GROUP BY version_id HAVING count(*) > 1) d`); err != nil {
		t.Fatal(err)
	}
	migrations, _ := filepath.Glob("../../sql/[0-9]*.sql")
	if applied != len(migrations) || twice != 0 {
		t.Fatalf("%d of %d migrations applied, %d more than once", applied, len(migrations), twice)
	}

	run(t, adminPassword+"\n", "createadmin", "--database-url", dsn, "--username", "admin", "--email", "admin@example.com")
	br := newBrowser(t)
	if st := br.signIn(a.addr, "admin", adminPassword); st != http.StatusSeeOther {
		t.Fatalf("sign in on A: status %d", st)
	}
	if st, page := br.get(b.addr, "/settings/profile"); st != http.StatusOK || !strings.Contains(page, "admin@example.com") {
		t.Fatalf("A's session on B: status %d", st)
	}
	if st, _ := newBrowser(t).get(b.addr, "/settings/profile"); st != http.StatusSeeOther {
		t.Fatalf("B without a session: status %d, want 303 to sign in", st)
	}

	// Five failures, three on A and two on B, lock the account on both.
	for i, addr := range []string{a.addr, b.addr, a.addr, b.addr, a.addr} {
		if st := newBrowser(t).signIn(addr, "admin", "not the password at all"); st != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: status %d, want 422", i+1, st)
		}
	}
	for name, addr := range map[string]string{"A": a.addr, "B": b.addr} {
		if st := newBrowser(t).signIn(addr, "admin", adminPassword); st != http.StatusTooManyRequests {
			t.Errorf("sixth attempt on %s: status %d, want 429", name, st)
		}
	}
	a.stop(t)
	b.stop(t)
	if _, err := os.Stat(filepath.Join(dir, "a", "pgdata")); err == nil {
		t.Error("a replica with --database-url made a private cluster")
	}
}

// runFails executes a quire subcommand that must fail and returns its output.
func runFails(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(quireBin, args...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("quire %s succeeded:\n%s", strings.Join(args, " "), out)
	}
	return string(out)
}

func getStatus(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// notApplied finds a migration `migrate status` lists as not applied:
// "pending" ends its line (a file may have the word in its name:
// 00016_post_pending.sql).
var notApplied = regexp.MustCompile(`(?m) pending$`)

// TestMigrateDownWhileServing: `quire migrate down` refuses, saying why,
// while `quire serve` runs on the database, and the site stays ready; with
// --force it rolls back, and /readyz then says the schema is not the one
// the build expects until `migrate up`. With serve stopped, down needs no
// --force.
func TestMigrateDownWhileServing(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	s := startServe(t, dir)
	readyz := "http://" + s.addr + "/readyz"

	out := runFails(t, "migrate", "down", "--data-dir", dir)
	if !strings.Contains(out, "quire serve is running on this database (1 process)") || !strings.Contains(out, "--force") {
		t.Errorf("migrate down beside serve:\n%s", out)
	}
	if st, body := getStatus(t, readyz); st != http.StatusOK {
		t.Fatalf("/readyz after a refused rollback: %d %q", st, body)
	}
	if status := run(t, "", "migrate", "status", "--data-dir", dir); notApplied.MatchString(status) {
		t.Fatalf("a refused rollback rolled back:\n%s", status)
	}

	out = run(t, "", "migrate", "down", "--force", "--data-dir", dir)
	if !strings.Contains(out, "rolling back anyway") {
		t.Errorf("migrate down --force said:\n%s", out)
	}
	if st, body := getStatus(t, readyz); st != http.StatusServiceUnavailable || !strings.Contains(body, "this build expects") {
		t.Errorf("/readyz after a forced rollback: %d %q", st, body)
	}
	run(t, "", "migrate", "up", "--data-dir", dir)
	if st, body := getStatus(t, readyz); st != http.StatusOK {
		t.Errorf("/readyz after migrating up again: %d %q", st, body)
	}
	s.stop(t)
	run(t, "", "migrate", "down", "--data-dir", dir)
	if status := run(t, "", "migrate", "status", "--data-dir", dir); !notApplied.MatchString(status) {
		t.Errorf("migrate down without serve did not roll back:\n%s", status)
	}
}

// TestServeSurvivesKilledDatabase SIGKILLs the private PostgreSQL under a
// running `quire serve`, as the OOM killer would: the home page answers 200
// again with no human (the 5 s target is asserted by the handlers' test
// with fsync off; here fsync is on, on a disk the whole machine shares, and
// crash recovery flushes it twice: 10 s of headroom); meanwhile it answers 503 saying the
// database is restarting and /healthz stays 200; the log holds a few lines
// for the whole outage, none per request.
func TestServeSurvivesKilledDatabase(t *testing.T) {
	// Not parallel: it times the recovery.
	dir := setUpSite(t)
	s := startServe(t, dir)
	base := "http://" + s.addr
	pidText, err := os.ReadFile(filepath.Join(dir, "pgdata", "pg", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(pidText), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := getStatus(t, base+"/"); st != http.StatusOK {
		t.Fatalf("home before: %d", st)
	}
	logBefore := s.out.Len()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	var requests, unavailable, restarting int
	var back time.Duration
	for back == 0 {
		if time.Since(killed) > 10*time.Second {
			pglog, _ := os.ReadFile(filepath.Join(dir, "pgdata", "postgres.log"))
			t.Fatalf("home page not back 10 s after the database was killed:\n%s\nthe server's log:\n%s", s.out, pglog)
		}
		st, body := getStatus(t, base+"/")
		requests++
		switch st {
		case http.StatusOK:
			if unavailable > 0 || time.Since(killed) > 500*time.Millisecond {
				back = time.Since(killed)
			}
		case http.StatusServiceUnavailable:
			unavailable++
			if strings.Contains(body, "The database is restarting") {
				restarting++
			}
		default:
			t.Fatalf("home page while the database restarts: %d", st)
		}
		if st, _ := getStatus(t, base+"/healthz"); st != http.StatusOK {
			t.Errorf("/healthz while the database restarts: %d", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if unavailable > 0 && restarting == 0 {
		t.Errorf("%d answers of 503, none saying the database is restarting", unavailable)
	}
	time.Sleep(2 * time.Second) // what the outage logs after it ends
	s.stop(t)
	var lines []string
	for l := range strings.SplitSeq(s.out.String()[logBefore:], "\n") {
		if l != "" && !strings.Contains(l, `"msg":"request"`) && !strings.Contains(l, "shutting down") &&
			!strings.Contains(l, "stopping PostgreSQL") {
			lines = append(lines, l)
		}
	}
	if len(lines) > 5 {
		t.Errorf("%d log lines for one outage of %d requests:\n%s", len(lines), requests, strings.Join(lines, "\n"))
	}
	t.Logf("home page back %v after SIGKILL (%d requests, %d answers of 503, %d saying the database is restarting); %d log lines:\n%s",
		back.Round(time.Millisecond), requests, unavailable, restarting, len(lines), strings.Join(lines, "\n"))
}
