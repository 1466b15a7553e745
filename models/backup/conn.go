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
		if kv[0] == "password" {
			password = unquoteConninfo(kv[1])
			continue
		}
		kept = append(kept, kv[0]+"="+kv[1])
	}
	return strings.Join(kept, " "), password
}

// splitConninfo splits a key=value connection string into its settings as
// libpq reads them: spaces may stand around =, and a value in single quotes
// ('a b', 'it\'s') is kept whole, quotes and all.
func splitConninfo(s string) [][2]string {
	var out [][2]string
	for {
		s = strings.TrimLeft(s, " \t\n")
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			return out
		}
		s = strings.TrimLeft(rest, " \t\n")
		end, quoted, escaped := len(s), false, false
		for i, r := range s {
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '\'':
				quoted = !quoted
			case (r == ' ' || r == '\t' || r == '\n') && !quoted:
				end = i
			}
			if end != len(s) {
				break
			}
		}
		out = append(out, [2]string{strings.TrimSpace(key), s[:end]})
		s = s[end:]
	}
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
