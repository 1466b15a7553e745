package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/mail"
	"quire/views/components"
	"quire/views/pages"
)

func resetRequestForm(email string, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Reset your password",
		Intro:   "Enter your account's email address and we will send you a link to choose a new password.",
		Form: components.Form{
			ID: "reset-form", Action: "/password/reset", Submit: "Send reset link",
			Fields: fe.apply([]components.Field{
				{Name: "email", Label: "Email", Type: "email", Value: email, Required: true, Autocomplete: "email"},
			}),
		},
		Links: []pages.Link{{Href: "/login", Text: "Back to sign in"}},
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
	a.mailer.sendLater(func(ctx context.Context) (mail.Message, error) { return a.resetMessage(ctx, email) })
	return a.checkYourMail(c, "If an account exists for "+email+", we have sent it a link to reset the password. The link works for one hour.")
}

// resetMessage makes a reset link for the active account with this email
// and the message that carries it. Past ResetEmailLimit, or for no such
// account, there is nothing to send (the zero message); the links already
// sent keep working.
func (a *App) resetMessage(ctx context.Context, email string) (mail.Message, error) {
	err := a.Throttle.Take(ctx, models.Hit{Limit: models.ResetEmailLimit, Key: strings.ToLower(email)})
	if errors.Is(err, models.ErrThrottled) {
		return mail.Message{}, nil
	} else if err != nil {
		return mail.Message{}, err
	}
	u, err := a.Users.GetByEmail(ctx, email)
	if errors.Is(err, models.ErrNotFound) || (err == nil && u.State != models.StateActive) {
		return mail.Message{}, nil
	} else if err != nil {
		return mail.Message{}, err
	}
	token, err := a.Resets.Create(ctx, u.ID)
	if err != nil {
		return mail.Message{}, err
	}
	return a.resetMail(u.Username, u.Email, token), nil
}

// sendResetMail mails a password reset link, in the background. The reset
// form and the admin's "send password reset" send the same message.
func (a *App) sendResetMail(username, email, token string) {
	a.mailer.send(a.resetMail(username, email, token))
}

func (a *App) resetMail(username, email, token string) mail.Message {
	site := a.siteTitle()
	return mail.Message{
		To:      email,
		Subject: "Reset your " + site + " password",
		Text: "Someone asked to reset the password of the " + site + " account " + username + ".\n\n" +
			"To choose a new password, open this link within the next hour:\n\n" +
			a.absURL("/password/reset/"+token) + "\n\n" +
			"If it was not you, ignore this message: your password stays as it is.\n",
	}
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
	links := []pages.Link{{Href: "/password/reset", Text: "Send a new reset link"}}
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
	u, err = a.Users.SetPasswordWithToken(ctx, token, password)
	if errors.Is(err, models.ErrNotFound) {
		return a.invalidResetLink(c)
	} else if err != nil {
		return err
	}
	a.notifyPasswordChanged(u)
	a.flash(c, "Your password has been changed. Sign in with your new password.")
	return redirect(c, "/login")
}

func (a *App) getSettingsPassword(c echo.Context) error {
	private(c)
	return a.renderForm(c, http.StatusOK, "Change password", newPasswordForm("/settings/password", true, nil))
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
		return a.throttledForm(c, err, "Change password", newPasswordForm("/settings/password", true, nil),
			"Too many wrong passwords. Try again in %s.")
	case err != nil:
		return err
	}
	if err := models.CheckPassword(password, u.Username, u.Email); err != nil {
		fe.add("password", err.Error())
	}
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Change password", newPasswordForm("/settings/password", true, fe))
	}
	u, err = a.Users.SetPassword(ctx, u.ID, password)
	if err != nil {
		return err
	}
	if err := a.logIn(c, u); err != nil {
		return err
	}
	a.notifyPasswordChanged(u)
	a.flash(c, "Your password has been changed. Other devices have been signed out.")
	return redirect(c, "/settings/password")
}

func (a *App) notifyPasswordChanged(u models.User) {
	site := a.siteTitle()
	a.mailer.send(mail.Message{
		To:      u.Email,
		Subject: "Your " + site + " password was changed",
		Text: "The password of the " + site + " account " + u.Username + " was just changed, and other devices were signed out.\n\n" +
			"If this was not you, reset your password now: " + a.absURL("/password/reset") + "\n",
	})
}
