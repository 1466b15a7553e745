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

// commentsView is post p's comments and the form as the viewer sees
// them, on the page the query asks for (the newest by default); f carries
// a submission's state ("" values for a fresh form).
func (a *App) commentsView(ctx context.Context, c echo.Context, p models.Post, f pages.CommentForm) (*pages.CommentsView, error) {
	n, _ := strconv.Atoi(c.QueryParam("page"))
	return a.commentsPage(ctx, c, p, f, n)
}

// commentsPage is commentsView on page n (0: the newest). A form for a
// reply (f.ParentID) opens under its comment, the comment form stays
// fresh at the foot.
func (a *App) commentsPage(ctx context.Context, c echo.Context, p models.Post, f pages.CommentForm, n int) (*pages.CommentsView, error) {
	if p.IsPage() {
		return nil, nil
	}
	s := a.site(c)
	pg, err := a.Comments.Page(ctx, p.ID, n, s.CommentsPerPage)
	if err != nil {
		return nil, err
	}
	base, err := a.commentForm(ctx, c, p)
	if err != nil {
		return nil, err
	}
	v := &pages.CommentsView{PostID: p.ID, PostSlug: p.Slug, Count: p.CommentCount, Page: pg.Page, Pages: pg.Pages}
	if pg.Page > 1 {
		v.OlderURL = urls.CommentsPage(p.Slug, pg.Page-1)
	}
	if pg.Page < pg.Pages {
		v.NewerURL = urls.CommentsPage(p.Slug, pg.Page+1)
	}
	shown := 0 // permalinks name their page once there are several
	if pg.Pages > 1 {
		shown = pg.Page
	}
	fm := a.formatter(c)
	v.Items = commentItems(pg.Comments, fm, func(id int64) string { return urls.CommentAt(p.Slug, shown, id) })
	replies := base.Open && !base.SignIn
	parent, _ := strconv.ParseInt(f.ParentID, 10, 64)
	for i := range v.Items {
		it := &v.Items[i]
		if replies {
			it.ReplyURL, it.CancelHx, it.CancelURL = urls.CommentReply(p.ID, it.ID), urls.CancelReply(p.ID, it.ID), it.Permalink
		}
		if replies && it.ID == parent {
			rf := mergeForm(base, f)
			rf.Prefix = "reply-"
			it.Reply = &rf
			f = pages.CommentForm{Notice: f.Notice}
		}
	}
	v.Form = mergeForm(base, f)
	if canModerateComments(c, p) {
		if err := a.heldComments(ctx, c, p, v); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// mergeForm is the form made for the viewer with what a submission left.
func mergeForm(base, f pages.CommentForm) pages.CommentForm {
	base.ParentID, base.Name, base.Email, base.Body = f.ParentID, f.Name, f.Email, f.Body
	base.Errors, base.Error, base.Notice = f.Errors, f.Error, f.Notice
	return base
}

// commentForm is post p's comment form for the viewer: who they comment
// as, or why they cannot, and the signed time it was made.
func (a *App) commentForm(ctx context.Context, c echo.Context, p models.Post) (pages.CommentForm, error) {
	s := a.site(c)
	f := pages.CommentForm{PostID: p.ID, Open: s.CommentsOpen(p), Closed: commentClosedMsg}
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
		return pages.CommentForm{}, err
	}
	f.Stamp = commentStamp(key, p.ID, time.Now())
	return f, nil
}

// commentItems nests replies under their parents, oldest first; link is
// a comment's permalink.
func commentItems(list []models.Comment, fm format.Formatter, link func(int64) string) []pages.CommentItem {
	var items []pages.CommentItem
	at := map[int64]int{}
	for _, cm := range list {
		it := commentItem(cm, fm)
		it.Permalink = link(cm.ID)
		if i, ok := at[cm.ParentID.Int64]; ok && cm.ParentID.Valid {
			items[i].Replies = append(items[i].Replies, it)
			continue
		}
		at[cm.ID] = len(items)
		items = append(items, it)
	}
	return items
}

// commentItem is one comment as shown, with its author's avatar (the
// default one for guests and accounts without one).
func commentItem(cm models.Comment, fm format.Formatter) pages.CommentItem {
	return pages.CommentItem{ID: cm.ID, Name: cm.Name, HTML: cm.BodyHTML, Time: fm.DateTime(cm.CreatedAt),
		TimeISO: fm.Machine(cm.CreatedAt), AvatarURL: avatarURL(models.User{Avatar: cm.Avatar}), HeldReason: cm.HeldReason}
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
	n := 0 // a new top-level comment is on the newest page
	if cm.ParentID.Valid {
		if n, err = a.threadPage(ctx, c, p.ID, cm.ParentID.Int64); err != nil {
			return err
		}
	}
	notice, to := commentShownMsg, urls.CommentAt(p.Slug, n, cm.ID)
	if cm.Status == models.CommentHeld {
		notice, to = commentHeldMsg, urls.Post(p.Slug)+"#comments"
		if n > 0 {
			to = urls.CommentsPage(p.Slug, n)
		}
	}
	if wantsFragment(c.Request()) {
		return a.renderCommentsAt(c, http.StatusOK, p, pages.CommentForm{Notice: notice}, n)
	}
	a.flash(c, notice)
	return c.Redirect(http.StatusSeeOther, to)
}

// threadPage is the page of comments on which the thread of top-level
// comment top shows, 0 when that is the newest.
func (a *App) threadPage(ctx context.Context, c echo.Context, postID, top int64) (int, error) {
	n, pages, err := a.Comments.PageOf(ctx, postID, top, a.site(c).CommentsPerPage)
	if err != nil || n >= pages {
		return 0, err
	}
	return n, nil
}

// renderComments answers a comment submission: the comments section for
// htmx, else the post page with it; a reply's on its parent's page.
func (a *App) renderComments(c echo.Context, status int, p models.Post, f pages.CommentForm) error {
	n := 0
	if id, err := strconv.ParseInt(f.ParentID, 10, 64); err == nil && id > 0 {
		if n, err = a.threadPage(c.Request().Context(), c, p.ID, id); err != nil {
			return err
		}
	}
	return a.renderCommentsAt(c, status, p, f, n)
}

// renderCommentsAt is renderComments on page n of the comments.
func (a *App) renderCommentsAt(c echo.Context, status int, p models.Post, f pages.CommentForm, n int) error {
	ctx := c.Request().Context()
	cv, err := a.commentsPage(ctx, c, p, f, n)
	if err != nil {
		return err
	}
	if f.Error == commentResendMsg || f.Error == commentSignInMsg {
		cv.Form.CSRF = csrfToken(c) // the resubmission carries a token
		for i := range cv.Items {
			if r := cv.Items[i].Reply; r != nil {
				r.CSRF = cv.Form.CSRF
			}
		}
	}
	v := a.postPageView(c, p, a.srcset(ctx, p.CoverKey))
	v.Comments = cv
	return render(c, status, pages.PostPage(a.postFrame(a.page(c, p.Title), p), v), pages.CommentsSection(*cv))
}
