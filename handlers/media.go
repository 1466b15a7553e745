package handlers

import (
	"errors"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/imaging"
)

// images is the pipeline every upload, post image or avatar, is decoded in.
func (a *App) images() *imaging.Pipeline {
	if a.Images != nil {
		return a.Images
	}
	return imaging.Default
}

// storeImage validates and re-encodes an uploaded image, then stores it
// under its content hash. A problem with the file itself is returned as a
// user-facing message; err is for failures of the site, and is
// imaging.ErrBusy (a 503) when the pipeline had no room for the image.
func (a *App) storeImage(c echo.Context, fh *multipart.FileHeader, lim imaging.Limits, w, h int) (key, msg string, err error) {
	f, err := fh.Open()
	if err != nil {
		return "", "The upload did not arrive complete. Please try again.", nil
	}
	defer f.Close()
	res, err := a.images().Process(c.Request().Context(), f, lim, w, h)
	if err != nil {
		if imageError(err) {
			return "", err.Error(), nil
		}
		return "", "", err
	}
	key = models.ContentKey(res.Data, res.Ext)
	if err := a.MediaFiles.Put(c.Request().Context(), key, res.Data); err != nil {
		return "", "", err
	}
	return key, "", nil
}

func imageError(err error) bool {
	return errors.Is(err, imaging.ErrTooLarge) || errors.Is(err, imaging.ErrUnsupported) ||
		errors.Is(err, imaging.ErrTooManyPixels) || errors.Is(err, imaging.ErrCorrupt)
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
