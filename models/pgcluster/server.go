package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

const (
	superuser    = "quire" // the cluster's bootstrap superuser, used by the DSN
	port         = "5432"
	socketName   = ".s.PGSQL." + port
	startTimeout = "60" // seconds pg_ctl waits for start and stop
	logTailLines = 20
)

// maxSocketPath is the longest unix socket path Linux accepts: sun_path is
// 108 bytes including the terminating NUL.
const maxSocketPath = 107

var settingNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`)

// reservedSettings are fixed because the DSN depends on them.
var reservedSettings = []string{"unix_socket_directories", "port"}

func validateSettings(extra map[string]string) error {
	for k := range extra {
		if !settingNameRE.MatchString(k) {
			return fmt.Errorf("invalid setting name %q", k)
		}
		if slices.Contains(reservedSettings, strings.ToLower(k)) {
			return fmt.Errorf("setting %q cannot be changed: the connection string depends on it", k)
		}
	}
	return nil
}

// serverSettings are passed on every start rather than written to the
// configuration files, so they always follow the current Options: the
// server listens on no TCP port, only on a socket in the run directory that
// only its owner (and root) may use.
func (c *Cluster) serverSettings() map[string]string {
	s := map[string]string{
		"listen_addresses":        "",
		"unix_socket_directories": socketDirSetting(c.runDir),
		"unix_socket_permissions": "0700",
		"max_connections":         "100",
		"port":                    port,
	}
	// After a crash the server first flushes the whole data directory,
	// file by file: seconds on a busy disk before recovery even starts.
	// One syncfs (PostgreSQL 14 and later, Linux) is as safe and quicker.
	if n, err := strconv.Atoi(c.bin.major); err == nil && n >= 14 {
		s["recovery_init_sync_method"] = "syncfs"
	}
	maps.Copy(s, c.extra)
	return s
}

// serverOptions renders settings as the postgres arguments pg_ctl -o takes.
// pg_ctl hands them to /bin/sh, so each one is shell-quoted.
func (c *Cluster) serverOptions() string {
	s := c.serverSettings()
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("-c ")
		b.WriteString(shellQuote(k + "=" + s[k]))
	}
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// socketDirSetting quotes a directory for unix_socket_directories, which is
// a comma-separated list.
func socketDirSetting(dir string) string {
	if strings.ContainsAny(dir, `, "`) {
		return `"` + strings.ReplaceAll(dir, `"`, `""`) + `"`
	}
	return dir
}

// runTool runs a PostgreSQL tool as the server account and wraps a failure
// with the tool's own output, which says what went wrong.
func (c *Cluster) runTool(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := c.as.command(ctx, c.dataDir, c.bin.path(name), args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, args[0], err, strings.TrimSpace(string(out)))
	}
	return out, nil
}

