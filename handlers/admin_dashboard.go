package handlers

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/admin"
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
	n := admin.Thousands
	v := admin.DashboardView{Tabs: a.adminTabs(c, ""), Counts: []admin.CountGroup{
		{Title: "Users", Href: "/admin/users", Counts: []admin.Count{
			{Label: "Active", N: n(d.Users.Active), Href: "/admin/users?state=active"},
			{Label: "Suspended", N: n(d.Users.Suspended), Href: "/admin/users?state=suspended"},
			{Label: "Admins", N: n(d.Users.Admins), Href: "/admin/users?role=admin&state=active"},
		}},
		{Title: "Posts", Href: "/admin/posts", Counts: []admin.Count{
			{Label: "Published", N: n(d.Posts.Published), Href: "/admin/posts?status=published"},
			{Label: "Drafts", N: n(d.Posts.Draft), Href: "/admin/posts?status=draft"},
			{Label: "Hidden", N: n(d.Posts.Hidden), Href: "/admin/posts?status=hidden"},
			{Label: "In trash", N: n(d.Posts.Trashed)},
		}},
		{Title: "Media", Href: "/admin/media", Counts: []admin.Count{
			{Label: "Images", N: n(d.Media.Count), Href: "/admin/media"},
			{Label: "Stored", N: adminBytes(d.Media.Bytes)},
		}},
	}}
	for _, r := range d.Recent {
		v.Recent = append(v.Recent, admin.AuditItem{
			When: r.At.UTC().Format("2 Jan 15:04"), Actor: r.ActorName, Action: r.Action, Note: r.Note,
			Object: fmt.Sprintf("%s #%d", r.Model, r.ObjectID),
			Href:   fmt.Sprintf("/admin/audit?model=%s&object=%d", url.QueryEscape(r.Model), r.ObjectID),
		})
	}
	for _, u := range d.NewUsers {
		badge := u.State
		if u.Role == models.RoleAdmin {
			badge = u.Role
		}
		v.NewUsers = append(v.NewUsers, admin.Item{Label: u.Username, Href: "/admin/users?q=" + url.QueryEscape(u.Username),
			Detail: "joined " + u.Joined.UTC().Format("2 Jan 2006"), Badge: badge})
	}
	for _, p := range d.NewPosts {
		by := p.Author
		if by == "" {
			by = "a deleted user"
		}
		v.NewPosts = append(v.NewPosts, admin.Item{Label: p.Title, Href: "/posts/" + p.Slug, Badge: p.Status,
			Detail: "by " + by + ", " + p.Created.UTC().Format("2 Jan 2006")})
	}
	return render(c, http.StatusOK, admin.Dashboard(a.adminPage(c, "Dashboard"), v), nil)
}
