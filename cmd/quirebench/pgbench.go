package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// pgbenchResult is what one pgbench run reports.
type pgbenchResult struct {
	TPS       float64
	LatencyMS float64 // average
	Failed    int64
	Txns      int64
}

var (
	pgTPSRE     = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
	pgLatRE     = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	pgFailedRE  = regexp.MustCompile(`(?m)^number of failed transactions: (\d+)`)
	pgTxnsRE    = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)`)
	placeholder = regexp.MustCompile(`\$(\d+)`)
)

func parsePgbench(out string) (pgbenchResult, error) {
	var r pgbenchResult
	m := pgTPSRE.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("pgbench output has no tps line")
	}
	r.TPS, _ = strconv.ParseFloat(m[1], 64)
	if m := pgLatRE.FindStringSubmatch(out); m != nil {
		r.LatencyMS, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := pgFailedRE.FindStringSubmatch(out); m != nil {
		r.Failed, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := pgTxnsRE.FindStringSubmatch(out); m != nil {
		r.Txns, _ = strconv.ParseInt(m[1], 10, 64)
	}
	return r, nil
}

// pgbenchScript turns a page's statements into a pgbench custom script:
// one transaction is one page view. Each $n becomes a pgbench variable
// (q<statement>p<n>) whose value is passed with -D, so with -M prepared the
// statements travel with parameters, as lib/pq sends them, each parsed and
// planned once per connection: the most PostgreSQL gives for them. (The
// app prepares its hottest reads the same way and sends the rest unnamed,
// planned on every run.) It returns the script and the -D definitions.
func pgbenchScript(qs []query, fx *fixtures) (string, []string, error) {
	var b strings.Builder
	var defs []string
	for i, q := range qs {
		if q.Expand != nil {
			return "", nil, fmt.Errorf("%s: statements built at run time were not expanded", q.Runs)
		}
		text := q.SQL
		values := q.Args(fx)
		var bad error
		text = replaceOutsideQuotes(text, func(n int) string {
			if n < 1 || n > len(values) {
				bad = fmt.Errorf("%s: $%d has no value (%d given)", q.Runs, n, len(values))
				return ""
			}
			v := values[n-1]
			if strings.HasPrefix(v, ":") {
				return v // a pgbench variable set by a meta-command
			}
			if v == "" {
				return "''" // pgbench -D refuses empty values
			}
			name := fmt.Sprintf("q%dp%d", i+1, n)
			return ":" + name
		})
		if bad != nil {
			return "", nil, bad
		}
		for n, v := range values {
			if v != "" && !strings.HasPrefix(v, ":") {
				defs = append(defs, fmt.Sprintf("q%dp%d=%s", i+1, n+1, v))
			}
		}
		fmt.Fprintf(&b, "-- %s\n", q.Runs)
		for _, m := range q.Meta {
			b.WriteString(m + "\n")
		}
		b.WriteString(strings.TrimSpace(text) + ";\n")
	}
	return b.String(), defs, nil
}

// replaceOutsideQuotes replaces $n placeholders that are not inside a
// quoted literal or identifier.
func replaceOutsideQuotes(s string, repl func(n int) string) string {
	var b strings.Builder
	var quote byte // ' or ", 0 outside
	escapes := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			b.WriteByte(c)
			if escapes && c == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			escapes = c == '\'' && i > 0 && (s[i-1] == 'E' || s[i-1] == 'e')
			quote = c
			b.WriteByte(c)
		case c == '$':
			if m := placeholder.FindStringSubmatch(s[i:]); m != nil && strings.HasPrefix(s[i:], m[0]) {
				n, _ := strconv.Atoi(m[1])
				b.WriteString(repl(n))
				i += len(m[0]) - 1
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pgbenchRun describes one pgbench invocation against the private cluster.
type pgbenchRun struct {
	Bin         string
	SocketDir   string
	Script      string // file
	Defs        []string
	Connections int
	Threads     int
	Duration    time.Duration
}

func (p pgbenchRun) args() []string {
	a := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(p.Connections), "-j", strconv.Itoa(p.Threads),
		"-T", strconv.Itoa(int(p.Duration.Round(time.Second) / time.Second)), "-f", p.Script}
	for _, d := range p.Defs {
		a = append(a, "-D", d)
	}
	return append(a, "-h", p.SocketDir, "-p", "5432", "-U", "quire", "quire")
}

func (p pgbenchRun) String() string {
	return shellJoin(append([]string{filepath.Base(p.Bin)}, p.args()...))
}

func (p pgbenchRun) run(ctx context.Context) (pgbenchResult, string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.Duration+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.Bin, p.args()...) // #nosec G204 -- the pgbench found on this machine (findPgbench), with arguments built here
	cmd.Env = append(os.Environ(), "PGAPPNAME=quirebench")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return pgbenchResult{}, string(out), fmt.Errorf("pgbench: %w: %s", err, lastLines(string(out), 8))
	}
	r, err := parsePgbench(string(out))
	if err == nil && r.Failed > 0 {
		err = fmt.Errorf("pgbench: %d failed transactions: %s", r.Failed, lastLines(string(out), 8))
	}
	return r, string(out), err
}

// findPgbench looks on PATH, then where Debian puts the server's tools.
func findPgbench() (string, error) {
	if p, err := exec.LookPath("pgbench"); err == nil {
		if exec.Command(p, "--version").Run() == nil { // #nosec G204 -- the pgbench on PATH, asked for its version
			return p, nil
		}
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	if len(found) > 0 {
		return found[len(found)-1], nil
	}
	return "", fmt.Errorf("pgbench not found: it comes with the PostgreSQL server (Debian: sudo apt-get install postgresql)")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
