package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/mail"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

// errBadVerification is the one answer to a confirmation link that is
// expired, used, altered or for an address changed since.
var errBadVerification = echo.NewHTTPError(http.StatusNotFound,
	"This confirmation link does not work: it has expired, was already used, or your address changed since. "+
		"Sign in and have a new one sent.")

// sendVerification mails u a new link confirming their address; an
// account already verified gets nothing.
func (a *App) sendVerification(c echo.Context, u models.User) error {
	token, email, err := a.Users.IssueVerification(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	a.mailer.send(a.verificationMail(u.Username, email, token))
	return nil
}

func (a *App) verificationMail(username, email, token string) mail.Message {
	return mail.Message{
		To:      email,
		Subject: "Confirm your email address",
		Text: "Welcome to " + a.siteTitle() + ", " + username + ".\n\n" +
			"To confirm that this address is yours, open this link within 48 hours:\n\n" +
			a.absURL(urls.Verify(token)) + "\n\n" +
			"Until then you can write and edit your profile, but not publish.\n" +
			"If you did not create this account, ignore this message.\n",
	}
}

// getVerify confirms the address a link was sent to.
func (a *App) getVerify(c echo.Context) error {
	private(c)
	u, err := a.Users.VerifyEmail(c.Request().Context(), c.Param("token"))
	if errors.Is(err, models.ErrNotFound) {
		return errBadVerification
	}
	if err != nil {
		return err
	}
	a.flash(c, "Thank you: "+u.Email+" is confirmed. You can publish now.")
	return redirect(c, urls.Drafts())
}

// postVerifyResend mails a new confirmation link, at most
// VerifyResendLimit an hour per account.
func (a *App) postVerifyResend(c echo.Context) error {
	u, _ := currentUser(c)
	if u.EmailVerified {
		a.flash(c, "Your email address is already confirmed.")
		return redirect(c, urls.Drafts())
	}
	v := resendForm("")
	err := a.Throttle.Take(c.Request().Context(), models.Hit{Limit: models.VerifyResendLimit, Key: u.Username})
	if err != nil {
		return a.throttledForm(c, err, "Confirm your email address", v, "We have sent several links already. Try again in %s.")
	}
	if err := a.sendVerification(c, u); err != nil {
		return err
	}
	a.flash(c, "We sent a new link to "+u.Email+". It works for 48 hours.")
	return redirect(c, urls.Drafts())
}

// resendForm says why an unverified account cannot publish, with a button
// that sends a new link.
func resendForm(formErr string) pages.FormPage {
	return pages.FormPage{
		Heading: "Confirm your email address",
		Intro:   models.ErrUnverified.Msg,
		Form:    components.Form{ID: "resend-form", Action: urls.VerifyResend(), Submit: "Send a new link", Error: formErr},
	}
}

// unverified answers a publication refused because the account's address
// is not confirmed: 403, with the resend button.
func (a *App) unverified(c echo.Context) error {
	private(c)
	return a.renderForm(c, http.StatusForbidden, "Confirm your email address", resendForm(""))
}
