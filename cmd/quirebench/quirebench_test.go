package main

import (
	"bytes"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

const wrkPlain = `Running 2s test @ http://127.0.0.1:18931/nonexistent
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.17ms   44.08ms 303.98ms   93.34%
    Req/Sec   520.00    144.23   676.00     80.00%
  Latency Distribution
     50%    3.14ms
     75%    4.99ms
     90%   18.99ms
     99%  259.43ms
  1856 requests in 2.06s, 0.92MB read
  Non-2xx or 3xx responses: 1856
Requests/sec:    899.60
Transfer/sec:    456.83KB
`

const wrkSocketErrors = `Running 15s test @ http://127.0.0.1:8080/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us  301.50us  12.01ms   90.00%
    Req/Sec    19.50k     1.20k   22.10k    70.00%
  Latency Distribution
     50%  780.00us
     75%    0.95ms
     90%    1.10ms
     99%    2.01s
  582345 requests in 15.00s, 1.50GB read
  Socket errors: connect 1, read 2, write 3, timeout 4
Requests/sec:  38823.00
Transfer/sec:    102.40MB
`

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    wrkResult
		errors  int64
		perResp float64 // bytes
		wantErr string
	}{
		{
			name: "non-2xx answers", out: wrkPlain,
			want: wrkResult{Requests: 1856, Duration: 2060 * time.Millisecond, BytesRead: 0.92 * (1 << 20), RPS: 899.60,
				P50: 3140 * time.Microsecond, P75: 4990 * time.Microsecond, P90: 18990 * time.Microsecond,
				P99: 259430 * time.Microsecond, Non2xx3xx: 1856, TransferPS: 456.83 * 1024},
			errors: 1856, perResp: 0.92 * (1 << 20) / 1856,
		},
		{
			name: "socket errors, microseconds and seconds", out: wrkSocketErrors,
			want: wrkResult{Requests: 582345, Duration: 15 * time.Second, BytesRead: 1.5 * (1 << 30), RPS: 38823,
				P50: 780 * time.Microsecond, P75: 950 * time.Microsecond, P90: 1100 * time.Microsecond, P99: 2010 * time.Millisecond,
				Connect: 1, Read: 2, Write: 3, Timeout: 4, TransferPS: 102.4 * (1 << 20)},
			errors: 10, perResp: 1.5 * (1 << 30) / 582345,
		},
		{name: "no latency distribution", out: strings.Replace(wrkPlain, "99%  259.43ms", "", 1), wantErr: "latency distribution"},
		{name: "not wrk", out: "unable to connect to 127.0.0.1:1 Connection refused\n", wantErr: "requests in"},
		{name: "unknown unit", out: strings.Replace(wrkPlain, "3.14ms", "3.14qq", 1), wantErr: "unknown unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrk(tt.out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !near(got.BytesRead, tt.want.BytesRead) || !near(got.TransferPS, tt.want.TransferPS) {
				t.Errorf("bytes = %v, %v/s; want %v, %v/s", got.BytesRead, got.TransferPS, tt.want.BytesRead, tt.want.TransferPS)
			}
			got.BytesRead, got.TransferPS = tt.want.BytesRead, tt.want.TransferPS
			if !durNear(got.Duration, tt.want.Duration) || !durNear(got.P50, tt.want.P50) || !durNear(got.P75, tt.want.P75) ||
				!durNear(got.P90, tt.want.P90) || !durNear(got.P99, tt.want.P99) {
				t.Errorf("times = %v %v %v %v %v, want %v %v %v %v %v", got.Duration, got.P50, got.P75, got.P90, got.P99,
					tt.want.Duration, tt.want.P50, tt.want.P75, tt.want.P90, tt.want.P99)
			}
			got.Duration, got.P50, got.P75, got.P90, got.P99 = tt.want.Duration, tt.want.P50, tt.want.P75, tt.want.P90, tt.want.P99
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if got.Errors() != tt.errors {
				t.Errorf("Errors() = %d, want %d", got.Errors(), tt.errors)
			}
			if !near(got.BytesPerResponse(), tt.perResp) {
				t.Errorf("BytesPerResponse() = %v, want %v", got.BytesPerResponse(), tt.perResp)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func durNear(a, b time.Duration) bool { return (a - b).Abs() <= time.Nanosecond }

func TestParsePgbench(t *testing.T) {
	out := `pgbench (15.18 (Debian 15.18-0+deb12u1))
transaction type: /tmp/qbench1/d/home.sql
scaling factor: 1
query mode: extended
number of clients: 32
number of threads: 2
maximum number of tries: 1
duration: 15 s
number of transactions actually processed: 150000
number of failed transactions: 0 (0.000%)
latency average = 3.200 ms
initial connection time = 20.500 ms
tps = 10000.123456 (without initial connection time)
`
	got, err := parsePgbench(out)
	if err != nil {
		t.Fatal(err)
	}
	want := pgbenchResult{TPS: 10000.123456, LatencyMS: 3.2, Txns: 150000}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := parsePgbench("pgbench: error: connection failed\n"); err == nil {
		t.Error("no error for output without tps")
	}
}

// The pgbench scripts are the models' own SQL (models.BenchQuery, which
// TestBenchQueries in models runs): every $n must get a value.
func TestCaseQueriesHaveArguments(t *testing.T) {
	fx := &fixtures{Slug: "a-post", Author: "ada", AuthorID: 7, Tag: "go", Query: "garden", Rare: "sorrel", Phrase: `"night trains"`, AdminID: 1,
		LoginUser: "bench_login", LoginUserID: 9}
	leftover := regexp.MustCompile(`\$\d`)
	for _, c := range cases {
		var qs []query
		for _, q := range c.Queries {
			if q.Expand == nil { // built at run time from the database
				qs = append(qs, q)
			}
		}
		script, defs, err := pgbenchScript(qs, fx)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if leftover.MatchString(script) {
			t.Errorf("%s: script keeps a $n placeholder:\n%s", c.Name, script)
		}
		if strings.Count(script, ";\n") != len(qs) {
			t.Errorf("%s: %d statements in the script, want %d", c.Name, strings.Count(script, ";\n"), len(qs))
		}
		for _, d := range defs {
			if name, _, _ := strings.Cut(d, "="); !strings.Contains(script, ":"+name) {
				t.Errorf("%s: -D %s is not used by the script", c.Name, d)
			}
		}
	}
}

func TestReplaceOutsideQuotes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT $1, $2`, `SELECT :a1, :a2`},
		{`SELECT '$1', $1`, `SELECT '$1', :a1`},
		{`SELECT E'it\'s $1', $1`, `SELECT E'it\'s $1', :a1`},
		{`SELECT 'it''s $1', $10`, `SELECT 'it''s $1', :a10`},
		{`SELECT "$1" FROM t WHERE x = $1::bigint`, `SELECT "$1" FROM t WHERE x = :a1::bigint`},
	}
	for _, tt := range tests {
		got := replaceOutsideQuotes(tt.in, func(n int) string { return ":a" + itoa(int64(n)) })
		if got != tt.want {
			t.Errorf("replaceOutsideQuotes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReportWrite(t *testing.T) {
	home := caseResult{Case: cases[0], Path: "/", PeakRSS: 40 << 20, CPU: 15 * time.Second,
		Wrk:     &wrkResult{Requests: 30000, RPS: 2000, P50: 12 * time.Millisecond, P99: 30 * time.Millisecond, BytesRead: 30000 * 9000},
		Ceiling: &pgbenchResult{TPS: 5000}, Script: "-- PostModel.ListPublished (count)\nSELECT 1;\n",
		Commands: []string{"wrk -t2 -c32 -d15s --latency http://127.0.0.1:1/"}}
	post := caseResult{Case: cases[2], Path: "/posts/a", PeakRSS: 45 << 20,
		Wrk:     &wrkResult{Requests: 60000, RPS: 4000, P50: 5 * time.Millisecond, P99: 20 * time.Millisecond, BytesRead: 60000 * 20000},
		Ceiling: &pgbenchResult{TPS: 5000}}
	var admin, login benchCase
	for _, c := range cases {
		switch c.Kind {
		case kindAdmin:
			admin = c
		case kindLogin:
			login = c
		}
	}
	tests := []struct {
		name    string
		results []caseResult
		want    []string
		notWant []string
	}{
		{
			name:    "targets met and missed",
			results: []caseResult{home, post},
			want: []string{
				"| Home page | `/` | 2000 | 12.0 ms | 30.0 ms | 0 | 8.8 KiB | 40 MiB | 500 µs | 5000 | 40% |",
				"| Post page | `/posts/a` | 4000 | 5.00 ms | 20.0 ms | 0 | 19.5 KiB | 45 MiB | – | 5000 | 80% |",
				"| share of the PostgreSQL ceiling | home | ≥ 60% | 40% | **missed** |",
				"| share of the PostgreSQL ceiling | post | ≥ 60% | 80% | met |",
				"| p99 latency | home | < 25.0 ms | 30.0 ms | **missed** |",
				"| steady memory (peak RSS, all cases but login) | all | < 100 MiB | 45 MiB (post) | met |",
				"wrk -t2 -c32 -d15s --latency http://127.0.0.1:1/",
				"SELECT 1;",
			},
			notWant: []string{"Login (argon2id-bound)", "## Soak"},
		},
		{
			name: "not available, login apart, soak",
			results: []caseResult{
				{Case: admin, Skipped: "not available: GET /admin/posts answers 404 Not Found (the route is not there yet)"},
				{Case: login, Path: "/login", PeakRSS: 80 << 20, Wrk: &wrkResult{Requests: 600, RPS: 40, P50: 700 * time.Millisecond, P99: 1200 * time.Millisecond, BytesRead: 600 * 500}},
			},
			want: []string{
				"| Admin posts table | – | not available | | | | | | | – | |",
				"admin-posts: not available: GET /admin/posts answers 404",
				"### Login (argon2id-bound)",
				"| Login (argon2id) | `POST /login` | 40 | 700.0 ms | 1.20 s | 0 | 500 B | 80 MiB | – | – | – |",
				"| share of the PostgreSQL ceiling | home | ≥ 60% | – | not measured |",
				"| start (before load) | 30 MiB | 10 MiB | 12 |",
				"| autosave | 100 | 0 | 2 | 3.00 ms | 9.00 ms |",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report{
				Started: time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC), Finished: time.Date(2025, 1, 2, 3, 14, 0, 0, time.UTC),
				Options: options{Posts: 10000, Users: 100, Duration: 15 * time.Second, Connections: 32, Threads: 2, Warmup: 5 * time.Second},
				Machine: Machine{Cores: 2, MemTotal: 4 << 30, CPU: "Test CPU", Kernel: "6.1", GoVersion: "go1.26"},
				Results: tt.results,
			}
			r.Targets = evaluateTargets(r.Results)
			if strings.Contains(tt.name, "soak") {
				r.Soak = &SoakResult{Duration: time.Minute, Readers: 16, Writers: 4,
					Samples: []SoakSample{{Label: "start (before load)", RSS: 30 << 20, HeapInuse: 10 << 20, Goroutines: 12}},
					Kinds:   []SoakKind{{Name: "autosave", Requests: 100, Conflicts: 2, P50: 3 * time.Millisecond, P99: 9 * time.Millisecond}}}
			}
			var buf bytes.Buffer
			if err := r.Write(&buf); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, w := range append(tt.want, "# Benchmarks", "| cores (nproc) | 2 |", "## Targets", "## Commands") {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("report has %q", w)
				}
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{args: nil},
		{args: []string{"--posts", "100000", "--only", "home,post"}},
		{args: []string{"--soak", "10m", "--only", "none"}},
		{args: []string{"--only", "homepage"}, wantErr: `no case "homepage"`},
		{args: []string{"--posts", "100"}, wantErr: "at least 6000"},
		{args: []string{"--duration", "0s"}, wantErr: "--duration"},
	}
	for _, tt := range tests {
		_, err := parseFlags(tt.args)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("parseFlags(%q) = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}

func TestPgbenchScript(t *testing.T) {
	qs := []query{
		{SQL: `SELECT count(*) FROM posts WHERE ($1::bigint = 0 OR author_id = $1) AND ($2 = '' OR tags @> ARRAY[$2]::text[])`,
			Runs: "stamp", Args: func(*fixtures) []string { return []string{"0", ""} }},
		{SQL: `INSERT INTO s (token, data) VALUES ('x-' || $1::text, $2)`, Runs: "commit",
			Meta: []string{`\set t random(1, 10)`}, Args: func(*fixtures) []string { return []string{":t", `\x00`} }},
	}
	script, defs, err := pgbenchScript(qs, &fixtures{})
	if err != nil {
		t.Fatal(err)
	}
	want := "-- stamp\n" +
		"SELECT count(*) FROM posts WHERE (:q1p1::bigint = 0 OR author_id = :q1p1) AND ('' = '' OR tags @> ARRAY['']::text[]);\n" +
		"-- commit\n\\set t random(1, 10)\n" +
		"INSERT INTO s (token, data) VALUES ('x-' || :t::text, :q2p2);\n"
	if script != want {
		t.Errorf("script:\n%s\nwant:\n%s", script, want)
	}
	if got := strings.Join(defs, " "); got != `q1p1=0 q2p2=\x00` {
		t.Errorf("defs = %s", got)
	}
	if _, _, err := pgbenchScript([]query{{SQL: "SELECT $2", Runs: "x", Args: func(*fixtures) []string { return []string{"1"} }}}, &fixtures{}); err == nil {
		t.Error("no error for a placeholder without a value")
	}
}

func TestCPUTimeAndMemory(t *testing.T) {
	pid := os.Getpid()
	if _, err := cpuTime(pid); err != nil {
		t.Fatal(err)
	}
	rss, hwm, err := memory(pid)
	if err != nil || rss <= 0 || hwm < rss {
		t.Fatalf("memory = %d, %d, %v", rss, hwm, err)
	}
}

func TestCPUBreakdown(t *testing.T) {
	traces := `File: quire
Type: cpu
Duration: 10s, Total samples = 100ms (1.00%)
-----------+-------------------------------------------------------
      30ms   github.com/klauspost/compress/flate.statelessEnc
             github.com/klauspost/compress/gzhttp.(*GzipResponseWriter).Close
             net/http.(*conn).serve
-----------+-------------------------------------------------------
      10ms   compress/flate.(*compressor).deflate
             compress/gzip.(*Writer).Close
             net/http.(*conn).serve
-----------+-------------------------------------------------------
      30ms   internal/runtime/syscall/linux.Syscall6
             internal/poll.(*FD).Write
             github.com/lib/pq.(*conn).send
             database/sql.(*DB).QueryContext
             github.com/klauspost/compress/gzhttp.NewWrapper.func1.1
-----------+-------------------------------------------------------
      20ms   runtime.memmove
             quire/handlers.(*App).getPost (inline)
             github.com/klauspost/compress/gzhttp.NewWrapper.func1.1
-----------+-------------------------------------------------------
   10000us   runtime.scanobject
             runtime.gcBgMarkWorker
-----------+-------------------------------------------------------
`
	got := cpuBreakdown(traces)
	want := []share{
		{"gzip compression (gzhttp, flate)", 0.4},
		{"database calls (database/sql, lib/pq, sqlx; with their socket I/O)", 0.3},
		{"garbage collection (background)", 0.1},
		{otherCategory, 0.2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Name != want[i].Name || !near(got[i].Fraction, want[i].Fraction) {
			t.Errorf("share %d = %v, want %v", i, got[i], want[i])
		}
	}
	if cpuBreakdown("no samples\n") != nil {
		t.Error("a profile without samples has a breakdown")
	}
}

func TestParseStatementLogAndCompare(t *testing.T) {
	log := `2026-11-22 05:04:40.358 UTC [2214] [unknown]: LOG:  execute <unnamed>: SELECT max(updated_at), count(*) FROM posts
	WHERE status = 'published' AND deleted_at IS NULL
		AND ($1::bigint = 0 OR author_id = $1)
2026-11-22 05:04:40.358 UTC [2214] [unknown]: DETAIL:  parameters: $1 = '0'
2026-11-22 05:04:40.360 UTC [2230] quirebench: LOG:  statement: SELECT pg_reload_conf()
2026-11-22 05:04:40.366 UTC [2214] [unknown]: LOG:  statement: SELECT count(*) FROM posts WHERE status = 'published'
2026-11-22 05:04:40.367 UTC [2215] [unknown]: LOG:  statement: DELETE FROM sessions WHERE expiry < current_timestamp
2026-11-22 05:04:40.368 UTC [2214] [unknown]: ERROR:  canceling statement due to user request
`
	got := parseStatementLog(strings.NewReader(log))
	want := []string{
		"SELECT max(updated_at), count(*) FROM posts\n\tWHERE status = 'published' AND deleted_at IS NULL\n\t\tAND ($1::bigint = 0 OR author_id = $1)",
		"SELECT count(*) FROM posts WHERE status = 'published'",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("parseStatementLog = %q, want %q", got, want)
	}
	script := []string{"SELECT max(updated_at), count(*) FROM posts WHERE status = 'published' AND deleted_at IS NULL AND ($1::bigint = 0 OR author_id = $1)"}
	tests := []struct {
		script, logged []string
		want           string
	}{
		{script, got[:1], ""},
		{script, got, "also ran: SELECT count(*) FROM posts WHERE status = 'published'"},
		{append(script, "SELECT 1"), got[:1], "did not run: SELECT 1"},
		{[]string{"SELECT 2", "SELECT 1"}, []string{"SELECT 1", "SELECT 2"}, "another order"},
	}
	for _, tt := range tests {
		diff := compareStatements(tt.script, tt.logged)
		if tt.want == "" && diff != "" || tt.want != "" && !strings.Contains(diff, tt.want) {
			t.Errorf("compareStatements(%q, %q) = %q, want %q", tt.script, tt.logged, diff, tt.want)
		}
	}
}
