package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/pages"
	"quire/views/urls"
)

// pickerPerPage is how many images a page of the media picker shows.
const pickerPerPage = 12

// maxPickerSearch bounds the picker's search words, in bytes.
const maxPickerSearch = 100

// getMediaPicker offers images for a media-key field (a cover, a social
// image), newest first, q searching their descriptions: the viewer's own,
// or everyone's for those who edit anyone's posts (editors and admins),
// whose covers may come from any author's library. media.js shows it in a
// dialog; without JavaScript it is a page listing the file names.
func (a *App) getMediaPicker(c echo.Context) error {
	u, _ := currentUser(c)
	pg, err := pageParam(c)
	if err != nil {
		return err
	}
	pg.Size = pickerPerPage
	q := strings.TrimSpace(c.QueryParam("q"))
	if len(q) > maxPickerSearch {
		q = strings.ToValidUTF8(q[:maxPickerSearch], "")
	}
	owner := u.ID
	if u.Can(models.PermEditAny) {
		owner = 0
	}
	picks, total, err := a.MediaRows.Pick(c.Request().Context(), owner, q, pg)
	if err != nil {
		return err
	}
	p := a.privatePage(c, "Choose an image")
	v := pages.MediaPickerView{Query: q, Everyone: owner == 0, CSRF: p.CSRF,
		Pager: pager(urls.MediaPicker(q, 1), models.PostList{Total: total, Page: pg.Normalize()})}
	for _, m := range picks {
		v.Items = append(v.Items, pages.PickItem{Key: m.Key, URL: urls.Media(m.Key), Thumb: urls.Media(m.Thumb()),
			Alt: m.Alt, Owner: m.OwnerName})
	}
	return render(c, http.StatusOK, pages.MediaPickerPage(p, v), pages.MediaPicker(v))
}
