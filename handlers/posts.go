package handlers

import (
	"cmp"
	"context"
	"errors"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/markdown"
	"quire/views/layout"
	"quire/views/pages"
	"quire/views/urls"
)

var errForbidden = echo.NewHTTPError(http.StatusForbidden)

// canEdit: a role that edits anyone's posts, or the author (for a page,
// whoever manages pages); a contributor
// only while the post is not public (changing a public post publishes).
func canEdit(c echo.Context, p models.Post) bool {
	u, ok := currentUser(c)
	if !ok {
		return false
	}
	if p.IsPage() {
		return canManagePages(u)
	}
	own := p.AuthorID.Valid && p.AuthorID.Int64 == u.ID
	return u.Can(models.PermEditAny) ||
		own && u.Can(models.PermWrite) && (p.Status != models.PostPublished || u.Can(models.PermPublish))
}

// canPublish: the viewer's role publishes p (their own, or anyone's).
func canPublish(c echo.Context, p models.Post) bool {
	u, _ := currentUser(c)
	return u.Can(models.PermEditAny) || p.AuthorID.Valid && p.AuthorID.Int64 == u.ID && u.Can(models.PermPublish)
}

// editablePost loads the post named by :id for a change. Others get 404
// for posts they cannot see, 403 for posts they can see but not change.
func (a *App) editablePost(c echo.Context) (models.Post, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return models.Post{}, models.ErrNotFound
	}
	p, err := a.Posts.Get(c.Request().Context(), id)
	if err != nil {
		return models.Post{}, err
	}
	if !canEdit(c, p) {
		if !p.IsPublic() {
			return models.Post{}, models.ErrNotFound
		}
		return models.Post{}, errForbidden
	}
	return p, nil
}

// postPageView is p as its page shows it; srcset is its cover's (a.srcset).
func (a *App) postPageView(c echo.Context, p models.Post, srcset string) pages.PostView {
	f := a.formatter(c)
	v := pages.PostView{
		ID: p.ID, Slug: p.Slug, Title: p.Title, BodyHTML: shownHTML(p), Tags: p.Tags,
		AuthorUsername: p.AuthorUsername, AuthorName: p.AuthorName, Status: p.Status, HiddenReason: p.HiddenReason,
		Updated: f.Date(p.UpdatedAt), Version: p.Version, CanEdit: canEdit(c, p), CoverAlt: p.CoverAlt,
		AuthorSuspended: p.AuthorSuspended, Page: p.IsPage(), CoverCaption: p.CoverCaption,
		ReviewNote: p.ReviewNote, CanPublish: canPublish(c, p),
	}
	if v.CanEdit {
		v.CSRF = csrfToken(c) // for the author's controls; a reader's copy holds no token
	}
	if p.PublishedAt != nil {
		v.Published, v.PublishedISO = f.Date(*p.PublishedAt), f.Machine(*p.PublishedAt)
	}
	if p.CoverKey != "" {
		v.CoverURL = urls.Media(p.CoverKey)
		v.CoverSrcset = srcset
	}
	return v
}

// shownHTML is the post's HTML, unless it is larger than any save makes
// now (a post saved before the output budget): then its summary and a
// note, so such a post costs its page no more than any other.
func shownHTML(p models.Post) string {
	if len(p.BodyHTML) <= markdown.MaxHTMLBytes {
		return p.BodyHTML
	}
	return "<p>" + html.EscapeString(p.Summary) + "</p>\n<p><em>" + tooLargeToShow + "</em></p>"
}

// tooLargeToShow is what readers see instead of a post saved before the
// output budget whose HTML is over it; its author gets bodyTooLarge on
// the next save.
const tooLargeToShow = "This post is too large to show in full. Its author has to shorten it before it can be read here."

// srcset lists an image's smaller copies and the original by width, so
// browsers fetch no more pixels than they show. "" when nothing is known.
func (a *App) srcset(ctx context.Context, key string) string {
	if key == "" {
		return ""
	}
	md, err := a.MediaRows.GetByKey(ctx, key)
	if err != nil {
		return ""
	}
	return md.Srcset(urls.Media)
}

