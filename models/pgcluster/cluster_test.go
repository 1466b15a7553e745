package pgcluster

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"golang.org/x/sys/unix"
)

// testDir returns a short, empty directory under /tmp: the socket path
// inside it must stay under the unix socket limit.
func testDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func testOptions(t *testing.T, dir string) Options {
	return Options{
		DataDir:  dir,
		Database: "quire",
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
		ExtraSettings: map[string]string{
			"fsync":              "off",
			"full_page_writes":   "off",
			"synchronous_commit": "off",
		},
	}
}

// requireBinaries fails (never skips) without PostgreSQL. Tests using a
// server run in parallel: each has its own data directory and socket.
func requireBinaries(t *testing.T) {
	t.Helper()
	t.Parallel()
	if _, err := findBinaries(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, opt Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c, err := Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func closeCluster(t *testing.T, c *Cluster) {
	t.Helper()
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func connect(t *testing.T, c *Cluster) *sql.DB {
	t.Helper()
	conn, err := pq.NewConnector(c.DSN())
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

func queryString(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(t.Context(), q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// assertStopped checks that no server serves c's data directory.
func assertStopped(t *testing.T, c *Cluster) {
	t.Helper()
	up, err := c.running(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if up {
		t.Fatal("server still running after the last Close")
	}
	if _, err := os.Stat(filepath.Join(c.SocketDir(), socketName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket still present after the last Close: %v", err)
	}
}

func TestOpenInitialisesStartsAndStops(t *testing.T) {
	requireBinaries(t)
	dir := testDir(t)
	c := open(t, testOptions(t, dir))

	if !c.Started() {
		t.Error("Started() = false for the process that started the server")
	}
	if _, err := os.Stat(filepath.Join(dir, "pg", "PG_VERSION")); err != nil {
		t.Errorf("no cluster in DataDir/pg: %v", err)
	}
	want := "host=" + dir + "/run port=5432 user=quire dbname=quire sslmode=disable"
	if c.DSN() != want {
		t.Errorf("DSN() = %q, want %q", c.DSN(), want)
	}
	fi, err := os.Stat(c.SocketDir())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("socket directory mode = %v, want 0700", fi.Mode().Perm())
	}
	if os.Geteuid() == 0 {
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid != c.as.uid || uid == 0 {
			t.Errorf("socket directory owned by uid %d, want the %s user (%d)", uid, serverUser, c.as.uid)
		}
	}

	db := connect(t, c)
	if got := queryString(t, db, "SELECT 1::text"); got != "1" {
		t.Errorf("SELECT 1 = %q", got)
	}
	if got := queryString(t, db, "SELECT current_database()"); got != "quire" {
		t.Errorf("current_database() = %q, want quire", got)
	}
	if got := queryString(t, db, "SHOW listen_addresses"); got != "" {
		t.Errorf("listen_addresses = %q, want '' (no TCP)", got)
	}
	if got := queryString(t, db, "SHOW fsync"); got != "off" {
		t.Errorf("ExtraSettings not applied: fsync = %q", got)
	}
	db.Close()

	closeCluster(t, c)
	assertStopped(t, c)
	if err := c.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	requireBinaries(t)
	dir := testDir(t)
	opt := testOptions(t, dir)

	c := open(t, opt)
	db := connect(t, c)
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	closeCluster(t, c)

	c = open(t, opt)
	if !c.Started() {
		t.Error("Started() = false after reopening a stopped cluster")
	}
	if got := queryString(t, connect(t, c), "SELECT v FROM kept"); got != "still here" {
		t.Errorf("row = %q after reopening", got)
	}
	closeCluster(t, c)
	assertStopped(t, c)
}

func TestSecondOpenJoinsAndLastCloseStops(t *testing.T) {
	requireBinaries(t)
	dir := testDir(t)
	opt := testOptions(t, dir)

	first := open(t, opt)
	// A newcomer must not wait for the first user to leave.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	second, err := Open(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close(context.Background()) })
	if !first.Started() || second.Started() {
		t.Fatalf("Started() = %v, %v; want true, false", first.Started(), second.Started())
	}

	closeCluster(t, first)
	// A fresh connection proves the server outlived the first Close.
	if got := queryString(t, connect(t, second), "SELECT 'alive'"); got != "alive" {
		t.Fatalf("got %q", got)
	}
	closeCluster(t, second)
	assertStopped(t, second)
}

func TestOpenAfterCrashRestartsOverStalePID(t *testing.T) {
	requireBinaries(t)
	dir := testDir(t)
	opt := testOptions(t, dir)

	c := open(t, opt)
	pidFile := filepath.Join(dir, "pg", "postmaster.pid")
	pid := readPID(pidFile)
	if pid == 0 {
		t.Fatal("no pid in postmaster.pid")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.abandon()
	deadline := time.Now().Add(10 * time.Second)
	for isPostmasterOf(pid, c.pgData) {
		if time.Now().After(deadline) {
			t.Fatal("killed postmaster still alive")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if readPID(pidFile) != pid {
		t.Fatal("postmaster.pid is gone; the test needs it stale")
	}

	c = open(t, opt)
	if !c.Started() {
		t.Error("Started() = false: joined a dead server")
	}
	if got := queryString(t, connect(t, c), "SELECT 'back'"); got != "back" {
		t.Fatalf("got %q", got)
	}
	if p := readPID(pidFile); p == pid || p == 0 {
		t.Errorf("postmaster.pid holds %d, want the new server's pid", p)
	}
	closeCluster(t, c)
	assertStopped(t, c)
}

// A postmaster.pid naming a process that no longer exists (a crash followed
// by a reboot) is left for pg_ctl and postgres to discard.
func TestStartOverStalePIDFileOfDeadProcess(t *testing.T) {
	requireBinaries(t)
	dir := testDir(t)
	opt := testOptions(t, dir)

	c := open(t, opt)
	pidFile := filepath.Join(dir, "pg", "postmaster.pid")
	saved, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	closeCluster(t, c)

	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadPID := strconv.Itoa(dead.Process.Pid)
	_, rest, _ := strings.Cut(string(saved), "\n")
	for _, p := range []string{pidFile, filepath.Join(c.SocketDir(), socketName+".lock")} {
		if err := os.WriteFile(p, []byte(deadPID+"\n"+rest), 0o600); err != nil {
			t.Fatal(err)
		}
		if c.as.switches() {
			os.Chown(p, int(c.as.uid), int(c.as.gid))
		}
	}
	if up, err := c.running(t.Context()); err != nil || up {
		t.Fatalf("running() = %v, %v over a dead pid", up, err)
	}
	if _, err := os.Stat(pidFile); err != nil {
		t.Fatalf("stale postmaster.pid should be left to pg_ctl: %v", err)
	}

	c = open(t, opt)
	if !c.Started() {
		t.Error("Started() = false over a stale postmaster.pid")
	}
	if got := queryString(t, connect(t, c), "SELECT 'fresh'"); got != "fresh" {
		t.Fatalf("got %q", got)
	}
	closeCluster(t, c)
	assertStopped(t, c)
}

func TestStartFailureShowsServerLog(t *testing.T) {
	requireBinaries(t)
	dir := testDir(t)
	opt := testOptions(t, dir)
	opt.ExtraSettings["max_connections"] = "-5"

	_, err := Open(t.Context(), opt)
	if err == nil {
		t.Fatal("Open succeeded with an invalid setting")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "pgcluster: start: ") || !strings.Contains(msg, "postgres.log") ||
		!strings.Contains(msg, `FATAL:  -5 is outside the valid range for parameter "max_connections"`) {
		t.Errorf("error does not carry the server log: %v", err)
	}

	// The failed Open released its locks and left a usable cluster.
	delete(opt.ExtraSettings, "max_connections")
	c := open(t, opt)
	if !c.Started() {
		t.Error("Started() = false after a failed start")
	}
	closeCluster(t, c)
}

func TestSocketPathTooLong(t *testing.T) {
	dataDir := filepath.Join(testDir(t), strings.Repeat("d", 100))
	_, err := Open(t.Context(), testOptions(t, dataDir))
	if err == nil {
		t.Fatal("Open succeeded with a socket path over the limit")
	}
	if !strings.Contains(err.Error(), "too long") || !strings.Contains(err.Error(), "shorter --data-dir") {
		t.Errorf("unclear error: %v", err)
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created %s before failing: %v", dataDir, err)
	}
}

func TestMissingBinariesSaysWhatToInstall(t *testing.T) {
	t.Setenv("QUIRE_PG_BIN", "")
	t.Setenv("PATH", testDir(t))
	saved := pgLibDir
	pgLibDir = testDir(t)
	t.Cleanup(func() { pgLibDir = saved })

	_, err := Open(t.Context(), testOptions(t, testDir(t)))
	if err == nil || !strings.Contains(err.Error(), errNoBinaries.Error()) {
		t.Fatalf("err = %v, want the install message", err)
	}
}

func TestOpenWaitHonoursContext(t *testing.T) {
	dir := testDir(t)
	// Another process is busy starting or stopping the server.
	busy, err := openLockFile(filepath.Join(dir, "quire.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.close()
	if ok, err := busy.tryLock(gateByte, unix.F_WRLCK); !ok || err != nil {
		t.Fatalf("tryLock = %v, %v", ok, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = Open(ctx, testOptions(t, dir))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}
