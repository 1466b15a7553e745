package pgcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// FindTool returns the path of a PostgreSQL client program (pg_dump,
// pg_restore, psql) able to work with a server of major version major:
// $QUIRE_PG_BIN's, then Debian's of that very version under
// /usr/lib/postgresql, then a newer one there, then PATH's when its version
// is new enough. pg_dump refuses servers newer than itself, and the
// version-matched one writes what that server reads back.
func FindTool(ctx context.Context, name string, major int) (string, error) {
	if dir := os.Getenv("QUIRE_PG_BIN"); dir != "" && isExecutable(filepath.Join(dir, name)) {
		return filepath.Join(dir, name), nil
	}
	dirs := libVersionDirs() // newest first
	for i := len(dirs) - 1; i >= 0; i-- {
		v, _ := parseVersion(filepath.Base(filepath.Dir(dirs[i])))
		if len(v) > 0 && v[0] >= major && isExecutable(filepath.Join(dirs[i], name)) {
			return filepath.Join(dirs[i], name), nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		out, err := exec.CommandContext(ctx, p, "--version").Output() // #nosec G204 -- a PostgreSQL program found on PATH
		if n, _ := strconv.Atoi(majorFromVersion(string(out))); err == nil && n >= major {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s for PostgreSQL %d or newer not found: install it with `sudo apt-get install postgresql-client-%d` "+
		"(or point QUIRE_PG_BIN at the folder holding it)", name, major, major)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path) // #nosec G703 -- a PostgreSQL bin folder and a fixed program name
	return err == nil && !fi.IsDir() && fi.Mode().Perm()&0o111 != 0
}
