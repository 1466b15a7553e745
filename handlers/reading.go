package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/format"
	"quire/views/layout"
	"quire/views/pages"
	"quire/views/urls"
)

// readerPageSize is how many posts a reader's list shows per page until
// the site's settings are read (models.Settings.PostsPerPage).
const readerPageSize = 10

func (a *App) listItems(c echo.Context, posts []models.Post) []pages.PostItem {
	f := a.formatter(c)
	items := make([]pages.PostItem, len(posts))
	for i, p := range posts {
		items[i] = pages.PostItem{
			Slug: p.Slug, Title: p.Title, Summary: p.Summary, AuthorUsername: p.AuthorUsername,
			Author: p.AuthorName, Tags: p.Tags, Status: p.Status,
		}
		if p.CoverKey != "" {
			items[i].CoverURL = urls.Media(p.CoverKey)
		}
		if p.CommentCount > 0 {
			items[i].Comments = format.Count(p.CommentCount, "comment")
		}
		if p.PublishedAt != nil {
			items[i].Published, items[i].ISO = f.Date(*p.PublishedAt), f.Machine(*p.PublishedAt)
		}
	}
	return items
}

// pager builds page links on base (a path, maybe with a query).
func pager(base string, l models.PostList) pages.Pager {
	link := func(n int) string { return urls.Paged(base, n) }
	pg := pages.Pager{Page: l.Page.Number, Last: l.LastPage(), Total: l.Total}
	if l.HasPrev() {
		pg.Prev = link(l.Page.Number - 1)
	}
	if l.HasNext() {
		pg.Next = link(l.Page.Number + 1)
	}
	return pg
}

// listPage declares a reader list (home, tag, author): its stamp, read
// once, validates the page and sizes the list; view renders a page of it.
func (a *App) listPage(c echo.Context, f models.FeedFilter, key string, etag []string,
	load func(context.Context, models.Page) (models.PostList, error),
	view func(p layout.Page, l models.PostList) (page, fragment templ.Component)) error {
	pg, err := pageParam(c)
	if err != nil {
		return err
	}
	st, err := a.Posts.ChangeStamp(c.Request().Context(), f)
	if err == nil {
		err = a.seeSite(c, st.Site)
	}
	if err != nil {
		return err
	}
	pg.Size = a.site(c).PostsPerPage
	s := listStamp{at: strconv.FormatInt(st.At.UnixNano(), 10), total: st.Posts}
	return a.serveReader(c, readerPage{
		lastMod: st.At,
		etag:    append(etag, strconv.Itoa(st.Posts), c.QueryParam("page")),
		build: func(ctx context.Context, p layout.Page) (templ.Component, templ.Component, error) {
			l, err := a.publicList(ctx, key, pg, s, load)
			if err != nil {
				return nil, nil, err
			}
			if l.Page.Number > 1 && len(l.Posts) == 0 {
				return nil, nil, models.ErrNotFound
			}
			page, fragment := view(p, l)
			return page, fragment, nil
		},
	})
}

func (a *App) getHome(c echo.Context) error {
	return a.listPage(c, models.FeedFilter{}, urls.Home(), []string{"home"}, a.Posts.ListPublished,
		func(p layout.Page, l models.PostList) (templ.Component, templ.Component) {
			p.Title = "Latest posts"
			p.Canonical = a.absURL(urls.Home())
			p.Feeds = a.feeds(p.Site.Title, urls.SiteFeed)
			v := pages.ListView{
				Heading: "Latest posts", Items: a.listItems(c, l.Posts), Pager: pager(urls.Home(), l), FeedURL: urls.SiteFeed(urls.RSS),
				Empty: "Nothing published yet. Sign in and write the first post.",
			}
			return pages.ListPage(p, v), pages.MoreItems(v.Items, v.Pager)
		})
}

func (a *App) getTag(c echo.Context) error {
	// Only a tag's stored form has a page (one URL per tag).
	tag, ok := models.ParseTag(c.Param("tag"))
	if !ok || tag != c.Param("tag") {
		return models.ErrNotFound
	}
	load := func(ctx context.Context, pg models.Page) (models.PostList, error) {
		return a.Posts.ListByTag(ctx, tag, pg)
	}
	return a.listPage(c, models.FeedFilter{Tag: tag}, urls.Tag(tag), []string{"tag", tag}, load,
		func(p layout.Page, l models.PostList) (templ.Component, templ.Component) {
			p.Title = "#" + tag
			p.Canonical = a.absURL(urls.Tag(tag))
			p.Feeds = a.feeds("Posts tagged "+tag, urls.TagFeeds(tag))
			v := pages.ListView{
				Heading: "Posts tagged #" + tag, Items: a.listItems(c, l.Posts), Pager: pager(urls.Tag(tag), l),
				FeedURL: urls.TagFeed(tag, urls.RSS), Empty: "No posts with this tag yet.",
			}
			return pages.ListPage(p, v), pages.MoreItems(v.Items, v.Pager)
		})
}

