package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// errNoBinaries tells the user exactly what to install.
var errNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: " +
	"install them with `sudo apt-get install postgresql` or set QUIRE_DATABASE_URL to use an existing server")

// pgLibDir is where Debian-style packages keep one bin directory per major
// version; those binaries are usually not on PATH. A variable so tests can
// point it elsewhere.
var pgLibDir = "/usr/lib/postgresql"

// requiredBinaries must all sit in one directory: pg_ctl runs the postgres
// next to itself.
var requiredBinaries = []string{"initdb", "pg_ctl", "postgres"}

// binaries is one PostgreSQL installation.
type binaries struct {
	dir   string
	major string // "15", "9.6"; empty until known
}

func (b binaries) path(name string) string { return filepath.Join(b.dir, name) }

// findBinaries picks the installation to run: $QUIRE_PG_BIN, then PATH, then
// the newest under /usr/lib/postgresql. When the data directory already
// exists (wantMajor != ""), the installation must be of the same major
// version, because PostgreSQL cannot open another major version's files.
func findBinaries(ctx context.Context, wantMajor string) (binaries, error) {
	if dir := os.Getenv("QUIRE_PG_BIN"); dir != "" {
		if !hasBinaries(dir) {
			return binaries{}, fmt.Errorf("QUIRE_PG_BIN=%s does not contain %s", dir, strings.Join(requiredBinaries, ", "))
		}
		b := binaries{dir: dir}
		if wantMajor != "" {
			if err := b.detectMajor(ctx); err != nil {
				return binaries{}, err
			}
			if b.major != wantMajor {
				return binaries{}, versionMismatch(wantMajor, []binaries{b})
			}
		}
		return b, nil
	}

	candidates := candidateDirs()
	if len(candidates) == 0 {
		return binaries{}, errNoBinaries
	}
	if wantMajor == "" {
		return binaries{dir: candidates[0]}, nil
	}
	var seen []binaries
	for _, dir := range candidates {
		b := binaries{dir: dir}
		if err := b.detectMajor(ctx); err != nil {
			continue
		}
		if b.major == wantMajor {
			return b, nil
		}
		seen = append(seen, b)
	}
	return binaries{}, versionMismatch(wantMajor, seen)
}

func versionMismatch(want string, seen []binaries) error {
	var found []string
	for _, b := range seen {
		found = append(found, fmt.Sprintf("%s in %s", b.major, b.dir))
	}
	return fmt.Errorf("the database was created by PostgreSQL %s but only PostgreSQL %s is installed: "+
		"install it with `sudo apt-get install postgresql-%s` (or upgrade the data with pg_upgrade)",
		want, strings.Join(found, ", "), want)
}

// candidateDirs lists installation directories in order of preference,
// without duplicates.
func candidateDirs() []string {
	var dirs []string
	add := func(dir string) {
		if dir != "" && !slices.Contains(dirs, dir) && hasBinaries(dir) {
			dirs = append(dirs, dir)
		}
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir == "" {
			dir = "."
		}
		add(dir)
	}
	for _, dir := range libVersionDirs() {
		add(dir)
	}
	return dirs
}

// libVersionDirs returns /usr/lib/postgresql/<version>/bin, newest first.
func libVersionDirs() []string {
	entries, err := os.ReadDir(pgLibDir)
	if err != nil {
		return nil
	}
	type versioned struct {
		dir string
		ver []int
	}
	var found []versioned
	for _, e := range entries {
		ver, ok := parseVersion(e.Name())
		if !ok {
			continue
		}
		found = append(found, versioned{filepath.Join(pgLibDir, e.Name(), "bin"), ver})
	}
	slices.SortFunc(found, func(a, b versioned) int { return -slices.Compare(a.ver, b.ver) })
	dirs := make([]string, len(found))
	for i, v := range found {
		dirs[i] = v.dir
	}
	return dirs
}

func parseVersion(s string) ([]int, bool) {
	var ver []int
	for part := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, false
		}
		ver = append(ver, n)
	}
	return ver, len(ver) > 0
}

func hasBinaries(dir string) bool {
	for _, name := range requiredBinaries {
		fi, err := os.Stat(filepath.Join(dir, name)) // #nosec G703 -- a PostgreSQL bin folder (configured or a standard place) and a fixed name
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

// detectMajor asks pg_ctl for its version ("pg_ctl (PostgreSQL) 15.8 ...").
func (b *binaries) detectMajor(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, b.path("pg_ctl"), "--version").Output() // #nosec G204 -- the pg_ctl binary found above
	if err != nil {
		return fmt.Errorf("%s --version: %w", b.path("pg_ctl"), err)
	}
	b.major = majorFromVersion(string(out))
	if b.major == "" {
		return fmt.Errorf("%s --version: unrecognised output %q", b.path("pg_ctl"), strings.TrimSpace(string(out)))
	}
	return nil
}

// majorFromVersion maps a version to the form PG_VERSION uses: "15" from
// 15.8, but "9.6" from 9.6.24 (before 10 the major had two parts).
func majorFromVersion(s string) string {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	if n, _ := strconv.Atoi(m[1]); n < 10 && m[2] != "" {
		return m[1] + "." + m[2]
	}
	return m[1]
}
