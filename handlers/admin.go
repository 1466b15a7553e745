package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/admin"
	"quire/views/layout"
	"quire/views/urls"
)

// requireAdmin guards /admin: anonymous visitors are sent to sign in,
// signed-in accounts that are not active admins get 403. Nothing under
// /admin is ever stored by a cache, refusals included.
func (a *App) requireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	admins := func(c echo.Context) error {
		if u, _ := currentUser(c); !u.IsAdmin() {
			return errForbidden
		}
		return next(c)
	}
	return func(c echo.Context) error {
		private(c)
		return requireUser(admins)(c)
	}
}

// adminActor is the signed-in admin as the audit log records them.
func adminActor(c echo.Context) models.Actor {
	u, _ := currentUser(c)
	return models.Actor{ID: u.ID, Name: u.Username}
}

// adminPage is the frame of an admin page: private (no-store, no htmx
// history snapshot) and with the admin script.
func (a *App) adminPage(c echo.Context, title string) layout.Page {
	p := a.privatePage(c, title+" · Admin")
	p.Scripts = []string{"js/admin.js"}
	return p
}

// adminTabs is the admin navigation, current marking the page shown.
func (a *App) adminTabs(current string) []admin.Tab {
	tabs := []admin.Tab{{Label: "Dashboard", Href: urls.Admin(), Current: current == ""}}
	for _, t := range a.tables {
		tabs = append(tabs, admin.Tab{Label: t.Title, Href: urls.AdminTable(t.Name, ""), Current: current == t.Name})
	}
	return append(tabs, admin.Tab{Label: "Settings", Href: urls.AdminSettings(), Current: current == "settings"})
}
