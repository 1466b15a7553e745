// Command quirebench measures Quire under load: it seeds a private
// database, starts `quire serve` built for production, drives each page with
// wrk from this process's side of the loopback, measures PostgreSQL's own
// ceiling for the same SQL with pgbench, and writes docs/benchmarks.md.
//
//	go tool task bench                      # 10,000 posts, 15 s per case
//	go tool task bench -- --posts 100000    # the large run
//	go tool task bench -- --soak 10m --only none
//
// It is a developer tool: it needs wrk and pgbench, and it takes minutes.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

type options struct {
	Posts, Users int
	Duration     time.Duration
	Connections  int
	Threads      int
	Warmup       time.Duration
	Out          string
	Soak         time.Duration
	Only         []string
	Profile      bool
	Keep         bool
	Args         []string // as given, for the report
}

func parseFlags(args []string) (options, error) {
	var o options
	var only string
	fs := flag.NewFlagSet("quirebench", flag.ContinueOnError)
	fs.IntVar(&o.Posts, "posts", 10_000, "posts to seed (the large run: 100000)")
	fs.IntVar(&o.Users, "users", 100, "accounts to seed")
	fs.DurationVar(&o.Duration, "duration", 15*time.Second, "measured load per case (wrk -d, pgbench -T)")
	fs.IntVar(&o.Connections, "connections", 32, "concurrent connections (wrk -c, pgbench -c)")
	fs.DurationVar(&o.Warmup, "warmup", 5*time.Second, "unmeasured load before each case")
	fs.StringVar(&o.Out, "out", "docs/benchmarks.md", "report to write")
	fs.DurationVar(&o.Soak, "soak", 0, "also run mixed reading and writing this long (e.g. 10m); 0 = off")
	fs.StringVar(&only, "only", "", "comma-separated case names to run (default all; \"none\" with --soak runs only the soak)")
	fs.BoolVar(&o.Profile, "profile", false, "profile the home and post pages even when they meet their targets")
	fs.BoolVar(&o.Keep, "keep", false, "keep the temporary folder (binary, data, logs, profiles)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	o.Threads = 2
	o.Args = args
	switch {
	case o.Posts < 6000:
		return o, fmt.Errorf("--posts %d: the home page 500 case needs 5000 published posts, so at least 6000 (about 85%% are published)", o.Posts)
	case o.Users < 1:
		return o, errors.New("--users must be at least 1")
	case o.Duration < time.Second || o.Duration > time.Hour:
		return o, errors.New("--duration must be between 1s and 1h")
	case o.Warmup < 0 || o.Warmup > 10*time.Minute:
		return o, errors.New("--warmup must be between 0 and 10m")
	case o.Connections < 2 || o.Connections > 1000:
		return o, errors.New("--connections must be between 2 and 1000")
	case o.Soak < 0 || o.Soak > 24*time.Hour:
		return o, errors.New("--soak must be between 0 and 24h")
	}
	for _, name := range strings.Split(only, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if name != "none" && !slices.ContainsFunc(cases, func(c benchCase) bool { return c.Name == name }) {
			return o, fmt.Errorf("--only: no case %q (cases: %s)", name, caseNames())
		}
		o.Only = append(o.Only, name)
	}
	return o, nil
}

func caseNames() string {
	var names []string
	for _, c := range cases {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

func (o options) selected(name string) bool {
	return len(o.Only) == 0 || slices.Contains(o.Only, name)
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quirebench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "quirebench:", err)
		os.Exit(1)
	}
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

// cmdLog collects the commands run, as the report shows them.
type cmdLog struct{ lines []string }

func (l *cmdLog) add(s string) { l.lines = append(l.lines, s) }

// bench is one run: the app, its database and what was measured.
type bench struct {
	o       options
	root    string // the module's folder
	tmp     string
	pgbench string
	app     *quire
	fx      fixtures
	// seedPassword is the demo accounts' password, which quire seed makes
	// for each run and prints.
	seedPassword string
	log          cmdLog
	report       Report
}

var seedPasswordRE = regexp.MustCompile(`(?m)^demo-[A-Z2-7]{26}$`)

func run(ctx context.Context, o options) (err error) {
	b := &bench{o: o}
	if b.root, err = moduleRoot(); err != nil {
		return err
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk not found: install it (Debian: sudo apt-get install wrk), or run `go tool task bench`, which does when root")
	}
	if b.pgbench, err = findPgbench(); err != nil {
		return err
	}
	out := o.Out
	if !filepath.IsAbs(out) {
		wd, _ := os.Getwd()
		out = filepath.Join(wd, out)
	}

	// A short folder: the database socket lives inside it. 0755 lets the
	// postgres account through when running as root.
	if b.tmp, err = os.MkdirTemp("", "qbench"); err != nil {
		return err
	}
	if err := os.Chmod(b.tmp, 0o755); err != nil { // #nosec G302 -- a directory, see above: the postgres account passes through
		return err
	}
	if o.Keep {
		logf("keeping %s", b.tmp)
	} else {
		defer os.RemoveAll(b.tmp)
	}
	dataDir := filepath.Join(b.tmp, "d")
	if err := os.Mkdir(dataDir, 0o755); err != nil { // #nosec G301 -- the data folder: the postgres account passes through to its cluster
		return err
	}
	b.app = &quire{bin: filepath.Join(b.tmp, "quire"), dataDir: dataDir, log: &b.log}
	b.log.add("TMP=$(mktemp -d /tmp/qbenchXXXX); chmod 0755 $TMP; D=$TMP/d; mkdir -m 0755 $D")

	b.report = Report{Started: time.Now().UTC(), Options: o}
	b.report.Machine = machineInfo(ctx)

	logf("building quire")
	if err := buildQuire(ctx, b.root, b.app.bin, &b.log); err != nil {
		return err
	}
	logf("seeding %d users and %d posts", o.Users, o.Posts)
	t0 := time.Now()
	seeded, err := b.app.runQuire(ctx, "", fmt.Sprintf("$TMP/quire seed --data-dir $D --users %d --posts %d --seed 1", o.Users, o.Posts),
		"seed", "--data-dir", dataDir, "--users", fmt.Sprint(o.Users), "--posts", fmt.Sprint(o.Posts), "--seed", "1")
	if err != nil {
		return err
	}
	if b.seedPassword = seedPasswordRE.FindString(seeded); b.seedPassword == "" {
		return fmt.Errorf("quire seed printed no password for its demo accounts:\n%s", lastLines(seeded, 5))
	}
	b.report.SeedTime = time.Since(t0)
	adminPassword := "qb-" + rand.Text()
	if _, err := b.app.runQuire(ctx, adminPassword+"\n",
		"echo \"$ADMIN_PASSWORD\" | $TMP/quire createadmin --data-dir $D --username benchadmin --email benchadmin@example.com",
		"createadmin", "--data-dir", dataDir, "--username", "benchadmin", "--email", "benchadmin@example.com"); err != nil {
		return err
	}

	logf("starting quire serve")
	if err := b.app.start(ctx); err != nil {
		return err
	}
	defer func() {
		logf("stopping quire serve")
		if serr := b.app.stop(); serr != nil && err == nil {
			logf("quire serve: %v", serr)
		}
		b.app.stopCluster()
	}()
	if rss, _, err := memory(b.app.pid()); err == nil {
		b.report.IdleRSS = rss
	}
	if err := b.prepare(ctx, adminPassword); err != nil {
		return err
	}
	b.report.Fixtures = b.fx
	b.report.PostgresVersion = b.postgresVersion(ctx)

	for _, c := range cases {
		if !o.selected(c.Name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		b.report.Results = append(b.report.Results, b.runCase(ctx, c))
	}
	b.report.Targets = evaluateTargets(b.report.Results)
	for _, name := range []string{"home", "post"} {
		r := b.report.result(name)
		if r == nil || r.Wrk == nil {
			continue
		}
		if o.Profile || b.report.missed(name) {
			b.report.Profiles = append(b.report.Profiles, b.profile(ctx, *r, false))
		}
	}
	// Memory over the target: the live heap of the case with the highest peak.
	if r := b.report.largest(); r != nil && (o.Profile || b.report.missed("all")) {
		b.report.Profiles = append(b.report.Profiles, b.profile(ctx, *r, true))
	}
	if o.Soak > 0 {
		s, err := b.soak(ctx, o.Soak)
		if err != nil {
			return err
		}
		b.report.Soak = s
	}
	b.report.Commands = b.log.lines
	b.report.Finished = time.Now().UTC()
	b.report.Machine.LoadEnd = loadAvg()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil { // #nosec G301 -- the report's folder (docs/ by default), readable like the rest of the checkout
		return err
	}
	f, err := os.Create(out) // #nosec G304 -- the report path the operator gave with --out
	if err != nil {
		return err
	}
	if err := b.report.Write(f); err != nil {
		_ = f.Close() // the write error is the one to report
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	logf("wrote %s", out)
	return nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run quirebench inside the quire module (go run ./cmd/quirebench)")
	}
	return filepath.Dir(mod), nil
}

func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"$`\\|&;<>()*?[]#~!{}") {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		} else {
			out[i] = a
		}
	}
	return strings.Join(out, " ")
}

func redact(s string, secrets map[string]string) string {
	for secret, shown := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, shown)
		}
	}
	return s
}

func formEscape(s string) string { return url.QueryEscape(s) }