// getPost shows a post. A page's address under /posts/ redirects to its
// own (and never the other way).
func (a *App) getPost(c echo.Context) error {
	head, moved, err := a.postHead(c)
	if err != nil {
		return err
	}
	return a.servePost(c, head, moved || head.IsPage())
}

// postHead resolves the post the path's slug names (moved: by an old one)
// and reads the site settings at the version read with it.
func (a *App) postHead(c echo.Context) (head models.Post, moved bool, err error) {
	head, moved, err = a.Posts.ResolveHead(c.Request().Context(), c.Param("slug"))
	if err == nil {
		err = a.seeSite(c, head.SiteVersion)
	}
	return head, moved, err
}

// postLastMod is when what a post's page and comments feed show last
// changed: its text or its approved comments (by date alone, as feed
// readers revalidate, a new comment shows too).
func postLastMod(head models.Post) time.Time {
	if head.CommentsAt.After(head.UpdatedAt) {
		return head.CommentsAt
	}
	return head.UpdatedAt
}

// servePost shows the post or page head names. Drafts and hidden posts
// exist only for those who may edit them; elsewhere (an old slug, a page
// asked for under /posts/) redirects permanently to its address.
func (a *App) servePost(c echo.Context, head models.Post, elsewhere bool) error {
	ctx := c.Request().Context()
	if !head.IsPublic() && !canEdit(c, head) {
		return models.ErrNotFound
	}
	if elsewhere {
		return c.Redirect(http.StatusMovedPermanently, postPath(head))
	}
	if !head.IsPublic() || canEdit(c, head) || canModerateComments(c, head) {
		private(c) // the author's or an admin's view (held comments too): always fresh
		p, err := a.Posts.Get(ctx, head.ID)
		if err != nil {
			return err
		}
		pg := a.withCommentFeeds(a.site(c), a.postFrame(a.page(c, p.Title), p), p)
		v := a.postPageView(c, p, a.srcset(ctx, p.CoverKey))
		if v.Comments, err = a.commentsView(ctx, c, p, pages.CommentForm{}); err != nil {
			return err
		}
		return render(c, http.StatusOK, pages.PostPage(pg, v), pages.PostArticle(v))
	}
	return a.serveReader(c, readerPage{
		lastMod: postLastMod(head),
		etag: []string{head.Kind, head.Slug, head.AuthorName, strconv.FormatInt(head.CommentsStamp, 10),
			c.QueryParam("page")}, // a page of comments
		build: func(ctx context.Context, pg layout.Page) (templ.Component, templ.Component, error) {
			rp, err := a.publicPost(ctx, head)
			if err != nil {
				return nil, nil, err
			}
			if !rp.post.IsPublic() { // unpublished since the head was read
				return nil, nil, models.ErrNotFound
			}
			v := a.postPageView(c, rp.post, rp.srcset)
			if v.Comments, err = a.commentsView(ctx, c, rp.post, pages.CommentForm{}); err != nil {
				return nil, nil, err
			}
			return pages.PostPage(a.withCommentFeeds(a.site(c), a.postFrame(pg, rp.post), rp.post), v), pages.PostArticle(v), nil
		},
	})
}

// postFrame describes post p in the page frame, for readers, search engines
// and social cards.
func (a *App) postFrame(pg layout.Page, p models.Post) layout.Page {
	pg.Title = p.Title
	pg.Description = cmp.Or(p.MetaDescription, p.Summary)
	pg.Canonical = cmp.Or(p.CanonicalURL, a.absURL(postPath(p)))
	pg.NoIndex = p.NoIndex
	pg.Social = a.postSocial(p)
	pg.Feeds = a.feeds(pg.Site.Title, urls.SiteFeed)
	pg.StructuredData = a.postJSONLD(p, pg)
	return pg
}

// readerPost is a public post as readers see it, with its cover's srcset.
type readerPost struct {
	post   models.Post
	srcset string
}

