package handlers_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/urls"
)

// urlCase is one builder's address and the route its link or form reaches.
type urlCase struct {
	builder string // the urls function, by name
	url     string
	method  string
	route   string // the pattern routes.go registers
}

func getTo(builder, u, route string) urlCase  { return urlCase{builder, u, http.MethodGet, route} }
func postTo(builder, u, route string) urlCase { return urlCase{builder, u, http.MethodPost, route} }

// urlCases holds every builder of views/urls with the method its links or
// forms use; awkward inputs check that escaping keeps them on their route.
var urlCases = []urlCase{
	getTo("Home", urls.Home(), "/"),
	getTo("Paged", urls.Paged(urls.Tag("go"), 3), "/tags/:tag"),
	getTo("Page", urls.Page("about"), "/:slug"),
	getTo("NewPage", urls.NewPage(), "/pages/new"),
	getTo("Setup", urls.Setup("tok"), "/setup/:token"),
	getTo("AdminSettings", urls.AdminSettings(), "/admin/settings"),
	postTo("AdminSettings", urls.AdminSettings(), "/admin/settings"),
	getTo("AdminImport", urls.AdminImport(), "/admin/import"),
	postTo("AdminImport", urls.AdminImport(), "/admin/import"),
	getTo("AdminImportJob", urls.AdminImportJob(7), "/admin/import/:id"),
	getTo("SiteCSS", urls.SiteCSS("abc"), "/site.css"),
	postTo("SubmitPost", urls.SubmitPost(7), "/posts/:id/submit"),
	getTo("NewInvitation", urls.NewInvitation(), "/admin/invitations/new"),
	postTo("CreateInvitation", urls.CreateInvitation(), "/admin/invitations"),
	getTo("NewRedirect", urls.NewRedirect(), "/admin/redirects/new"),
	postTo("CreateRedirect", urls.CreateRedirect(), "/admin/redirects"),
	getTo("Invitation", urls.Invitation("t/k"), "/invitations/:token"),
	postTo("Invitation", urls.Invitation("tok"), "/invitations/:token"),
	getTo("Verify", urls.Verify("tok"), "/verify/:token"),
	postTo("VerifyResend", urls.VerifyResend(), "/verify/resend"),
	postTo("Setup", urls.Setup("tok"), "/setup/:token"),
	getTo("Post", urls.Post("hello-world"), "/posts/:slug"),
	getTo("Post", urls.Post("a/b?c#d"), "/posts/:slug"),
	getTo("Author", urls.Author("alice"), "/@:username"),
	getTo("Tag", urls.Tag("café/x"), "/tags/:tag"),
	getTo("Media", urls.Media("ab.jpg"), "/media/:key"),
	getTo("Sitemap", urls.Sitemap(), "/sitemap.xml"),
	getTo("Robots", urls.Robots(), "/robots.txt"),
	getTo("SearchForm", urls.SearchForm(), "/search"),
	getTo("Search", urls.Search("a b&c", 2), "/search"),
	getTo("SiteFeed", urls.SiteFeed(urls.RSS), "/feed.xml"),
	getTo("SiteFeed", urls.SiteFeed(urls.Atom), "/atom.xml"),
	getTo("AuthorFeed", urls.AuthorFeed("alice", urls.RSS), "/@:username/feed.xml"),
	getTo("AuthorFeeds", urls.AuthorFeeds("alice")(urls.Atom), "/@:username/atom.xml"),
	getTo("TagFeed", urls.TagFeed("a/b", urls.RSS), "/tags/:tag/feed.xml"),
	getTo("TagFeeds", urls.TagFeeds("go")(urls.Atom), "/tags/:tag/atom.xml"),
	getTo("SiteFeed", urls.SiteFeed(urls.JSONFeed), "/feed.json"),
	getTo("AuthorFeed", urls.AuthorFeed("alice", urls.JSONFeed), "/@:username/feed.json"),
	getTo("TagFeed", urls.TagFeed("go", urls.JSONFeed), "/tags/:tag/feed.json"),
	getTo("SitemapFile", urls.SitemapFile("posts-2"), "/sitemap-:file"),
	getTo("PostCommentsFeed", urls.PostCommentsFeed("a/b", urls.RSS), "/posts/:slug/comments/feed.xml"),
	getTo("PostCommentsFeeds", urls.PostCommentsFeeds("hello")(urls.Atom), "/posts/:slug/comments/atom.xml"),
	getTo("Unsubscribe", urls.Unsubscribe("12.abc"), "/comments/unsubscribe/:token"),
	getTo("CommentReply", urls.CommentReply(7, 9), "/posts/:id/comments/:cid/reply"),
	getTo("CancelReply", urls.CancelReply(7, 9), "/posts/:id/comments/:cid/reply"),
	getTo("CommentsPage", urls.CommentsPage("hello", 2), "/posts/:slug"),
	getTo("CommentAt", urls.CommentAt("hello", 2, 9), "/posts/:slug"),
	postTo("ModerateComment", urls.ModerateComment(7, 9, "approve"), "/posts/:id/comments/:cid/:action"),
	postTo("Unsubscribe", urls.Unsubscribe("12.abc"), "/comments/unsubscribe/:token"),

	getTo("NewPost", urls.NewPost(), "/posts/new"),
	postTo("CreatePost", urls.CreatePost(), "/posts"),
	postTo("AutosaveNewPost", urls.AutosaveNewPost(), "/posts/autosave"),
	getTo("EditPost", urls.EditPost("hello"), "/posts/:slug/edit"),
	postTo("SavePost", urls.SavePost(7), "/posts/:id"),
	getTo("PostEditor", urls.PostEditor(7), "/posts/:id/editor"),
	getTo("PostView", urls.PostView(7), "/posts/:id/view"),
	postTo("PostAutosave", urls.PostAutosave(7), "/posts/:id/autosave"),
	postTo("PostPreview", urls.PostPreview(7), "/posts/:id/preview"),
	postTo("DiscardPending", urls.DiscardPending(7), "/posts/:id/discard"),
	postTo("MergeConflict", urls.MergeConflict(7), "/posts/:id/merge"),
	postTo("PublishPost", urls.PublishPost(7), "/posts/:id/publish"),
	postTo("UnpublishPost", urls.UnpublishPost(7), "/posts/:id/unpublish"),
	postTo("SchedulePost", urls.SchedulePost(7), "/posts/:id/schedule"),
	postTo("UnschedulePost", urls.UnschedulePost(7), "/posts/:id/unschedule"),
	getTo("DeletePost", urls.DeletePost(7), "/posts/:id/delete"),
	postTo("DeletePost", urls.DeletePost(7), "/posts/:id/delete"),
	postTo("RestorePost", urls.RestorePost(7), "/posts/:id/restore"),
	getTo("PostRevisions", urls.PostRevisions(7), "/posts/:id/revisions"),
	getTo("PostRevision", urls.PostRevision(7, 9), "/posts/:id/revisions/:rev"),
	postTo("RestoreRevision", urls.RestoreRevision(7, 9), "/posts/:id/revisions/:rev/restore"),
	postTo("PostComments", urls.PostComments(7), "/posts/:id/comments"),
	getTo("CommentToken", urls.CommentToken(7), "/posts/:id/comments/token"),
	getTo("Comment", urls.Comment("hello", 7), "/posts/:slug"),
	getTo("Drafts", urls.Drafts(), "/drafts"),
	getTo("MediaLibrary", urls.MediaLibrary(), "/media"),
	postTo("MediaLibrary", urls.MediaLibrary(), "/media"),
	getTo("MediaPicker", urls.MediaPicker("a b", 2), "/media/picker"),

	getTo("Register", urls.Register(), "/register"),
	postTo("Register", urls.Register(), "/register"),
	getTo("Login", urls.Login(""), "/login"),
	getTo("Login", urls.Login("/posts/x?page=2"), "/login"),
	postTo("Login", urls.Login(""), "/login"),
	postTo("Logout", urls.Logout(), "/logout"),
	getTo("PasswordReset", urls.PasswordReset(), "/password/reset"),
	postTo("PasswordReset", urls.PasswordReset(), "/password/reset"),
	getTo("PasswordResetToken", urls.PasswordResetToken("t/k"), "/password/reset/:token"),
	postTo("PasswordResetToken", urls.PasswordResetToken("tok"), "/password/reset/:token"),
	getTo("SettingsProfile", urls.SettingsProfile(), "/settings/profile"),
	postTo("SettingsProfile", urls.SettingsProfile(), "/settings/profile"),
	getTo("SettingsPassword", urls.SettingsPassword(), "/settings/password"),
	postTo("SettingsPassword", urls.SettingsPassword(), "/settings/password"),

	getTo("Admin", urls.Admin(), "/admin"),
	getTo("AdminTable", urls.AdminTable("users", "sort=-joined"), "/admin/:table"),
	getTo("AdminFiltered", urls.AdminFiltered("posts", "status", "draft"), "/admin/:table"),
	postTo("AdminBulk", urls.AdminBulk("posts"), "/admin/:table/bulk"),
	getTo("AdminRow", urls.AdminRow("posts", 7, "delete"), "/admin/:table/:id/:action"),
	postTo("AdminRow", urls.AdminRow("posts", 7, "hide"), "/admin/:table/:id/:action"),
	getTo("AdminEdit", urls.AdminEdit("posts", 7, "title"), "/admin/:table/:id/edit/:field"),
	postTo("AdminEdit", urls.AdminEdit("posts", 7, "title"), "/admin/:table/:id/edit/:field"),
	getTo("AdminCell", urls.AdminCell("posts", 7, "title"), "/admin/:table/:id/cell/:field"),
	getTo("AdminHistory", urls.AdminHistory("users", 7), "/admin/:table"),
}

