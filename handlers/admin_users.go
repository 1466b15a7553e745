package handlers

import (
	"context"

	"quire/models"
)

// adminUsers is /admin/users: models.UsersTable and what its actions do.
func (a *App) adminUsers() *adminTable {
	return &adminTable{Table: models.UsersTable, edit: a.Admin.EditUser, act: map[string]adminAction{
		"change_role": func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error) {
			return a.Admin.SetRole(ctx, who, ids, in.Option)
		},
		"suspend": func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error) {
			return a.Admin.Suspend(ctx, who, ids, in.Reason)
		},
		"reactivate": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return a.Admin.Reactivate(ctx, who, ids)
		},
		"send_reset": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return a.Admin.IssueResets(ctx, who, ids)
		},
		"delete": func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error) {
			return a.Admin.DeleteUsers(ctx, who, ids, in.Option == "remove")
		},
	}}
}
