package handlers

import (
	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/admin"
	"quire/views/layout"
	"quire/views/urls"
)

// requireRole guards /admin: anonymous visitors are sent to sign in,
// signed-in accounts whose role lacks perm get 403. Nothing under /admin is
// ever stored by a cache, refusals included. The group asks for what
// editors have; each table, and the dashboard, asks for its own on top.
func requireRole(perm models.Permission) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		allowed := func(c echo.Context) error {
			if u, _ := currentUser(c); !u.Can(perm) {
				return errForbidden
			}
			return next(c)
		}
		return func(c echo.Context) error {
			private(c)
			return requireUser(allowed)(c)
		}
	}
}

// adminActor is the signed-in account as the audit log records them and
// the models' role checks see them.
func adminActor(c echo.Context) models.Actor {
	u, _ := currentUser(c)
	return models.ActorOf(u)
}

// adminPage is the frame of an admin page: private (no-store, no htmx
// history snapshot) and with the admin script.
func (a *App) adminPage(c echo.Context, title string) layout.Page {
	p := a.privatePage(c, title+" · Admin")
	p.Scripts = append(p.Scripts, "js/admin.js")
	return p
}

// adminTabs is the admin navigation the viewer may use, current marking
// the page shown.
func (a *App) adminTabs(c echo.Context, current string) []admin.Tab {
	u, _ := currentUser(c)
	var tabs []admin.Tab
	if u.Can(models.PermAdmin) {
		tabs = append(tabs, admin.Tab{Label: "Dashboard", Href: urls.Admin(), Current: current == ""})
	}
	for _, t := range a.tables {
		if u.Can(t.permission()) {
			tabs = append(tabs, admin.Tab{Label: t.Title, Href: urls.AdminTable(t.Name, ""), Current: current == t.Name})
		}
	}
	if u.Can(models.PermAdmin) {
		tabs = append(tabs, admin.Tab{Label: "Settings", Href: urls.AdminSettings(), Current: current == "settings"},
			admin.Tab{Label: "Import", Href: urls.AdminImport(), Current: current == "import"})
	}
	return tabs
}
