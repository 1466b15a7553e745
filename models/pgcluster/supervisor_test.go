package pgcluster

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"
	"golang.org/x/sys/unix"

	"quire/models/dbhealth"
)

// lineLog is a logger whose lines a test can read back.
type lineLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lineLog) lines(substr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.SplitSeq(l.buf.String(), "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return out
}

func (l *lineLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// killPostmaster SIGKILLs c's postmaster, as the OOM killer would, and
// returns its pid.
func killPostmaster(t *testing.T, c *Cluster) int {
	t.Helper()
	pid := readPID(filepath.Join(c.pgData, "postmaster.pid"))
	if pid == 0 {
		t.Fatal("no pid in postmaster.pid")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return pid
}

// waitAnswers pings db until it answers or limit passes, returning how long
// that took.
func waitAnswers(t *testing.T, db *sql.DB, from time.Time, limit time.Duration) time.Duration {
	t.Helper()
	// Each try on a new connection: a backend of the killed server may
	// still answer on a pooled one for a moment.
	db.SetMaxIdleConns(0)
	defer db.SetMaxIdleConns(2)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		var one int
		err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		cancel()
		if err == nil {
			return time.Since(from)
		}
		if time.Since(from) > limit {
			t.Fatalf("the database does not answer %v after its postmaster was killed: %v", limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSuperviseRestartsKilledPostmaster kills the postmaster twice: each
// time the supervisor notices, restarts the server (crash recovery keeps
// committed rows) and the database answers again, and the health goes
// restarting -> up, logged once per change, not per check. (The 5 s target
// is asserted by handlers' TestFaultDatabaseKilled, which runs alone; these
// run in parallel, so they allow 10 s.)
func TestSuperviseRestartsKilledPostmaster(t *testing.T) {
	requireBinaries(t)
	opt := testOptions(t, testDir(t))
	delete(opt.ExtraSettings, "synchronous_commit") // a commit is in the WAL when it returns
	c := open(t, opt)
	var hl lineLog
	health := dbhealth.New(hl.logger())
	c.Supervise(health, SuperviseOptions{})
	db := connect(t, c)
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed')"); err != nil {
		t.Fatal(err)
	}

	for round := 1; round <= 2; round++ {
		old := killPostmaster(t, c)
		killed := time.Now()
		sawRestarting := false
		for time.Since(killed) < 5*time.Second && !sawRestarting {
			sawRestarting = health.Status().State == dbhealth.Restarting
			time.Sleep(time.Millisecond)
		}
		if !sawRestarting {
			t.Errorf("round %d: health never said restarting (now %v)", round, health.Status())
		}
		took := waitAnswers(t, db, killed, 10*time.Second)
		if got := queryString(t, db, "SELECT v FROM kept"); got != "committed" {
			t.Errorf("round %d: row = %q after the restart", round, got)
		}
		if pid := readPID(filepath.Join(c.pgData, "postmaster.pid")); pid == old || pid == 0 {
			t.Errorf("round %d: postmaster.pid holds %d, want a new server's pid", round, pid)
		}
		for deadline := time.Now().Add(5 * time.Second); health.Status().State != dbhealth.Up; {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: health still %v after the server answered", round, health.Status())
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("round %d: the database answered again %v after SIGKILL", round, took.Round(time.Millisecond))
	}
	if n := len(hl.lines("database: restarting")); n != 2 {
		t.Errorf("logged restarting %d times for 2 deaths:\n%s", n, strings.Join(hl.lines(""), "\n"))
	}
	if n := len(hl.lines("database: available again")); n != 2 {
		t.Errorf("logged recovery %d times for 2 deaths", n)
	}
	closeCluster(t, c)
	assertStopped(t, c)
}

// TestSuperviseOneRestarterAmongUsers has two quire processes' clusters on
// one data directory, both supervised: after a kill exactly one restarts
// the server (the gate lock) and both see it back.
func TestSuperviseOneRestarterAmongUsers(t *testing.T) {
	requireBinaries(t)
	opt := testOptions(t, testDir(t))
	var la, lb lineLog
	optA, optB := opt, opt
	optA.Logger, optB.Logger = la.logger(), lb.logger()
	a := open(t, optA)
	b := open(t, optB)
	ha, hb := dbhealth.New(slog.New(slog.DiscardHandler)), dbhealth.New(slog.New(slog.DiscardHandler))
	a.Supervise(ha, SuperviseOptions{})
	b.Supervise(hb, SuperviseOptions{})
	killPostmaster(t, a)
	killed := time.Now()
	took := waitAnswers(t, connect(t, b), killed, 10*time.Second)
	for deadline := time.Now().Add(5 * time.Second); ha.Status().State != dbhealth.Up || hb.Status().State != dbhealth.Up; {
		if time.Now().After(deadline) {
			t.Fatalf("health after the restart: %v and %v", ha.Status(), hb.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	restarts := len(la.lines("PostgreSQL restarted")) + len(lb.lines("PostgreSQL restarted"))
	if restarts != 1 {
		t.Errorf("%d restarts for one death, want 1:\nA:\n%s\nB:\n%s", restarts,
			strings.Join(la.lines(""), "\n"), strings.Join(lb.lines(""), "\n"))
	}
	t.Logf("back %v after SIGKILL", took.Round(time.Millisecond))
	closeCluster(t, a)
	if got := queryString(t, connect(t, b), "SELECT 'still'"); got != "still" {
		t.Fatalf("got %q", got)
	}
	closeCluster(t, b)
	assertStopped(t, b)
}

// TestSuperviseGivesUpThenRecovers makes every restart fail (a setting the
// server refuses): after GiveUpAfter the health says Failed, with the
// server's reason, logged once; once the setting is fixed the next attempt
// brings the server back and the health is up again.
func TestSuperviseGivesUpThenRecovers(t *testing.T) {
	requireBinaries(t)
	opt := testOptions(t, testDir(t))
	c := open(t, opt)
	var hl lineLog
	health := dbhealth.New(hl.logger())
	c.Supervise(health, SuperviseOptions{GiveUpAfter: time.Second, MaxBackoff: 400 * time.Millisecond})

	auto := filepath.Join(c.pgData, "postgresql.auto.conf")
	saved, err := os.ReadFile(auto)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(auto, append(bytes.Clone(saved), "shared_buffers = 'not a size'\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	killPostmaster(t, c)
	for deadline := time.Now().Add(20 * time.Second); health.Status().State != dbhealth.Failed; {
		if time.Now().After(deadline) {
			t.Fatalf("health %v, want failed", health.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := health.Status()
	if !strings.Contains(st.Reason, "could not be restarted") || !strings.Contains(st.Reason, "shared_buffers") {
		t.Errorf("reason %q does not say why", st.Reason)
	}
	time.Sleep(time.Second) // more failed attempts: no more lines
	if n := len(hl.lines("database: failed")); n != 1 {
		t.Errorf("logged failed %d times, want once:\n%s", n, strings.Join(hl.lines(""), "\n"))
	}

	if err := os.WriteFile(auto, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	fixed := time.Now()
	waitAnswers(t, connect(t, c), fixed, 10*time.Second)
	for deadline := time.Now().Add(5 * time.Second); health.Status().State != dbhealth.Up; {
		if time.Now().After(deadline) {
			t.Fatalf("health %v after the fix", health.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("up %v after the fix", time.Since(fixed).Round(time.Millisecond))
	if lines := hl.lines(""); len(lines) > 6 {
		t.Errorf("%d log lines for one outage:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	closeCluster(t, c)
}

// TestSuperviseStopsWithClose: Close ends supervision first, so stopping
// the server is never taken for a death.
func TestSuperviseStopsWithClose(t *testing.T) {
	requireBinaries(t)
	opt := testOptions(t, testDir(t))
	c := open(t, opt)
	var hl lineLog
	health := dbhealth.New(hl.logger())
	c.Supervise(health, SuperviseOptions{})
	closeCluster(t, c)
	time.Sleep(500 * time.Millisecond)
	assertStopped(t, c)
	if lines := hl.lines("database:"); len(lines) > 0 {
		t.Errorf("a clean stop was reported: %s", fmt.Sprint(lines))
	}
}

// TestSuperviseSeesFullDisk runs the cluster on a small tmpfs (as root;
// elsewhere it cannot be simulated and the test skips) and fills it: the
// health says the disk is full, with what the supervisor measured, and a
// write the server refuses carries SQLSTATE 53100; once space is freed
// the health is up again.
func TestSuperviseSeesFullDisk(t *testing.T) {
	requireBinaries(t)
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	parent := testDir(t)
	dir := filepath.Join(parent, "d")
	if err := os.Chmod(parent, 0o755); err != nil { // the postgres account passes through
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64m,mode=0700"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	opt := testOptions(t, dir)
	opt.ExtraSettings["max_wal_size"] = "32MB"
	opt.ExtraSettings["min_wal_size"] = "32MB"
	c := open(t, opt)
	var hl lineLog
	health := dbhealth.New(hl.logger())
	c.Supervise(health, SuperviseOptions{})
	db := connect(t, c)
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE filler (v text)"); err != nil {
		t.Fatal(err)
	}

	// Fill what is left, as a runaway log or upload would.
	fill := filepath.Join(dir, "fill")
	f, err := os.Create(fill)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	for deadline := time.Now().Add(5 * time.Second); health.Status().State != dbhealth.DiskFull; {
		if time.Now().After(deadline) {
			t.Fatalf("health %v on a full disk", health.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if reason := health.Status().Reason; !strings.Contains(reason, "KiB free") {
		t.Errorf("reason %q", reason)
	}
	_, err = db.ExecContext(t.Context(), "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 20000)")
	if pqErr := (*pq.Error)(nil); !errors.As(err, &pqErr) || pqErr.Code != "53100" {
		t.Errorf("a write on a full disk: %v, want SQLSTATE 53100", err)
	} else {
		t.Logf("the server said: %v", err)
	}

	if err := os.Remove(fill); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); health.Status().State != dbhealth.Up; {
		if time.Now().After(deadline) {
			t.Fatalf("health %v after space was freed", health.Status())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := db.ExecContext(t.Context(), "INSERT INTO filler VALUES ('room again')"); err != nil {
		t.Errorf("a write after space was freed: %v", err)
	}
	if n := len(hl.lines("database: disk full")); n != 1 {
		t.Errorf("the full disk was logged %d times:\n%s", n, strings.Join(hl.lines(""), "\n"))
	}
	closeCluster(t, c)
}
