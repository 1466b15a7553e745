package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/imaging"
	"quire/views/format"
	"quire/views/pages"
	"quire/views/urls"
)

// libraryPerPage is how many images a page of the media library shows.
const libraryPerPage = 24

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

// storeImage stores the image sent in the form's field as kind, through
// the one pipeline (models.Uploads). A problem with the file comes back as
// the upload's message; err is for failures of the site.
func (a *App) storeImage(c echo.Context, field string, owner int64, alt string, kind models.ImageKind) (upload, error) {
	fh, err := c.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) {
		return upload{msg: "Choose an image to upload."}, nil
	}
	if err != nil {
		return upload{msg: incompleteUpload}, nil
	}
	f, err := fh.Open()
	if err != nil {
		return upload{msg: incompleteUpload}, nil
	}
	defer f.Close()
	if u, ok := currentUser(c); ok {
		kind.Limits.MaxBytes = models.UploadLimit(u.Role, kind.Limits.MaxBytes) // contributors' cap
	}
	md, err := a.uploads().Store(c.Request().Context(), f, owner, alt, kind)
	switch {
	case errors.Is(err, imaging.ErrBusy):
		return upload{msg: err.Error(), busy: true}, nil
	case models.IsImageProblem(err):
		return upload{msg: err.Error()}, nil
	case err != nil:
		return upload{}, err
	}
	return upload{media: md}, nil
}

const incompleteUpload = "The upload did not arrive complete. Please try again."

func imageMarkdown(m models.Media) string {
	alt := strings.NewReplacer("[", "", "]", "", "\n", " ").Replace(m.Alt)
	return "![" + alt + "](" + urls.Media(m.Key) + ")"
}

// postMedia uploads an image into the uploader's media library. The
// editor's script (media.js) asks for JSON: the stored image and its
// Markdown, which it puts in the body at the cursor or in a media field.
// Without JavaScript it shows the media library with the Markdown to copy.
func (a *App) postMedia(c echo.Context) error {
	u, _ := currentUser(c)
	up, err := a.storePostImage(c, u.ID)
	if err != nil {
		return err
	}
	if wantsJSON(c.Request()) {
		private(c)
		if up.msg != "" {
			return c.JSON(up.status(c), uploadAnswer{Error: up.msg})
		}
		return c.JSON(http.StatusOK, uploadAnswer{Key: up.media.Key, URL: urls.Media(up.media.Key),
			Alt: up.media.Alt, Markdown: imageMarkdown(up.media)})
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

// storePostImage stores the form's image for the media library, with its
// description: one is required unless the form marks the image decorative.
func (a *App) storePostImage(c echo.Context, owner int64) (upload, error) {
	alt := strings.TrimSpace(field(c, "alt"))
	switch {
	case utf8.RuneCountInString(alt) > models.MaxAltLen:
		return upload{msg: fmt.Sprintf("Keep the description under %d characters.", models.MaxAltLen)}, nil
	case alt == "" && field(c, "decorative") == "":
		return upload{msg: needsAlt}, nil
	}
	return a.storeImage(c, "file", owner, alt, models.PostImage)
}

const needsAlt = "Describe the image for readers who cannot see it, or mark it as decorative."

// uploadAnswer is postMedia's JSON: the stored image, or the problem.
type uploadAnswer struct {
	Key      string `json:"key,omitempty"`
	URL      string `json:"url,omitempty"`
	Alt      string `json:"alt,omitempty"`
	Markdown string `json:"markdown,omitempty"`
	Error    string `json:"error,omitempty"`
}

// wantsJSON: the request asks for a JSON answer (media.js's uploads).
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get(echo.HeaderAccept), echo.MIMEApplicationJSON)
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
	v.Pager = pager(urls.MediaLibrary(), models.PostList{Total: total, Page: pg.Normalize()})
	return v, nil
}

func mediaItem(m models.Media) pages.MediaItem {
	return pages.MediaItem{
		URL: urls.Media(m.Key), Markdown: imageMarkdown(m), Alt: m.Alt, Width: m.Width, Height: m.Height,
		Size: format.Bytes(int64(m.Bytes)),
	}
}
