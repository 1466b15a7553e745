// Package pgcluster runs quire's private PostgreSQL cluster: the machine's
// own PostgreSQL binaries serving a data folder, reachable only through a
// unix socket inside that folder. The first quire process to open the
// cluster starts the server, later ones join it, and the last one to close
// it stops it.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// defaultDatabase is used when Options.Database is empty.
const defaultDatabase = "quire"

// Options for Open.
type Options struct {
	DataDir       string            // e.g. "./var/pgdata"; made absolute; created if missing
	Database      string            // database to ensure exists, e.g. "quire"
	Logger        *slog.Logger      // nil means slog.Default()
	ExtraSettings map[string]string // extra postgres -c settings (e.g. fsync=off in tests); may be nil
}

// Cluster is one process's use of the private PostgreSQL server.
//
// Layout of the data directory:
//
//	pg/            the PostgreSQL data directory (PGDATA)
//	run/           the socket directory, private to the server's account
//	quire.lock     coordinates the quire processes using the cluster
//	postgres.log   the server log
type Cluster struct {
	dataDir  string
	pgData   string
	runDir   string
	logPath  string
	database string
	extra    map[string]string
	log      *slog.Logger
	as       *runAs
	bin      binaries
	started  bool

	mu   sync.Mutex
	lock *lockFile   // nil once closed
	sup  *supervisor // nil unless Supervise was called
}

