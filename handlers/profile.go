package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/imaging"
	"quire/models/mail"
	"quire/views/components"
	"quire/views/pages"
)

// Avatar limits: at most 5 MiB and 40 megapixels in; 480x480 at most out.
var avatarLimits = imaging.Limits{MaxBytes: 5 << 20, MaxPixels: 40_000_000}

const avatarBox = 480

type profileInput struct {
	Username, Email, DisplayName, Bio string
}

// profileForm is the profile form with the user's input. The current
// password field appears only when the email address is being changed
// (askPassword); its value is never sent back.
func profileForm(in profileInput, askPassword bool, fe fieldErrors) pages.FormPage {
	fields := []components.Field{
		{Name: "username", Label: "Username", Type: "text", Value: in.Username, Required: true, MaxLength: 30,
			Hint: "Your public address is /@username."},
		{Name: "email", Label: "Email", Type: "email", Value: in.Email, Required: true, MaxLength: models.MaxEmailLen},
	}
	if askPassword {
		fields = append(fields, components.Field{Name: "current_password", Label: "Current password", Type: "password",
			Required: true, Autocomplete: "current-password", Hint: "Needed to change your email address."})
	}
	return pages.FormPage{
		Heading: "Your profile",
		Form: components.Form{
			ID: "profile-form", Action: "/settings/profile", Submit: "Save profile", Multipart: true,
			Fields: fe.apply(append(fields, []components.Field{
				{Name: "display_name", Label: "Display name", Type: "text", Value: in.DisplayName, MaxLength: models.MaxDisplayNameLen},
				{Name: "bio", Label: "Short bio", Type: "textarea", Value: in.Bio, MaxLength: models.MaxBioLen},
				{Name: "avatar", Label: "Avatar", Type: "file", Accept: "image/jpeg,image/png,image/gif,image/webp",
					Hint: "JPEG, PNG, GIF or WebP, at most 5 MiB. It is resized to 480×480 and stripped of metadata."},
			}...)),
		},
		Links: []pages.Link{{Href: "/settings/password", Text: "Change your password"}},
	}
}

func (a *App) getSettingsProfile(c echo.Context) error {
	u, _ := currentUser(c)
	private(c)
	in := profileInput{Username: u.Username, Email: u.Email, DisplayName: u.DisplayName, Bio: u.Bio}
	return a.renderForm(c, http.StatusOK, "Your profile", profileForm(in, false, nil))
}

func (a *App) postSettingsProfile(c echo.Context) error {
	ctx := c.Request().Context()
	u, _ := currentUser(c)
	private(c)
	in := profileInput{
		Username:    models.NormalizeUsername(c.FormValue("username")),
		DisplayName: models.CleanDisplayName(c.FormValue("display_name")),
		Bio:         models.CleanBio(c.FormValue("bio")),
	}
	var emailErr string
	in.Email, emailErr = models.NormalizeEmail(c.FormValue("email"))
	fe := fieldErrors{}
	fe.add("username", models.CheckUsername(in.Username))
	// Names chosen before the rule existed do not stop other changes.
	if in.Username != u.Username {
		fe.add("username", models.CheckStaffName(in.Username, u.Role))
	}
	if in.DisplayName != u.DisplayName {
		fe.add("display_name", models.CheckStaffName(in.DisplayName, u.Role))
	}
	fe.add("email", emailErr)
	fe.maxLen("display_name", in.DisplayName, models.MaxDisplayNameLen)
	fe.maxLen("bio", in.Bio, models.MaxBioLen)
	// A new address would receive the account's reset links: only the
	// password's owner may choose it.
	newEmail := emailErr == "" && !strings.EqualFold(in.Email, u.Email)
	if newEmail {
		status, msg, err := a.reauthenticate(c, u, c.FormValue("current_password"))
		if err != nil {
			return err
		}
		if msg != "" {
			fe.add("current_password", msg)
			if status == http.StatusTooManyRequests {
				return a.renderForm(c, status, "Your profile", profileForm(in, true, fe))
			}
		}
	}

	avatar := u.Avatar
	if fh, err := c.FormFile("avatar"); err == nil && fh.Size > 0 {
		key, msg, err := a.storeImage(c, fh, avatarLimits, avatarBox, avatarBox)
		if err != nil {
			return err
		}
		fe.add("avatar", msg)
		if msg == "" {
			avatar = key
		}
	} else if err != nil && !errors.Is(err, http.ErrMissingFile) {
		fe.add("avatar", "The upload did not arrive complete. Please try again.")
	}

	if len(fe) == 0 {
		updated, err := a.Users.UpdateProfile(ctx, u.ID, models.Profile{
			Username: in.Username, Email: in.Email, DisplayName: in.DisplayName, Bio: in.Bio, Avatar: avatar,
		})
		if err == nil {
			if !strings.EqualFold(updated.Email, u.Email) {
				a.notifyEmailChanged(u, updated)
			}
			a.flash(c, "Your profile has been saved.")
			return redirect(c, "/settings/profile")
		}
		if !duplicateField(err, fe) {
			return err
		}
	}
	return a.renderForm(c, http.StatusUnprocessableEntity, "Your profile", profileForm(in, newEmail, fe))
}

// notifyEmailChanged tells the previous address, so a hijacked account's
// owner hears of it.
func (a *App) notifyEmailChanged(before, after models.User) {
	site := a.siteTitle()
	a.mailer.send(mail.Message{
		To:      before.Email,
		Subject: "Your " + site + " email address was changed",
		Text: "The email address of the " + site + " account " + after.Username + " was changed from " + before.Email +
			" to " + after.Email + ". Password reset links sent before the change no longer work.\n\n" +
			"If this was not you, contact the site's administrators.\n",
	})
}
