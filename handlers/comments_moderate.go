package handlers

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/pages"
	"quire/views/urls"
)

// canModerateComments: the viewer moderates post p's comments from its
// page: editors and admins, and the post's own author
// (CommentModel.Approve and the others check the same).
func canModerateComments(c echo.Context, p models.Post) bool {
	u, ok := currentUser(c)
	if !ok || p.IsPage() {
		return false
	}
	return u.Can(models.PermEditAny) || (u.Can(models.PermWrite) && p.AuthorID.Valid && p.AuthorID.Int64 == u.ID)
}

// commentModeration is what a post page's moderation buttons do, by the
// route's action.
var commentModeration = []struct {
	action, label, done string
	run                 func(*models.CommentModel, context.Context, models.Actor, []int64) (models.ActionResult, error)
}{
	{"approve", "Approve", "The comment is approved and shown.", (*models.CommentModel).Approve},
	{"spam", "Spam", "The comment is marked as spam.", (*models.CommentModel).Spam},
	{"trash", "Trash", "The comment is in the trash.", (*models.CommentModel).Trash},
}

// heldComments lists post p's held comments, with their buttons, in v.
func (a *App) heldComments(ctx context.Context, c echo.Context, p models.Post, v *pages.CommentsView) error {
	held, err := a.Comments.ListHeld(ctx, p.ID)
	if err != nil {
		return err
	}
	fm := a.formatter(c)
	for _, cm := range held {
		it := commentItem(cm, fm)
		for _, m := range commentModeration {
			it.Moderate = append(it.Moderate, pages.ModAction{Label: m.label, URL: urls.ModerateComment(p.ID, cm.ID, m.action)})
		}
		v.Held = append(v.Held, it)
	}
	v.ModCSRF = csrfToken(c)
	return nil
}

// postModerateComment approves, spams or trashes a comment from its post's
// page: the comments section again with htmx, else back to the post.
func (a *App) postModerateComment(c echo.Context) error {
	p, cm, err := a.commentTarget(c)
	if err != nil {
		return err
	}
	for _, m := range commentModeration {
		if m.action != c.Param("action") {
			continue
		}
		if !canModerateComments(c, p) {
			return errForbidden
		}
		if _, err := m.run(a.Comments, c.Request().Context(), adminActor(c), []int64{cm.ID}); err != nil {
			return err
		}
		private(c)
		if wantsFragment(c.Request()) {
			cv, err := a.commentsPage(c.Request().Context(), c, p, pages.CommentForm{}, 0)
			if err != nil {
				return err
			}
			cv.ModNotice = m.done
			return render(c, http.StatusOK, pages.CommentsSection(*cv), pages.CommentsSection(*cv))
		}
		a.flash(c, m.done)
		return c.Redirect(http.StatusSeeOther, urls.Post(p.Slug)+"#comments")
	}
	return models.ErrNotFound
}
