package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

func resetRequestForm(email string, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Reset your password",
		Intro:   "Enter your account's email address and we will send you a link to choose a new password.",
		Form: components.Form{
			ID: "reset-form", Action: urls.PasswordReset(), Submit: "Send reset link",
			Fields: fe.apply([]components.Field{
				{Name: "email", Label: "Email", Type: "email", Value: email, Required: true, Autocomplete: "email"},
			}),
		},
		Links: []pages.Link{{Href: urls.Login(""), Text: "Back to sign in"}},
	}
}

func (a *App) getPasswordReset(c echo.Context) error {
	return a.renderForm(c, http.StatusOK, "Reset your password", resetRequestForm("", nil))
}

// postPasswordReset answers the same, after the same work, whether or not
// the account exists: the request only counts itself against the client's
// limit and hands the address to the background, which looks the account
// up, limits mail per address and sends the link.
func (a *App) postPasswordReset(c echo.Context) error {
	email, msg := models.NormalizeEmail(c.FormValue("email"))
	if msg != "" {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Reset your password", resetRequestForm(email, fieldErrors{"email": msg}))
	}
	if err := a.Throttle.Take(c.Request().Context(), models.Hit{Limit: models.ResetClientLimit, Key: c.RealIP()}); err != nil {
		return a.throttledForm(c, err, "Reset your password", resetRequestForm(email, nil),
			"Too many reset requests from your network. Try again in %s.")
	}
	a.afterCommitLater(func(ctx context.Context) (models.AfterCommit, error) {
		return a.Users.RequestReset(ctx, a.Throttle, email)
	})
	return a.checkYourMail(c, "If an account exists for "+email+", we have sent it a link to reset the password. The link works for one hour.")
}

func newPasswordForm(action string, withCurrent bool, fe fieldErrors) pages.FormPage {
	var fs []components.Field
	if withCurrent {
		fs = append(fs, components.Field{Name: "current_password", Label: "Current password", Type: "password", Required: true, Autocomplete: "current-password"})
	}
	fs = append(fs, components.Field{Name: "password", Label: "New password", Type: "password", Required: true,
		Autocomplete: "new-password", Hint: "At least 12 characters; a phrase of several words works well."})
	return pages.FormPage{
		Heading: "Choose a new password",
		Form:    components.Form{ID: "password-form", Action: action, Submit: "Change password", Fields: fe.apply(fs)},
	}
}

func (a *App) invalidResetLink(c echo.Context) error {
	p := a.privatePage(c, "Link expired")
	heading, text := "This link is invalid or has expired", "Reset links work once and for one hour. Ask for a new one."
	links := []pages.Link{{Href: urls.PasswordReset(), Text: "Send a new reset link"}}
	return render(c, http.StatusNotFound, pages.Notice(p, heading, text, links), pages.NoticeContent(heading, text, links))
}

func (a *App) getPasswordResetToken(c echo.Context) error {
	if _, err := a.Resets.Lookup(c.Request().Context(), c.Param("token")); errors.Is(err, models.ErrNotFound) {
		return a.invalidResetLink(c)
	} else if err != nil {
		return err
	}
	// Keep the token out of Referer headers sent from this page.
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	private(c)
	return a.renderForm(c, http.StatusOK, "Choose a new password", newPasswordForm(c.Request().URL.Path, false, nil))
}

func (a *App) postPasswordResetToken(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	id, err := a.Resets.Lookup(ctx, token)
	if errors.Is(err, models.ErrNotFound) {
		return a.invalidResetLink(c)
	} else if err != nil {
		return err
	}
	u, err := a.Users.Get(ctx, id)
	if err != nil {
		return err
	}
	password := c.FormValue("password")
	if err := models.CheckPassword(password, u.Username, u.Email); err != nil {
		private(c)
		return a.renderForm(c, http.StatusUnprocessableEntity, "Choose a new password",
			newPasswordForm(c.Request().URL.Path, false, fieldErrors{"password": err.Error()}))
	}
	_, after, err := a.Users.SetPasswordWithToken(ctx, token, password)
	if errors.Is(err, models.ErrNotFound) {
		return a.invalidResetLink(c)
	} else if err != nil {
		return err
	}
	a.afterCommit(ctx, after)
	a.flash(c, "Your password has been changed. Sign in with your new password.")
	return redirect(c, urls.Login(""))
}

func (a *App) getSettingsPassword(c echo.Context) error {
	private(c)
	return a.renderForm(c, http.StatusOK, "Change password", newPasswordForm(urls.SettingsPassword(), true, nil))
}

// postSettingsPassword changes the password and ends every other session
// of the account; this one continues under a new token.
func (a *App) postSettingsPassword(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	private(c)
	current, password := c.FormValue("current_password"), c.FormValue("password")
	fe := fieldErrors{}
	err := a.Users.VerifyPassword(ctx, a.Throttle, u, current, c.RealIP())
	switch {
	case errors.Is(err, models.ErrBadCredentials):
		fe.add("current_password", "Your current password is incorrect.")
	case errors.Is(err, models.ErrThrottled):
		return a.throttledForm(c, err, "Change password", newPasswordForm(urls.SettingsPassword(), true, nil),
			"Too many wrong passwords. Try again in %s.")
	case err != nil:
		return err
	}
	if err := models.CheckPassword(password, u.Username, u.Email); err != nil {
		fe.add("password", err.Error())
	}
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Change password", newPasswordForm(urls.SettingsPassword(), true, fe))
	}
	u, after, err := a.Users.SetPassword(ctx, u.ID, password)
	if err != nil {
		return err
	}
	a.afterCommit(ctx, after)
	if err := a.logIn(c, u); err != nil {
		return err
	}
	a.flash(c, "Your password has been changed. Other devices have been signed out.")
	return redirect(c, urls.SettingsPassword())
}
