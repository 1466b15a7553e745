package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// The ceiling is only honest if its script is what the page really runs.
// The case table says what that is; this check asks PostgreSQL: it logs
// every statement (log_statement = all, set with ALTER SYSTEM on the
// private cluster and reset afterwards) while the app answers one request,
// and compares the statements logged with the script's.

// logEntryRE is the start of a log line under the prefix set below.
var logEntryRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] (.*?): ([A-Z]+):  (.*)$`)

// ignoredStatements are run by the app in the background, not by a page.
var ignoredStatements = regexp.MustCompile(`^DELETE FROM sessions WHERE expiry < current_timestamp`)

// loggedStatements runs send while PostgreSQL logs statements and returns
// those the app's connections ran, in order.
func (b *bench) loggedStatements(ctx context.Context, send func() error) ([]string, error) {
	db, err := b.openDB(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	logPath := filepath.Join(b.app.dataDir, "pgdata", "postgres.log")
	st, err := os.Stat(logPath)
	if err != nil {
		return nil, err
	}
	set := []string{
		`ALTER SYSTEM SET log_statement = 'all'`,
		`ALTER SYSTEM SET log_line_prefix = '%m [%p] %a: '`,
		`SELECT pg_reload_conf()`,
	}
	reset := []string{`ALTER SYSTEM RESET log_statement`, `ALTER SYSTEM RESET log_line_prefix`, `SELECT pg_reload_conf()`}
	defer func() {
		for _, s := range reset {
			_, _ = db.ExecContext(context.WithoutCancel(ctx), s)
		}
	}()
	for _, s := range set {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	time.Sleep(300 * time.Millisecond) // every backend takes the new setting
	if err := send(); err != nil {
		return nil, err
	}
	time.Sleep(300 * time.Millisecond) // the log is written asynchronously
	// #nosec G304 -- the private cluster's server log in the temp folder
	f, err := os.Open(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(st.Size(), io.SeekStart); err != nil {
		return nil, err
	}
	return parseStatementLog(f), nil
}

// parseStatementLog reads the statements of a PostgreSQL log written with
// log_statement = all and the prefix above, leaving out this tool's own.
func parseStatementLog(r io.Reader) []string {
	var out []string
	cur := -1 // index in out of the statement being continued, or -1
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m := logEntryRE.FindStringSubmatch(line)
		if m == nil {
			if cur >= 0 {
				out[cur] += "\n" + line
			}
			continue
		}
		cur = -1
		app, level, msg := m[1], m[2], m[3]
		if level != "LOG" || app == "quirebench" {
			continue
		}
		var text string
		switch {
		case strings.HasPrefix(msg, "statement: "):
			text = strings.TrimPrefix(msg, "statement: ")
		case strings.HasPrefix(msg, "execute "):
			_, text, _ = strings.Cut(msg, ": ")
		default:
			continue
		}
		out = append(out, text)
		cur = len(out) - 1
	}
	kept := out[:0]
	for _, s := range out {
		if !ignoredStatements.MatchString(squash(s)) {
			kept = append(kept, s)
		}
	}
	return kept
}

// squash makes statements comparable: runs of white space become one space.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// compareStatements says how the script's statements differ from those
// logged; "" when they are the same, in the same order.
func compareStatements(script, logged []string) string {
	a, b := make([]string, len(script)), make([]string, len(logged))
	for i, s := range script {
		a[i] = squash(s)
	}
	for i, s := range logged {
		b[i] = squash(s)
	}
	if strings.Join(a, "\x00") == strings.Join(b, "\x00") {
		return ""
	}
	count := map[string]int{}
	for _, s := range b {
		count[s]++
	}
	var missing, extra []string
	for _, s := range a {
		if count[s] > 0 {
			count[s]--
		} else {
			extra = append(extra, short(s))
		}
	}
	for _, s := range b {
		if count[s] > 0 {
			count[s]--
			missing = append(missing, short(s))
		}
	}
	msg := fmt.Sprintf("the ceiling script has %d statements, PostgreSQL logged %d for one request", len(a), len(b))
	if len(missing) > 0 {
		msg += "; the page also ran: " + strings.Join(missing, " | ")
	}
	if len(extra) > 0 {
		msg += "; the page did not run: " + strings.Join(extra, " | ")
	}
	if len(missing) == 0 && len(extra) == 0 {
		msg += "; same statements in another order"
	}
	return msg
}

func short(s string) string {
	if len(s) > 90 {
		return s[:90] + "…"
	}
	return s
}
