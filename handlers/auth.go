package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

// registerForm is the registration form with the user's input (never the password).
func registerForm(username, email string, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Create your account",
		Form: components.Form{
			ID: "register-form", Action: urls.Register(), Submit: "Create account",
			Fields: fe.apply([]components.Field{
				{Name: "username", Label: "Username", Type: "text", Value: username, Required: true, MaxLength: 30,
					Autocomplete: "username", Hint: "3 to 30 characters: letters a-z, digits and underscores."},
				{Name: "email", Label: "Email", Type: "email", Value: email, Required: true, MaxLength: models.MaxEmailLen, Autocomplete: "email"},
				{Name: "password", Label: "Password", Type: "password", Required: true, Autocomplete: "new-password",
					Hint: fmt.Sprintf("At least %d characters; a phrase of several words works well.", models.MinPasswordLen)},
			}),
		},
		Links: []pages.Link{{Href: urls.Login(""), Text: "Already have an account? Sign in"}},
	}
}

// registrationMode is who may create an account now: the override of
// --registration (QUIRE_REGISTRATION) while set, else the site's setting.
func (a *App) registrationMode(c echo.Context) string {
	if a.Config.Registration != "" {
		return a.Config.Registration
	}
	return a.site(c).Registration
}

// Closed registration answers 404, as a site without sign-up would: there
// is nothing to find, and nothing to try. Invitation-only answers 403: the
// page exists, for those who hold an invitation, whose link leads to their
// own form (/invitations/{token}).
var (
	errRegistrationClosed = echo.NewHTTPError(http.StatusNotFound,
		"Registration is closed. Accounts on this site are created by invitation from its administrators.")
	errRegistrationByInvite = echo.NewHTTPError(http.StatusForbidden,
		"Registration is by invitation. Follow the link in your invitation email to create your account.")
)

// signUpOpen refuses the sign-up form unless registration is open.
func (a *App) signUpOpen(c echo.Context) error {
	switch a.registrationMode(c) {
	case models.RegistrationOpen:
		return nil
	case models.RegistrationInvite:
		return errRegistrationByInvite
	}
	return errRegistrationClosed
}

func (a *App) getRegister(c echo.Context) error {
	if _, ok := currentUser(c); ok {
		return redirect(c, urls.Home())
	}
	if err := a.signUpOpen(c); err != nil {
		return err
	}
	v := registerForm("", "", nil)
	return a.renderForm(c, http.StatusOK, "Create your account", v)
}

// postRegister creates the account and signs it in. Sign-ups that reach the
// database are rate-limited per client, a taken name costs no password
// hash, and a taken email is answered as a new one is by mail: the owner is
// told, and the page says to check the mail.
func (a *App) postRegister(c echo.Context) error {
	ctx := c.Request().Context()
	if err := a.signUpOpen(c); err != nil {
		return err
	}
	username := models.NormalizeUsername(c.FormValue("username"))
	email, emailErr := models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	fe := fieldErrors{}
	fe.add("username", models.CheckUsername(username))
	fe.add("username", models.CheckStaffName(username, models.SignUpRole))
	fe.add("email", emailErr)
	if err := models.CheckPassword(password, username, email); err != nil {
		fe.add("password", err.Error())
	}
	v := registerForm(username, email, fe)
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Create your account", v)
	}
	if err := a.Throttle.Take(ctx, models.Hit{Limit: models.RegisterLimit, Key: c.RealIP()}); err != nil {
		return a.throttledForm(c, err, "Create your account", v, "Too many sign-up attempts from your network. Try again in %s.")
	}
	u, err := a.Users.Register(ctx, models.NewUser{Username: username, Email: email, Password: password})
	var dup *models.DuplicateError
	switch {
	case errors.As(err, &dup) && dup.Constraint == "users_email_key":
		a.afterCommitLater(func(ctx context.Context) (models.AfterCommit, error) {
			return a.Users.NoticeTakenEmail(ctx, a.Throttle, email)
		})
		return a.checkYourMail(c, "We have sent a message to "+email+". Follow it to continue.")
	case duplicateField(err, fe):
		return a.renderForm(c, http.StatusUnprocessableEntity, "Create your account", registerForm(username, email, fe))
	case err != nil:
		return err
	}
	if err := a.logIn(c, u); err != nil {
		return err
	}
	if err := a.sendVerification(c, u); err != nil {
		return err
	}
	a.flash(c, "Welcome to "+a.site(c).Title+", "+u.Username+". We sent a link to "+u.Email+
		": follow it within 48 hours to confirm your address. Until then you can write, but not publish.")
	return redirect(c, urls.Author(u.Username))
}

// duplicateField puts a unique-constraint failure beside its field.
func duplicateField(err error, fe fieldErrors) bool {
	var dup *models.DuplicateError
	if !errors.As(err, &dup) {
		return false
	}
	switch dup.Constraint {
	case "users_username_key":
		fe.add("username", "This username is taken.")
	case "users_email_key":
		fe.add("email", "An account with this email already exists.")
	default:
		return false
	}
	return true
}

const badLogin = "The username, email or password is incorrect."

func loginForm(login, next, formErr string, signUp bool) pages.FormPage {
	links := []pages.Link{{Href: urls.PasswordReset(), Text: "Forgot your password?"}}
	if signUp {
		links = append(links, pages.Link{Href: urls.Register(), Text: "Create an account"})
	}
	return pages.FormPage{
		Heading: "Sign in",
		Form: components.Form{
			ID: "login-form", Action: urls.Login(""), Submit: "Sign in", Error: formErr,
			Hidden: map[string]string{"next": safeNext(next)},
			Fields: []components.Field{
				{Name: "login", Label: "Username or email", Type: "text", Value: login, Required: true, Autocomplete: "username"},
				{Name: "password", Label: "Password", Type: "password", Required: true, Autocomplete: "current-password"},
			},
		},
		Links: links,
	}
}

func (a *App) getLogin(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if _, ok := currentUser(c); ok {
		return redirect(c, next)
	}
	return a.renderForm(c, http.StatusOK, "Sign in", loginForm("", next, "", a.signUpOpen(c) == nil))
}

// postLogin signs in. Every failure, a suspended account's included, gets
// the same answer; the throttle counts the attempt before the compare.
func (a *App) postLogin(c echo.Context) error {
	login, password, next := field(c, "login"), c.FormValue("password"), safeNext(c.FormValue("next"))
	v := loginForm(login, next, badLogin, a.signUpOpen(c) == nil)
	if login == "" || password == "" || len(login) > 320 || len(password) > 4*models.MaxPasswordLen {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Sign in", v)
	}
	u, err := a.Users.SignIn(c.Request().Context(), a.Throttle, login, password, c.RealIP())
	switch {
	case errors.Is(err, models.ErrBadCredentials):
		return a.renderForm(c, http.StatusUnprocessableEntity, "Sign in", v)
	case errors.Is(err, models.ErrThrottled):
		return a.throttledForm(c, err, "Sign in", v, "Too many failed sign-in attempts. Try again in %s, or reset your password.")
	case err != nil:
		return err
	}
	if err := a.logIn(c, u); err != nil {
		return err
	}
	return redirect(c, next)
}

func (a *App) postLogout(c echo.Context) error {
	if err := a.logOut(c); err != nil {
		return err
	}
	return redirect(c, urls.Home())
}
