package main

import (
	"bufio"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A CPU profile's samples sorted into the few things a request's time goes
// to, so the report can say "gzip takes 40%" without reading call graphs.
// Each sample counts once, in the first category any frame of its stack
// matches; the order below decides between, say, a socket write made by
// lib/pq (database) and one made by net/http (network).
var cpuCategories = []struct {
	Name string
	RE   *regexp.Regexp
}{
	// Not gzhttp itself: its wrapper is on every stack.
	{"gzip compression (gzhttp, flate)", regexp.MustCompile(`^compress/|^github\.com/klauspost/compress/(flate|gzip)\.`)},
	{"database calls (database/sql, lib/pq, sqlx; with their socket I/O)", regexp.MustCompile(`^database/sql\.|^github\.com/lib/pq\.|^github\.com/jmoiron/sqlx\.`)},
	{"rendering (templ views)", regexp.MustCompile(`^github\.com/a-h/templ\.|^quire/views/`)},
	{"request logging (slog)", regexp.MustCompile(`logRequests|^log/slog\.`)},
	{"metrics (prometheus)", regexp.MustCompile(`prometheus`)},
	{"CSRF tokens and sessions", regexp.MustCompile(`maskCSRF|csrfValid|^crypto/rand\.|scs/v2\.\(\*SessionManager\)\.(Load|Commit|WriteSessionCookie|commitAndWriteSessionCookie)$`)},
	{"garbage collection (background)", regexp.MustCompile(`^runtime\.(gcBgMarkWorker|bgsweep|bgscavenge)$`)},
	{"HTTP network I/O (reads, writes)", regexp.MustCompile(`^internal/poll\.\(\*FD\)\.(Read|Write|Writev)$`)},
	{"Go scheduler", regexp.MustCompile(`^runtime\.(schedule|findRunnable|mcall|park_m|goschedImpl|wakep)$`)},
}

const otherCategory = "everything else (routing, middleware, handlers, allocation)"

// share is one category's part of a profile.
type share struct {
	Name     string
	Fraction float64
}

var traceValueRE = regexp.MustCompile(`^\s*([0-9.]+)(ns|us|µs|ms|s)\s+(\S.*)$`)

// cpuBreakdown reads `go tool pprof -traces` output.
func cpuBreakdown(traces string) []share {
	totals := map[string]time.Duration{}
	var all time.Duration
	var value time.Duration
	var frames []string
	flush := func() {
		if value == 0 {
			return
		}
		name := otherCategory
	classify:
		for _, c := range cpuCategories {
			for _, f := range frames {
				if c.RE.MatchString(f) {
					name = c.Name
					break classify
				}
			}
		}
		totals[name] += value
		all += value
		value, frames = 0, nil
	}
	sc := bufio.NewScanner(strings.NewReader(traces))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "-----------+"):
			flush()
		case traceValueRE.MatchString(line):
			flush()
			m := traceValueRE.FindStringSubmatch(line)
			value = traceDuration(m[1], m[2])
			frames = append(frames, strings.TrimSuffix(strings.TrimSpace(m[3]), " (inline)"))
		case value > 0 && strings.TrimSpace(line) != "":
			frames = append(frames, strings.TrimSuffix(strings.TrimSpace(line), " (inline)"))
		}
	}
	flush()
	if all == 0 {
		return nil
	}
	var out []share
	for _, c := range cpuCategories {
		if d := totals[c.Name]; d > 0 {
			out = append(out, share{c.Name, float64(d) / float64(all)})
		}
	}
	if d := totals[otherCategory]; d > 0 {
		out = append(out, share{otherCategory, float64(d) / float64(all)})
	}
	return out
}

func traceDuration(num, unit string) time.Duration {
	f, _ := strconv.ParseFloat(num, 64)
	switch unit {
	case "ns":
		return time.Duration(f)
	case "us", "µs":
		return time.Duration(f * float64(time.Microsecond))
	case "ms":
		return time.Duration(f * float64(time.Millisecond))
	}
	return time.Duration(f * float64(time.Second))
}
