package models

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"quire/models/markdown"
)

// Who may comment (SiteInput.Comments).
const (
	CommentsOff      = "off"
	CommentsAccounts = "accounts" // signed-in accounts only: the default
	CommentsAnyone   = "anyone"   // also guests, with a name and an email address
)

// A comment's states.
const (
	CommentHeld     = "held"
	CommentApproved = "approved"
	CommentSpam     = "spam"
	CommentTrash    = "trash"
)

// Why a comment was held (Comment.HeldReason).
const (
	HeldFirst     = "first comment"
	HeldLinks     = "too many links"
	HeldBlocklist = "blocklisted word"
)

// Limits of comments and their settings (sql/00025 checks the same).
const (
	MaxCommentLen        = 5000
	MaxCommentNameLen    = 60
	MaxCommentEmailLen   = 254
	MaxCommentsCloseDays = 3650
	MaxCommentsLinks     = 50
	MaxBlocklistBytes    = 10000
	// Threads on a post page (sql/00027 checks the same).
	DefaultCommentsPerPage = 50
	MinCommentsPerPage     = 10
	MaxCommentsPerPage     = 500
)

var (
	// ErrCommentsClosed is a comment on a post that takes none: comments
	// off, the post closed, past the close-after days, or not public.
	ErrCommentsClosed = errors.New("comments are closed")
	// ErrCommentsSignIn is a guest's comment where only accounts comment.
	ErrCommentsSignIn = errors.New("sign in to comment")
	// ErrInvalidComment is a comment that did not pass validation; see
	// InvalidCommentError for the messages.
	ErrInvalidComment = errors.New("invalid comment")
)

// InvalidCommentError is ErrInvalidComment with its messages, keyed by
// form field.
type InvalidCommentError struct{ Fields map[string]string }

func (e *InvalidCommentError) Error() string {
	return fmt.Sprintf("models: comment: %v: %v", ErrInvalidComment, e.Fields)
}

// Is makes errors.Is(err, ErrInvalidComment) true.
func (e *InvalidCommentError) Is(target error) bool { return target == ErrInvalidComment }

// CommentInput is what the comment form sends. Name and Email are read
// from guests only; an account comments under its own name.
type CommentInput struct {
	PostID   int64
	ParentID int64 // 0 for a top-level comment
	Name     string
	Email    string
	Body     string
	// NotifyReplies: mail replies to this comment to its writer
	// (comment_notify.go).
	NotifyReplies bool
}

func (in CommentInput) normalized() CommentInput {
	in.Name = CleanDisplayName(in.Name)
	in.Email = strings.TrimSpace(CleanText(in.Email))
	in.Body = strings.TrimSpace(strings.ReplaceAll(CleanText(in.Body), "\r\n", "\n"))
	return in
}

// Validate returns a message per form field that is wrong; guest says
// whether the name and address are asked for.
func (in CommentInput) Validate(guest bool) map[string]string {
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(in.Body); {
	case n == 0:
		errs["body"] = "Write your comment."
	case n > MaxCommentLen:
		errs["body"] = fmt.Sprintf("Keep the comment to %d characters (it has %d).", MaxCommentLen, n)
	}
	if !guest {
		return errs
	}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		errs["name"] = "Give the name to show with your comment."
	case n > MaxCommentNameLen:
		errs["name"] = fmt.Sprintf("Keep the name to %d characters.", MaxCommentNameLen)
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > MaxCommentEmailLen {
		errs["email"] = "Give an email address such as name@example.com. It is never shown."
	}
	return errs
}

// commentsOpen says whether post p takes comments under settings s at now.
func commentsOpen(s Settings, p Post, now time.Time) bool {
	if s.Comments == CommentsOff || p.CommentsClosed || !p.IsPublic() || p.IsPage() {
		return false
	}
	if s.CommentsCloseDays > 0 && p.PublishedAt != nil &&
		now.After(p.PublishedAt.AddDate(0, 0, s.CommentsCloseDays)) {
		return false
	}
	return true
}

