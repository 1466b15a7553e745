package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"quire/models/dbhealth"
)

// Supervision defaults: a dead server is restarted after 100 ms, then after
// waits doubling to 5 s; a server that stays up a minute is healthy again.
const (
	firstBackoff    = 100 * time.Millisecond
	maxBackoff      = 5 * time.Second
	stableAfter     = time.Minute
	checkEvery      = 250 * time.Millisecond
	giveUpAfter     = 2 * time.Minute
	lowSpace        = 16 << 20 // bytes free below which the disk counts as full: one WAL segment
	enospcHold      = 10 * time.Second
	restartDuration = time.Second // a typical crash recovery, for Retry-After
)

// SuperviseOptions tune Supervise; zero values take the defaults above.
type SuperviseOptions struct {
	// GiveUpAfter is how long restarts may keep failing before the health
	// says Failed (they still go on, every MaxBackoff).
	GiveUpAfter time.Duration
	MaxBackoff  time.Duration
}

// supervisor watches the postmaster of a cluster this process uses.
type supervisor struct {
	c      *Cluster
	health *dbhealth.Monitor
	opt    SuperviseOptions
	cancel context.CancelFunc
	done   chan struct{}

	logOffset int64     // how far the server log has been read
	enospcAt  time.Time // when the server last logged "No space left on device"
	enospc    string    // that line
}

// Supervise watches the server until Close: when its postmaster dies (the
// OOM killer, a crash) it is restarted, with crash recovery, waiting 100 ms
// and then twice as long each time up to 5 s; of several quire processes
// using the cluster, the one that takes the gate lock first restarts it and
// the others find it running. It also watches the disk. Everything it sees
// goes to health, which logs each change once.
func (c *Cluster) Supervise(health *dbhealth.Monitor, opt SuperviseOptions) {
	if opt.GiveUpAfter <= 0 {
		opt.GiveUpAfter = giveUpAfter
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = maxBackoff
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lock == nil || c.sup != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &supervisor{c: c, health: health, opt: opt, cancel: cancel, done: make(chan struct{})}
	if fi, err := os.Stat(c.logPath); err == nil {
		s.logOffset = fi.Size()
	}
	c.sup = s
	go s.run(ctx)
}

// stop ends the supervisor and waits for it: Close must not race a restart.
func (s *supervisor) stop() {
	s.cancel()
	<-s.done
}

func (s *supervisor) run(ctx context.Context) {
	defer close(s.done)
	backoff := firstBackoff
	upSince := time.Now()
	for {
		pid := readPID(filepath.Join(s.c.pgData, "postmaster.pid"))
		s.waitForDeath(ctx, pid)
		if ctx.Err() != nil {
			return
		}
		if time.Since(upSince) >= stableAfter {
			backoff = firstBackoff
		}
		if !s.restart(ctx, pid, &backoff) {
			return
		}
		upSince = time.Now()
	}
}

// waitForDeath returns when the postmaster pid has exited (at once through
// a pidfd, else at the next check) or ctx ends, checking the disk meanwhile.
func (s *supervisor) waitForDeath(ctx context.Context, pid int) {
	fd := -1
	if pid > 0 {
		if f, err := unix.PidfdOpen(pid, 0); err == nil {
			fd = f
			defer unix.Close(fd)
		}
	}
	for ctx.Err() == nil {
		s.report(dbhealth.Status{State: dbhealth.Up})
		if pid <= 0 || !isPostmasterOf(pid, s.c.pgData) {
			return
		}
		if fd < 0 {
			sleep(ctx, checkEvery)
			continue
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}} // #nosec G115 -- a file descriptor fits
		if _, err := unix.Poll(fds, int(checkEvery.Milliseconds())); err != nil && !errors.Is(err, unix.EINTR) {
			sleep(ctx, checkEvery)
		}
	}
}