// TestURLsReachRoutes proves each builder's address reaches, on the real
// router, the route it names with the method its link or form uses; that
// the table covers every builder; and that every route a page links to has
// a builder.
func TestURLsReachRoutes(t *testing.T) {
	a := newApp(t)
	reached := map[string]bool{}
	for _, tc := range urlCases {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Errorf("%s: %q does not parse: %v", tc.builder, tc.url, err)
			continue
		}
		ctx := a.app.NewContext(nil, nil)
		a.app.Router().Find(tc.method, u.EscapedPath(), ctx) // Echo routes the escaped path
		if ctx.Path() != tc.route {
			t.Errorf("%s: %s %s reaches %q, want %q", tc.builder, tc.method, tc.url, ctx.Path(), tc.route)
		}
		reached[tc.method+" "+tc.route] = true
	}

	// Every exported function of views/urls is in the table.
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "../views/urls/urls.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() &&
			!slices.ContainsFunc(urlCases, func(c urlCase) bool { return c.builder == fn.Name.Name }) {
			if fn.Name.Name != "Folder" { // a prefix for robots.txt, not an address
				t.Errorf("urls.%s has no case in urlCases", fn.Name.Name)
			}
		}
	}

	// Every route pages link to has a builder; operations and files do not need one.
	for _, r := range a.app.Routes() {
		key := r.Method + " " + r.Path
		if slices.Contains([]string{"/healthz", "/readyz", "/metrics"}, r.Path) || strings.HasPrefix(r.Path, "/assets/") ||
			r.Method == echo.RouteNotFound {
			continue
		}
		if !reached[key] {
			t.Errorf("route %s has no urls builder in urlCases", key)
		}
	}
}