// publicPost reads a public post whose head was just resolved, from memory
// while its stamp (updated_at and the author's name, as in its ETag) holds.
func (a *App) publicPost(ctx context.Context, head models.Post) (readerPost, error) {
	key := strconv.FormatInt(head.ID, 10)
	stamp := strconv.FormatInt(head.UpdatedAt.UnixNano(), 10) + "/" + head.AuthorUsername + "/" + head.AuthorName
	if rp, ok := a.posts.Get(key, stamp); ok {
		return rp, nil
	}
	p, err := a.Posts.Get(ctx, head.ID)
	if err != nil {
		return readerPost{}, err
	}
	p.Body = "" // readers see the HTML; the Markdown would only take memory
	p.BodyHTML = shownHTML(p)
	rp := readerPost{post: p, srcset: a.srcset(ctx, p.CoverKey)}
	if p.IsPublic() && p.UpdatedAt.Equal(head.UpdatedAt) && p.AuthorUsername == head.AuthorUsername && p.AuthorName == head.AuthorName {
		a.posts.Put(key, stamp, rp)
	}
	return rp, nil
}

// getPostView is the rendered post, for Cancel in the inline editor.
func (a *App) getPostView(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	private(c)
	v := a.postPageView(c, p, a.srcset(c.Request().Context(), p.CoverKey))
	return render(c, http.StatusOK, pages.PostPage(a.page(c, p.Title), v), pages.PostArticle(v))
}

func editorFor(p models.Post, inline bool) pages.EditorView {
	v := pages.EditorView{
		ID: p.ID, Slug: p.Slug, Status: p.Status, Title: p.Title, Body: p.Body, Tags: strings.Join(p.Tags, ", "),
		Excerpt: p.Excerpt, CoverKey: p.CoverKey, CoverAlt: p.CoverAlt, Version: p.Version, Inline: inline,
		Page: p.IsPage(), SEO: seoView(p.SEO), CoverCaption: p.CoverCaption, AllowComments: !p.CommentsClosed,
	}
	if p.Status == models.PostPublished {
		v.SlugEdit = p.Slug
	}
	return v
}

// renderEditor shows the editor inline (htmx) or as a full page.
func (a *App) renderEditor(c echo.Context, status int, v pages.EditorView) error {
	private(c)
	v.CSRF = csrfToken(c)
	v.Inline = wantsFragment(c.Request())
	title := "Edit: " + v.Title
	switch {
	case v.ID == 0 && v.Page:
		title = "New page"
	case v.ID == 0:
		title = "New post"
	}
	v.Schedule = a.scheduleFields(c, v) // posts_schedule.go
	if v.ID == 0 && v.DraftKey == "" {
		v.DraftKey = models.NewDraftKey() // names this editor's draft to its saves (models.InsertDraft)
	}
	p := a.page(c, title)
	p.Private = true
	return render(c, status, pages.EditorPage(p, v), pages.PostEditor(v))
}

// getEditor is the inline editor (click-to-edit) and /posts/{slug}/edit.
// The viewer's pending changes come back in the form, over the version they
// started from.
func (a *App) getEditor(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	v := editorFor(p, true)
	pd, err := a.Posts.GetPending(c.Request().Context(), p.ID, u.ID)
	switch {
	case err == nil:
		v = withPending(v, pd, a.formatter(c).Clock(pd.UpdatedAt))
	case !errors.Is(err, models.ErrNotFound):
		return err
	}
	return a.renderEditor(c, http.StatusOK, v)
}

// withPending is the editor v showing pending changes kept at savedAt.
func withPending(v pages.EditorView, pd models.Pending, savedAt string) pages.EditorView {
	v.Title, v.Body, v.Tags, v.Excerpt = pd.Title, pd.Body, strings.Join(pd.Tags, ", "), pd.Excerpt
	v.CoverKey, v.CoverAlt, v.Version, v.PendingAt = pd.CoverKey, pd.CoverAlt, pd.BaseVersion, savedAt
	v.CoverCaption = pd.CoverCaption
	if pd.Slug != "" {
		v.SlugEdit = pd.Slug
	}
	return v
}

// postDiscardPending drops the viewer's pending changes and shows the editor
// again with the saved text.
func (a *App) postDiscardPending(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if err := a.Posts.DiscardPending(c.Request().Context(), p.ID, u.ID); err != nil {
		return err
	}
	if wantsFragment(c.Request()) {
		return a.renderEditor(c, http.StatusOK, editorFor(p, true))
	}
	a.flash(c, "Your unsaved changes were discarded.")
	return redirect(c, urls.EditPost(p.Slug))
}

