package handlers

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/imaging"
	"quire/views/pages"
)

// Post images: at most 10 MiB and 40 megapixels in; stored at most
// 2400 pixels on a side, plus smaller copies for srcset.
var (
	uploadLimits   = imaging.Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000}
	uploadBox      = 2400
	variantWidths  = []int{480, 960}
	libraryPerPage = 24
)

// upload is a stored image.
type upload struct {
	media models.Media
	msg   string // user-facing problem with the file, "" when stored
	busy  bool   // msg says to come back: the image pipeline had no room
}

// status is the answer's status for an upload that was not stored.
func (up upload) status(c echo.Context) int {
	if up.busy {
		c.Response().Header().Set("Retry-After", strconv.Itoa(imaging.RetryAfter))
		return http.StatusServiceUnavailable
	}
	return http.StatusUnprocessableEntity
}

// storeUpload validates, re-encodes and stores the "file" field with its
// srcset copies, then records it. Files written for a row that could not be
// recorded are removed again, so a failure leaves no orphans.
func (a *App) storeUpload(c echo.Context, owner int64) (upload, error) {
	ctx := c.Request().Context()
	fh, err := c.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return upload{msg: "Choose an image to upload."}, nil
	}
	if err != nil {
		return upload{msg: "The upload did not arrive complete. Please try again."}, nil
	}
	f, err := fh.Open()
	if err != nil {
		return upload{msg: "The upload did not arrive complete. Please try again."}, nil
	}
	defer f.Close()
	lim := uploadLimits
	if u, ok := currentUser(c); ok {
		lim.MaxBytes = models.UploadLimit(u.Role, lim.MaxBytes) // contributors' cap
	}
	res, err := a.images().Process(ctx, f, lim, uploadBox, uploadBox, variantWidths...)
	switch {
	case errors.Is(err, imaging.ErrBusy):
		return upload{msg: err.Error(), busy: true}, nil
	case err != nil && imageError(err):
		return upload{msg: err.Error()}, nil
	case err != nil:
		return upload{}, err
	}
	md := models.Media{
		OwnerID: ownerID(owner), Key: models.ContentKey(res.Data, res.Ext), Width: res.Width, Height: res.Height,
		Bytes: len(res.Data), ContentType: res.ContentType, Alt: field(c, "alt"),
	}
	if n := len([]rune(md.Alt)); n > models.MaxAltLen {
		return upload{msg: fmt.Sprintf("Keep the description under %d characters.", models.MaxAltLen)}, nil
	}
	files := map[string][]byte{md.Key: res.Data}
	for _, v := range res.Variants {
		files[md.VariantKey(int64(v.Width))] = v.Data
		md.Variants = append(md.Variants, int64(v.Width))
	}
	var written []string
	for key, data := range files {
		// Identical content already stored may be used elsewhere: it is not
		// removed if the row fails. It is still written again, which marks it
		// as young: the janitor removes unreferenced files only when old, and
		// this one is about to be referenced.
		existed := false
		if existing, err := a.MediaFiles.Open(ctx, key); err == nil {
			_ = existing.Close()
			existed = true
		}
		if err := a.MediaFiles.Put(ctx, key, data); err != nil {
			a.removeFiles(c, written)
			return upload{}, err
		}
		if !existed {
			written = append(written, key)
		}
	}
	saved, err := a.MediaRows.Insert(ctx, md)
	if err != nil {
		a.removeFiles(c, written)
		return upload{}, err
	}
	return upload{media: saved}, nil
}

func (a *App) removeFiles(c echo.Context, keys []string) {
	for _, k := range keys {
		if err := a.MediaFiles.Delete(c.Request().Context(), k); err != nil {
			a.Logger.Error("remove orphan media", "key", k, "err", err)
		}
	}
}

func ownerID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: true} }

func imageMarkdown(m models.Media) string {
	alt := strings.NewReplacer("[", "", "]", "", "\n", " ").Replace(m.Alt)
	return "![" + alt + "](/media/" + m.Key + ")"
}

// postMedia uploads an image. From the editor (htmx) it answers with the
// body textarea, the image's Markdown appended; without JavaScript it
// shows the media library with the Markdown to copy.
func (a *App) postMedia(c echo.Context) error {
	u, _ := currentUser(c)
	up, err := a.storeUpload(c, u.ID)
	if err != nil {
		return err
	}
	if wantsFragment(c.Request()) {
		private(c)
		id, _ := strconv.ParseInt(c.FormValue("post_id"), 10, 64)
		c.SetParamNames("id")
		c.SetParamValues(strconv.FormatInt(id, 10))
		p, err := a.editablePost(c)
		if err != nil {
			return err
		}
		ev := editorFor(p, true)
		ev.Body = c.FormValue("body")
		if up.msg != "" {
			return render(c, up.status(c), pages.Uploaded(up.msg, "", ev), nil)
		}
		md := imageMarkdown(up.media)
		if ev.Body != "" && !strings.HasSuffix(ev.Body, "\n") {
			ev.Body += "\n"
		}
		ev.Body += "\n" + md + "\n"
		return render(c, http.StatusOK, pages.Uploaded("Uploaded.", md, ev), nil)
	}
	status := http.StatusOK
	v, err := a.library(c, u.ID)
	if err != nil {
		return err
	}
	if up.msg != "" {
		v.Error, status = up.msg, up.status(c)
	} else {
		item := mediaItem(up.media)
		v.Just = &item
	}
	p := a.privatePage(c, "Media library")
	v.CSRF = p.CSRF
	return render(c, status, pages.MediaLibrary(p, v), nil)
}

func (a *App) getMediaLibrary(c echo.Context) error {
	u, _ := currentUser(c)
	v, err := a.library(c, u.ID)
	if err != nil {
		return err
	}
	p := a.privatePage(c, "Media library")
	v.CSRF = p.CSRF
	return render(c, http.StatusOK, pages.MediaLibrary(p, v), nil)
}

func (a *App) library(c echo.Context, owner int64) (pages.MediaLibraryView, error) {
	pg, err := pageParam(c)
	if err != nil {
		return pages.MediaLibraryView{}, err
	}
	pg.Size = libraryPerPage
	items, total, err := a.MediaRows.ListByOwner(c.Request().Context(), owner, pg)
	if err != nil {
		return pages.MediaLibraryView{}, err
	}
	v := pages.MediaLibraryView{}
	for _, m := range items {
		v.Items = append(v.Items, mediaItem(m))
	}
	v.Pager = pager("/media", models.PostList{Total: total, Page: pg.Normalize()})
	return v, nil
}

func mediaItem(m models.Media) pages.MediaItem {
	return pages.MediaItem{
		URL: "/media/" + m.Key, Markdown: imageMarkdown(m), Alt: m.Alt, Width: m.Width, Height: m.Height,
		Size: fmt.Sprintf("%.0f KiB", float64(m.Bytes)/1024),
	}
}