// getAuthor is an author's public page, /@username, with their posts.
func (a *App) getAuthor(c echo.Context) error {
	u, moved, err := a.author(c, c.Param("username"), urls.Author)
	if moved || err != nil {
		return err
	}
	if u.State != models.StateActive {
		return models.ErrNotFound
	}
	load := func(ctx context.Context, pg models.Page) (models.PostList, error) {
		return a.Posts.ListByAuthor(ctx, u.ID, pg)
	}
	return a.listPage(c, models.FeedFilter{AuthorID: u.ID}, "author "+strconv.FormatInt(u.ID, 10),
		[]string{"author", u.Username, u.UpdatedAt.String()}, load,
		func(p layout.Page, l models.PostList) (templ.Component, templ.Component) {
			base := urls.Author(u.Username)
			v := pages.AuthorView{Username: u.Username, Name: u.Name(), Bio: u.Bio, AvatarURL: avatarURL(u), Joined: a.formatter(c).Month(u.CreatedAt)}
			list := pages.ListView{Items: a.listItems(c, l.Posts), Pager: pager(base, l), FeedURL: urls.AuthorFeed(u.Username, urls.RSS), Empty: "No posts yet."}
			p.Title = u.Name()
			p.Description = u.Bio
			p.Canonical = a.absURL(base)
			p.Feeds = a.feeds("Posts by "+u.Name(), urls.AuthorFeeds(u.Username))
			p.Social = &layout.Social{Type: "profile", Title: u.Name(), Description: u.Bio}
			return pages.Author(p, v, list), pages.MoreItems(list.Items, list.Pager)
		})
}

// maxQueryLen bounds search input; longer queries are cut, not refused.
const maxQueryLen = 200

func (a *App) getSearch(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if r := []rune(q); len(r) > maxQueryLen {
		q = string(r[:maxQueryLen])
	}
	pg, err := pageParam(c)
	if err != nil {
		return err
	}
	pg.Size = a.site(c).PostsPerPage
	v := pages.SearchView{Query: q}
	status := http.StatusOK
	if q != "" {
		hits, total, err := a.Posts.Search(c.Request().Context(), q, pg)
		if v.Notice = searchRefusal(err); v.Notice != "" {
			status = http.StatusServiceUnavailable
			c.Response().Header().Set("Retry-After", "2")
		} else if err != nil {
			return err
		}
		posts := make([]models.Post, len(hits))
		for i, h := range hits {
			posts[i] = h.Post
		}
		v.Items = a.listItems(c, posts)
		for i, h := range hits {
			v.Items[i].Snippet = h.Snippet
		}
		v.Total, v.More = min(total, models.SearchRanked), total > models.SearchRanked
		l := models.PostList{Total: v.Total, Page: pg.Normalize()}
		v.Pager = pager(urls.Search(q, 1), l)
	}
	p := a.readerFrame(c)
	p.Title = "Search"
	p.Private = false
	return render(c, status, pages.SearchPage(p, v), pages.SearchResults(v))
}

// searchRefusal says why a search was refused, or "" when it was not.
func searchRefusal(err error) string {
	switch {
	case errors.Is(err, models.ErrSearchBusy):
		return "Search is busy right now. Please try again in a moment."
	case errors.Is(err, models.ErrSearchTooCostly):
		return "This search took too long. Try fewer or more specific words."
	}
	return ""
}

// feeds lists a page's RSS, Atom and JSON feeds, whose paths feed builds.
func (a *App) feeds(title string, feed urls.Feeds) []layout.Feed {
	return []layout.Feed{
		{Title: title + " (RSS)", URL: a.absURL(feed(urls.RSS)), Type: "application/rss+xml"},
		{Title: title + " (Atom)", URL: a.absURL(feed(urls.Atom)), Type: "application/atom+xml"},
		{Title: title + " (JSON Feed)", URL: a.absURL(feed(urls.JSONFeed)), Type: jsonFeedType},
	}
}

// postSocial describes a post for search engines and social cards; a page
// as the site's own, undated and unsigned.
func (a *App) postSocial(p models.Post) *layout.Social {
	s := &layout.Social{Type: "article", Title: cmp.Or(p.SocialTitle, p.Title),
		Description: cmp.Or(p.MetaDescription, p.Summary), Author: p.AuthorName}
	if p.IsPage() {
		s.Type, s.Author = "website", ""
	} else if p.PublishedAt != nil {
		s.Published = w3cDate(*p.PublishedAt)
	}
	if key := cmp.Or(p.SocialImage, p.CoverKey); key != "" {
		s.Image = a.absURL(urls.Media(key))
	}
	return s
}
