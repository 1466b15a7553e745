package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// The lock file coordinates every quire process using one data directory
// with two one-byte locks:
//
//   - gateByte is held exclusively while a process initialises, starts,
//     joins or stops the server, so those steps never interleave.
//   - usersByte is held shared by every process using the server, for as
//     long as it uses it. Whoever can take it exclusively while holding the
//     gate is the last user and stops the server.
//
// A single flock cannot serve both roles: a newcomer asking for an exclusive
// flock would wait for as long as any running process held its shared one.
// Open-file-description locks are released by the kernel when the process
// dies, so a crash never leaves a lock behind, and two opens in one process
// are independent, like two processes.
const (
	gateByte  = 0
	usersByte = 1
)

// lockPoll is how often a wait for a lock rechecks its context.
const lockPoll = 50 * time.Millisecond

type lockFile struct {
	f *os.File
}

func openLockFile(path string) (*lockFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) // #nosec G304 -- a file in the data folder the operator configured
	if err != nil {
		return nil, err
	}
	return &lockFile{f: f}, nil
}

// tryLock sets a lock of type typ (unix.F_RDLCK, F_WRLCK or F_UNLCK) on one
// byte without waiting, reporting false if another holder conflicts. Changing
// the type of a lock already held is atomic: a refused upgrade keeps the
// shared lock.
func (l *lockFile) tryLock(off int64, typ int16) (bool, error) {
	lk := unix.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	err := unix.FcntlFlock(l.f.Fd(), unix.F_OFD_SETLK, &lk)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", l.f.Name(), err)
	}
	return true, nil
}

// lock waits for a lock until ctx is done. It tries once before looking at
// ctx, so an uncontended lock succeeds even with an expired context.
func (l *lockFile) lock(ctx context.Context, off int64, typ int16) error {
	t := time.NewTicker(lockPoll)
	defer t.Stop()
	for {
		ok, err := l.tryLock(off, typ)
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for lock %s: %w", l.f.Name(), context.Cause(ctx))
		case <-t.C:
		}
	}
}

func (l *lockFile) unlock(off int64) error {
	_, err := l.tryLock(off, unix.F_UNLCK)
	return err
}

// close releases every lock held through this file.
func (l *lockFile) close() error { return l.f.Close() }
