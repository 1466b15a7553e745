package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"quire/handlers/pagecache"
	"quire/models"
	"quire/views/layout"
	"quire/views/urls"
)

// ctxSite holds the models.Settings a request renders with.
const ctxSite = "site"

// site returns the settings this request renders with: the ones a stamp
// query showed (seeSite, no further query), else the current ones (one
// small query for their version), else, when the database cannot say, the
// ones this replica holds.
func (a *App) site(c echo.Context) models.Settings {
	if s, ok := c.Get(ctxSite).(models.Settings); ok {
		return s
	}
	s := a.Settings.Kept() // a.Settings is nil only in tests of the handlers alone
	if a.Settings != nil {
		if cur, err := a.Settings.Current(c.Request().Context()); err == nil {
			s = cur
		}
	}
	c.Set(ctxSite, s)
	return s
}

// seeSite takes the settings version a stamp query read with its own row
// (models.Stamp.Site, Post.SiteVersion) and reads the settings again only
// when they moved: the reader pages and feeds learn of a change on every
// replica at their next request, at no extra round trip.
func (a *App) seeSite(c echo.Context, version int64) error {
	s, err := a.Settings.At(c.Request().Context(), version)
	if err != nil {
		return err
	}
	c.Set(ctxSite, s)
	return nil
}

// siteTitle is the site's name for mail, which may be composed outside a
// request: the current title, else the one this replica last read.
func (a *App) siteTitle() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s, err := a.Settings.Current(ctx); err == nil {
		return s.Title
	}
	return a.Settings.Kept().Title
}

// siteFrame is what every page shows of the site's settings.
func (a *App) siteFrame(s models.Settings) layout.Site {
	f := layout.Site{Title: s.Title, Tagline: s.Tagline, Lang: s.Language, FooterHTML: s.FooterHTML}
	for _, l := range s.SocialLinks {
		f.Links = append(f.Links, layout.Link{Label: l.Label, URL: l.URL})
	}
	for _, it := range s.Nav {
		f.Nav = append(f.Nav, layout.NavLink{Label: it.Label, Href: navHref(it)})
	}
	if s.Stylesheet != "" {
		f.Stylesheet = urls.SiteCSS(s.StylesheetHash)
	}
	if s.Logo != "" {
		f.Logo = urls.Media(s.Logo)
	}
	if s.SocialImage != "" {
		f.Image = a.absURL(urls.Media(s.SocialImage))
	}
	if s.Favicon != "" {
		icon := models.Media{Key: s.Favicon}
		for _, w := range models.FaviconSizes {
			rel, size := "icon", strconv.Itoa(w)
			if w == 180 {
				rel = "apple-touch-icon"
			}
			f.Icons = append(f.Icons, layout.Icon{Rel: rel, Href: urls.Media(icon.VariantKey(int64(w))), Sizes: size + "x" + size})
		}
	}
	return f
}

// navHref is where a menu link leads.
func navHref(it models.NavItem) string {
	switch it.Kind {
	case models.NavPage:
		return urls.Page(it.Target)
	case models.NavTag:
		return urls.Tag(it.Target)
	case models.NavAuthor:
		return urls.Author(it.Target)
	}
	return it.Target
}

// getSiteCSS serves the CSS the settings add to the theme (the accent
// colour as a custom property, and the custom stylesheet): a file, not an
// inline style, so the Content-Security-Policy stays strict. Pages link it by its content
// hash (?v=): asked for by the current hash it may be kept for good; by any
// other (a page older than the last change) it is the current one, to be
// checked again every time.
func (a *App) getSiteCSS(c echo.Context) error {
	s := a.site(c)
	h := c.Response().Header()
	cacheControl := "no-cache"
	if c.QueryParam("v") == s.StylesheetHash {
		cacheControl = "public, max-age=31536000, immutable"
	}
	if pagecache.Check(c.Request(), h, pagecache.Validators{ETag: `"` + s.StylesheetHash + `"`, CacheControl: cacheControl}) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(s.Stylesheet))
}
