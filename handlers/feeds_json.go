package handlers

import (
	"quire/models"
	"quire/views/urls"
)

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1), beside RSS and Atom:
// the same posts and entries (feedEntry), in the format newer readers
// prefer.

const (
	jsonFeedType        = "application/feed+json"
	jsonFeedContentType = jsonFeedType + "; charset=utf-8"
	jsonFeedVersion     = "https://jsonfeed.org/version/1.1"
)

type jsonFeedDoc struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Description string         `json:"description,omitempty"`
	Language    string         `json:"language,omitempty"`
	Icon        string         `json:"icon,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html"`
	Summary       string           `json:"summary,omitempty"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published"`
	DateModified  string           `json:"date_modified"`
	Authors       []jsonFeedAuthor `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	// Quire is this site's extension (JSON Feed allows keys starting with
	// "_"): the approved comments' count and where to read and follow
	// them, which the format has no field for. Readers that do not know it
	// skip it.
	Quire *jsonFeedQuire `json:"_quire,omitempty"`
}

// jsonFeedQuire is an item's _quire extension; absent when the post has no
// comments and the site takes none.
type jsonFeedQuire struct {
	Comments        int    `json:"comments"`
	CommentsURL     string `json:"comments_url"`
	CommentsFeedURL string `json:"comments_feed_url"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

func (a *App) jsonFeed(src feedSource, site models.Settings, self string, posts []models.Post) jsonFeedDoc {
	doc := jsonFeedDoc{
		Version: jsonFeedVersion, Title: src.title(site), HomePageURL: a.absURL(src.page), FeedURL: self,
		Description: src.description(site), Language: site.Language,
		Items: make([]jsonFeedItem, 0, len(posts)),
	}
	for _, p := range posts {
		e := a.feedEntry(p, site)
		it := jsonFeedItem{
			ID: e.id, URL: e.link, Title: e.title, ContentHTML: e.content, Summary: e.summary,
			DatePublished: w3cDate(e.published), DateModified: w3cDate(e.updated), Tags: e.tags,
		}
		if p.CoverKey != "" {
			it.Image = a.absURL(urls.Media(p.CoverKey))
		}
		if e.commentsFeed != nil {
			it.Quire = &jsonFeedQuire{Comments: e.comments, CommentsURL: e.commentsURL,
				CommentsFeedURL: a.absURL(e.commentsFeed(urls.Atom))}
		}
		if e.authorName != "" {
			it.Authors = []jsonFeedAuthor{{Name: e.authorName, URL: e.authorURL}}
		}
		doc.Items = append(doc.Items, it)
	}
	return doc
}
