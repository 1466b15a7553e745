package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/pages"
	"quire/views/urls"
)

// commentTarget reads the post and comment a comment route names: the
// comment must be on that post, and the post one the viewer may see.
func (a *App) commentTarget(c echo.Context) (models.Post, models.Comment, error) {
	ctx := c.Request().Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	cid, err2 := strconv.ParseInt(c.Param("cid"), 10, 64)
	if err != nil || err2 != nil || id <= 0 || cid <= 0 {
		return models.Post{}, models.Comment{}, models.ErrNotFound
	}
	p, err := a.Posts.Get(ctx, id)
	if err != nil {
		return models.Post{}, models.Comment{}, err
	}
	if !p.IsPublic() && !canEdit(c, p) {
		return models.Post{}, models.Comment{}, models.ErrNotFound
	}
	cm, err := a.Comments.Get(ctx, cid)
	if err != nil {
		return models.Post{}, models.Comment{}, err
	}
	if cm.PostID != p.ID {
		return models.Post{}, models.Comment{}, models.ErrNotFound
	}
	return p, cm, nil
}

// getCommentReply is the form to answer a top-level comment: with htmx
// the form alone, opened under the comment (or, with cancel=1, its Reply
// link again); without JavaScript the post page, private to the viewer,
// at the comment's page with the form open under it. A reply or a comment
// not shown takes no reply; a signed-out reader where accounts comment
// signs in first.
func (a *App) getCommentReply(c echo.Context) error {
	p, cm, err := a.commentTarget(c)
	if err != nil {
		return err
	}
	if cm.Status != models.CommentApproved || cm.ParentID.Valid {
		return models.ErrNotFound
	}
	if _, signedIn := currentUser(c); !signedIn && a.site(c).Comments == models.CommentsAccounts {
		return redirect(c, urls.Login(urls.CommentReply(p.ID, cm.ID))) // back here once signed in
	}
	private(c)
	ctx := c.Request().Context()
	n, err := a.threadPage(ctx, c, p.ID, cm.ID)
	if err != nil {
		return err
	}
	f := pages.CommentForm{ParentID: strconv.FormatInt(cm.ID, 10)}
	if c.QueryParam("cancel") != "" {
		f = pages.CommentForm{}
	}
	cv, err := a.commentsPage(ctx, c, p, f, n)
	if err != nil {
		return err
	}
	for _, it := range cv.Items {
		if it.ID != cm.ID || it.ReplyURL == "" {
			continue
		}
		if it.Reply != nil && it.Reply.CSRF == "" {
			it.Reply.CSRF = csrfToken(c) // this answer is the viewer's own: no fetch for a token
		}
		v := a.postPageView(c, p, a.srcset(ctx, p.CoverKey))
		v.Comments = cv
		return render(c, http.StatusOK, pages.PostPage(a.postFrame(a.page(c, p.Title), p), v), pages.ReplySlot(it))
	}
	return models.ErrNotFound // closed, or the viewer must sign in first
}
