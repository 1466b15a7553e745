package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	_ "time/tzdata" // zones known on hosts without a zone database (a bare container)

	"quire/models"
)

// Config is every setting of Quire. Each has a QUIRE_* environment variable
// and a flag of the same name; a flag wins over the environment.
type Config struct {
	DatabaseURL string
	Addr        string
	BaseURL     string
	DataDir     string
	MediaDir    string
	MediaURL    string
	SMTPURL     string
	MailFrom    string
	TrustProxy  bool
	// MetricsToken is a secret: prefer the environment to the flag, which
	// other users of the machine can see in the process list.
	MetricsToken string
	// TimeZone, when set, is the IANA name of the zone pages show dates in,
	// over the site's setting; finish loads it into Zone (nil: the setting).
	TimeZone string
	Zone     *time.Location
	// Registration, when set, is the registration mode (open, invite,
	// closed), overriding the site's stored setting while it is set.
	Registration string
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// databaseFlags are the settings every subcommand that reaches the database takes.
func (c *Config) databaseFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", env("QUIRE_DATABASE_URL", ""),
		"PostgreSQL URL (QUIRE_DATABASE_URL); empty runs a private PostgreSQL in --data-dir")
	fs.StringVar(&c.DataDir, "data-dir", env("QUIRE_DATA_DIR", "./var"),
		"folder for the private database (pgdata/) and uploads (QUIRE_DATA_DIR)")
}

// mediaFlag is the media folder's setting, for commands that read or write
// the image files; mediaDir resolves its default.
func (c *Config) mediaFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.MediaDir, "media-dir", env("QUIRE_MEDIA_DIR", ""), "folder for uploaded images (QUIRE_MEDIA_DIR; default DATA_DIR/media)")
	c.mediaURLFlag(fs)
}

// mediaURLFlag is the object storage setting, which replaces the folder.
func (c *Config) mediaURLFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.MediaURL, "media-url", env("QUIRE_MEDIA_URL", ""),
		"keep uploaded images in S3-compatible storage instead of --media-dir: s3://bucket/prefix?endpoint=https://…&region=…&path_style=true&public_url=https://cdn… "+
			"(QUIRE_MEDIA_URL; keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)")
}

// mediaStore is where uploads are kept: the bucket of --media-url when
// set, else the media folder.
func (c *Config) mediaStore() (models.MediaStore, error) {
	if c.MediaURL == "" {
		return models.LocalStore{Dir: c.mediaDir()}, nil
	}
	s, err := models.NewS3Store(c.MediaURL, models.S3Keys{AccessKey: os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")})
	if err != nil {
		return nil, fmt.Errorf("--media-url: %w", err)
	}
	return s, nil
}

func (c *Config) mediaDir() string {
	if c.MediaDir == "" {
		return filepath.Join(c.DataDir, "media")
	}
	return c.MediaDir
}

// serveFlags are the settings of the web server.
func (c *Config) serveFlags(fs *flag.FlagSet) {
	c.databaseFlags(fs)
	fs.StringVar(&c.Addr, "addr", env("QUIRE_ADDR", ":8080"), "address to listen on (QUIRE_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", env("QUIRE_BASE_URL", ""),
		"public URL of the site, used in links sent by mail; https turns on HSTS and Secure cookies (QUIRE_BASE_URL; default http://localhost:PORT)")
	fs.StringVar(&c.MediaDir, "media-dir", env("QUIRE_MEDIA_DIR", ""), "folder for uploaded images (QUIRE_MEDIA_DIR; default DATA_DIR/media)")
	c.mediaURLFlag(fs)
	fs.StringVar(&c.SMTPURL, "smtp-url", env("QUIRE_SMTP_URL", ""),
		"outgoing mail server, smtp://user:pass@host:587 or smtps://...:465 (QUIRE_SMTP_URL); empty writes mail to the log")
	fs.StringVar(&c.MailFrom, "mail-from", env("QUIRE_MAIL_FROM", "Quire <noreply@localhost>"), "sender address of mail (QUIRE_MAIL_FROM)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", env("QUIRE_TRUST_PROXY", "") == "true",
		"take client addresses from X-Forwarded-For; only behind a proxy that sets it (QUIRE_TRUST_PROXY=true)")
	fs.StringVar(&c.MetricsToken, "metrics-token", env("QUIRE_METRICS_TOKEN", ""),
		"bearer token a Prometheus scraper sends to read /metrics (QUIRE_METRICS_TOKEN); empty: /metrics answers only direct requests from this machine")
	fs.StringVar(&c.TimeZone, "timezone", env("QUIRE_TIMEZONE", ""),
		"time zone of the dates pages show, an IANA name such as Europe/Berlin, over the site's setting (QUIRE_TIMEZONE)")
	fs.StringVar(&c.Registration, "registration", env("QUIRE_REGISTRATION", ""),
		"who may create an account: open, invite or closed, overriding the site's setting (QUIRE_REGISTRATION); empty: the setting")
}

// finish fills derived defaults and checks the values.
func (c *Config) finish() error {
	if c.MediaDir == "" {
		c.MediaDir = filepath.Join(c.DataDir, "media")
	}
	if c.BaseURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		c.BaseURL = "http://" + host
	}
	if c.Registration != "" && !models.ValidRegistration(c.Registration) {
		return fmt.Errorf("--registration %q: use open, invite or closed", c.Registration)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--base-url %q: use an absolute http:// or https:// URL", c.BaseURL)
	}
	// "Local" would show the host's zone, which may differ between replicas.
	if c.TimeZone == "" {
		return nil
	}
	if c.Zone, err = time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "Local" {
		return fmt.Errorf("--timezone %q: use an IANA time zone name such as UTC, Europe/Berlin or America/New_York", c.TimeZone)
	}
	return nil
}

// pgDataDir is where the private PostgreSQL cluster lives.
func (c *Config) pgDataDir() string { return filepath.Join(c.DataDir, "pgdata") }
