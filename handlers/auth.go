package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
	"quire/views/pages"
)

// registerForm is the registration form with the user's input (never the password).
func registerForm(username, email string, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Create your account",
		Form: components.Form{
			ID: "register-form", Action: "/register", Submit: "Create account",
			Fields: fe.apply([]components.Field{
				{Name: "username", Label: "Username", Type: "text", Value: username, Required: true, MaxLength: 30,
					Autocomplete: "username", Hint: "3 to 30 characters: letters a-z, digits and underscores."},
				{Name: "email", Label: "Email", Type: "email", Value: email, Required: true, MaxLength: models.MaxEmailLen, Autocomplete: "email"},
				{Name: "password", Label: "Password", Type: "password", Required: true, Autocomplete: "new-password",
					Hint: fmt.Sprintf("At least %d characters; a phrase of several words works well.", models.MinPasswordLen)},
			}),
		},
		Links: []pages.Link{{Href: "/login", Text: "Already have an account? Sign in"}},
	}
}

func (a *App) getRegister(c echo.Context) error {
	if _, ok := currentUser(c); ok {
		return redirect(c, "/")
	}
	v := registerForm("", "", nil)
	return a.renderForm(c, http.StatusOK, "Create your account", v)
}

func (a *App) postRegister(c echo.Context) error {
	username := models.NormalizeUsername(c.FormValue("username"))
	email, emailErr := models.NormalizeEmail(c.FormValue("email"))
	password := c.FormValue("password")
	fe := fieldErrors{}
	fe.add("username", models.CheckUsername(username))
	fe.add("email", emailErr)
	if err := models.CheckPassword(password, username, email); err != nil {
		fe.add("password", err.Error())
	}
	if len(fe) == 0 {
		u, err := a.Users.Insert(c.Request().Context(), models.NewUser{Username: username, Email: email, Password: password})
		if err == nil {
			if err := a.logIn(c, u); err != nil {
				return err
			}
			a.flash(c, "Welcome to Quire, "+u.Username+".")
			return redirect(c, "/@"+u.Username)
		}
		if !duplicateField(err, fe) {
			return err
		}
	}
	v := registerForm(username, email, fe)
	return a.renderForm(c, http.StatusUnprocessableEntity, "Create your account", v)
}

// throttledForm answers 429 with the form and a message saying when to try
// again (msg holds one %s for the minutes); err is the
// *models.ThrottledError (anything else is returned as it is).
func (a *App) throttledForm(c echo.Context, err error, title string, v pages.FormPage, msg string) error {
	var te *models.ThrottledError
	if !errors.As(err, &te) {
		return err
	}
	minutes := int(math.Ceil(te.RetryAfter.Minutes()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter.Seconds())))
	v.Form.Error = fmt.Sprintf(msg, fmt.Sprintf("%d minute%s", minutes, plural(minutes)))
	return a.renderForm(c, http.StatusTooManyRequests, title, v)
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

func loginForm(login, next, formErr string) pages.FormPage {
	return pages.FormPage{
		Heading: "Sign in",
		Form: components.Form{
			ID: "login-form", Action: "/login", Submit: "Sign in", Error: formErr,
			Hidden: map[string]string{"next": safeNext(next)},
			Fields: []components.Field{
				{Name: "login", Label: "Username or email", Type: "text", Value: login, Required: true, Autocomplete: "username"},
				{Name: "password", Label: "Password", Type: "password", Required: true, Autocomplete: "current-password"},
			},
		},
		Links: []pages.Link{{Href: "/password/reset", Text: "Forgot your password?"}, {Href: "/register", Text: "Create an account"}},
	}
}

func (a *App) getLogin(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if _, ok := currentUser(c); ok {
		return redirect(c, next)
	}
	return a.renderForm(c, http.StatusOK, "Sign in", loginForm("", next, ""))
}

// postLogin signs in. Every failure, a suspended account's included, gets
// the same answer; the throttle counts the attempt before the compare.
func (a *App) postLogin(c echo.Context) error {
	login, password, next := field(c, "login"), c.FormValue("password"), safeNext(c.FormValue("next"))
	v := loginForm(login, next, badLogin)
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
	return redirect(c, "/")
}

// renderForm renders a form page, or just its content for an htmx request.
func (a *App) renderForm(c echo.Context, status int, title string, v pages.FormPage) error {
	p := a.page(c, title)
	v.Form.CSRF = p.CSRF
	return render(c, status, pages.FormScreen(p, v), pages.FormContent(v))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
