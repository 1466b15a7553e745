package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/mail"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

// mailQuoteMax is how much of a comment a mail quotes, in characters.
const mailQuoteMax = 1000

// errBadUnsubscribe answers an unsubscribe link this site did not sign.
var errBadUnsubscribe = echo.NewHTTPError(http.StatusBadRequest,
	"This unsubscribe link is not valid: it may have been cut short or altered. Open the link in the mail again, or copy all of it.")

// CommentMailer is the background sender of comment mail, for serve to
// run (models.CommentMailer.Run): its mail is written here, with the
// site's links.
func (s *Server) CommentMailer() *models.CommentMailer {
	a := s.app
	return &models.CommentMailer{DB: a.DB, Logger: a.Logger, Send: a.sendCommentDigest}
}

// sendCommentDigest sends one batch of comment news to one address.
func (a *App) sendCommentDigest(ctx context.Context, d models.CommentDigest) error {
	msg, err := a.commentDigestMail(ctx, d)
	if err != nil {
		return err
	}
	return a.Mail.Send(ctx, msg)
}

// commentDigestMail writes a batch as plain text: whatever a name or a
// comment holds arrives as text, never as markup. A mail with replies
// carries the one-click unsubscribe link (RFC 8058) for its reader's
// comments.
func (a *App) commentDigestMail(ctx context.Context, d models.CommentDigest) (mail.Message, error) {
	site := a.siteTitle()
	msg := mail.Message{To: d.To, Subject: "New comments on " + site}
	var b strings.Builder
	var authorSeen, replySeen bool
	listed := map[int64]bool{} // a reply to an author's comment on their post is news twice, listed once
	for _, it := range d.Items {
		if listed[it.CommentID] {
			continue
		}
		listed[it.CommentID] = true
		switch {
		case it.Kind == models.NoticeAuthor && !authorSeen:
			authorSeen = true
			b.WriteString("New comments on your posts on " + site + ":\n\n")
		case it.Kind == models.NoticeReply && !replySeen:
			replySeen = true
			if authorSeen {
				b.WriteString("\n")
			}
			b.WriteString("New replies to your comments on " + site + ":\n\n")
		}
		fmt.Fprintf(&b, "%s wrote on \"%s\"", it.Name, it.PostTitle)
		if it.Status == models.CommentHeld {
			b.WriteString(" (held for moderation)")
		}
		b.WriteString(":\n\n" + quoteComment(it.Body) + "\n\n")
		if it.Status == models.CommentApproved {
			b.WriteString(a.absURL(urls.Post(it.PostSlug)) + fmt.Sprintf("#comment-%d", it.CommentID) + "\n\n")
		} else {
			b.WriteString("Approve it or not on the post's page: " + a.absURL(urls.Post(it.PostSlug)) + "#comments\n\n")
		}
	}
	if replies := d.Replies(); len(replies) > 0 {
		msg.Subject = "Replies to your comment on " + site
		tok, err := a.Comments.UnsubscribeToken(ctx, replies[0].ParentID)
		if err != nil {
			return mail.Message{}, err
		}
		msg.Unsubscribe = a.absURL(urls.Unsubscribe(tok))
		b.WriteString("You get this mail because you asked for replies to your comments. To stop them, open:\n" +
			msg.Unsubscribe + "\n")
	}
	msg.Text = b.String()
	return msg, nil
}

// quoteComment is a comment's text as a mail quotes it: indented, cut
// after mailQuoteMax characters.
func quoteComment(body string) string {
	if utf8.RuneCountInString(body) > mailQuoteMax {
		body = string([]rune(body)[:mailQuoteMax]) + "…"
	}
	return "    " + strings.ReplaceAll(body, "\n", "\n    ")
}

// getUnsubscribe asks to confirm: a link opened by a mail scanner stops
// nothing. After the confirmation it says it is done.
func (a *App) getUnsubscribe(c echo.Context) error {
	private(c)
	tok := c.Param("token")
	if _, err := a.Comments.CheckUnsubscribe(c.Request().Context(), tok); errors.Is(err, models.ErrBadUnsubscribe) {
		return errBadUnsubscribe
	} else if err != nil {
		return err
	}
	if c.QueryParam("done") != "" {
		text := "You will get no more mail about replies to your comments. To get it again, tick \"Email me replies\" when you next comment."
		return render(c, http.StatusOK, pages.Notice(a.page(c, "Unsubscribed"), "Unsubscribed", text, nil),
			pages.NoticeContent("Unsubscribed", text, nil))
	}
	return a.renderForm(c, http.StatusOK, "Stop reply mail", pages.FormPage{
		Heading: "Stop reply mail",
		Intro:   "Stop the mail that tells you of replies to your comments on this site?",
		Form:    components.Form{ID: "unsubscribe-form", Action: urls.Unsubscribe(tok), Submit: "Unsubscribe"},
	})
}

// postUnsubscribe stops reply mail. It takes no CSRF token: the signed
// token is the permission, and mail providers post here on their own
// (RFC 8058 one-click, answered 200); the confirmation form is sent on to
// the done page.
func (a *App) postUnsubscribe(c echo.Context) error {
	// Outside the session layer, so the body is read here (limitBody caps it).
	if err := parseForm(c.Request()); err != nil {
		return bodyError(err, formBody)
	}
	tok := c.Param("token")
	err := a.Comments.Unsubscribe(c.Request().Context(), tok)
	if errors.Is(err, models.ErrBadUnsubscribe) {
		return c.String(http.StatusBadRequest, errBadUnsubscribe.Message.(string))
	}
	if err != nil {
		return err
	}
	if c.FormValue("List-Unsubscribe") == "One-Click" {
		return c.String(http.StatusOK, "You are unsubscribed from reply mail.")
	}
	return c.Redirect(http.StatusSeeOther, urls.Unsubscribe(tok)+"?done=1")
}
