package handlers

import (
	"context"

	"quire/models"
)

// adminMedia is /admin/media: models.MediaTable and what its action does.
func (a *App) adminMedia() *adminTable {
	return &adminTable{Table: models.MediaTable, act: map[string]adminAction{
		"delete": func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error) {
			return a.Admin.DeleteMedia(ctx, who, ids, in.Option == "break")
		},
	}}
}
