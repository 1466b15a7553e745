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

const notSetUp = "This site is not set up yet. Its owner finishes setting it up at the address that `quire serve` printed."

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

func setupForm(token, username, email string, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Set up your site",
		Intro:   "Create the administrator's account. You can name the site and choose who may join in the settings next.",
		Form: components.Form{
			ID: "setup-form", Action: urls.Setup(token), Submit: "Create the administrator",
			Fields: fe.apply([]components.Field{
				{Name: "username", Label: "Username", Type: "text", Value: username, Required: true, MaxLength: 30,
					Autocomplete: "username", Hint: "3 to 30 characters: letters a-z, digits and underscores."},
				{Name: "email", Label: "Email", Type: "email", Value: email, Required: true, MaxLength: models.MaxEmailLen, Autocomplete: "email"},
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
	return a.renderForm(c, http.StatusOK, "Set up your site", setupForm(c.Param("token"), "", "", nil))
}

// postSetup creates the first administrator and signs them in.
func (a *App) postSetup(c echo.Context) error {
	if err := a.setupToken(c); err != nil {
		return err
	}
	private(c)
	username := models.NormalizeUsername(c.FormValue("username"))
	email, emailErr := models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	fe := fieldErrors{}
	fe.add("username", models.CheckUsername(username))
	fe.add("email", emailErr)
	if err := models.CheckPassword(password, username, email); err != nil {
		fe.add("password", err.Error())
	}
	v := setupForm(c.Param("token"), username, email, fe)
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Set up your site", v)
	}
	u, err := a.Users.CreateFirstAdmin(c.Request().Context(), models.NewUser{Username: username, Email: email, Password: password})
	switch {
	case errors.Is(err, models.ErrSetUp):
		a.setup.done.Store(true)
		return models.ErrNotFound
	case duplicateField(err, fe):
		return a.renderForm(c, http.StatusUnprocessableEntity, "Set up your site", setupForm(c.Param("token"), username, email, fe))
	case err != nil:
		return err
	}
	a.setup.done.Store(true)
	if err := a.logIn(c, u); err != nil {
		return err
	}
	a.flash(c, "Your site is set up, and you are its administrator.")
	return redirect(c, urls.Admin())
}
