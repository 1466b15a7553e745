package handlers

import (
	"context"

	"quire/models"
)

// adminComments is /admin/comments: models.CommentsTable, for editors and
// admins, and what its actions do.
func (a *App) adminComments() *adminTable {
	moderate := func(do func(context.Context, models.Actor, []int64) (models.ActionResult, error)) adminAction {
		return func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return do(ctx, who, ids)
		}
	}
	return &adminTable{Table: models.CommentsTable, perm: models.PermEditAny, act: map[string]adminAction{
		"approve": moderate(a.Comments.Approve),
		"spam":    moderate(a.Comments.Spam),
		"trash":   moderate(a.Comments.Trash),
		"restore": moderate(a.Comments.Restore),
	}}
}
