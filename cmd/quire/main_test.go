package main

import (
	"bytes"
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
	"strings"
	"syscall"
	"testing"
	"time"
)

// The CLI end to end: the real binary, the private PostgreSQL it runs, and
// a restart that must keep accounts.

var quireBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "qbin")
	if err != nil {
		panic(err)
	}
	quireBin = filepath.Join(dir, "quire")
	out, err := exec.Command("go", "build", "-o", quireBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build quire: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// dataDir is a short path (the database socket lives inside it) that the
// postgres system user can reach when the tests run as root.
func dataDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "qc")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// run executes a quire subcommand to completion.
func run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(quireBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quire %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QUIRE_") {
			env = append(env, kv)
		}
	}
	return env
}

type server struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	addr string
}

// setUpSite is a data folder whose site has its administrator, so serve
// shows its pages (a site without one shows only its setup page).
func setUpSite(t *testing.T) string {
	t.Helper()
	dir := dataDir(t)
	run(t, adminPassword+"\n", "createadmin", "--data-dir", dir, "--username", "admin", "--email", "admin@example.com")
	return dir
}

func startServe(t *testing.T, dir string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), out: new(bytes.Buffer)}
	s.cmd = exec.Command(quireBin, "serve", "--data-dir", dir, "--addr", s.addr)
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
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("quire serve did not become ready:\n%s", s.out)
	return nil
}

// stop sends SIGTERM and requires a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("quire serve exited with %v:\n%s", err, s.out)
	}
}

// login signs in over HTTP and reports whether it worked.
func login(t *testing.T, addr, user, password string) bool {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get("http://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the login page:\n%s", body)
	}
	res, err = c.PostForm("http://"+addr+"/login", url.Values{"_csrf": {string(m[1])}, "login": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode == http.StatusSeeOther
}

const adminPassword = "a long and memorable admin passphrase"

func TestEmbeddedDatabaseLifecycle(t *testing.T) {
	dir := dataDir(t)
	socket := filepath.Join(dir, "pgdata", "run", ".s.PGSQL.5432")

	s := startServe(t, dir)
	if !strings.Contains(s.out.String(), "createadmin") {
		t.Errorf("serve did not say how to create the first admin:\n%s", s.out)
	}
	// Subcommands join the running cluster.
	out := run(t, adminPassword+"\n", "createadmin", "--data-dir", dir, "--username", "admin", "--email", "admin@example.com")
	if !strings.Contains(out, "Created administrator admin") {
		t.Fatalf("createadmin: %s", out)
	}
	if status := run(t, "", "migrate", "status", "--data-dir", dir); !strings.Contains(status, "00001") || !strings.Contains(status, "applied") {
		t.Fatalf("migrate status: %s", status)
	}
	if _, err := os.Stat(socket); err != nil {
		t.Fatalf("a subcommand stopped the cluster serve uses: %v", err)
	}
	if !login(t, s.addr, "admin", adminPassword) {
		t.Fatal("admin cannot sign in")
	}
	s.stop(t)
	if _, err := os.Stat(socket); err == nil {
		t.Fatal("the private PostgreSQL still runs after serve stopped")
	}

	// Without serve, a subcommand starts the cluster for its own run.
	run(t, "another fine long passphrase\n", "createadmin", "--data-dir", dir, "--username", "second", "--email", "second@example.com")
	if _, err := os.Stat(socket); err == nil {
		t.Fatal("createadmin left the cluster running")
	}

	// A restart keeps the accounts.
	s = startServe(t, dir)
	if !login(t, s.addr, "admin", adminPassword) || !login(t, s.addr, "second", "another fine long passphrase") {
		t.Fatal("accounts lost across a restart")
	}
	s.stop(t)
}

func TestCommandsHelp(t *testing.T) {
	for _, cmd := range []string{"serve", "migrate", "createadmin", "seed", "import", "backup", "restore", "export", "version"} {
		out, _ := exec.Command(quireBin, cmd, "--help").CombinedOutput()
		if !strings.Contains(string(out), "Usage: quire "+cmd) {
			t.Errorf("quire %s --help:\n%s", cmd, out)
		}
	}
	out, _ := exec.Command(quireBin, "--help").CombinedOutput()
	for _, want := range []string{"serve", "migrate", "createadmin", "seed", "import markdown", "export", "backup", "restore", "version"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("quire --help lacks %s", want)
		}
	}
	if out := run(t, "", "version"); !strings.HasPrefix(out, "quire ") {
		t.Errorf("version: %q", out)
	}
	bad := exec.Command(quireBin, "createadmin", "--username", "x", "--email", "a@example.com")
	bad.Stdin = strings.NewReader("correct horse battery staple\n")
	out, err := bad.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "3 to 30") {
		t.Errorf("bad username: %v %s", err, out)
	}
}
