package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/assets"
	"quire/models"
)

// setupRoute is the first run's page, which gateSetup lets through.
const setupRoute = "/setup/:token"

// The readers' routes a redirect's target may name (admin_redirects.go).
const (
	postRoute = "/posts/:slug"
	pageRoute = "/:slug"
	tagRoute  = "/tags/:tag"
)

// commentRoute takes comments. A plain form post to it without a CSRF
// token (the shared copy of a post page carries none) is answered with
// the form to send again, with a token, instead of refused (csrfResend).
const commentRoute = "/posts/:id/comments"

// unsubscribeRoute stops reply mail about comments.
const unsubscribeRoute = "/comments/unsubscribe/:token"

// routes registers every route. Static files and health checks skip the
// session and CSRF layers: they must answer even when the database cannot.
func (a *App) routes(e *echo.Echo) {
	e.GET("/healthz", a.getHealthz)
	e.GET("/readyz", a.getReadyz)
	e.GET("/metrics", metricsHandler(a.metricsRegistry(), a.Config.MetricsToken))
	e.GET(assets.Prefix+"*", echo.WrapHandler(assets.Handler()))
	e.GET("/media/:key", a.getMedia)
	// Feeds, sitemap and robots.txt are the same for every reader: no session, no cookies.
	e.GET("/feed.xml", a.getSiteRSS)
	e.GET("/atom.xml", a.getSiteAtom)
	e.GET("/@:username/feed.xml", a.getAuthorRSS)
	e.GET("/@:username/atom.xml", a.getAuthorAtom)
	e.GET("/tags/:tag/feed.xml", a.getTagRSS)
	e.GET("/tags/:tag/atom.xml", a.getTagAtom)
	e.GET("/feed.json", a.getSiteJSONFeed)
	e.GET("/@:username/feed.json", a.getAuthorJSONFeed)
	e.GET("/tags/:tag/feed.json", a.getTagJSONFeed)
	e.GET("/posts/:slug/comments/feed.xml", a.getPostCommentsRSS) // feeds_comments.go
	e.GET("/posts/:slug/comments/atom.xml", a.getPostCommentsAtom)
	e.GET("/sitemap.xml", a.getSitemap)
	e.GET("/sitemap-:file", a.getSitemapFile) // feeds_sitemap.go
	e.GET("/robots.txt", a.getRobots)
	e.GET("/site.css", a.getSiteCSS)
	// One-click unsubscribe (RFC 8058): mail providers post without cookies
	// or a CSRF token; the signed token is the permission (comment_notify.go).
	e.POST(unsubscribeRoute, a.postUnsubscribe)

	g := e.Group("", crossOrigin(), csrfTokens(a.Config.secure()), echo.WrapMiddleware(a.Sessions.LoadAndSave), a.renderErrors, a.loadUser, a.gateSetup, a.readBody, a.oldAddresses)
	// Readers.
	g.GET("/", a.getHome)
	g.GET("/@:username", a.getAuthor)
	g.GET(tagRoute, a.getTag)
	g.GET("/search", a.getSearch)
	g.GET(postRoute, a.getPost)
	g.GET(pageRoute, a.getPage) // fixed routes win: no page takes their words (models.ReservedPageSlug)

	// Authors. Fragments for the inline editor live under /posts/{id}/.
	// Forms take a small body unless allowBody gives more (bodylimit.go).
	g.GET("/posts/new", a.getNewPost, requireUser)
	g.GET("/pages/new", a.getNewPage, requireUser) // pages are created through POST /posts too
	a.allowBody(g.POST("/posts", a.postCreate, requireUser), postBody)
	a.allowBody(g.POST("/posts/autosave", a.postAutosaveNew, requireUser), postBody)
	g.GET("/posts/:slug/edit", a.getEditPage, requireUser)
	a.allowBody(g.POST("/posts/:id", a.postSave, requireUser), postBody)
	g.GET("/posts/:id/editor", a.getEditor, requireUser)
	g.GET("/posts/:id/view", a.getPostView, requireUser)
	a.allowBody(g.POST("/posts/:id/autosave", a.postAutosave, requireUser), postBody)
	a.allowBody(g.POST("/posts/:id/discard", a.postDiscardPending, requireUser), postBody) // the whole editor form comes along
	a.allowBody(g.POST("/posts/:id/merge", a.postMerge, requireUser), postBody)            // Edit a merge of a conflict
	a.allowBody(g.POST("/posts/:id/preview", a.postPreview, requireUser), postBody)
	g.POST("/posts/:id/publish", a.postPublish, requireUser)
	g.POST("/posts/:id/submit", a.postSubmit, requireUser)
	g.POST("/posts/:id/unpublish", a.postUnpublish, requireUser)
	a.allowBody(g.POST("/posts/:id/schedule", a.postSchedule, requireUser), postBody) // the whole editor form comes along
	a.allowBody(g.POST("/posts/:id/unschedule", a.postUnschedule, requireUser), postBody)
	g.GET("/posts/:id/delete", a.getDelete, requireUser)
	g.POST("/posts/:id/delete", a.postDelete, requireUser)
	g.POST("/posts/:id/restore", a.postRestore, requireUser)
	g.GET("/posts/:id/revisions", a.getRevisions, requireUser)
	g.GET("/posts/:id/revisions/:rev", a.getRevision, requireUser)
	g.POST("/posts/:id/revisions/:rev/restore", a.postRestoreRevision, requireUser)
	g.POST(commentRoute, a.postComment) // readers, signed in or not (comments.go)
	g.GET("/posts/:id/comments/token", a.getCommentToken)
	g.GET(unsubscribeRoute, a.getUnsubscribe)
	g.GET("/posts/:id/comments/:cid/reply", a.getCommentReply)                     // comments_replies.go
	g.POST("/posts/:id/comments/:cid/:action", a.postModerateComment, requireUser) // comments_moderate.go
	g.GET("/drafts", a.getMyPosts, requireUser)
	g.GET("/media", a.getMediaLibrary, requireUser)
	g.GET("/media/picker", a.getMediaPicker, requireUser)
	a.allowBody(g.POST("/media", a.postMedia, requireUser), uploadBody)

	g.GET(setupRoute, a.getSetup) // the first run: until an administrator exists, the only page (setup.go)
	g.POST(setupRoute, a.postSetup)
	g.GET("/register", a.getRegister)
	g.POST("/register", a.postRegister)
	g.GET("/login", a.getLogin)
	g.POST("/login", a.postLogin)
	g.POST("/logout", a.postLogout)
	g.GET("/password/reset", a.getPasswordReset)
	g.POST("/password/reset", a.postPasswordReset)
	g.GET("/verify/:token", a.getVerify)
	g.POST("/verify/resend", a.postVerifyResend, requireUser)
	g.GET("/invitations/:token", a.getInvitation)
	g.POST("/invitations/:token", a.postInvitation)
	g.GET("/password/reset/:token", a.getPasswordResetToken)
	g.POST("/password/reset/:token", a.postPasswordResetToken)

	// Admins and editors. Every table is served by the same few routes
	// (admin_table.go), each table asking for its own permission;
	// requireRole sends anonymous visitors to sign in and refuses others.
	ad := g.Group("/admin", requireRole(models.PermEditAny))
	ad.GET("", a.getAdminDashboard, requireRole(models.PermAdmin))
	ad.GET("/invitations/new", a.getInvite, requireRole(models.PermInvite))
	ad.POST("/invitations", a.postInvite, requireRole(models.PermInvite))
	ad.GET("/redirects/new", a.getNewRedirect, requireRole(models.PermAdmin))
	ad.POST("/redirects", a.postRedirect, requireRole(models.PermAdmin))
	ad.GET("/settings", a.getAdminSettings, requireRole(models.PermAdmin))
	a.allowBody(ad.POST("/settings", a.postAdminSettings, requireRole(models.PermAdmin)), settingsBody)
	ad.GET("/import", a.getAdminImport, requireRole(models.PermAdmin))
	a.allowBody(ad.POST("/import", a.postAdminImport, requireRole(models.PermAdmin)), importBody)
	ad.GET("/import/:id", a.getAdminImportJob, requireRole(models.PermAdmin))
	ad.GET("/:table", a.getAdminList)
	ad.POST("/:table/bulk", a.postAdminBulk)
	ad.GET("/:table/:id/edit/:field", a.getAdminEdit)
	ad.POST("/:table/:id/edit/:field", a.postAdminEdit)
	ad.GET("/:table/:id/cell/:field", a.getAdminCell)
	ad.GET("/:table/:id/:action", a.getAdminRowAction)
	ad.POST("/:table/:id/:action", a.postAdminRowAction)

	g.GET("/settings/profile", a.getSettingsProfile, requireUser)
	a.allowBody(g.POST("/settings/profile", a.postSettingsProfile, requireUser), avatarBody)
	g.GET("/settings/password", a.getSettingsPassword, requireUser)
	g.POST("/settings/password", a.postSettingsPassword, requireUser)
}
