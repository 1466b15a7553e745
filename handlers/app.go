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

	"quire/models"
	"quire/models/dbhealth"
	"quire/models/imaging"
	"quire/models/mail"
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
	// Registration, when set (open, invite, closed), overrides the site's
	// registration setting: for scripted deployments and test rigs.
	Registration string
}

func (c Config) secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// Deps are the services the handlers use.
type Deps struct {
	Config      Config
	DB          *sqlx.DB
	Users       *models.UserModel
	Throttle    *models.ThrottleModel
	Resets      *models.ResetModel
	Invitations *models.InvitationModel // invitations by their token
	Posts       *models.PostModel
	Admin       *models.AdminModel // admin actions, each with its audit entries
	Images      *imaging.Pipeline  // decodes uploads under one memory budget; nil: imaging.Default
	Mail        mail.Sender
	Sessions    *scs.SessionManager
	Logger      *slog.Logger
	Health      *dbhealth.Monitor // the database's health; nil: New makes one fed by requests alone

	MediaRows  *models.MediaModel // the rows describing uploaded images (owner, size, variants)
	MediaFiles models.MediaStore  // the image files themselves
}

// App holds the dependencies every handler shares.
type App struct {
	Deps
	mailer *mailer
	docs   *memo[[]byte]          // rendered feeds and sitemaps, by path
	lists  *memo[models.PostList] // pages of public lists
	posts  *memo[readerPost]      // public posts, by ID
	shared *memo[sharedPage]      // reader pages as signed-out readers get them
	bodies *bodies                // request body sizes by route, and the large-body budget
	tables []*adminTable          // the admin tables, in navigation order
}