// CommentsOpen says whether readers may comment on p now: the form shows
// only then.
func (s Settings) CommentsOpen(p Post) bool { return commentsOpen(s, p, time.Now()) }

// commentPolicy keeps what Markdown-lite allows: emphasis, links and
// code. Headings, images, lists and tables lose their markup (their text
// stays); links are nofollow, and marked ugc by renderComment.
var commentPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "em", "strong", "del", "code", "pre", "blockquote")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddSpaceWhenStrippingTag(true)
	return p
})

// renderComment turns a comment's Markdown-lite into safe HTML, through
// the posts' pipeline (raw HTML dropped, budgeted) and then the comment
// policy.
func renderComment(src string) (string, error) {
	html, err := markdown.Render(src)
	if err != nil {
		return "", err
	}
	out := commentPolicy().Sanitize(html)
	// The policy writes rel="nofollow"; user-generated links say so too.
	return strings.ReplaceAll(out, `rel="nofollow"`, `rel="nofollow ugc"`), nil
}

var hrefPattern = regexp.MustCompile(`<a href=`)

// commentLinks counts the links a comment's HTML carries.
func commentLinks(html string) int { return len(hrefPattern.FindAllStringIndex(html, -1)) }

// holdReason says why a new comment waits for moderation, "" when it
// appears at once: a blocklisted word or address, more links than the
// setting allows, or a commenter with no comment approved before.
func holdReason(s Settings, in CommentInput, html string, approvedBefore bool) string {
	hay := strings.ToLower(in.Body + "\n" + in.Name + "\n" + in.Email)
	for _, w := range strings.Split(s.CommentsBlocklist, "\n") {
		if w != "" && strings.Contains(hay, strings.ToLower(w)) {
			return HeldBlocklist
		}
	}
	if commentLinks(html) > s.CommentsMaxLinks {
		return HeldLinks
	}
	if !approvedBefore {
		return HeldFirst
	}
	return ""
}

// normalizedBlocklist keeps one trimmed entry a line, without empty ones.
func normalizedBlocklist(s string) string {
	var out []string
	for _, l := range strings.Split(CleanText(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// commentSettingsProblems adds the comment settings' messages to errs.
func commentSettingsProblems(in SiteInput, errs map[string]string) {
	switch in.Comments {
	case CommentsOff, CommentsAccounts, CommentsAnyone:
	default:
		errs["comments"] = "Choose who may comment: nobody, signed-in accounts, or anyone with a name and email address."
	}
	switch in.CommentsNotify {
	case CommentNotifyOff, CommentNotifyHeld, CommentNotifyAll:
	default:
		errs["comments_notify"] = "Choose who hears of new comments by mail: nobody, authors of held comments, or authors of all comments."
	}
	if in.CommentsCloseDays < 0 || in.CommentsCloseDays > MaxCommentsCloseDays {
		errs["comments_close_days"] = fmt.Sprintf("Give a number of days from 0 (never close) to %d.", MaxCommentsCloseDays)
	}
	if in.CommentsMaxLinks < 0 || in.CommentsMaxLinks > MaxCommentsLinks {
		errs["comments_max_links"] = fmt.Sprintf("Give a number of links from 0 to %d.", MaxCommentsLinks)
	}
	if in.CommentsPerPage < MinCommentsPerPage || in.CommentsPerPage > MaxCommentsPerPage {
		errs["comments_per_page"] = fmt.Sprintf("Give a number of comments per page from %d to %d.", MinCommentsPerPage, MaxCommentsPerPage)
	}
	if n := len(in.CommentsBlocklist); n > MaxBlocklistBytes {
		errs["comments_blocklist"] = fmt.Sprintf("Keep the blocklist to %d characters (it has %d).", MaxBlocklistBytes, n)
	}
}
