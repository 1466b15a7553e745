package handlers

import (
	"context"

	"quire/models"
)

// adminPosts is /admin/posts: models.PostsTable and what its actions do.
func (a *App) adminPosts() *adminTable {
	return &adminTable{Table: models.PostsTable, perm: models.PermEditAny, edit: a.Admin.EditPost, act: map[string]adminAction{
		"hide": func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error) {
			return a.Admin.HidePosts(ctx, who, ids, in.Reason)
		},
		"unhide": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return a.Admin.UnhidePosts(ctx, who, ids)
		},
		"publish": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return a.Admin.PublishPosts(ctx, who, ids)
		},
		"unpublish": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return a.Admin.UnpublishPosts(ctx, who, ids)
		},
		"delete": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return a.Admin.DeletePosts(ctx, who, ids)
		},
	}}
}
