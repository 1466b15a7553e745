package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is everything docs/benchmarks.md says.
type Report struct {
	Started, Finished time.Time
	Options           options
	Machine           Machine
	PostgresVersion   string
	SeedTime          time.Duration
	IdleRSS           int64 // the server's RSS once ready, before any load
	Fixtures          fixtures
	Results           []caseResult
	Targets           []Target
	Profiles          []Profile
	Soak              *SoakResult
	Commands          []string
}

// Machine describes where the figures come from.
type Machine struct {
	Cores     int
	MemTotal  int64 // bytes
	CPU       string
	Kernel    string
	GoVersion string
	WrkVer    string
	LoadStart string // /proc/loadavg before the run
	LoadEnd   string
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
}

func machineInfo(ctx context.Context) Machine {
	m := Machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), LoadStart: loadAvg()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close() // read-only
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					m.MemTotal = kb * 1024
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		m.GoVersion = strings.TrimPrefix(strings.TrimSpace(string(out)), "go version ")
	}
	if out, _ := exec.CommandContext(ctx, "wrk", "--version").CombinedOutput(); len(out) > 0 {
		m.WrkVer = strings.Fields(string(out))[1]
	}
	return m
}

// Target is one of the goals and whether this run met it.
type Target struct {
	Name  string
	Case  string
	Want  string
	Got   string
	Met   bool
	Known bool // false: could not be measured in this run
}

// The targets.
const (
	targetRatio = 0.60
	targetP99   = 25 * time.Millisecond
	targetRSS   = 100 << 20
)

func evaluateTargets(results []caseResult) []Target {
	var ts []Target
	find := func(name string) *caseResult {
		for i := range results {
			if results[i].Case.Name == name {
				return &results[i]
			}
		}
		return nil
	}
	for _, name := range []string{"home", "post"} {
		r := find(name)
		ratio := Target{Name: "share of the PostgreSQL ceiling", Case: name, Want: fmt.Sprintf("≥ %.0f%%", targetRatio*100)}
		p99 := Target{Name: "p99 latency", Case: name, Want: "< " + fmtDur(targetP99)}
		if r != nil && r.Wrk != nil {
			p99.Known, p99.Got, p99.Met = true, fmtDur(r.Wrk.P99), r.Wrk.P99 < targetP99
			if r.Ceiling != nil {
				ratio.Known, ratio.Got, ratio.Met = true, fmt.Sprintf("%.0f%%", r.Ratio()*100), r.Ratio() >= targetRatio
			}
		}
		ts = append(ts, ratio, p99)
	}
	// Steady memory: the largest peak while serving pages (login aside:
	// argon2id takes 19 MiB per hash in flight, by design).
	mem := Target{Name: "steady memory (peak RSS, all cases but login)", Case: "all", Want: "< 100 MiB"}
	var peak int64
	var which string
	for _, r := range results {
		if r.Wrk != nil && r.Case.Kind != kindLogin && r.PeakRSS > peak {
			peak, which = r.PeakRSS, r.Case.Name
		}
	}
	if peak > 0 {
		mem.Known, mem.Got, mem.Met = true, fmt.Sprintf("%s (%s)", fmtMiB(peak), which), peak < targetRSS
	}
	return append(ts, mem)
}

func (r *Report) result(name string) *caseResult {
	for i := range r.Results {
		if r.Results[i].Case.Name == name {
			return &r.Results[i]
		}
	}
	return nil
}

// missed reports whether a target of case name was measured and missed.
func (r *Report) missed(name string) bool {
	for _, t := range r.Targets {
		if t.Case == name && t.Known && !t.Met {
			return true
		}
	}
	return false
}

// largest is the case (login aside) with the highest peak RSS.
func (r *Report) largest() *caseResult {
	var out *caseResult
	for i, res := range r.Results {
		if res.Wrk != nil && res.Case.Kind != kindLogin && (out == nil || res.PeakRSS > out.PeakRSS) {
			out = &r.Results[i]
		}
	}
	return out
}

