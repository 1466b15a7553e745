package pgcluster

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestFindTool: pg_dump is found for the installed server's version, and
// one for a version nobody has installed is refused with the package to
// install.
func TestFindTool(t *testing.T) {
	ctx := context.Background()
	b, err := findBinaries(ctx, "")
	if err != nil {
		t.Skip(err)
	}
	if err := b.detectMajor(ctx); err != nil {
		t.Fatal(err)
	}
	major, _ := strconv.Atoi(b.major)
	path, err := FindTool(ctx, "pg_dump", major)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path, "--version").Output()
	if n, _ := strconv.Atoi(majorFromVersion(string(out))); err != nil || n < major {
		t.Errorf("%s is %q, for a server of version %d", path, out, major)
	}
	_, err = FindTool(ctx, "pg_dump", 999)
	if err == nil || !strings.Contains(err.Error(), "postgresql-client-999") {
		t.Errorf("pg_dump for PostgreSQL 999: %v", err)
	}
}
