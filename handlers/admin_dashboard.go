package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/admin"
	"quire/views/format"
	"quire/views/urls"
)

// dashboardLen is how many recent actions, users and posts /admin lists.
const dashboardLen = 8

// getAdminDashboard is /admin: counts by state, each linking to the table
// filtered to it; the latest actions; the newest users and posts.
func (a *App) getAdminDashboard(c echo.Context) error {
	d, err := a.Admin.Dashboard(c.Request().Context(), dashboardLen)
	if err != nil {
		return err
	}
	n, f := format.Number, a.formatter(c)
	users, posts, media := models.UsersTable.Name, models.PostsTable.Name, models.MediaTable.Name
	v := admin.DashboardView{Tabs: a.adminTabs(c, ""), Counts: []admin.CountGroup{
		{Title: "Users", Href: urls.AdminTable(users, ""), Counts: []admin.Count{
			{Label: "Active", N: n(d.Users.Active), Href: urls.AdminFiltered(users, "state", "active")},
			{Label: "Suspended", N: n(d.Users.Suspended), Href: urls.AdminFiltered(users, "state", "suspended")},
			{Label: "Admins", N: n(d.Users.Admins), Href: urls.AdminFiltered(users, "role", "admin", "state", "active")},
		}},
		{Title: "Posts", Href: urls.AdminTable(posts, ""), Counts: []admin.Count{
			{Label: "Published", N: n(d.Posts.Published), Href: urls.AdminFiltered(posts, "status", "published")},
			{Label: "Drafts", N: n(d.Posts.Draft), Href: urls.AdminFiltered(posts, "status", "draft")},
			{Label: "Hidden", N: n(d.Posts.Hidden), Href: urls.AdminFiltered(posts, "status", "hidden")},
			{Label: "In trash", N: n(d.Posts.Trashed)},
		}},
		{Title: "Media", Href: urls.AdminTable(media, ""), Counts: []admin.Count{
			{Label: "Images", N: n(d.Media.Count), Href: urls.AdminTable(media, "")},
			{Label: "Stored", N: format.Bytes(d.Media.Bytes)},
		}},
	}}
	for _, r := range d.Recent {
		v.Recent = append(v.Recent, admin.AuditItem{
			When: f.DayTime(r.At), Actor: r.ActorName, Action: r.Action, Note: r.Note,
			Object: r.Object,
			Href:   urls.AdminHistory(r.Model, r.ObjectID),
		})
	}
	for _, u := range d.NewUsers {
		badge := u.State
		if u.Role == models.RoleAdmin {
			badge = u.Role
		}
		v.NewUsers = append(v.NewUsers, admin.Item{Label: u.Username, Href: urls.AdminFiltered(users, "q", u.Username),
			Detail: "joined " + f.ShortDate(u.Joined), Badge: badge})
	}
	for _, p := range d.NewPosts {
		by := p.Author
		if by == "" {
			by = "a deleted user"
		}
		v.NewPosts = append(v.NewPosts, admin.Item{Label: p.Title, Href: urls.Post(p.Slug), Badge: p.Status,
			Detail: "by " + by + ", " + f.ShortDate(p.Created)})
	}
	return render(c, http.StatusOK, admin.Dashboard(a.adminPage(c, "Dashboard"), v), nil)
}