// pgVersion reads PG_VERSION, which initdb writes; empty means no cluster.
func (c *Cluster) pgVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(c.pgData, "PG_VERSION"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// initdb creates the cluster in a scratch directory and renames it into
// place, so a crash half-way leaves nothing that looks like a cluster.
func (c *Cluster) initdb(ctx context.Context) error {
	if entries, err := os.ReadDir(c.pgData); err == nil {
		if len(entries) > 0 {
			return fmt.Errorf("%s is not empty but holds no PostgreSQL cluster (no PG_VERSION): move it away", c.pgData)
		}
		if err := os.Remove(c.pgData); err != nil {
			return err
		}
	}
	tmp := c.pgData + ".init"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	args := []string{"-D", tmp, "-U", superuser, "--auth=trust", "--encoding=UTF8"}
	// Whoever turns fsync off for the server does not want initdb's
	// flush of every file either (tests); it saves about a second.
	if strings.EqualFold(c.extra["fsync"], "off") {
		args = append(args, "--no-sync")
	}
	_, err := c.runTool(ctx, "initdb", append(args, "--locale=C.UTF-8")...)
	if err != nil {
		// C.UTF-8 is missing on some systems; plain C works everywhere.
		if rmErr := os.RemoveAll(tmp); rmErr != nil {
			return rmErr
		}
		if _, err2 := c.runTool(ctx, "initdb", append(args, "--locale=C")...); err2 != nil {
			return errors.Join(err, err2)
		}
	}
	return os.Rename(tmp, c.pgData)
}

// running reports whether a postmaster serves the cluster.
func (c *Cluster) running(ctx context.Context) (bool, error) {
	cmd := c.as.command(ctx, c.dataDir, c.bin.path("pg_ctl"), "status", "-D", c.pgData)
	out, err := cmd.CombinedOutput()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 3 {
		return false, nil // no server, or a postmaster.pid whose process is gone
	}
	if err != nil {
		return false, fmt.Errorf("pg_ctl status: %w: %s", err, strings.TrimSpace(string(out)))
	}
	// pg_ctl only asks whether the recorded pid exists. After a crash that
	// pid may be an unreaped zombie or, after a reboot, an unrelated
	// process; postgres would then refuse to start over the lock file.
	pid := readPID(filepath.Join(c.pgData, "postmaster.pid"))
	if pid > 0 && !isPostmasterOf(pid, c.pgData) {
		c.removeStaleLocks(pid)
		return false, nil
	}
	return true, nil
}

// readPID returns the pid on the first line of a PostgreSQL lock file, or 0.
func readPID(path string) int {
	b, err := os.ReadFile(path) // #nosec G304 -- postmaster.pid in the data folder the operator configured
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	pid, err := strconv.Atoi(strings.TrimSpace(string(line)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// isPostmasterOf reports whether pid is a live process working in pgData
// (a postmaster's working directory is its data directory). It answers true
// when it cannot tell, leaving the decision to pg_ctl.
func isPostmasterOf(pid int, pgData string) bool {
	proc := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(proc + "/stat") // #nosec G304 -- /proc/PID/stat of a numeric pid
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	// Format: "pid (comm) S ...", where comm may itself hold ") ".
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
		return false
	}
	cwd, err := os.Readlink(proc + "/cwd")
	if err != nil {
		return true
	}
	want, err := filepath.EvalSymlinks(pgData)
	if err != nil {
		return true
	}
	return cwd == want
}

// removeStaleLocks deletes the lock files of a postmaster that is certainly
// gone, so the next start is not refused.
func (c *Cluster) removeStaleLocks(pid int) {
	c.log.Info("pgcluster: removing lock files of a PostgreSQL server that is no longer running",
		"data_dir", c.dataDir, "pid", pid)
	for _, p := range []string{
		filepath.Join(c.pgData, "postmaster.pid"),
		filepath.Join(c.runDir, socketName+".lock"),
	} {
		if readPID(p) == pid {
			_ = os.Remove(p)
		}
	}
}

func (c *Cluster) start(ctx context.Context) error {
	var logStart int64
	if fi, err := os.Stat(c.logPath); err == nil {
		logStart = fi.Size()
	}
	_, err := c.runTool(ctx, "pg_ctl", "start", "-w", "-t", startTimeout,
		"-D", c.pgData, "-l", c.logPath, "-o", c.serverOptions())
	if err != nil {
		if tail := logTail(c.logPath, logStart, logTailLines); tail != "" {
			err = fmt.Errorf("%w\nlast lines of %s:\n%s", err, c.logPath, tail)
		}
		return err
	}
	return nil
}

// stop shuts the server down, disconnecting clients; a server that is
// already gone counts as stopped.
func (c *Cluster) stop(ctx context.Context) error {
	_, err := c.runTool(ctx, "pg_ctl", "stop", "-m", "fast", "-w", "-t", startTimeout, "-D", c.pgData)
	if err != nil {
		if up, serr := c.running(ctx); serr == nil && !up {
			return nil
		}
		return err
	}
	return nil
}

// logTail returns the last n lines written to the log since offset, which
// explain why a start failed.
func logTail(path string, offset int64, n int) string {
	f, err := os.Open(path) // #nosec G304 -- the server log in the data folder the operator configured
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	if offset > fi.Size() { // the log was truncated or replaced
		offset = 0
	}
	const maxRead = 64 << 10
	if fi.Size()-offset > maxRead {
		offset = fi.Size() - maxRead
	}
	b, err := io.ReadAll(io.NewSectionReader(f, offset, fi.Size()-offset))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