func (a *App) getEditPage(c echo.Context) error {
	p, _, err := a.Posts.Resolve(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	c.SetParamNames("id")
	c.SetParamValues(strconv.FormatInt(p.ID, 10))
	return a.getEditor(c)
}

func (a *App) getNewPost(c echo.Context) error {
	return a.renderEditor(c, http.StatusOK, pages.EditorView{Status: models.PostDraft, AllowComments: true})
}

// editorInput reads the editor's form and keeps everything as typed.
func editorInput(c echo.Context) (models.PostInput, pages.EditorView, map[string]string) {
	form := pages.EditorView{
		Title: c.FormValue("title"), Body: c.FormValue("body"), Tags: c.FormValue("tags"),
		Excerpt: c.FormValue("excerpt"), SlugEdit: strings.TrimSpace(c.FormValue("slug")),
		CoverKey: strings.TrimSpace(c.FormValue("cover_key")), CoverAlt: c.FormValue("cover_alt"),
		Page: c.FormValue("kind") == models.KindPage, DraftKey: c.FormValue("draft_key"),
		SEO: seoForm(c), CoverCaption: c.FormValue("cover_caption"),
	}
	form.Version = versionField(c)
	in := models.PostInput{CommentsClosed: commentsSwitch(c, &form),
		Title: form.Title, Body: form.Body, Excerpt: form.Excerpt, CoverKey: form.CoverKey,
		CoverAlt: form.CoverAlt, CoverCaption: form.CoverCaption, Slug: form.SlugEdit, Kind: c.FormValue("kind"), DraftKey: form.DraftKey,
		SEO: seoInput(form.SEO),
	}
	tags, tagErr := models.ParseTags(form.Tags)
	in.Tags = tags
	errs := in.Validate()
	if tagErr != "" && errs["tags"] == "" {
		if errs == nil {
			errs = map[string]string{}
		}
		errs["tags"] = tagErr
	}
	form.Message = errs["kind"] // a hidden field: said above the form
	return in, form, errs
}

// postCreate makes a draft post or page and opens it in the editor. When
// the form's autosave already made the draft, it saves over that one.
func (a *App) postCreate(c echo.Context) error {
	u, _ := currentUser(c)
	in, form, errs := editorInput(c)
	if form.Page && !canManagePages(u) {
		return errForbidden
	}
	form.Status = models.PostDraft
	if len(errs) > 0 {
		form.Errors = errs
		return a.renderEditor(c, http.StatusUnprocessableEntity, form)
	}
	p, created, err := a.Posts.InsertDraft(c.Request().Context(), u.ID, in)
	if err == nil && !created {
		if !canEdit(c, p) {
			return errForbidden
		}
		form.ID, form.Slug, form.Status, form.Page = p.ID, p.Slug, p.Status, p.IsPage()
		p, err = a.Posts.Update(c.Request().Context(), p.ID, versionOr(form.Version, p.Version), in, u.ID)
		if errors.Is(err, models.ErrConflict) {
			return a.renderConflict(c, form)
		}
	}
	if errors.Is(err, markdown.ErrTooLarge) {
		form.Errors = map[string]string{"body": bodyTooLarge}
		return a.renderEditor(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	a.flash(c, "Draft saved.")
	return redirect(c, urls.EditPost(p.Slug))
}

// postSave saves an edit over the version it started from. A newer version
// is a 409 that shows the other change and keeps this one in the form.
func (a *App) postSave(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	in, form, errs := editorInput(c)
	form.ID, form.Slug, form.Status, form.Page = p.ID, p.Slug, p.Status, p.IsPage()
	if len(errs) > 0 {
		form.Errors = errs
		return a.renderEditor(c, http.StatusUnprocessableEntity, form)
	}
	saved, err := a.Posts.Update(c.Request().Context(), p.ID, form.Version, in, u.ID)
	if errors.Is(err, models.ErrConflict) {
		return a.renderConflict(c, form)
	}
	if errors.Is(err, markdown.ErrTooLarge) {
		form.Errors = map[string]string{"body": bodyTooLarge}
		return a.renderEditor(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	if wantsFragment(c.Request()) {
		private(c)
		setPushURL(c, postPath(saved))
		v := a.postPageView(c, saved, a.srcset(c.Request().Context(), saved.CoverKey))
		return render(c, http.StatusOK, pages.PostPage(a.page(c, saved.Title), v), pages.PostArticle(v))
	}
	a.flash(c, "Saved.")
	return redirect(c, postPath(saved))
}

// postAutosave saves a draft while its author types; it answers with the
// time saved and the new version, or 409 when another save came first. Any
// other post keeps the text as pending changes: readers see nothing until
// Update.
func (a *App) postAutosave(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	private(c)
	u, _ := currentUser(c)
	in, form, errs := editorInput(c)
	if len(errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, pages.SaveStatus("not saved: "+firstError(errs)), nil)
	}
	return a.autosaveInto(c, p, form.Version, in, u.ID)
}

// postAutosaveNew is the new-post editor's autosave: the first that has a
// title or body creates the draft, and the editor's key (in.DraftKey) takes
// every later one, and its Save, to that draft. The address bar moves to
// the draft's editor, so a reload or a return finds it.
func (a *App) postAutosaveNew(c echo.Context) error {
	u, _ := currentUser(c)
	in, form, errs := editorInput(c)
	if form.Page && !canManagePages(u) {
		return errForbidden
	}
	private(c)
	switch {
	case strings.TrimSpace(in.Title) == "" && strings.TrimSpace(in.Body) == "":
		return render(c, http.StatusOK, pages.SaveStatus(""), nil) // nothing typed: no post yet
	case !models.ValidDraftKey(in.DraftKey):
		return echo.NewHTTPError(http.StatusBadRequest, "This form is out of date. Copy your text, reload the page and paste it back.")
	case len(errs) > 0:
		return render(c, http.StatusUnprocessableEntity, pages.SaveStatus("not saved: "+firstError(errs)), nil)
	}
	p, created, err := a.Posts.InsertDraft(c.Request().Context(), u.ID, in)
	if errors.Is(err, markdown.ErrTooLarge) {
		msg := "not saved: " + firstError(map[string]string{"body": bodyTooLarge})
		return render(c, http.StatusUnprocessableEntity, pages.SaveStatus(msg), nil)
	}
	if err != nil {
		return err
	}
	setPushURL(c, urls.PostEditor(p.ID))
	if created {
		return render(c, http.StatusOK, pages.Autosaved(a.formatter(c).Clock(p.UpdatedAt), p.Version), nil)
	}
	if !canEdit(c, p) {
		return errForbidden
	}
	return a.autosaveInto(c, p, versionOr(form.Version, p.Version), in, u.ID)
}

// versionOr is the form's version, or cur for a new-post form (0) whose
// draft a racing save of the same form made.
func versionOr(form, cur int) int {
	if form == 0 {
		return cur
	}
	return form
}

// autosaveInto autosaves in over p from version: a draft in place, any
// other post as pending changes.
func (a *App) autosaveInto(c echo.Context, p models.Post, version int, in models.PostInput, editorID int64) error {
	if p.Status != models.PostDraft {
		return a.autosavePending(c, p, version, in, editorID)
	}
	saved, err := a.Posts.Update(c.Request().Context(), p.ID, version, in, editorID)
	if errors.Is(err, models.ErrConflict) {
		msg := "not saved: this draft was changed elsewhere. Save to see both versions."
		return render(c, http.StatusConflict, pages.SaveStatus(msg), nil)
	}
	if errors.Is(err, markdown.ErrTooLarge) {
		msg := "not saved: " + firstError(map[string]string{"body": bodyTooLarge})
		return render(c, http.StatusUnprocessableEntity, pages.SaveStatus(msg), nil)
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, pages.Autosaved(a.formatter(c).Clock(saved.UpdatedAt), saved.Version), nil)
}

// autosavePending keeps in as p's pending changes and says so.
func (a *App) autosavePending(c echo.Context, p models.Post, version int, in models.PostInput, editorID int64) error {
	pd, err := a.Posts.SavePending(c.Request().Context(), p.ID, version, in, editorID)
	if errors.Is(err, markdown.ErrTooLarge) {
		msg := "not saved: " + firstError(map[string]string{"body": bodyTooLarge})
		return render(c, http.StatusUnprocessableEntity, pages.SaveStatus(msg), nil)
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, pages.PendingSaved(a.formatter(c).Clock(pd.UpdatedAt)), nil)
}

func firstError(errs map[string]string) string {
	for _, k := range []string{"title", "body", "tags", "excerpt", "slug", "cover_key", "cover_alt", "cover_caption",
		"meta_description", "social_title", "social_image", "canonical_url"} {
		if errs[k] != "" {
			return strings.ToLower(k) + ": " + errs[k]
		}
	}
	return "check the form"
}

// bodyTooLarge is the body's error when its HTML would pass the output
// budget (markdown.ErrTooLarge).
const bodyTooLarge = "This post would make a page too large to show: it has too many headings, links, " +
	"list levels or table cells for its length. Use fewer of them, or split it into several posts."

// postPreview renders the body as it would be published, within the same
// output budget as saving it.
func (a *App) postPreview(c echo.Context) error {
	if _, err := a.editablePost(c); err != nil {
		return err
	}
	private(c)
	body := c.FormValue("body")
	if utf8.RuneCountInString(body) > models.MaxBodyLen {
		return render(c, http.StatusUnprocessableEntity, pages.Preview("<p>The body is too long to preview.</p>"), nil)
	}
	html, err := a.Posts.RenderBody(c.Request().Context(), body)
	if errors.Is(err, markdown.ErrTooLarge) {
		return render(c, http.StatusUnprocessableEntity, pages.Preview("<p>"+bodyTooLarge+"</p>"), nil)
	}
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, pages.Preview(html), nil)
}

func (a *App) postPublish(c echo.Context) error {
	return a.transition(c, a.Posts.Publish, "Published.")
}
func (a *App) postSubmit(c echo.Context) error {
	return a.transition(c, a.Posts.Submit, "Submitted for review: an editor will publish it, or return it to you with a note.")
}
func (a *App) postUnpublish(c echo.Context) error {
	return a.transition(c, a.Posts.Unpublish, "Moved back to drafts.")
}

func (a *App) transition(c echo.Context, fn func(ctx context.Context, who models.Actor, id int64, version int) (models.Post, error), done string) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	version := versionField(c)
	p, err = fn(c.Request().Context(), adminActor(c), p.ID, version)
	if errors.Is(err, models.ErrUnverified) {
		return a.unverified(c)
	}
	if errors.Is(err, models.ErrConflict) {
		return echo.NewHTTPError(http.StatusConflict, "This post changed in the meantime, or cannot be published now. Reload it and try again.")
	}
	if err != nil {
		return err
	}
	a.flash(c, done)
	return redirect(c, postPath(p))
}

func (a *App) getDelete(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	pg := a.privatePage(c, "Delete "+p.Title)
	v := pages.ConfirmView{
		Heading: "Delete “" + p.Title + "”?", Action: urls.DeletePost(p.ID),
		Message: "It disappears from the site at once. You can restore it from your posts page for 30 days.",
		Submit:  "Delete", Cancel: postPath(p), Version: p.Version, CSRF: pg.CSRF,
	}
	return render(c, http.StatusOK, pages.Confirm(pg, v), nil)
}

func (a *App) postDelete(c echo.Context) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	if err := a.Posts.SoftDelete(c.Request().Context(), adminActor(c), p.ID); err != nil {
		return err
	}
	a.flash(c, "“"+p.Title+"” was deleted. You can restore it below for 30 days.")
	return redirect(c, urls.Drafts())
}

// postRestore brings back a deleted post of the viewer's.
func (a *App) postRestore(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	p, err := a.Posts.GetAny(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !canEdit(c, p) {
		return models.ErrNotFound
	}
	if _, err := a.Posts.Restore(c.Request().Context(), id); err != nil {
		return err
	}
	a.flash(c, "“"+p.Title+"” was restored.")
	return redirect(c, urls.Drafts())
}
