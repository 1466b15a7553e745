package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/admintable"
	"quire/views/admin"
	"quire/views/components"
	"quire/views/pages"
	"quire/views/urls"
)

// adminRedirects is /admin/redirects: models.RedirectsTable, for admins;
// rows are deleted, and where one leads is edited in place, as an address.
func (a *App) adminRedirects() *adminTable {
	return &adminTable{Table: models.RedirectsTable,
		create: &admin.Tab{Label: "Add a redirect", Href: urls.NewRedirect()},
		act: map[string]adminAction{
			"delete": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
				return a.Admin.DeleteRedirects(ctx, who, ids)
			},
		},
		edit: func(ctx context.Context, who models.Actor, id int64, version int, _, value string) error {
			to, problem := a.redirectTarget(value)
			if problem != "" {
				return &models.RefusedError{Msg: problem}
			}
			return a.Admin.SetRedirectTarget(ctx, who, id, version, to)
		},
		editValue: func(col admintable.Column, r admintable.Row) string { return adminLink(r.Targets[col.Key]) },
	}
}

// redirectForm is the form that adds a redirect, the input kept.
func redirectForm(from, to string, fe fieldErrors) pages.FormPage {
	return pages.FormPage{
		Heading: "Add a redirect",
		Intro: "Links on other sites and in search engines that still use an old address get a permanent redirect (301) " +
			"to where you say, instead of “not found”. An old address is looked up only where nothing else on this site answers.",
		Form: components.Form{
			ID: "redirect-form", Action: urls.CreateRedirect(), Submit: "Add redirect",
			Fields: fe.apply([]components.Field{
				{Name: "from", Label: "Old address", Value: from, Required: true, MaxLength: models.MaxRedirectLen,
					Hint: "A path, such as /2019/05/my-post/, or the full address it had on the old site; it works with and " +
						"without its last slash. Addresses Quire answers itself (" + urls.Login("") + ", " + urls.Post("…") +
						", " + urls.Tag("…") + " and the like) and pages readers reach today cannot be redirected."},
				{Name: "to", Label: "Leads to", Value: to, Required: true, MaxLength: models.MaxRedirectLen,
					Hint: "An address on this site, such as " + urls.Post("new-post") + ", " + urls.Page("about") + " or " +
						urls.Tag("travel") + ", or one on another site starting with https://. A post or page is followed " +
						"when its address changes."},
			}),
		},
		Links: []pages.Link{{Href: urls.AdminTable(models.RedirectsTable.Name, ""), Text: "Back to the redirects"}},
	}
}

func (a *App) getNewRedirect(c echo.Context) error {
	private(c)
	return a.renderForm(c, http.StatusOK, "Add a redirect", redirectForm("", "", nil))
}

// postRedirect adds a redirect, audited: an old address nothing here
// answers, to a post, page, tag or address that exists.
func (a *App) postRedirect(c echo.Context) error {
	private(c)
	rawFrom, rawTo := field(c, "from"), field(c, "to")
	fe := fieldErrors{}
	from, problem := models.OldPath(rawFrom)
	fe.add("from", problem)
	if word, own := a.ownAddress(from); problem == "" && own {
		fe.add("from", "Quire answers the addresses starting with /"+word+" itself, so a redirect there would never be used.")
	}
	to, problem := a.redirectTarget(rawTo)
	fe.add("to", problem)
	if len(fe) == 0 {
		_, err := a.Admin.AddRedirect(c.Request().Context(), adminActor(c), from, to)
		var re *models.RedirectError
		if !errors.As(err, &re) && err != nil {
			return err
		}
		if re != nil {
			fe.add(re.Field, re.Msg)
		}
	}
	if len(fe) > 0 {
		return a.renderForm(c, http.StatusUnprocessableEntity, "Add a redirect", redirectForm(rawFrom, rawTo, fe))
	}
	a.flash(c, "Redirect added: "+from+" now leads to "+rawTo+".")
	return redirect(c, urls.AdminTable(models.RedirectsTable.Name, ""))
}

// redirectTarget reads where a redirect leads, as an admin typed it: the
// router says what an address on this site is (a post's, a page's, a
// tag's, or another page's); problem says why it leads nowhere.
func (a *App) redirectTarget(raw string) (models.RedirectTarget, string) {
	local, offsite, problem := models.RedirectAddress(raw, a.Config.BaseURL)
	switch {
	case problem != "":
		return models.RedirectTarget{}, problem
	case offsite != "":
		return models.RedirectTarget{URL: offsite}, ""
	}
	address := local.String()
	pattern, params := a.routeOf(local.EscapedPath())
	switch {
	case pattern == "":
		return models.RedirectTarget{}, "Nothing on this site answers " + address + ": give the address of a post, a page, a tag or another page readers reach."
	case local.RawQuery != "":
		return models.RedirectTarget{Path: address}, ""
	case pattern == postRoute:
		return models.RedirectTarget{PostSlug: params["slug"]}, ""
	case pattern == pageRoute:
		return models.RedirectTarget{PageSlug: params["slug"]}, ""
	case pattern == tagRoute:
		return models.RedirectTarget{Tag: params["tag"]}, ""
	}
	return models.RedirectTarget{Path: address}, ""
}

// routeOf is the GET route that answers an escaped path, "" for none, and
// its parameters, decoded. Echo lets the last parameter of a route take
// the rest of a path no other route takes (/:slug takes x/y): that is no
// route's address.
func (a *App) routeOf(path string) (string, map[string]string) {
	c := a.echo.NewContext(nil, nil)
	a.echo.Router().Find(http.MethodGet, path, c)
	for _, r := range a.echo.Routes() {
		if r.Method == http.MethodGet && r.Path == c.Path() {
			params := map[string]string{}
			for i, name := range c.ParamNames() {
				v, err := url.PathUnescape(c.ParamValues()[i])
				if err != nil || name != "*" && strings.Contains(c.ParamValues()[i], "/") {
					return "", nil
				}
				params[name] = v
			}
			return r.Path, params
		}
	}
	return "", nil
}

// ownAddress reports whether an old address starts with a first word one
// of the routes starts with (/admin, /posts, /feed.xml, /@name): Quire
// answers those itself, whatever comes after. word is that word.
func (a *App) ownAddress(path string) (word string, own bool) {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if first == "" || strings.HasPrefix(first, "?") {
		return "", false
	}
	for _, r := range a.echo.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		w, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		if i := strings.IndexAny(w, ":*"); i >= 0 {
			w = w[:i] // a fixed start, as the @ of /@:username; none for /:slug
			if w != "" && strings.HasPrefix(first, w) {
				return w, true
			}
		} else if w != "" && w == first {
			return w, true
		}
	}
	return "", false
}

// redirectHref is the address a redirects table's cell links to: a post,
// page or tag by name, a stored address as it is (only one that can be
// nothing but a path here, or an https address), an old address escaped.
func redirectHref(kind, value string) string {
	switch kind {
	case models.KindPost:
		return urls.Post(value)
	case models.KindPage:
		return urls.Page(value)
	case "tag":
		return urls.Tag(value)
	case "url":
		if strings.HasPrefix(value, "https://") {
			return value
		}
	case "path", "old":
		if kind == "old" {
			p, q, _ := strings.Cut(value, "?")
			value = (&url.URL{Path: p, RawQuery: q}).String()
		}
		if strings.HasPrefix(value, "/") && !strings.HasPrefix(value, "//") && !strings.Contains(value, `\`) {
			return value
		}
	}
	return ""
}
