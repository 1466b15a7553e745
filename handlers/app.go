// Package handlers is Quire's HTTP layer: the Echo server, its middleware,
// and one file per resource. Handlers bind and validate input, call the
// models and render templ components; they hold no SQL. What several
// handlers share lives in a file named for it: render.go (page or
// fragment, redirects), frame.go (the page frame), forms.go, params.go,
// context.go, session.go, errors.go.
package handlers

import (
	"log/slog"
	"net/url"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"quire/handlers/pagecache"
	"quire/models"
	"quire/models/dbhealth"
	"quire/models/imaging"
	"quire/models/importer"
	"quire/models/mail"
	"quire/views/urls"
)

// Config is the part of the site's configuration the HTTP layer needs.
type Config struct {
	// BaseURL is the site's public address; links in mail are built from it,
	// never from the request's Host header. https turns on Secure cookies and HSTS.
	BaseURL *url.URL
	// TrustProxy takes the client address from X-Forwarded-For (only behind
	// a proxy that sets it); otherwise the connection's address is used.
	TrustProxy bool
	// RequestTimeout bounds each request's database work.
	RequestTimeout time.Duration
	// MetricsToken, when set, is the bearer token /metrics asks for;
	// without it /metrics answers only direct requests from this machine.
	MetricsToken string
	Version      string
	// TimeZone, when set, is the zone of every date shown to people
	// (a.formatter), over the site's setting. Protocol dates (HTTP, feeds, sitemaps) are always UTC.
	TimeZone *time.Location
	// SetupToken, when set, is the token of the first-run setup address
	// (setup.go): serve makes one when the site has no administrator.
	SetupToken string
	// Registration, when set (open, invite, closed), overrides the site's
	// registration setting: for scripted deployments and test rigs.
	Registration string
}

func (c Config) secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// Models are the data layer's models on one database, as the handlers use
// them. serve and the tests both build them with NewModels, so a new model
// is added here once.
type Models struct {
	DB        *sqlx.DB
	Users     *models.UserModel
	Throttle  *models.ThrottleModel
	Resets    *models.ResetModel
	Posts     *models.PostModel
	Admin     *models.AdminModel // admin actions, each with its audit entries
	MediaRows *models.MediaModel // the rows describing uploaded images (owner, size, variants)
	// Invitations are looked up by their token.
	Invitations *models.InvitationModel
	// Settings are the site's settings, kept in memory; nil: New makes one on DB.
	Settings *models.SettingsModel
	// Imports are the imports started from the admin area.
	Imports *importer.Jobs
	// Redirects answer old addresses (redirects.go).
	Redirects *models.RedirectModel
	// Comments are readers' comments on posts.
	Comments *models.CommentModel
}

// NewModels builds every model on db; hasher hashes passwords (with
// models.PasswordParams in production, cheap parameters in tests).
func NewModels(db *sqlx.DB, hasher *models.Hasher) Models {
	return Models{
		DB:        db,
		Users:     &models.UserModel{DB: db, Hasher: hasher},
		Throttle:  &models.ThrottleModel{DB: db},
		Resets:    &models.ResetModel{DB: db},
		Posts:     &models.PostModel{DB: db, MediaURL: urls.Media},
		Admin:     &models.AdminModel{DB: db},
		MediaRows: &models.MediaModel{DB: db},

		Invitations: &models.InvitationModel{DB: db},
		Settings:    &models.SettingsModel{DB: db},
		Imports:     &importer.Jobs{DB: db},
		Redirects:   &models.RedirectModel{DB: db},
		Comments:    &models.CommentModel{DB: db},
	}
}

// PushChanges has the models keep the stamps reader pages ask for in
// memory while ch hears every change (models.Changes); serve calls it.
func (m Models) PushChanges(ch *models.Changes) {
	m.Posts.Changes = ch
	m.Settings.Changes = ch
}

// Deps are the services the handlers use.
type Deps struct {
	Models
	Config   Config
	Images   *imaging.Pipeline // decodes uploads under one memory budget; nil: imaging.Default
	Mail     mail.Sender
	Sessions *scs.SessionManager
	Logger   *slog.Logger
	Health   *dbhealth.Monitor // the database's health; nil: New makes one fed by requests alone

	MediaFiles models.MediaStore // the image files themselves
}

// App holds the dependencies every handler shares.
type App struct {
	Deps
	mailer *mailer
	docs   *pagecache.Memo[[]byte]          // rendered feeds and sitemaps, by path
	lists  *pagecache.Memo[models.PostList] // pages of public lists
	posts  *pagecache.Memo[readerPost]      // public posts, by ID
	shared *pagecache.Shared                // reader pages as signed-out readers get them
	setup  firstRun
	bodies *bodies       // request body sizes by route, and the large-body budget
	tables []*adminTable // the admin tables, in navigation order
	// imports runs the admin area's imports in the background.
	imports *importRunner
	echo    *echo.Echo // the routes, which say what an address on this site is
}