// Profile is a CPU or heap profile of one case under load.
type Profile struct {
	Case         string
	Heap         bool
	Command      string
	PprofCommand string
	Flat, Cum    string
	Breakdown    []share // CPU profiles: samples by category
	Err          string
}

func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func fmtMiB(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func fmtBytes(b float64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

func yesNo(t Target) string {
	switch {
	case !t.Known:
		return "not measured"
	case t.Met:
		return "met"
	}
	return "**missed**"
}

// Write renders the report as Markdown.
func (r *Report) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	o := r.Options

	p("# Benchmarks\n\n")
	p("Generated by `go tool task bench` (cmd/quirebench) on %s; the run took %s. ",
		r.Started.Format("2 January 2006 at 15:04 UTC"), r.Finished.Sub(r.Started).Round(time.Second))
	p("Do not edit by hand: run the task again. How the figures grow with the number of posts (10,000, 100,000, a million) ")
	p("is in [benchmarks-scale.md](benchmarks-scale.md).\n\n")
	p("Each case loads a production build of `quire serve` on loopback with wrk (%d connections, %d threads, %s after a %s warm-up). ",
		o.Connections, o.Threads, o.Duration, o.Warmup)
	p("Beside it, **ceiling** is what PostgreSQL itself gives for the SQL that page runs: pgbench with a script of the same statements ")
	p("and the same values, one transaction per page view, %d connections, %s. **app/ceiling** = app requests/s ÷ pgbench transactions/s: ", o.Connections, o.Duration)
	p("how much of the database's own speed survives the app (HTTP, middleware, rendering, lib/pq).\n\n")

	p("## Machine\n\n")
	m := r.Machine
	p("| | |\n|---|---|\n")
	p("| cores (nproc) | %d |\n| memory (MemTotal) | %.1f GiB |\n| CPU | %s |\n| kernel | %s |\n| Go | %s |\n| PostgreSQL | %s |\n| wrk | %s |\n",
		m.Cores, float64(m.MemTotal)/(1<<30), orDash(m.CPU), orDash(m.Kernel), orDash(m.GoVersion), orDash(r.PostgresVersion), orDash(m.WrkVer))
	p("| load average (1, 5, 15 min) before / after | %s / %s |\n", orDash(m.LoadStart), orDash(m.LoadEnd))
	p("\nwrk, pgbench, PostgreSQL and the app share these cores: figures are for comparison between runs on one machine, not absolutes.")
	if f := strings.Fields(m.LoadStart); len(f) > 0 {
		if l1, err := strconv.ParseFloat(f[0], 64); err == nil && l1 > 0.5*float64(m.Cores) {
			p(" **The machine was busy before the run started** (load %.1f on %d cores): other work competed for the CPU, so these figures understate what the app does on a quiet machine.", l1, m.Cores)
		}
	}
	p("\n\n")

	p("## Data\n\n")
	fx := r.Fixtures
	p("%d users and %d posts seeded with `quire seed` (fixed seed 1; %d published; about half with a cover image) in %s, plus an admin and a login-only account. ",
		o.Users, o.Posts, fx.Published, r.SeedTime.Round(time.Second))
	p("Cases ask for a post of median length (`/posts/%s`), its author (`@%s`), the most used tag (`%s`) and a word about 5%% of posts contain (`%s`).\n\n",
		fx.Slug, fx.Author, fx.Tag, fx.Query)

	p("## Results\n\n")
	writeTable(bw, r.Results, func(c benchCase) bool { return c.Kind != kindLogin })
	var login []caseResult
	for _, res := range r.Results {
		if res.Case.Kind == kindLogin {
			login = append(login, res)
		}
	}
	if len(login) > 0 {
		p("\n### Login (argon2id-bound)\n\n")
		p("Signing in is paced by the password hash on purpose: argon2id with m=19 MiB, t=2, and at most one hash per core at a time. ")
		p("It is measured apart and has no target; its ceiling is the SQL of a sign-in without the hash.\n\n")
		writeTable(bw, login, func(benchCase) bool { return true })
	}
	var notes []string
	for _, res := range r.Results {
		for _, n := range res.Notes {
			notes = append(notes, fmt.Sprintf("- %s: %s", res.Case.Name, n))
		}
		if res.Skipped != "" {
			notes = append(notes, fmt.Sprintf("- %s: %s; the case stays in the table and runs once the route exists.", res.Case.Name, res.Skipped))
		}
		if res.Failed != "" {
			notes = append(notes, fmt.Sprintf("- %s: failed: %s", res.Case.Name, oneLine(res.Failed)))
		}
		if res.CeilingNote != "" {
			notes = append(notes, fmt.Sprintf("- %s: %s", res.Case.Name, oneLine(res.CeilingNote)))
		}
		if res.SQLCheck != "" && res.SQLCheck != "same" {
			notes = append(notes, fmt.Sprintf("- %s: ceiling check: %s", res.Case.Name, oneLine(res.SQLCheck)))
		}
	}
	checked, same := 0, 0
	for _, res := range r.Results {
		if res.SQLCheck != "" {
			checked++
			if res.SQLCheck == "same" {
				same++
			}
		}
	}
	var memoCases []string
	for _, res := range r.Results {
		if slices.ContainsFunc(res.Case.Queries, func(q query) bool { return q.Memo }) {
			memoCases = append(memoCases, res.Case.Name)
		}
	}
	if len(memoCases) > 0 {
		notes = append(notes, fmt.Sprintf("- Kept in memory (%s): the app reads a list's page, a feed or a post from PostgreSQL once per change and then answers from memory, so under load it runs only the statement that tells whether it changed. Their ceiling is still the page read from the database, every statement: app/ceiling above 100%% means memory gave more than PostgreSQL alone could.", strings.Join(memoCases, ", ")))
	}
	if checked > 0 {
		notes = append(notes, fmt.Sprintf("- Ceiling check: each ceiling script (less the statements answered from memory) was compared with the statements PostgreSQL logged (log_statement = all) while the app answered one request of the page, after the first: %d of %d are the same statements in the same order.", same, checked))
	}
	if len(notes) > 0 {
		p("\nNotes:\n\n%s\n", strings.Join(notes, "\n"))
	}
	p("\nColumns: p50 and p99 from wrk's latency distribution; errors = non-2xx/3xx answers plus socket errors; ")
	p("bytes/resp = bytes read ÷ requests (headers included); app CPU/req = the server's CPU time (user + system, /proc) during the run ÷ requests, which other work on the machine hardly moves; peak RSS = the server's VmHWM during the measured run (reset before it)")
	if r.IdleRSS > 0 {
		p("; for comparison, the server's RSS once ready and before any load was %s", fmtMiB(r.IdleRSS))
	}
	p(". ")
	p("Requests are a returning browser's: `Accept-Encoding: gzip` and the `quire_csrf` cookie it was given (so bytes/resp are compressed sizes). ")
	p("The admin case sends the admin's session cookie, so every request also reads and rewrites that one session row (scs with an idle timeout), in the app and in its ceiling alike.\n")

	p("\n## Targets\n\n")
	p("The issue's targets, for a 2-core machine at %d connections:\n\n", o.Connections)
	p("| target | case | want | got | |\n|---|---|---|---|---|\n")
	for _, t := range r.Targets {
		p("| %s | %s | %s | %s | %s |\n", t.Name, t.Case, t.Want, orDash(t.Got), yesNo(t))
	}
	if r.Machine.Cores != 2 {
		p("\nThis machine has %d cores, not 2: the p99 target is stated for 2.\n", r.Machine.Cores)
	}

	if len(r.Profiles) > 0 {
		p("\n## Where the time goes\n\n")
		p("Profiles of the server (pprof, `quire serve --pprof-addr`) taken while wrk loads the page again. ")
		p("CPU: top 15 functions by own time (flat), then by time including callees (cum). ")
		p("Heap: top 15 by memory in use, then by memory allocated since start.\n")
		for _, pr := range r.Profiles {
			kind := "CPU"
			if pr.Heap {
				kind = "heap"
			}
			p("\n### %s: %s\n\n", pr.Case, kind)
			if pr.Err != "" {
				p("Profile failed: %s\n", oneLine(pr.Err))
				continue
			}
			if len(pr.Breakdown) > 0 {
				p("The server's CPU samples by what they were doing (each sample counted once, in the first category its stack matches):\n\n")
				p("| | share of CPU |\n|---|---:|\n")
				for _, s := range pr.Breakdown {
					p("| %s | %.0f%% |\n", s.Name, s.Fraction*100)
				}
				p("\n")
			}
			p("`%s`, then `%s`\n\n```\n%s\n```\n\n```\n%s\n```\n", pr.Command, pr.PprofCommand, pr.Flat, pr.Cum)
		}
	}

	if s := r.Soak; s != nil {
		p("\n## Soak\n\n")
		s.write(bw)
	}

	p("\n## Commands\n\n")
	p("Exactly what ran (secrets shown as <...>; `$TMP` is a fresh temporary folder):\n\n```sh\n")
	p("%s\n", strings.TrimSpace("go run ./cmd/quirebench "+shellJoin(o.Args)))
	for _, c := range r.Commands {
		p("%s\n", c)
	}
	for _, res := range r.Results {
		if len(res.Commands) > 0 {
			p("# %s\n", res.Case.Name)
			for _, c := range res.Commands {
				p("%s\n", c)
			}
		}
	}
	p("```\n")
	var scripts []caseResult
	for _, res := range r.Results {
		if res.Script != "" {
			scripts = append(scripts, res)
		}
	}
	if len(scripts) > 0 {
		p("\nThe pgbench scripts, one page view per transaction. The models' statements are the ones they run, exported as models.BenchQuery (never copied); ")
		p("the admin table's statements are the ones models.PostsTable builds for the case's query string; the two session-store statements are scs's own. ")
		p("Each `$n` becomes a pgbench variable set with `-D` (empty strings are written inline), so with `-M prepared` the statements travel with parameters, as lib/pq sends them, and are parsed and planned once per connection: the most PostgreSQL gives for them. The app prepares the same way only its hottest reads (a post's head, a list's stamp, user lookups); the rest it sends unnamed, planned on every run.\n")
		for _, res := range scripts {
			p("\n<details><summary>%s</summary>\n\n```sql\n%s```\n\n</details>\n", res.Case.Name, res.Script)
		}
	}
	return bw.Flush()
}

func writeTable(w io.Writer, results []caseResult, keep func(benchCase) bool) {
	fmt.Fprintf(w, "| case | request | req/s | p50 | p99 | errors | bytes/resp | peak RSS | app CPU/req | ceiling (pgbench tps) | app/ceiling |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		if !keep(r.Case) {
			continue
		}
		req := "`" + strings.ReplaceAll(r.Path, "|", `\|`) + "`"
		if r.Path == "" {
			req = "–"
		}
		if r.Case.Kind == kindLogin {
			req = "`POST /login`"
		}
		if r.Case.Kind == kindRevalidate && r.Path != "" {
			req = "`" + r.Path + "` If-None-Match"
		}
		if r.Wrk == nil {
			status := "not available"
			if r.Failed != "" {
				status = "failed"
			}
			fmt.Fprintf(w, "| %s | %s | %s | | | | | | | %s | |\n", r.Case.Title, req, status, ceilingCell(r))
			continue
		}
		x := r.Wrk
		ratio := "–"
		if r.Ratio() > 0 {
			ratio = fmt.Sprintf("%.0f%%", r.Ratio()*100)
		}
		cpu := "–"
		if d := r.CPUPerRequest(); d > 0 {
			cpu = fmtDur(d)
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s | %d | %s | %s | %s | %s | %s |\n",
			r.Case.Title, req, x.RPS, fmtDur(x.P50), fmtDur(x.P99), x.Errors(), fmtBytes(x.BytesPerResponse()),
			fmtMiB(r.PeakRSS), cpu, ceilingCell(r), ratio)
	}
}

func ceilingCell(r caseResult) string {
	if r.Ceiling == nil {
		return "–"
	}
	return fmt.Sprintf("%.0f", r.Ceiling.TPS)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
