package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/pages"
	"quire/views/textdiff"
)

// renderConflict answers 409: the author's text stays in the form, what
// differs from the saved copy is shown above it, and the form now carries
// the saved copy's version, so Keep mine (saving again) is a deliberate
// overwrite.
func (a *App) renderConflict(c echo.Context, form pages.EditorView) error {
	cur, err := a.Posts.Get(c.Request().Context(), form.ID)
	if err != nil {
		return err
	}
	form.Conflict, err = a.conflictWith(c, cur, form)
	if err != nil {
		return err
	}
	form.Version = cur.Version
	form.Status, form.Page = cur.Status, cur.IsPage()
	return a.renderEditor(c, http.StatusConflict, form)
}

// conflictWith compares the saved copy cur (theirs) with the form (yours).
func (a *App) conflictWith(c echo.Context, cur models.Post, form pages.EditorView) (*pages.ConflictView, error) {
	who, err := a.savedBy(c, cur)
	if err != nil {
		return nil, err
	}
	return &pages.ConflictView{
		Version: cur.Version, Who: who, Updated: a.formatter(c).Clock(cur.UpdatedAt),
		Title: textdiff.Compare(cur.Title, form.Title), Body: textdiff.Compare(cur.Body, form.Body),
		Tags:    textdiff.Compare(strings.Join(cur.Tags, ", "), form.Tags),
		Excerpt: textdiff.Compare(cur.Excerpt, form.Excerpt),
	}, nil
}

// savedBy names who saved cur for the viewer: pages.YouElsewhere for the
// viewer's own account, else the saver's name; "" when not known.
func (a *App) savedBy(c echo.Context, cur models.Post) (string, error) {
	id, name, err := a.Posts.SavedBy(c.Request().Context(), cur.ID, cur.Version)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	if u, _ := currentUser(c); u.ID == id {
		return pages.YouElsewhere, nil
	}
	return name, nil
}

// postMerge is Edit a merge: the editor again, over the saved copy's
// version, its body holding the saved copy's and the form's text where
// they differ, between marker lines, for the author to edit and save.
func (a *App) postMerge(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	_, form, _ := editorInput(c) // kept as typed; the save checks it
	form.ID, form.Slug, form.Status, form.Page = p.ID, p.Slug, p.Status, p.IsPage()
	form.Body = textdiff.Conflicted(p.Body, form.Body, "theirs", "yours")
	form.Version = p.Version
	form.Conflict = &pages.ConflictView{Version: p.Version, Merging: true}
	return a.renderEditor(c, http.StatusOK, form)
}
