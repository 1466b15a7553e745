// Package urls builds every address Quire links to, redirects to or names in
// a feed, by name: one function per kind of address, with typed parameters,
// escaping what it is given. handlers/routes.go registers the patterns these
// paths match (urls_test in handlers proves each builder reaches a route).
// It imports nothing of Quire, so handlers and views can both use it.
package urls

import (
	"net/url"
	"strconv"
	"strings"
)

func seg(s string) string   { return url.PathEscape(s) }
func id(n int64) string     { return strconv.FormatInt(n, 10) }
func post(n int64) string   { return "/posts/" + id(n) }
func admin(s string) string { return "/admin/" + seg(s) }

// withQuery adds an encoded query to a path; an empty query adds nothing.
func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

// Paged is the address of page n of the list at path (which may carry a
// query): ?page=N is set for pages after the first and dropped for the first.
func Paged(path string, n int) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	} else {
		q.Del("page")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Readers.

func Home() string                     { return "/" }
func Post(slug string) string          { return "/posts/" + seg(slug) }
func Page(slug string) string          { return "/" + seg(slug) } // a page of the site: /about
func Author(username string) string    { return "/@" + seg(username) }
func Tag(tag string) string            { return "/tags/" + seg(tag) }
func Media(key string) string          { return "/media/" + seg(key) }
func Sitemap() string                  { return "/sitemap.xml" }
func SitemapFile(name string) string   { return "/sitemap-" + seg(name) + ".xml" } // an index's file: "posts-2"
func Robots() string                   { return "/robots.txt" }
func SearchForm() string               { return "/search" }
func Search(q string, page int) string { return Paged(withQuery(SearchForm(), query("q", q)), page) }

// query is name=value encoded, or "" when value is empty.
func query(name, value string) string {
	if value == "" {
		return ""
	}
	return url.Values{name: {value}}.Encode()
}

// Feed is a feed's format, named by its file.
type Feed string

const (
	RSS      Feed = "feed.xml"
	Atom     Feed = "atom.xml"
	JSONFeed Feed = "feed.json"
)

func SiteFeed(f Feed) string                    { return "/" + string(f) }
func AuthorFeed(username string, f Feed) string { return Author(username) + "/" + string(f) }
func TagFeed(tag string, f Feed) string         { return Tag(tag) + "/" + string(f) }

// Feeds builds one page's feed addresses, a format at a time.
type Feeds func(Feed) string

func AuthorFeeds(username string) Feeds {
	return func(f Feed) string { return AuthorFeed(username, f) }
}
func TagFeeds(tag string) Feeds { return func(f Feed) string { return TagFeed(tag, f) } }

// PostCommentsFeed is a post's comments feed: /posts/{slug}/comments/feed.xml.
func PostCommentsFeed(slug string, f Feed) string { return Post(slug) + "/comments/" + string(f) }
func PostCommentsFeeds(slug string) Feeds {
	return func(f Feed) string { return PostCommentsFeed(slug, f) }
}

// Authors.

func NewPost() string                      { return "/posts/new" }
func NewPage() string                      { return "/pages/new" }
func CreatePost() string                   { return "/posts" }
func AutosaveNewPost() string              { return "/posts/autosave" }
func EditPost(slug string) string          { return Post(slug) + "/edit" }
func SavePost(id int64) string             { return post(id) }
func PostEditor(id int64) string           { return post(id) + "/editor" }
func PostView(id int64) string             { return post(id) + "/view" }
func PostAutosave(id int64) string         { return post(id) + "/autosave" }
func PostPreview(id int64) string          { return post(id) + "/preview" }
func DiscardPending(id int64) string       { return post(id) + "/discard" }
func MergeConflict(id int64) string        { return post(id) + "/merge" }
func PublishPost(id int64) string          { return post(id) + "/publish" }
func SubmitPost(id int64) string           { return post(id) + "/submit" }
func UnpublishPost(id int64) string        { return post(id) + "/unpublish" }
func SchedulePost(id int64) string         { return post(id) + "/schedule" }
func UnschedulePost(id int64) string       { return post(id) + "/unschedule" }
func DeletePost(id int64) string           { return post(id) + "/delete" }
func RestorePost(id int64) string          { return post(id) + "/restore" }
func PostRevisions(id int64) string        { return post(id) + "/revisions" }
func PostRevision(id, rev int64) string    { return PostRevisions(id) + "/" + strconv.FormatInt(rev, 10) }
func RestoreRevision(id, rev int64) string { return PostRevision(id, rev) + "/restore" }
func PostComments(id int64) string         { return post(id) + "/comments" }      // POST a comment
func CommentToken(id int64) string         { return PostComments(id) + "/token" } // the form's CSRF token, for the shared copy
func Comment(slug string, id int64) string {
	return Post(slug) + "#comment-" + strconv.FormatInt(id, 10)
}

// CommentAt is comment id's permalink on page n of the post's comments
// (0: the newest page, the post's own address).
func CommentAt(slug string, n int, id int64) string {
	if n < 1 {
		return Comment(slug, id)
	}
	return commentsPage(slug, n) + "#comment-" + strconv.FormatInt(id, 10)
}

// CommentsPage is page n of a post's comments (1: the oldest), at the
// comments; the post's own address shows the newest page.
func CommentsPage(slug string, n int) string { return commentsPage(slug, n) + "#comments" }

// commentsPage names the page even when it is 1: the post's own address
// is the newest.
func commentsPage(slug string, n int) string {
	return Post(slug) + "?" + url.Values{"page": {strconv.Itoa(n)}}.Encode()
}

func comment(post, id int64) string { return PostComments(post) + "/" + strconv.FormatInt(id, 10) }

// CommentReply is the reply form to comment id on post post: a page, or
// the form alone for htmx; CancelReply puts the Reply link back.
func CommentReply(post, id int64) string { return comment(post, id) + "/reply" }
func CancelReply(post, id int64) string  { return CommentReply(post, id) + "?cancel=1" }

// ModerateComment is where a post's moderators approve, spam or trash a
// held comment from the post page.
func ModerateComment(post, id int64, action string) string { return comment(post, id) + "/" + action }
func Drafts() string                                       { return "/drafts" }
func MediaLibrary() string                                 { return "/media" }

// MediaPicker is the media picker's page n for the search q ("" for all).
func MediaPicker(q string, n int) string {
	return Paged(withQuery(MediaLibrary()+"/picker", query("q", q)), n)
}

// Unsubscribe stops reply mail (the token signs a comment of the reader's).
func Unsubscribe(token string) string { return "/comments/unsubscribe/" + seg(token) }

// Accounts.

func Register() string                       { return "/register" }
func Setup(token string) string              { return "/setup/" + seg(token) }
func Invitation(token string) string         { return "/invitations/" + seg(token) }
func Verify(token string) string             { return "/verify/" + seg(token) }
func VerifyResend() string                   { return "/verify/resend" }
func Logout() string                         { return "/logout" }
func PasswordReset() string                  { return "/password/reset" }
func PasswordResetToken(token string) string { return PasswordReset() + "/" + seg(token) }
func SettingsProfile() string                { return "/settings/profile" }
func SettingsPassword() string               { return "/settings/password" }

// Login is the sign-in page; next, when set, is where it leads afterwards.
func Login(next string) string { return withQuery("/login", query("next", next)) }

// Folder is the part of path up to and including its last slash:
// "/settings/profile" is in "/settings/". robots.txt names folders.
func Folder(path string) string { return path[:strings.LastIndex(path, "/")+1] }

// Admins.

func Admin() string { return "/admin" }

// NewInvitation is the invitation form; CreateInvitation where it posts.
func NewInvitation() string    { return "/admin/invitations/new" }
func CreateInvitation() string { return "/admin/invitations" }

// NewRedirect is the form that adds a redirect; CreateRedirect where it posts.
func NewRedirect() string    { return "/admin/redirects/new" }
func CreateRedirect() string { return "/admin/redirects" }

// AdminSettings is the site's settings form.
func AdminSettings() string { return "/admin/settings" }

// AdminImport is the import form and list; AdminImportJob one import's page.
func AdminImport() string            { return "/admin/import" }
func AdminImportJob(id int64) string { return AdminImport() + "/" + strconv.FormatInt(id, 10) }

// SiteCSS is the settings' stylesheet (accent colour, custom CSS) by the
// hash of its content, so a page links the version it was made with.
func SiteCSS(hash string) string { return withQuery("/site.css", query("v", hash)) }

// AdminTable is a declared table's list; query (encoded, may be "") is its state.
func AdminTable(name, query string) string { return withQuery(admin(name), query) }

// AdminFiltered is a table's list narrowed by filters: AdminFiltered("posts", "status", "draft").
func AdminFiltered(name string, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return AdminTable(name, v.Encode())
}

// AdminBulk takes a bulk action on a table's selected rows.
func AdminBulk(table string) string { return admin(table) + "/bulk" }

// AdminRow is a row action: GET asks to confirm it, POST takes it.
func AdminRow(table string, id int64, action string) string {
	return admin(table) + "/" + strconv.FormatInt(id, 10) + "/" + seg(action)
}

// AdminEdit is a cell's inline editor (GET) and its save (POST).
func AdminEdit(table string, id int64, field string) string {
	return AdminRow(table, id, "edit") + "/" + seg(field)
}

// AdminCell is a cell as the table shows it (the editor's cancel).
func AdminCell(table string, id int64, field string) string {
	return AdminRow(table, id, "cell") + "/" + seg(field)
}

// AdminHistory is an object's entries in the audit log.
func AdminHistory(model string, object int64) string {
	return AdminFiltered("audit", "model", model, "object", strconv.FormatInt(object, 10))
}
