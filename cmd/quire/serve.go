package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"quire/handlers"
	"quire/models"
	"quire/models/dbhealth"
	"quire/models/mail"
	"quire/models/pgcluster"
	"quire/views/urls"
)

// shutdownGrace is how long requests in flight may take to finish.
const shutdownGrace = 30 * time.Second

// rerenderRetry is how long the re-render of old posts waits on a database
// that is down before it tries again.
const rerenderRetry = 30 * time.Second

func serve(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	fs := newFlagSet("serve", "serve [flags]")
	cfg.serveFlags(fs)
	pprofAddr := fs.String("pprof-addr", "", "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060; empty: off")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.finish(); err != nil {
		return err
	}
	media, err := cfg.mediaStore()
	if err != nil {
		return err
	}
	log := slog.Default()
	// A bucket that is not there is a wrong setting; a storage service
	// that is down now may be back before the first upload.
	if s3, ok := media.(*models.S3Store); ok {
		if err := s3.Check(ctx); errors.Is(err, models.ErrMediaURL) {
			return fmt.Errorf("--media-url: %w", err)
		} else if err != nil {
			log.Warn("media storage", "err", err)
		}
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit(runtime.NumCPU()))
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	health := dbhealth.New(log)

	db, err := openDatabase(ctx, &cfg)
	if err != nil {
		return err
	}
	if db.cluster != nil {
		db.cluster.Supervise(health, pgcluster.SuperviseOptions{})
	}
	defer func() {
		if err := db.Close(context.Background()); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	if err := migrateUp(ctx, db, io.Discard); err != nil {
		return err
	}
	go (&models.Janitor{DB: db.DB, Logger: log, Media: media}).Run(ctx, time.Hour)
	// Publishes scheduled posts at their time; what fell due while the site
	// was down goes out now.
	go (&models.Scheduler{DB: db.DB, Logger: log}).Run(ctx, models.ScheduleInterval)
	// Shows `quire migrate down` that this process serves, and probes.
	go (&models.Presence{DB: db.DB, Health: health}).Run(ctx)
	sender, err := mail.New(cfg.SMTPURL, cfg.MailFrom, log)
	if err != nil {
		return err
	}
	store := models.NewSessionStore(db.DB.DB, 5*time.Minute)
	defer store.StopCleanup()
	base, _ := url.Parse(cfg.BaseURL)
	sessions := handlers.NewSessionManager(store, base.Scheme == "https")
	data := handlers.NewModels(db.DB, models.NewHasher(models.PasswordParams, 0))
	// One connection hears every committed change, so reader pages are
	// validated from memory rather than by a query each.
	changes := models.Listen(db.dsn, log)
	defer func() { _ = changes.Close() }()
	data.PushChanges(changes)
	// Posts stored by an earlier Markdown renderer get today's HTML, once.
	// A database that is down is waited out: the outage is reported already.
	go func() {
		for {
			_, err := data.Posts.RerenderStale(ctx, log)
			if err == nil || ctx.Err() != nil {
				return
			}
			if models.Fault(err) == dbhealth.NoFault {
				log.Error("re-render posts", "err", err)
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(rerenderRetry):
			}
		}
	}()
	// A site without an administrator is set up in the browser, at an
	// address only this terminal sees (valid until used or restart).
	var setupToken string
	if n, err := data.Users.CountActiveAdmins(ctx); err == nil && n == 0 {
		setupToken = rand.Text()
	}

	srv := handlers.New(handlers.Deps{
		Models: data,
		Config: handlers.Config{BaseURL: base, TrustProxy: cfg.TrustProxy, MetricsToken: cfg.MetricsToken, Version: versionString(), TimeZone: cfg.Zone,
			SetupToken: setupToken, Registration: cfg.Registration},
		Mail:     sender,
		Sessions: sessions,
		Logger:   log,
		Health:   health,

		MediaFiles: media,
	})
	// Mail about new comments and replies, batched; one replica sends.
	go srv.CommentMailer().Run(ctx, models.CommentMailPoll)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if *pprofAddr != "" {
		stopPprof, err := servePprof(*pprofAddr, log)
		if err != nil {
			return err
		}
		defer stopPprof()
	}
	fmt.Fprintf(stdout, "Quire %s is running at %s (press Ctrl+C to stop)\n", versionString(), cfg.BaseURL)
	if setupToken != "" {
		fmt.Fprintf(stdout, "This site has no administrator yet. Set it up in your browser (the address works once, until Quire restarts):\n  %s\n"+
			"or from a terminal: quire createadmin --username admin --email you@example.com\n",
			strings.TrimSuffix(cfg.BaseURL, "/")+urls.Setup(setupToken))
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		log.Info("shutting down: finishing requests in flight")
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return srv.Shutdown(sctx)
}

// memoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT is not
// set: 32 MiB for the app and its in-memory copies, plus 24 MiB for each
// argon2id hash that may run at once (19 MiB each, one per core). Without
// it the collector lets the heap double between cycles, and every sign-in
// leaves 19 MiB of garbage: a login flood on 2 cores peaked at 152 MiB
// (110 MiB with this limit, for 18% more CPU a sign-in; a 64 MiB limit
// gave 92 MiB but 75% more CPU).
func memoryLimit(cores int) int64 { return (32 + 24*int64(cores)) << 20 }

// servePprof serves the profiler on its own listener, never on the site's
// address, and only on loopback: profiles reveal internals.
func servePprof(addr string, log *slog.Logger) (stop func(), err error) {
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--pprof-addr %q: use a loopback address such as 127.0.0.1:6060", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof", "err", err)
		}
	}()
	log.Info("profiler listening", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// migrateUp brings the schema up to date; the advisory lock makes it safe
// for several replicas starting at once.
func migrateUp(ctx context.Context, db *database, w io.Writer) error {
	m, err := models.NewMigrator(db.DB)
	if err != nil {
		return err
	}
	return m.Up(ctx, w)
}
