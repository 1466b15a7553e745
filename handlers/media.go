package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// uploads is the one way images come in: post images, avatars.
func (a *App) uploads() *models.Uploads {
	return &models.Uploads{Rows: a.MediaRows, Files: a.MediaFiles, Images: a.Images, Logger: a.Logger}
}

// getMedia serves stored uploads. Names are content hashes, so they can be
// cached forever. A store with a public URL (a CDN) is sent readers to
// instead, by a permanent redirect that may be cached as long.
func (a *App) getMedia(c echo.Context) error {
	key := c.Param("key")
	if r, ok := a.MediaFiles.(models.MediaRedirector); ok {
		if target, ok := r.Redirect(key); ok {
			if !models.ValidKey(key) {
				return models.ErrNotFound
			}
			c.Response().Header().Set(echo.HeaderCacheControl, models.ImmutableCaching)
			return c.Redirect(http.StatusMovedPermanently, target)
		}
	}
	f, err := a.MediaFiles.Open(c.Request().Context(), key)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, models.ImmutableCaching)
	h.Set(echo.HeaderContentType, models.MediaContentType(key))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, f)
	return nil
}
