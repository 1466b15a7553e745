package backup

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"quire/models/pgcluster"
)

// Conn is how PostgreSQL's own programs (pg_dump, psql) reach the database
// Quire's connection pool uses.
type Conn struct {
	DSN string // a postgres:// URL or key=value string, as QUIRE_DATABASE_URL takes
	// Private is set for the private cluster: the caller's PG* variables
	// would send the programs elsewhere, so they are dropped.
	Private bool
}

// command prepares a PostgreSQL program connecting with c. The password
// travels in PGPASSWORD, not on the command line, which other accounts on
// the machine can read.
func (c Conn) command(ctx context.Context, program string, args ...string) *exec.Cmd {
	conninfo, password := splitPassword(c.DSN)
	cmd := exec.CommandContext(ctx, program, append(args, "--dbname="+conninfo)...) // #nosec G204 -- a PostgreSQL program found by pgcluster.FindTool
	for _, kv := range os.Environ() {
		if !c.Private || !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	return cmd
}

// splitPassword takes the password out of a connection string.
func splitPassword(dsn string) (conninfo, password string) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil || u.User == nil {
			return dsn, ""
		}
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
		return u.String(), password
	}
	var kept []string
	for _, kv := range splitConninfo(dsn) {
		if v, ok := strings.CutPrefix(kv, "password="); ok {
			password = unquoteConninfo(v)
			continue
		}
		kept = append(kept, kv)
	}
	return strings.Join(kept, " "), password
}

// splitConninfo splits a key=value connection string into its settings,
// keeping quoted values ('a b', 'it\'s') whole; spaces around = are dropped.
func splitConninfo(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, escaped := false, false
	s = strings.NewReplacer(" =", "=", "= ", "=").Replace(s)
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case r == '\'':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func unquoteConninfo(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		v = v[1 : len(v)-1]
	}
	return strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(v)
}

// tool finds a PostgreSQL program for the server's major version.
func tool(ctx context.Context, name string, serverVersionNum int) (string, error) {
	p, err := pgcluster.FindTool(ctx, name, serverVersionNum/10000)
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	return p, nil
}
