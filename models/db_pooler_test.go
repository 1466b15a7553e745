package models_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// Behind PgBouncer in session mode (the pooler docs/deploy.md describes),
// which refuses statement_timeout as a start-up parameter, Quire still
// connects, and every connection keeps the statement timeout.
func TestOpenBehindPgBouncer(t *testing.T) {
	addr := startPgBouncer(t, dbtest.URL(t))
	db, err := models.Open(context.Background(), addr)
	if err != nil {
		t.Fatalf("open through PgBouncer: %v", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(3)
	for i := 0; i < 3; i++ { // more than one pooled connection
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var got string
		if err := conn.QueryRowContext(context.Background(), `SHOW statement_timeout`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != "10s" {
			t.Errorf("connection %d: statement_timeout = %q behind PgBouncer, want 10s", i, got)
		}
	}
}

// The connection that listens for changes connects through PgBouncer too
// (session mode keeps LISTEN working).
func TestListenBehindPgBouncer(t *testing.T) {
	addr := startPgBouncer(t, dbtest.URL(t))
	c := models.Listen(addr, slog.New(slog.DiscardHandler))
	defer c.Close()
	for deadline := time.Now().Add(15 * time.Second); !c.Listening(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not listening through PgBouncer after 15 s: %+v", c.State())
		}
	}
}

// startPgBouncer runs PgBouncer (Debian's package; `go tool task test`
// installs it) in session mode in front of the database at dsn, and
// returns a URL that reaches that database through it.
func startPgBouncer(t *testing.T, dsn string) string {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/pgbouncer"); err != nil {
			t.Fatal("pgbouncer is missing: install it (sudo apt-get install pgbouncer); go tool task test does when root")
		}
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	host, port := u.Query().Get("host"), u.Port()
	if host == "" {
		host = u.Hostname()
	}
	if port == "" {
		port = "5432"
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	dir, err := os.MkdirTemp("", "quire-pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil { // #nosec G302 -- PgBouncer runs as postgres when the test runs as root
		t.Fatal(err)
	}
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = session
logfile = %s
`, host, port, listen, filepath.Join(dir, "users.txt"), filepath.Join(dir, "pgbouncer.log"))
	user := u.User.Username()
	if err := os.WriteFile(filepath.Join(dir, "users.txt"), []byte(fmt.Sprintf("%q \"\"\n", user)), 0o644); err != nil { // #nosec G306 -- read by the postgres account
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(cfg, []byte(ini), 0o644); err != nil { // #nosec G306 -- read by the postgres account
		t.Fatal(err)
	}
	args := []string{cfg}
	if os.Geteuid() == 0 {
		args = []string{"-u", "postgres", cfg} // PgBouncer refuses to run as root
	}
	cmd := exec.Command(bin, args...) // #nosec G204 -- the test's own PgBouncer and config
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", listen))
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("PgBouncer did not start: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d%s?sslmode=disable", url.PathEscape(user), listen, u.Path)
}
