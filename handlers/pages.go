package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/pages"
	"quire/views/urls"
)

// Pages (About, Contact) are posts of kind page (models/pages.go): read at
// /{slug}, written with the posts' editor under /posts/{id}/..., in no
// reader list.

// canManagePages reports whether u may create, edit, publish and delete
// pages: editors and admins.
func canManagePages(u models.User) bool { return u.Can(models.PermEditAny) }

// postPath is where readers find p: /{slug} for a page, /posts/{slug} for a
// post.
func postPath(p models.Post) string {
	if p.IsPage() {
		return urls.Page(p.Slug)
	}
	return urls.Post(p.Slug)
}

// getPage serves /{slug}: a page, as getPost serves a post. The site's own
// routes (/login, /search, ...) are fixed paths, which Echo matches before
// this parameter, and no page may take their words (models.ReservedPageSlug).
func (a *App) getPage(c echo.Context) error {
	head, moved, err := a.Posts.ResolvePageHead(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return a.servePost(c, head, moved)
}

// getNewPage is the editor for a new page: the posts' editor, which sends
// kind=page with the form.
func (a *App) getNewPage(c echo.Context) error {
	if u, _ := currentUser(c); !canManagePages(u) {
		return errForbidden
	}
	return a.renderEditor(c, http.StatusOK, pages.EditorView{Status: models.PostDraft, Page: true})
}
