package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/format"
	"quire/views/pages"
	"quire/views/textdiff"
	"quire/views/urls"
)

// getMyPosts is /drafts: the viewer's posts of every status, and the
// deleted ones that can still be restored.
func (a *App) getMyPosts(c echo.Context) error {
	u, _ := currentUser(c)
	pg, err := pageParam(c)
	if err != nil {
		return err
	}
	pg.Size = 25
	l, err := a.Posts.ListOwn(c.Request().Context(), u.ID, pg)
	if err != nil {
		return err
	}
	trash, err := a.Posts.ListTrash(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	p := a.privatePage(c, "Your posts")
	v := pages.MyPostsView{Pager: pager(urls.Drafts(), l), CSRF: p.CSRF, CanCreatePages: canManagePages(u)}
	for _, post := range l.Posts {
		it := pages.MyPostItem{ID: post.ID, Slug: post.Slug, Title: post.Title, Status: post.Status,
			Updated: a.formatter(c).DateTime(post.UpdatedAt), Page: post.IsPage()}
		if post.ScheduledAt != nil {
			it.Scheduled = a.formatter(c).DateTime(*post.ScheduledAt)
		}
		v.Items = append(v.Items, it)
	}
	for _, post := range trash {
		left := models.TrashDays - int(time.Since(*post.DeletedAt).Hours()/24)
		v.Trash = append(v.Trash, pages.MyPostItem{ID: post.ID, Title: post.Title,
			DeletedDays: "restorable for " + format.Count(left, "more day")})
	}
	return render(c, http.StatusOK, pages.MyPosts(p, v), nil)
}

func (a *App) getRevisions(c echo.Context) error {
	post, err := a.editablePost(c)
	if err != nil {
		return err
	}
	revs, err := a.Posts.Revisions(c.Request().Context(), post.ID)
	if err != nil {
		return err
	}
	v := pages.RevisionsView{PostID: post.ID, Slug: post.Slug, Title: post.Title}
	for _, r := range revs {
		v.Revisions = append(v.Revisions, pages.RevisionItem{ID: r.ID, Version: r.Version, Title: r.Title,
			Editor: r.EditorName, Created: a.formatter(c).DateTime(r.CreatedAt)})
	}
	return render(c, http.StatusOK, pages.Revisions(a.privatePage(c, "Revisions"), v), nil)
}

// editableRevision is the post of /posts/{id}/revisions/{rev}, which the
// viewer may edit, and the revision's id.
func (a *App) editableRevision(c echo.Context) (models.Post, int64, error) {
	post, err := a.editablePost(c)
	if err != nil {
		return models.Post{}, 0, err
	}
	revID, err := strconv.ParseInt(c.Param("rev"), 10, 64)
	if err != nil {
		return models.Post{}, 0, models.ErrNotFound
	}
	return post, revID, nil
}

// getRevision shows what changed from a revision to the current text.
func (a *App) getRevision(c echo.Context) error {
	post, revID, err := a.editableRevision(c)
	if err != nil {
		return err
	}
	r, err := a.Posts.Revision(c.Request().Context(), post.ID, revID)
	if err != nil {
		return err
	}
	p := a.privatePage(c, "Revision")
	f := a.formatter(c)
	v := pages.RevisionView{
		PostID: post.ID, Slug: post.Slug, RevisionID: r.ID, Version: r.Version, Until: f.DateTime(r.CreatedAt),
		CurVersion: post.Version, CurSaved: f.DateTime(post.UpdatedAt), CSRF: p.CSRF,
		// From the older text to the newer: what the edits since added
		// shows as added.
		Title: textdiff.Compare(r.Title, post.Title), Body: textdiff.Compare(r.Body, post.Body),
		Tags:    textdiff.Compare(strings.Join(r.Tags, ", "), strings.Join(post.Tags, ", ")),
		Excerpt: textdiff.Compare(r.Excerpt, post.Excerpt),
	}
	return render(c, http.StatusOK, pages.Revision(p, v), nil)
}

func (a *App) postRestoreRevision(c echo.Context) error {
	post, revID, err := a.editableRevision(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	version := versionField(c)
	p, err := a.Posts.RestoreRevision(c.Request().Context(), post.ID, revID, version, u.ID)
	if err != nil {
		return err
	}
	a.flash(c, "The earlier version was restored; the text it replaced is kept as a revision.")
	return redirect(c, postPath(p))
}
