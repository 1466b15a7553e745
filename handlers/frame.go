package handlers

import (
	"net/url"

	"github.com/labstack/echo/v4"

	"quire/assets"
	"quire/models"
	"quire/views/layout"
	"quire/views/urls"
)

// page builds the frame's view model for this request, with a CSRF token
// for its forms.
func (a *App) page(c echo.Context, title string) layout.Page {
	p := a.frame(c, title)
	p.CSRF = csrfToken(c)
	return p
}

// readerFrame is the frame of what readers read: signed out, it carries no
// CSRF token (they have no form to send), so it sets no cookie and is the
// same for every signed-out reader (see serveReader). The page's title and
// description are the reader page's to set.
func (a *App) readerFrame(c echo.Context) layout.Page {
	p := a.frame(c, "")
	if p.Viewer != nil {
		p.CSRF = csrfToken(c)
	}
	return p
}

// frame is the view model every page shares, without a token.
func (a *App) frame(c echo.Context, title string) layout.Page {
	p := layout.Page{Title: title, Site: a.siteFrame(a.site(c)), SignUp: a.signUpOpen(c) == nil}
	// Compared unescaped, as the shared copy's key is: a copy is marked
	// the same however its address was spelt.
	for i, l := range p.Site.Nav {
		href, err := url.PathUnescape(l.Href)
		p.Site.Nav[i].Current = err == nil && href == c.Request().URL.Path
	}
	if u, ok := currentUser(c); ok {
		p.Viewer = &layout.Viewer{Username: u.Username, Name: u.Name(), AvatarURL: avatarURL(u), AdminHref: adminHref(u)}
		// Boosted links open editors without loading a page: their script comes with every signed-in page.
		p.Scripts = []string{"js/media.js"}
	}
	// Exists first: popping from an empty session would create a session row.
	if c.Get(ctxSession) != nil && a.Sessions.Exists(c.Request().Context(), sessFlash) {
		p.Flash = a.Sessions.PopString(c.Request().Context(), sessFlash)
	}
	return p
}

// privatePage is a page for one account's eyes: never cached anywhere.
func (a *App) privatePage(c echo.Context, title string) layout.Page {
	private(c)
	p := a.page(c, title)
	p.Private = true
	return p
}

// adminHref is where the header's Admin link takes u: admins to the
// dashboard, editors to the posts table, others nowhere.
func adminHref(u models.User) string {
	switch {
	case u.Can(models.PermAdmin):
		return urls.Admin()
	case u.Can(models.PermEditAny):
		return urls.AdminTable(models.PostsTable.Name, "")
	}
	return ""
}

func avatarURL(u models.User) string {
	if u.Avatar != "" {
		return urls.Media(u.Avatar)
	}
	return assets.Path("img/avatar.svg")
}
