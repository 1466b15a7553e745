package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/layout"
	"quire/views/urls"
)

// A post's comments feed (RSS and Atom): its newest approved comments,
// newest first, at /posts/{slug}/comments/feed.xml and atom.xml. Like the
// other feeds it is the same for every reader, outside the session layer,
// and kept rendered under its stamp: the post's updated_at and comments_at
// (Last-Modified) and comments_stamp (the ETag), which every change to
// its approved comments moves (sql/00025, 00032).

func (a *App) getPostCommentsRSS(c echo.Context) error { return a.servePostCommentsFeed(c, formatRSS) }
func (a *App) getPostCommentsAtom(c echo.Context) error {
	return a.servePostCommentsFeed(c, formatAtom)
}

// servePostCommentsFeed answers for public posts only; a post's old slug
// redirects to its feed's address, as its page does.
func (a *App) servePostCommentsFeed(c echo.Context, f feedFormat) error {
	ctx := c.Request().Context()
	head, moved, err := a.postHead(c)
	if err != nil {
		return err
	}
	if !head.IsPublic() || head.IsPage() {
		return models.ErrNotFound
	}
	if moved {
		return c.Redirect(http.StatusMovedPermanently, urls.PostCommentsFeed(head.Slug, f.file()))
	}
	lastMod := postLastMod(head)
	if a.notModified(c, lastMod, "comments", string(f.file()), head.Slug, strconv.FormatInt(head.CommentsStamp, 10)) {
		return nil
	}
	return a.cachedDoc(c, f.contentType(), encodeXML, func() (any, error) {
		p, err := a.Posts.Get(ctx, head.ID)
		if err != nil {
			return nil, err
		}
		list, err := a.Comments.ListForFeed(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		site := a.site(c)
		src := feedSource{
			heading: "Comments on “" + p.Title + "”",
			about:   "comments on “" + p.Title + "”",
			page:    urls.Post(p.Slug),
			feed:    urls.PostCommentsFeeds(p.Slug),
		}
		self := a.absURL(src.feed(f.file()))
		entries := a.commentEntries(p, list)
		if f == formatAtom {
			return a.commentsAtom(src, site, self, lastMod, p, entries), nil
		}
		return a.commentsRSS(src, site, self, lastMod, entries), nil
	})
}

// commentEntry is a comment as both formats show it.
type commentEntry struct {
	id, link, title, name, html string
	at                          time.Time
}

func (a *App) commentEntries(p models.Post, list []models.Comment) []commentEntry {
	postURL := a.absURL(urls.Post(p.Slug))
	out := make([]commentEntry, len(list))
	for i, cm := range list {
		_, frag, _ := strings.Cut(urls.Comment(p.Slug, cm.ID), "#")
		name := cm.Name
		if name == "" {
			name = deletedAuthor
		}
		out[i] = commentEntry{
			id:    "tag:" + a.Config.BaseURL.Hostname() + "," + cm.CreatedAt.UTC().Format(time.DateOnly) + ":comments/" + strconv.FormatInt(cm.ID, 10),
			link:  postURL + "#" + frag,
			title: "Comment by " + name, name: name,
			// Sanitised when posted (models.renderComment); the encoder escapes it.
			html: absoluteHTML(cm.BodyHTML, postURL),
			at:   cm.CreatedAt.UTC(),
		}
	}
	return out
}

func (a *App) commentsRSS(src feedSource, site models.Settings, self string, stamp time.Time, entries []commentEntry) rssDoc {
	doc := a.rssFeed(src, site, self, stamp, nil)
	for _, e := range entries {
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: e.title, Link: e.link, GUID: rssGUID{Value: e.id}, PubDate: rssDate(e.at), Creator: e.name,
			Description: e.html,
		})
	}
	return doc
}

func (a *App) commentsAtom(src feedSource, site models.Settings, self string, stamp time.Time, p models.Post, entries []commentEntry) atomFeed {
	doc := a.atomFeed(src, site, self, stamp, nil)
	published := p.UpdatedAt
	if p.PublishedAt != nil {
		published = *p.PublishedAt
	}
	reply := &atomInReplyTo{Ref: a.postTagURI(p.ID, published), Href: a.absURL(urls.Post(p.Slug)), Type: "text/html"}
	for _, e := range entries {
		doc.Entries = append(doc.Entries, atomEntry{
			ID: e.id, Title: atomText{Type: "text", Value: e.title},
			Links:     []atomLink{{Href: e.link, Rel: "alternate", Type: "text/html"}},
			Published: w3cDate(e.at), Updated: w3cDate(e.at), Author: atomPerson{Name: e.name},
			Content: atomText{Type: "html", Value: e.html}, InReplyTo: reply,
		})
	}
	return doc
}

// withCommentFeeds adds post p's comments feeds to its page's alternate
// links, when readers may comment or there are comments to follow.
func (a *App) withCommentFeeds(s models.Settings, pg layout.Page, p models.Post) layout.Page {
	if p.IsPage() || (p.CommentCount == 0 && !s.CommentsOpen(p)) {
		return pg
	}
	title := "Comments on “" + p.Title + "”"
	feed := urls.PostCommentsFeeds(p.Slug)
	pg.Feeds = append(pg.Feeds,
		layout.Feed{Title: title + " (RSS)", URL: a.absURL(feed(urls.RSS)), Type: rssType},
		layout.Feed{Title: title + " (Atom)", URL: a.absURL(feed(urls.Atom)), Type: atomType})
	return pg
}