// TestAdminTableLinks: the admin tables declare where their links lead
// (a page and SQL for its arguments) and handlers build the URLs; each
// kind comes out as the address the hand-written SQL made.
func TestAdminTableLinks(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	ctx := context.Background()
	u := a.createUser("linked", models.RoleAuthor)
	key := strings.Repeat("ef", 32) + ".png"
	m, err := (&models.MediaModel{DB: a.db}).Insert(ctx, models.Media{OwnerID: ownerOf(u), Key: key, Width: 10, Height: 10,
		Bytes: 3, ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	about, err := (&models.PostModel{DB: a.db}).Insert(ctx, u.ID, models.PostInput{Title: "About", Body: "Hi.", Kind: models.KindPage})
	if err != nil {
		t.Fatal(err)
	}
	p, err := (&models.PostModel{DB: a.db}).Insert(ctx, u.ID, models.PostInput{Title: "Linked post", Body: "![x](" + urls.Media(key) + ")"})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, c.bulk("posts", "hide", url.Values{"reason": {"because"}}, p.ID), http.StatusSeeOther)

	attr := func(path, sel, name string) string {
		t.Helper()
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		return res.doc.Find(sel).AttrOr(name, "(none)")
	}
	id := strconv.FormatInt
	for _, tc := range []struct{ path, sel, attr, want string }{
		{"/admin/posts", "#cell-posts-" + id(p.ID, 10) + "-title a", "href", "/posts/" + p.Slug},
		{"/admin/posts", "#cell-posts-" + id(about.ID, 10) + "-title a", "href", "/" + about.Slug},
		{"/admin/posts", `.row-actions a:contains("Revisions")`, "href", "/posts/" + id(p.ID, 10) + "/revisions"},
		{"/admin/users?q=linked", "#cell-users-" + id(u.ID, 10) + "-username a", "href", "/@linked"},
		{"/admin/media", "#cell-media-" + id(m.ID, 10) + "-preview img", "src", "/media/" + key},
		{"/admin/media", "#cell-media-" + id(m.ID, 10) + "-used a", "href", "/posts/" + p.Slug},
		{"/admin/audit", `[id^="cell-audit-"][id$="-object"] a`, "href", "/admin/audit?model=posts&object=" + id(p.ID, 10)},
	} {
		if got := attr(tc.path, tc.sel, tc.attr); got != tc.want {
			t.Errorf("%s %s: %s %q, want %q", tc.path, tc.sel, tc.attr, got, tc.want)
		}
	}
}
