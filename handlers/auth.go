package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

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
	fe.add("username", models.CheckStaffName(username, models.RoleUser))
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

func (a *App) postLogin(c echo.Context) error {
	ctx := c.Request().Context()
	login, password, next := field(c, "login"), c.FormValue("password"), safeNext(c.FormValue("next"))
	fail := func(status int, msg string) error {
		return a.renderForm(c, status, "Sign in", loginForm(login, next, msg))
	}
	if login == "" || password == "" || len(login) > 320 || len(password) > 4*models.MaxPasswordLen {
		return fail(http.StatusUnprocessableEntity, badLogin)
	}
	account, err := a.accountKey(c, login)
	if err != nil {
		return err
	}
	wait, err := a.Throttle.RetryAfter(ctx, account, c.RealIP())
	if err != nil {
		return err
	}
	if wait > 0 {
		minutes := int(math.Ceil(wait.Minutes()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
		return fail(http.StatusTooManyRequests, fmt.Sprintf(
			"Too many failed sign-in attempts. Try again in %d minute%s, or reset your password.", minutes, plural(minutes)))
	}
	u, err := a.Users.Authenticate(ctx, login, password)
	switch {
	case errors.Is(err, models.ErrBadCredentials):
		if err := a.Throttle.Fail(ctx, account, c.RealIP()); err != nil {
			return err
		}
		return fail(http.StatusUnprocessableEntity, badLogin)
	case errors.Is(err, models.ErrSuspended):
		return fail(http.StatusForbidden, "This account is suspended. Contact the site's administrators.")
	case err != nil:
		return err
	}
	if err := a.Throttle.Reset(ctx, account); err != nil {
		return err
	}
	if err := a.Users.RecordLogin(ctx, u.ID); err != nil {
		return err
	}
	if err := a.logIn(c, u); err != nil {
		return err
	}
	return redirect(c, next)
}

// accountKey names the account a login attempt targets, so failures by
// username and by email count together.
func (a *App) accountKey(c echo.Context, login string) (string, error) {
	u, err := a.Users.GetByLogin(c.Request().Context(), login)
	if errors.Is(err, models.ErrNotFound) {
		return "login:" + strings.ToLower(login), nil
	}
	if err != nil {
		return "", err
	}
	return "user:" + strconv.FormatInt(u.ID, 10), nil
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
