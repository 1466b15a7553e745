package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

// errBadInvitation is the one answer to an invitation link that is
// expired, used, revoked or altered: they cannot be told apart, and the
// reader can do the same about each.
var errBadInvitation = echo.NewHTTPError(http.StatusNotFound,
	"This invitation link does not work: it has expired, was already used or was revoked. Ask whoever invited you for a new one.")

// acceptForm asks the invited person for a username and a password; the
// email address is the invitation's.
func acceptForm(token string, inv models.Invitation, username string, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Create your account",
		Intro: inv.InviterName + " invited " + inv.Email + " to write here as " + inv.Role +
			". Choose a username and a password; you are signed in at once.",
		Form: components.Form{
			ID: "accept-form", Action: urls.Invitation(token), Submit: "Create account",
			Fields: fe.apply([]components.Field{
				{Name: "username", Label: "Username", Type: "text", Value: username, Required: true, MaxLength: 30,
					Autocomplete: "username", Hint: "3 to 30 characters: letters a-z, digits and underscores."},
				{Name: "password", Label: "Password", Type: "password", Required: true, Autocomplete: "new-password",
					Hint: fmt.Sprintf("At least %d characters; a phrase of several words works well.", models.MinPasswordLen)},
			}),
		},
	}
}

// invitation reads the pending invitation the link names.
func (a *App) invitation(c echo.Context) (models.Invitation, error) {
	private(c) // the link is a secret: the page is never stored
	inv, err := a.Invitations.Lookup(c.Request().Context(), c.Param("token"))
	if errors.Is(err, models.ErrNotFound) {
		return inv, errBadInvitation
	}
	return inv, err
}

func (a *App) getInvitation(c echo.Context) error {
	inv, err := a.invitation(c)
	if err != nil {
		return err
	}
	return a.renderForm(c, http.StatusOK, "Create your account", acceptForm(c.Param("token"), inv, "", nil))
}

// postInvitation creates the invited account with its role, uses the
// invitation up and signs the new account in. Attempts that reach the
// database are rate-limited per client, as sign-ups are.
func (a *App) postInvitation(c echo.Context) error {
	inv, err := a.invitation(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	token := c.Param("token")
	username := models.NormalizeUsername(c.FormValue("username"))
	password := c.FormValue("password")
	fe := fieldErrors{}
	fe.add("username", models.CheckUsername(username))
	fe.add("username", models.CheckStaffName(username, inv.Role))
	if err := models.CheckPassword(password, username, inv.Email); err != nil {
		fe.add("password", err.Error())
	}
	v := acceptForm(token, inv, username, fe)
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Create your account", v)
	}
	if err := a.Throttle.Take(ctx, models.Hit{Limit: models.InviteAcceptLimit, Key: c.RealIP()}); err != nil {
		return a.throttledForm(c, err, "Create your account", v, "Too many attempts from your network. Try again in %s.")
	}
	u, err := a.Users.AcceptInvitation(ctx, token, username, password)
	var dup *models.DuplicateError
	switch {
	case errors.Is(err, models.ErrNotFound): // used or revoked meanwhile
		return errBadInvitation
	case errors.As(err, &dup) && dup.Constraint == "users_email_key": // joined another way since
		v.Form.Error = "An account with " + inv.Email + " exists already: sign in to it, or reset its password."
		return a.renderForm(c, http.StatusUnprocessableEntity, "Create your account", v)
	case duplicateField(err, fe):
		return a.renderForm(c, http.StatusUnprocessableEntity, "Create your account", acceptForm(token, inv, username, fe))
	case err != nil:
		return err
	}
	if err := a.logIn(c, u); err != nil {
		return err
	}
	a.flash(c, "Welcome, "+u.Username+". Your account is ready.")
	return redirect(c, urls.Author(u.Username))
}
