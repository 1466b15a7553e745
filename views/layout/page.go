// Package layout holds the page frame every full page is rendered in.
package layout

import "encoding/json"

// Page is what the frame needs to know about the request.
type Page struct {
	Site        Site // the site's settings, on every page
	Title       string
	Description string  // "" for the site's tagline
	Viewer      *Viewer // nil when signed out
	CSRF        string  // token for forms and the X-CSRF-Token header; none on pages signed-out readers share
	Flash       string  // one-time notice from the previous request
	// Private pages (settings, editors, admin) are never cached by browsers or
	// by htmx's history, so Back never shows stale private state.
	Private bool
	// Canonical is the page's absolute URL, for search engines and sharing.
	Canonical string
	// NoIndex asks search engines to leave the page out.
	NoIndex bool
	// StructuredData is the page's schema.org description (JSON-LD), nil
	// for none; it is encoded as JSON, escaped for a script element.
	StructuredData any
	// Social describes the page for Open Graph and Twitter cards.
	Social *Social
	// Feeds are alternate RSS/Atom versions of the page.
	Feeds []Feed
	// SignUp offers Register in the header: registration is open.
	SignUp bool
	// Scripts are extra static scripts by logical name ("js/admin.js"),
	// for the pages that need them. Boosted navigation swaps the body, not
	// the head, so links into such pages carry hx-boost="false".
	Scripts []string
}

// Site is what every page shows of the site's settings.
type Site struct {
	Title      string
	Tagline    string    // the default meta description
	Lang       string    // BCP 47, for <html lang>
	FooterHTML string    // sanitised
	Links      []Link    // the owner's profiles elsewhere, rel="me"
	Stylesheet string    // URL of the settings' CSS (accent, custom), "" for none
	Logo       string    // URL of the header's logo, "" for the title in text
	Icons      []Icon    // the favicon's sizes; none: Quire's own
	Image      string    // absolute URL of the social image of pages without their own
	Nav        []NavLink // the header's menu, in order
}

// NavLink is a link of the header's menu; Current marks the page it leads
// to (aria-current), which is safe in the copy signed-out readers share,
// since that copy is kept per address.
type NavLink struct {
	Label, Href string
	Current     bool
}

// Icon is a <link> to one size of the favicon.
type Icon struct{ Rel, Href, Sizes string }

// Link is a labelled link.
type Link struct{ Label, URL string }

// description is the page's meta description: its own, else the site's
// tagline, else a sentence naming the site.
func (p Page) description() string {
	if p.Description != "" {
		return p.Description
	}
	if p.Site.Tagline != "" {
		return p.Site.Tagline
	}
	// Search engines show something of their own choosing without one.
	return "Posts from " + p.Site.Title + "."
}

// Social is the Open Graph / Twitter card description of a page.
type Social struct {
	Type        string // "article" or "website"
	Title       string
	Description string
	Image       string // absolute URL, may be ""
	Published   string // RFC 3339, articles only
	Author      string
}

// Feed is a <link rel="alternate"> to a feed of the page.
type Feed struct {
	Title, URL, Type string // Type: application/rss+xml or application/atom+xml
}

// Viewer is the signed-in account as the navigation shows it.
type Viewer struct {
	Username  string
	Name      string
	AvatarURL string
	AdminHref string // the admin area's page for the viewer's role; "" when none
}

// HTMXConfig matches the Content-Security-Policy: no inline styles, no eval,
// no inline scripts, requests to this site only; 422 (validation), 409
// (conflict) and 429 (too many attempts: the form again, saying when to
// retry) responses are swapped so errors appear in place; history
// snapshots are off so Back always fetches a full, current page.
const HTMXConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"selfRequestsOnly":true,"historyCacheSize":0,"refreshOnHistoryMiss":true,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"422","swap":true},{"code":"409","swap":true},{"code":"429","swap":true},` +
	`{"code":"[45]..","swap":false,"error":true}]}`

// csrfHeaders is the hx-headers value carrying the CSRF token on every htmx request.
func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}