// Open makes the cluster in opt.DataDir available: it creates and
// initialises it on first use, starts the server unless another quire
// process already runs it, and creates opt.Database if missing. Waiting for
// another process that is starting or stopping the server honours ctx.
func Open(ctx context.Context, opt Options) (*Cluster, error) {
	c, err := newCluster(opt)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.makeDataDir(); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	lf, err := openLockFile(filepath.Join(c.dataDir, "quire.lock"))
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if err := lf.lock(ctx, gateByte, unix.F_WRLCK); err != nil {
		_ = lf.close()
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c.lock = lf
	if err := c.openLocked(ctx); err != nil {
		if c.started {
			// Nobody else can have joined: we still hold the gate.
			if ok, _ := lf.tryLock(usersByte, unix.F_WRLCK); ok {
				err = errors.Join(err, c.stop(context.WithoutCancel(ctx)))
			}
		}
		_ = lf.close()
		c.lock = nil
		return nil, err
	}
	if err := lf.unlock(gateByte); err != nil {
		_ = c.Close(ctx)
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	return c, nil
}

func newCluster(opt Options) (*Cluster, error) {
	if opt.DataDir == "" {
		return nil, errors.New("no data directory given")
	}
	dir, err := filepath.Abs(opt.DataDir)
	if err != nil {
		return nil, err
	}
	// pg_ctl runs the server through /bin/sh with the path in double quotes.
	if strings.ContainsAny(dir, "\"$`\\\n") {
		return nil, fmt.Errorf("data directory %q: the characters \" $ ` \\ and newlines are not supported", dir)
	}
	c := &Cluster{
		dataDir:  dir,
		pgData:   filepath.Join(dir, "pg"),
		runDir:   filepath.Join(dir, "run"),
		logPath:  filepath.Join(dir, "postgres.log"),
		database: opt.Database,
		extra:    opt.ExtraSettings,
		log:      opt.Logger,
	}
	if c.database == "" {
		c.database = defaultDatabase
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if n := len(c.runDir) + len("/"+socketName); n > maxSocketPath {
		return nil, fmt.Errorf("data directory %s is too long: its socket path would be %d bytes, over the limit of %d for unix sockets; "+
			"choose a shorter --data-dir", dir, n, maxSocketPath)
	}
	if err := validateSettings(c.extra); err != nil {
		return nil, err
	}
	if c.as, err = currentRunAs(); err != nil {
		return nil, err
	}
	return c, nil
}

// makeDataDir creates the data directory, private to the server's account.
// Missing parents get the usual 0755 so that account can pass through them.
func (c *Cluster) makeDataDir() error {
	if err := os.MkdirAll(filepath.Dir(c.dataDir), 0o755); err != nil { // #nosec G301 -- see above: the server account passes through
		return err
	}
	if c.as.switches() {
		if err := c.as.checkReachable(c.dataDir); err != nil {
			return err
		}
	}
	if err := os.Mkdir(c.dataDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if c.as.switches() {
		return os.Lchown(c.dataDir, int(c.as.uid), int(c.as.gid))
	}
	return nil
}

// openLocked does Open's work while holding the gate lock.
func (c *Cluster) openLocked(ctx context.Context) error {
	if err := os.MkdirAll(c.runDir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.Chmod(c.runDir, 0o700); err != nil { // #nosec G302 -- a directory: 0700 is owner-only (0600 could not be entered)
		return fmt.Errorf("pgcluster: %w", err)
	}
	if c.as.switches() {
		if err := c.as.chownTree(c.dataDir); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	ver, err := c.pgVersion()
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if c.bin, err = findBinaries(ctx, ver); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if c.bin.major == "" {
		_ = c.bin.detectMajor(ctx) // unknown: only version-dependent settings are left out
	}
	if ver == "" {
		c.log.Info("pgcluster: initialising new PostgreSQL cluster", "data_dir", c.dataDir, "bin", c.bin.dir)
		if err := c.initdb(ctx); err != nil {
			return fmt.Errorf("pgcluster: initdb: %w", err)
		}
	}

	up, err := c.running(ctx)
	if err != nil {
		return fmt.Errorf("pgcluster: status: %w", err)
	}
	if up {
		c.log.Info("pgcluster: joining running PostgreSQL", "data_dir", c.dataDir)
	} else {
		c.log.Info("pgcluster: starting PostgreSQL", "data_dir", c.dataDir, "bin", c.bin.dir)
		if err := c.start(ctx); err != nil {
			return fmt.Errorf("pgcluster: start: %w", err)
		}
		c.started = true
	}

	// Only the holder of the gate ever takes usersByte exclusively, so this
	// does not wait.
	if err := c.lock.lock(ctx, usersByte, unix.F_RDLCK); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.ensureDatabase(ctx); err != nil {
		return fmt.Errorf("pgcluster: database %q: %w", c.database, err)
	}
	return nil
}

// DSN returns the lib/pq connection string for the cluster's database.
func (c *Cluster) DSN() string { return dsn(c.runDir, c.database) }

// SocketDir returns the directory holding the server's unix socket.
func (c *Cluster) SocketDir() string { return c.runDir }

// Started reports whether this Open started the server, rather than
// joining one another quire process runs.
func (c *Cluster) Started() bool { return c.started }

// Close releases the cluster and stops the server if no other quire process
// uses it, whoever started it. ctx bounds the wait for a process that is
// starting or stopping the server; if it expires the server is left running
// for the next Open to join. Close is idempotent.
func (c *Cluster) Close(ctx context.Context) error {
	c.stopSupervisor()
	c.mu.Lock()
	defer c.mu.Unlock()
	lf := c.lock
	if lf == nil {
		return nil
	}
	c.lock = nil
	defer lf.close()

	if err := lf.lock(ctx, gateByte, unix.F_WRLCK); err != nil {
		return fmt.Errorf("pgcluster: close: server left running: %w", err)
	}
	last, err := lf.tryLock(usersByte, unix.F_WRLCK)
	if err != nil {
		return fmt.Errorf("pgcluster: close: %w", err)
	}
	if !last {
		c.log.Debug("pgcluster: leaving PostgreSQL running for other quire processes", "data_dir", c.dataDir)
		return nil
	}
	// Holding both locks, a newcomer waits and then starts a fresh server.
	c.log.Info("pgcluster: stopping PostgreSQL", "data_dir", c.dataDir)
	if err := c.stop(ctx); err != nil {
		return fmt.Errorf("pgcluster: stop: %w", err)
	}
	return nil
}

// abandon drops the locks without stopping anything, as a crashed process
// would.
func (c *Cluster) abandon() {
	c.stopSupervisor()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lock != nil {
		_ = c.lock.close()
		c.lock = nil
	}
}

// stopSupervisor ends supervision before the locks are let go.
func (c *Cluster) stopSupervisor() {
	c.mu.Lock()
	s := c.sup
	c.sup = nil
	c.mu.Unlock()
	if s != nil {
		s.stop()
	}
}
