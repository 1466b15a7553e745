package pgcluster

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// serverUser is the account PostgreSQL runs under when quire runs as root,
// since PostgreSQL refuses to run as root.
const serverUser = "postgres"

// runAs is the OS account that owns the data directory and runs initdb,
// pg_ctl and postgres.
type runAs struct {
	name   string
	uid    uint32
	gid    uint32
	groups []uint32
	cred   *syscall.Credential // nil: run as this process
}

// currentRunAs runs as this process unless it is root, in which case it
// switches to the postgres account.
func currentRunAs() (*runAs, error) {
	if os.Geteuid() != 0 {
		r := &runAs{uid: uint32(os.Geteuid()), gid: uint32(os.Getegid())} // #nosec G115 -- Unix ids are 32-bit and never negative here
		if u, err := user.Current(); err == nil {
			r.name = u.Username
		}
		return r, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses to run as root, but there is no %q user to run it as: "+
			"create one (`sudo useradd --system --home-dir /var/lib/postgresql %s`) or run quire as a normal user: %w",
			serverUser, serverUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user %q has a non-numeric uid %q or gid %q", serverUser, u.Uid, u.Gid)
	}
	r := &runAs{name: serverUser, uid: uint32(uid), gid: uint32(gid)}
	gids, _ := u.GroupIds()
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			r.groups = append(r.groups, uint32(n))
		}
	}
	r.cred = &syscall.Credential{Uid: r.uid, Gid: r.gid, Groups: r.groups}
	return r, nil
}

func (r *runAs) switches() bool { return r.cred != nil }

// command prepares a PostgreSQL tool to run as the server account, from dir
// (which that account can enter), without the caller's PG* variables, which
// would otherwise change ports or data directories behind our back.
func (r *runAs) command(ctx context.Context, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...) // #nosec G204 -- a PostgreSQL binary (binaries.go) with arguments built in this package
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if r.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	}
	return cmd
}

// chownTree hands everything under dir to the server account (files root
// created, such as the lock file, and anything left from earlier runs).
// It works inside an os.Root: the server account owns the tree, and a
// directory it swaps for a symlink mid-walk must not lead root's chown
// outside (to /etc, say).
func (r *runAs) chownTree(dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return fs.WalkDir(root.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == r.uid && st.Gid == r.gid {
			return nil
		}
		return root.Lchown(path, int(r.uid), int(r.gid))
	})
}

// checkReachable fails when an ancestor of dir cannot be entered by the
// server account; otherwise initdb would fail later with a bare
// "permission denied" (typically a data directory under /root).
func (r *runAs) checkReachable(dir string) error {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !r.canSearch(fi) {
			return fmt.Errorf("the data directory %s is inside %s, which the %q user running PostgreSQL cannot enter: "+
				"choose a --data-dir elsewhere (for example under /var/lib) or let that user in (chmod o+x %s)",
				dir, p, r.name, p)
		}
		if p == "/" || p == filepath.Dir(p) {
			return nil
		}
	}
}

func (r *runAs) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == r.uid:
		return perm&0o100 != 0
	case st.Gid == r.gid || slices.Contains(r.groups, st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
