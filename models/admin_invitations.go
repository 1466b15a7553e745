package models

import "quire/models/admintable"

// invitationStatus is an invitation's state, computed from its times.
const invitationStatus = `CASE WHEN i.accepted_at IS NOT NULL THEN 'accepted' WHEN i.revoked_at IS NOT NULL THEN 'revoked'
	WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END`

var (
	invitationStatusChoices = []admintable.Choice{{Value: "pending", Label: "Pending"}, {Value: "accepted", Label: "Accepted"},
		{Value: "expired", Label: "Expired"}, {Value: "revoked", Label: "Revoked"}}

	revokeInvitation = admintable.Action{Key: "revoke", Label: "Revoke", Done: "Revoked", Confirm: true, Danger: true,
		Help: "Their links stop working at once. Accepted, expired and revoked invitations are left as they are."}
)

// InvitationsTable is /admin/invitations: who was invited, with which role,
// by whom, and what became of it.
var InvitationsTable = admintable.Must(&admintable.Table{
	Name: "invitations", Title: "Invitations", Noun: "invitation", Plural: "invitations",
	From: "invitations i LEFT JOIN users u ON u.id = i.accepted_by",
	ID:   "i.id", Version: "i.version",
	Columns: []admintable.Column{
		{Key: "email", Label: "Email", Expr: "i.email", Sortable: true, Searchable: true, Render: admintable.Text},
		{Key: "role", Label: "Role", Expr: "i.role", Sortable: true, Render: admintable.Badge},
		{Key: "status", Label: "Status", Expr: invitationStatus, Sortable: true, Render: admintable.Badge},
		{Key: "account", Label: "Account", Expr: "coalesce(u.username, '')", Link: &admintable.Ref{Page: AuthorPage, Args: []string{"u.username"}},
			Render: admintable.Link},
		{Key: "invited_by", Label: "Invited by", Expr: "i.inviter_name", Sortable: true, Searchable: true, Render: admintable.Text},
		{Key: "sent", Label: "Sent", Expr: "i.created_at", Sortable: true, Render: admintable.Date},
		{Key: "expires", Label: "Expires", Expr: "i.expires_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "status", Label: "Status", Expr: invitationStatus, Choices: invitationStatusChoices},
		{Key: "role", Label: "Role", Expr: "i.role", Choices: roleChoices},
	},
	DefaultSort: "-sent",
	PageSizes:   []int{20, 50, 100},
	RowActions:  []admintable.Action{withIf(revokeInvitation, "status", "pending")},
	BulkActions: []admintable.Action{revokeInvitation},
	History:     true,
})
