package handlers

import (
	"context"

	"quire/models"
)

// adminMedia is /admin/media: models.MediaTable and what its action does.
func (a *App) adminMedia() *adminTable {
	return &adminTable{Table: models.MediaTable, act: map[string]adminAction{
		// Files go once the rows' deletion has committed; a file that cannot
		// be removed is logged, and only costs disk space.
		"delete": func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error) {
			files, res, err := a.Admin.DeleteMedia(ctx, who, ids, in.Option == "break")
			for _, key := range files {
				if err := a.MediaFiles.Delete(ctx, key); err != nil {
					a.Logger.Error("delete media file", "key", key, "err", err)
				}
			}
			return res, err
		},
	}}
}
