package handlers

import (
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// uploads is the one way images come in: post images, avatars.
func (a *App) uploads() *models.Uploads {
	return &models.Uploads{Rows: a.MediaRows, Files: a.MediaFiles, Images: a.Images, Logger: a.Logger}
}

// getMedia serves stored uploads. Names are content hashes, so they can be
// cached forever.
func (a *App) getMedia(c echo.Context) error {
	key := c.Param("key")
	f, err := a.MediaFiles.Open(c.Request().Context(), key)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	h.Set(echo.HeaderContentType, mediaType(key))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, f)
	return nil
}

func mediaType(key string) string {
	switch strings.ToLower(path.Ext(key)) {
	case ".jpg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	}
	return "application/octet-stream"
}
