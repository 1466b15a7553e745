package handlers

import (
	"context"

	"quire/models"
)

// adminComments is /admin/comments: models.CommentsTable, for editors and
// admins, what its actions do, and the inline edit of a comment's text.
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
	}, edit: func(ctx context.Context, who models.Actor, id int64, version int, _, value string) error {
		return a.Comments.EditBody(ctx, who, id, version, value)
	}}
}
