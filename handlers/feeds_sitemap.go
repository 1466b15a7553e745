package handlers

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/urls"
)

// Sitemap (sitemaps.org protocol 0.9): the home page, the public pages and
// posts, and the pages of authors with public posts and of tags. While
// they fit one file, /sitemap.xml lists them all, as small sites always
// had it; past that it becomes a sitemap index of files of at most
// sitemapFileURLs each (/sitemap-pages.xml, /sitemap-posts-1.xml, ...,
// /sitemap-authors-1.xml, /sitemap-tags-1.xml), so nothing is left out at
// any size. The files answer at any size, under the same stamp.

// sitemapFileURLs is how many URLs one file holds: the protocol's limit;
// tests lower it.
var sitemapFileURLs = models.MaxSitemapURLs

// sitemapSections are the runs of numbered files, in the index's order.
var sitemapSections = []string{models.SitemapPosts, models.SitemapAuthors, models.SitemapTags}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapStamp is what every sitemap document depends on: the public
// posts' list (which moves with posts, their tags and their authors'
// names and states) and the pages'.
func (a *App) sitemapStamp(c echo.Context) (time.Time, []string, error) {
	ctx := c.Request().Context()
	st, err := a.Posts.ChangeStamp(ctx, models.FeedFilter{})
	if err == nil {
		err = a.seeSite(c, st.Site)
	}
	if err != nil {
		return time.Time{}, nil, err
	}
	ps, err := a.Posts.PagesStamp(ctx)
	if err != nil {
		return time.Time{}, nil, err
	}
	last := st.At
	if ps.At.After(last) {
		last = ps.At
	}
	return last, []string{strconv.Itoa(st.Posts), strconv.FormatInt(st.At.UnixNano(), 10),
		strconv.Itoa(ps.Posts), strconv.FormatInt(ps.At.UnixNano(), 10), strconv.Itoa(sitemapFileURLs)}, nil
}

// sitemapPlan is where each section's files start and how many URLs the
// sections hold together.
type sitemapPlan struct {
	Bounds map[string][]models.SitemapKey `json:"bounds"`
	Total  int                            `json:"total"`
}

// plan reads the sections' bounds (one scan each), kept in memory under
// the sitemap's stamp so a file's request reads only its own rows.
func (a *App) sitemapPlan(ctx context.Context, stamp string) (sitemapPlan, error) {
	const key = "sitemap plan" // not a path: no document is kept under it
	var plan sitemapPlan
	if b, ok := a.docs.Get(key, stamp); ok && json.Unmarshal(b, &plan) == nil {
		return plan, nil
	}
	plan.Bounds = map[string][]models.SitemapKey{}
	for _, s := range sitemapSections {
		keys, n, err := a.Posts.SitemapBounds(ctx, s, sitemapFileURLs)
		if err != nil {
			return sitemapPlan{}, err
		}
		plan.Bounds[s], plan.Total = keys, plan.Total+n
	}
	if b, err := json.Marshal(plan); err == nil {
		a.docs.Put(key, stamp, b)
	}
	return plan, nil
}

// getSitemap is /sitemap.xml: every URL while they fit one file, else the
// index of the files.
func (a *App) getSitemap(c echo.Context) error {
	last, parts, err := a.sitemapStamp(c)
	if err != nil {
		return err
	}
	if a.notModified(c, last, append([]string{"sitemap.xml"}, parts...)...) {
		return nil
	}
	ctx := c.Request().Context()
	return a.cachedDoc(c, xmlContentType, encodeXML, func() (any, error) {
		plan, err := a.sitemapPlan(ctx, strings.Join(parts, "/"))
		if err != nil {
			return nil, err
		}
		set, err := a.sitemapPages(ctx, last)
		if err != nil {
			return nil, err
		}
		if len(set.URLs)+plan.Total > sitemapFileURLs {
			return a.sitemapIndex(plan, last), nil
		}
		for _, s := range sitemapSections {
			if len(plan.Bounds[s]) == 0 {
				continue
			}
			more, err := a.sitemapFile(ctx, s, plan.Bounds[s][0])
			if err != nil {
				return nil, err
			}
			set.URLs = append(set.URLs, more...)
		}
		return set, nil
	})
}

func (a *App) sitemapIndex(plan sitemapPlan, last time.Time) sitemapIndex {
	idx := sitemapIndex{Sitemaps: []sitemapURL{{Loc: a.absURL(urls.SitemapFile("pages")), LastMod: w3cDate(last)}}}
	for _, s := range sitemapSections {
		for i := range plan.Bounds[s] {
			idx.Sitemaps = append(idx.Sitemaps, sitemapURL{
				Loc: a.absURL(urls.SitemapFile(s + "-" + strconv.Itoa(i+1))), LastMod: w3cDate(last)})
		}
	}
	return idx
}

// sitemapPages is the home page and the public pages (by slug), the first
// file of an index.
func (a *App) sitemapPages(ctx context.Context, last time.Time) (sitemapURLSet, error) {
	pages, err := a.Posts.SitemapPages(ctx, sitemapFileURLs-1)
	if err != nil {
		return sitemapURLSet{}, err
	}
	set := sitemapURLSet{URLs: make([]sitemapURL, 0, len(pages)+1)}
	set.URLs = append(set.URLs, sitemapURL{Loc: a.absURL(urls.Home()), LastMod: w3cDate(last)})
	for _, p := range pages {
		set.URLs = append(set.URLs, sitemapURL{Loc: a.absURL(postPath(p)), LastMod: w3cDate(p.UpdatedAt)})
	}
	return set, nil
}

// sitemapFile is one file's URLs of section s, from key on.
func (a *App) sitemapFile(ctx context.Context, s string, key models.SitemapKey) ([]sitemapURL, error) {
	rows, err := a.Posts.SitemapFile(ctx, s, key, sitemapFileURLs)
	if err != nil {
		return nil, err
	}
	out := make([]sitemapURL, len(rows))
	for i, r := range rows {
		path := urls.Post(r.Name)
		switch s {
		case models.SitemapAuthors:
			path = urls.Author(r.Name)
		case models.SitemapTags:
			path = urls.Tag(r.Name)
		}
		out[i] = sitemapURL{Loc: a.absURL(path), LastMod: w3cDate(r.At)}
	}
	return out, nil
}

// getSitemapFile is /sitemap-pages.xml or /sitemap-{section}-{n}.xml; a
// number past the section's files is 404.
func (a *App) getSitemapFile(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("file"), ".xml")
	section, num, numbered := strings.Cut(name, "-")
	n, err := strconv.Atoi(num)
	if !ok || (name != "pages" && (!numbered || err != nil || n < 1 || strconv.Itoa(n) != num)) {
		return models.ErrNotFound
	}
	last, parts, err := a.sitemapStamp(c)
	if err != nil {
		return err
	}
	if a.notModified(c, last, append([]string{"sitemap", name}, parts...)...) {
		return nil
	}
	ctx := c.Request().Context()
	return a.cachedDoc(c, xmlContentType, encodeXML, func() (any, error) {
		if name == "pages" {
			return a.sitemapPages(ctx, last)
		}
		plan, err := a.sitemapPlan(ctx, strings.Join(parts, "/"))
		if err != nil {
			return nil, err
		}
		bounds, known := plan.Bounds[section]
		if !known || n > len(bounds) {
			return nil, models.ErrNotFound
		}
		list, err := a.sitemapFile(ctx, section, bounds[n-1])
		return sitemapURLSet{URLs: list}, err
	})
}
