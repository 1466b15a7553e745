package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/mail"
	"quire/views/admin"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

// adminInvitations is /admin/invitations: models.InvitationsTable, for
// admins and editors (who invite writers), and what its action does.
func (a *App) adminInvitations() *adminTable {
	return &adminTable{Table: models.InvitationsTable, perm: models.PermInvite,
		create: &admin.Tab{Label: "Invite someone", Href: urls.NewInvitation()},
		act: map[string]adminAction{
			"revoke": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
				return a.Admin.RevokeInvitations(ctx, who, ids)
			},
		}}
}

var roleLabels = map[string]string{models.RoleContributor: "Contributor: writes drafts and submits them for review",
	models.RoleAuthor: "Author: publishes their own posts", models.RoleEditor: "Editor: edits, publishes and reviews anyone's posts",
	models.RoleAdmin: "Admin: everything, accounts and settings included"}

// inviteForm is the invitation form with the input kept; roles are those
// the inviter may give.
func inviteForm(u models.User, email, role string, fe fieldErrors) pages.FormPage {
	var choices []components.Choice
	for _, r := range models.InvitableRoles(u.Role) {
		choices = append(choices, components.Choice{Value: r, Label: roleLabels[r]})
	}
	return pages.FormPage{
		Heading: "Invite someone",
		Intro: "They get an email with a link to create their account, valid for 7 days and only once. " +
			"You can revoke it from the invitations table until it is used.",
		Form: components.Form{
			ID: "invite-form", Action: urls.CreateInvitation(), Submit: "Send invitation",
			Fields: fe.apply([]components.Field{
				{Name: "email", Label: "Email", Type: "email", Value: email, Required: true, MaxLength: models.MaxEmailLen},
				{Name: "role", Label: "Role", Type: "select", Value: cmp.Or(role, models.RoleContributor), Choices: choices},
			}),
		},
		Links: []pages.Link{{Href: urls.AdminTable(models.InvitationsTable.Name, ""), Text: "Back to the invitations"}},
	}
}

func (a *App) getInvite(c echo.Context) error {
	u, _ := currentUser(c)
	private(c)
	return a.renderForm(c, http.StatusOK, "Invite someone", inviteForm(u, "", "", nil))
}

// postInvite records an invitation, audited, and mails its link.
func (a *App) postInvite(c echo.Context) error {
	u, _ := currentUser(c)
	private(c)
	email, emailErr := models.NormalizeEmail(c.FormValue("email"))
	role := c.FormValue("role")
	fe := fieldErrors{}
	fe.add("email", emailErr)
	if !slices.Contains(models.InvitableRoles(u.Role), role) {
		fe.add("role", "Choose one of the roles offered.")
	}
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Invite someone", inviteForm(u, email, role, fe))
	}
	inv, token, err := a.Admin.Invite(c.Request().Context(), models.ActorOf(u), email, role)
	var ref *models.RefusedError
	if errors.As(err, &ref) {
		fe.add("email", ref.Msg)
		return a.renderForm(c, http.StatusUnprocessableEntity, "Invite someone", inviteForm(u, email, role, fe))
	}
	if err != nil {
		return err
	}
	a.mailer.send(a.invitationMail(inv, token))
	a.flash(c, "Invitation sent to "+inv.Email+".")
	return redirect(c, urls.AdminTable(models.InvitationsTable.Name, ""))
}

// invitationMail is the invitation, with its absolute link.
func (a *App) invitationMail(inv models.Invitation, token string) mail.Message {
	site := a.siteTitle()
	return mail.Message{
		To:      inv.Email,
		Subject: "You are invited to write on " + site,
		Text: inv.InviterName + " invites you to join " + site + " (" + a.absURL(urls.Home()) + ") as " + strings.ToLower(inv.Role) + ".\n\n" +
			"To create your account, open this link within 7 days; it works once:\n\n" +
			a.absURL(urls.Invitation(token)) + "\n\n" +
			"If you do not want to join, ignore this message.\n",
	}
}
