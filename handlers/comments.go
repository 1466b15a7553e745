package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/components"
	"quire/views/format"
	"quire/views/pages"
	"quire/views/urls"
)

// commentMinFill is the least time between a comment form being made and
// sent: people take longer, bots often do not.
var commentMinFill = 3 * time.Second

// Messages of the comment form.
const (
	commentHeldMsg   = "Thank you. Your comment is held for moderation and will appear once it is approved."
	commentShownMsg  = "Thank you. Your comment is published."
	commentResendMsg = "To post your comment, press Post comment again."
	commentBotMsg    = "Your comment could not be accepted. Wait a moment and send it again."
	commentClosedMsg = "Comments are closed on this post."
	commentSignInMsg = "Sign in to comment on this post."
)

// commentsView is post p's approved comments and the form as the viewer
// sees them; f carries a submission's state ("" values for a fresh form).
func (a *App) commentsView(ctx context.Context, c echo.Context, p models.Post, f pages.CommentForm) (*pages.CommentsView, error) {
	if p.IsPage() {
		return nil, nil
	}
	list, err := a.Comments.ListApproved(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	s := a.site(c)
	fm := a.formatter(c)
	v := &pages.CommentsView{PostID: p.ID, PostSlug: p.Slug, Count: len(list), Items: commentItems(list, fm)}
	f.PostID = p.ID
	f.Open = s.CommentsOpen(p)
	f.Closed = commentClosedMsg
	if s.Comments == models.CommentsOff {
		f.Closed = "Comments are off on this site."
	}
	u, signedIn := currentUser(c)
	switch {
	case signedIn:
		f.As, f.CSRF = u.Name(), csrfToken(c)
	case s.Comments == models.CommentsAnyone:
		f.Guest = true
	default:
		f.SignIn, f.SignInURL = true, urls.Login(urls.Post(p.Slug))
	}
	key, err := a.Comments.FormKey(ctx)
	if err != nil {
		return nil, err
	}
	f.Stamp = commentStamp(key, p.ID, time.Now())
	v.Form = f
	return v, nil
}

// commentItems nests replies under their parents, oldest first.
func commentItems(list []models.Comment, fm format.Formatter) []pages.CommentItem {
	var items []pages.CommentItem
	at := map[int64]int{}
	for _, cm := range list {
		it := pages.CommentItem{ID: cm.ID, Name: cm.Name, HTML: cm.BodyHTML, Time: fm.DateTime(cm.CreatedAt),
			TimeISO: fm.Machine(cm.CreatedAt)}
		if i, ok := at[cm.ParentID.Int64]; ok && cm.ParentID.Valid {
			items[i].Replies = append(items[i].Replies, it)
			continue
		}
		at[cm.ID] = len(items)
		items = append(items, it)
	}
	return items
}

// commentStamp signs the time a comment form was made for post id.
func commentStamp(key []byte, id int64, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return ts + "." + commentMAC(key, id, ts)
}

func commentMAC(key []byte, id int64, ts string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(id, 10) + ":" + ts))
	return hex.EncodeToString(m.Sum(nil))
}

// humanPace says whether a form stamped stamp for post id was filled in
// by a person: signed by this site and older than commentMinFill.
func humanPace(key []byte, id int64, stamp string, now time.Time) bool {
	ts, sig, ok := strings.Cut(stamp, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(commentMAC(key, id, ts))) {
		return false
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	return err == nil && now.Sub(time.Unix(n, 0)) >= commentMinFill
}

// getCommentToken is the comment form's CSRF token for a reader of the
// shared copy of a post page, fetched by htmx when the form loads.
func (a *App) getCommentToken(c echo.Context) error {
	private(c)
	return render(c, http.StatusOK, components.CSRF(csrfToken(c)), components.CSRF(csrfToken(c)))
}

// postComment posts a comment: in place with htmx, or as a plain form
// post that comes back to the post page.
func (a *App) postComment(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return models.ErrNotFound
	}
	p, err := a.Posts.Get(ctx, id)
	if err != nil {
		return err
	}
	if !p.IsPublic() && !canEdit(c, p) {
		return models.ErrNotFound
	}
	in := models.CommentInput{PostID: p.ID, Name: c.FormValue("name"), Email: c.FormValue("email"),
		Body: c.FormValue("body")}
	in.ParentID, _ = strconv.ParseInt(c.FormValue("parent_id"), 10, 64)
	in.NotifyReplies = c.FormValue("notify_replies") != "" // mail replies (comment_notify.go)
	form := pages.CommentForm{Name: in.Name, Email: in.Email, Body: in.Body, ParentID: c.FormValue("parent_id"),
		Notify: in.NotifyReplies}
	private(c)
	if csrfResend(c) {
		form.Error = commentResendMsg
		return a.renderComments(c, http.StatusForbidden, p, form)
	}
	key, err := a.Comments.FormKey(ctx)
	if err != nil {
		return err
	}
	if c.FormValue("website") != "" || !humanPace(key, p.ID, c.FormValue("stamp"), time.Now()) {
		form.Error = commentBotMsg
		return a.renderComments(c, http.StatusUnprocessableEntity, p, form)
	}
	u, _ := currentUser(c)
	if done, err := a.limitComment(c, p, u, in.Email, form); done || err != nil {
		return err
	}
	cm, err := a.Comments.Insert(ctx, a.site(c), models.Commenter{User: u}, in)
	var invalid *models.InvalidCommentError
	switch {
	case errors.As(err, &invalid):
		form.Errors = invalid.Fields
		return a.renderComments(c, http.StatusUnprocessableEntity, p, form)
	case errors.Is(err, models.ErrCommentsClosed):
		form.Error = commentClosedMsg
		return a.renderComments(c, http.StatusForbidden, p, form)
	case errors.Is(err, models.ErrCommentsSignIn):
		form.Error = commentSignInMsg
		return a.renderComments(c, http.StatusForbidden, p, form)
	case err != nil:
		return err
	}
	notice, to := commentShownMsg, urls.Comment(p.Slug, cm.ID)
	if cm.Status == models.CommentHeld {
		notice, to = commentHeldMsg, urls.Post(p.Slug)+"#comments"
	}
	if wantsFragment(c.Request()) {
		return a.renderComments(c, http.StatusOK, p, pages.CommentForm{Notice: notice})
	}
	a.flash(c, notice)
	return c.Redirect(http.StatusSeeOther, to)
}

// renderComments answers a comment submission: the comments section for
// htmx, else the post page with it.
func (a *App) renderComments(c echo.Context, status int, p models.Post, f pages.CommentForm) error {
	ctx := c.Request().Context()
	cv, err := a.commentsView(ctx, c, p, f)
	if err != nil {
		return err
	}
	if f.Error == commentResendMsg || f.Error == commentSignInMsg {
		cv.Form.CSRF = csrfToken(c) // the resubmission carries a token
	}
	v := a.postPageView(c, p, a.srcset(ctx, p.CoverKey))
	v.Comments = cv
	return render(c, status, pages.PostPage(a.postFrame(a.page(c, p.Title), p), v), pages.CommentsSection(*cv))
}