// restart brings the server back, retrying with backoff until it runs or
// ctx ends (false).
func (s *supervisor) restart(ctx context.Context, pid int, backoff *time.Duration) bool {
	died := time.Now()
	reason := fmt.Sprintf("the PostgreSQL server (pid %d) stopped unexpectedly", pid)
	s.c.log.Warn("pgcluster: PostgreSQL died; restarting it", "data_dir", s.c.dataDir, "pid", pid)
	failed := false
	for attempt := 1; ; attempt++ {
		st := dbhealth.Status{State: dbhealth.Restarting, Since: died, Until: time.Now().Add(*backoff + restartDuration), Reason: reason}
		if failed {
			st.State = dbhealth.Failed
			st.Until = time.Time{}
		}
		s.report(st)
		if !sleep(ctx, *backoff) {
			return false
		}
		*backoff = min(*backoff*2, s.opt.MaxBackoff)
		started, err := s.c.restartLocked(ctx)
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			if started {
				s.c.log.Info("pgcluster: PostgreSQL restarted", "data_dir", s.c.dataDir,
					"attempts", attempt, "down_ms", time.Since(died).Milliseconds())
			}
			return true
		}
		s.c.log.Debug("pgcluster: restart failed", "attempt", attempt, "err", err)
		if !failed && time.Since(died) >= s.opt.GiveUpAfter {
			failed = true
			reason = fmt.Sprintf("%s and could not be restarted for %v: %v", reason, s.opt.GiveUpAfter, err)
		}
	}
}

// restartLocked starts the server under the gate lock unless another quire
// process already has; it reports whether this one did.
func (c *Cluster) restartLocked(ctx context.Context) (bool, error) {
	c.mu.Lock()
	lf := c.lock
	c.mu.Unlock()
	if lf == nil {
		return false, errors.New("cluster closed")
	}
	if err := lf.lock(ctx, gateByte, unix.F_WRLCK); err != nil {
		return false, err
	}
	defer lf.unlock(gateByte)
	up, err := c.running(ctx)
	if err != nil {
		return false, err
	}
	if up {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	return true, c.start(ctx)
}

// report tells health what the supervisor sees, a full disk first: it is
// what an operator has to fix.
func (s *supervisor) report(st dbhealth.Status) {
	if reason, full := s.diskFull(); full && st.State != dbhealth.Failed {
		st = dbhealth.Status{State: dbhealth.DiskFull, Reason: reason, Until: time.Now().Add(time.Minute)}
	}
	s.health.Set(dbhealth.Supervisor, st)
}

// diskFull reports a full disk: under lowSpace bytes free for the data
// directory, or "No space left on device" in the server log lately.
func (s *supervisor) diskFull() (string, bool) {
	s.scanLog()
	var fs unix.Statfs_t
	if err := unix.Statfs(s.c.pgData, &fs); err == nil {
		free := fs.Bavail * uint64(fs.Bsize) // #nosec G115 -- a block size is positive
		if free < lowSpace {
			return fmt.Sprintf("the disk holding %s has %d KiB free", s.c.pgData, free>>10), true
		}
	}
	if !s.enospcAt.IsZero() && time.Since(s.enospcAt) < enospcHold {
		return "the server logged: " + s.enospc, true
	}
	return "", false
}

// scanLog reads what the server logged since the last look for ENOSPC.
func (s *supervisor) scanLog() {
	f, err := os.Open(s.c.logPath)
	if err != nil {
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == s.logOffset {
		return
	}
	from := s.logOffset
	if from > fi.Size() {
		from = 0 // rotated or truncated
	}
	const maxRead = 256 << 10
	from = max(from, fi.Size()-maxRead)
	b, err := io.ReadAll(io.NewSectionReader(f, from, fi.Size()-from))
	if err != nil {
		return
	}
	s.logOffset = fi.Size()
	if i := bytes.LastIndex(b, []byte("No space left on device")); i >= 0 {
		start := bytes.LastIndexByte(b[:i], '\n') + 1
		end := bytes.IndexByte(b[i:], '\n')
		if end < 0 {
			end = len(b) - i
		}
		s.enospc = string(bytes.TrimSpace(b[start : i+end]))
		s.enospcAt = time.Now()
	}
}

// sleep waits d or until ctx ends, reporting false if it ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
