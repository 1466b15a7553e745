package handlers

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

// firstRun is the one-time setup of a site without an administrator. serve
// prints its address, made of a random token valid until it is used or
// serve restarts; until an administrator exists, every other page says the
// site is not set up yet. Without a token (an administrator existed at
// start, or a test app) there is no gate.
type firstRun struct {
	token string
	done  atomic.Bool
}

const notSetUp = "This site is not set up yet. Its owner finishes setting it up at the one-time address Quire printed when it started."

// gateSetup answers every page with "not set up yet" (503) until the site
// has an administrator, except the setup page itself. An administrator made
// meanwhile with `quire createadmin` ends the gate too.
func (a *App) gateSetup(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.setup.token == "" || a.setup.done.Load() || c.Path() == setupRoute {
			return next(c)
		}
		if n, err := a.Users.CountActiveAdmins(c.Request().Context()); err != nil {
			return err
		} else if n > 0 {
			a.setup.done.Store(true)
			return next(c)
		}
		private(c)
		c.Response().Header().Set("Retry-After", "60")
		p := a.readerFrame(c)
		p.Title = "Not set up yet"
		return render(c, http.StatusServiceUnavailable, pages.ErrorPage(p, http.StatusServiceUnavailable, notSetUp),
			pages.ErrorContent(http.StatusServiceUnavailable, notSetUp))
	}
}

// setupToken checks the address's token in constant time: a wrong one, or
// any once the site is set up, is a page that does not exist.
func (a *App) setupToken(c echo.Context) error {
	t := c.Param("token")
	if a.setup.token == "" || a.setup.done.Load() || subtle.ConstantTimeCompare([]byte(t), []byte(a.setup.token)) != 1 {
		return models.ErrNotFound
	}
	return nil
}

// setupInput is what the setup form asks (never the password).
type setupInput struct{ title, username, email string }

func setupForm(token string, in setupInput, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Set up your site",
		Intro:   "Name the site and create its administrator's account. Everything else waits in the settings.",
		Form: components.Form{
			ID: "setup-form", Action: urls.Setup(token), Submit: "Set up the site",
			Fields: fe.apply([]components.Field{
				{Name: "title", Label: "Site title", Type: "text", Value: in.title, Required: true, MaxLength: models.MaxSiteTitleLen,
					Hint: "The site's name: in every page's header and title, its feeds and mail."},
				{Name: "username", Label: "Username", Type: "text", Value: in.username, Required: true, MaxLength: 30,
					Autocomplete: "username", Hint: "3 to 30 characters: letters a-z, digits and underscores."},
				{Name: "email", Label: "Email", Type: "email", Value: in.email, Required: true, MaxLength: models.MaxEmailLen, Autocomplete: "email"},
				{Name: "password", Label: "Password", Type: "password", Required: true, Autocomplete: "new-password",
					Hint: fmt.Sprintf("At least %d characters; a phrase of several words works well.", models.MinPasswordLen)},
			}),
		},
	}
}

func (a *App) getSetup(c echo.Context) error {
	if err := a.setupToken(c); err != nil {
		return err
	}
	private(c)
	return a.renderForm(c, http.StatusOK, "Set up your site", setupForm(c.Param("token"), setupInput{title: a.site(c).Title}, nil))
}

// postSetup names the site, creates its first administrator and signs
// them in.
func (a *App) postSetup(c echo.Context) error {
	if err := a.setupToken(c); err != nil {
		return err
	}
	private(c)
	ctx := c.Request().Context()
	in := setupInput{username: models.NormalizeUsername(c.FormValue("username"))}
	var emailErr string
	in.email, emailErr = models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	site, err := a.Settings.Get(ctx)
	if err != nil {
		return err
	}
	named := site.SiteInput
	named.Title = c.FormValue("title")
	named = named.Normalized()
	in.title = named.Title
	fe := fieldErrors{}
	fe.add("title", named.Validate()["title"])
	fe.add("username", models.CheckUsername(in.username))
	fe.add("email", emailErr)
	if err := models.CheckPassword(password, in.username, in.email); err != nil {
		fe.add("password", err.Error())
	}
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Set up your site", setupForm(c.Param("token"), in, fe))
	}
	u, err := a.Users.CreateFirstAdmin(ctx, models.NewUser{Username: in.username, Email: in.email, Password: password})
	switch {
	case errors.Is(err, models.ErrSetUp):
		a.setup.done.Store(true)
		return models.ErrNotFound
	case duplicateField(err, fe):
		return a.renderForm(c, http.StatusUnprocessableEntity, "Set up your site", setupForm(c.Param("token"), in, fe))
	case err != nil:
		return err
	}
	a.setup.done.Store(true)
	if err := a.logIn(c, u); err != nil {
		return err
	}
	// The name is saved as the administrator's first settings change (and
	// audited as one); if it cannot be, the settings page is where to retry.
	if _, err := a.Settings.Save(ctx, models.Actor{ID: u.ID, Name: u.Username, Role: u.Role}, site.Version, named); err != nil {
		return err
	}
	a.flash(c, "Your site is set up, and you are its administrator. Here are its settings.")
	return redirect(c, urls.AdminSettings())
}
