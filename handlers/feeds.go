package handlers

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"quire/models"
	"quire/views/urls"
)

// Reader feeds (RSS 2.0, Atom 1.0 and JSON Feed 1.1, in feeds_json.go) for the whole site, one author or one
// tag, plus the sitemap and robots.txt. They are the same for every reader,
// so they are served outside the session layer: no cookies, and any cache
// may keep them as long as it revalidates (see notModified).

const (
	// generator names the software in feeds.
	generator = "Quire"
	// feedLen is how many of the newest posts a feed carries at least; more
	// when the site shows more on a page (a feed never has fewer posts than
	// the page it mirrors).
	feedLen = 20

	rssType         = "application/rss+xml"
	atomType        = "application/atom+xml"
	rssContentType  = rssType + "; charset=utf-8"
	atomContentType = atomType + "; charset=utf-8"
	xmlContentType  = "application/xml; charset=utf-8"
)

// feedSource is what one feed follows: its posts and how it describes
// itself, within the site (whose title is read with the feed's stamp).
type feedSource struct {
	filter  models.FeedFilter
	heading string     // the title before the site's: "Ada", "#go"; "" for the site's own feed
	about   string     // "posts by Ada": the description says "The newest posts by Ada on Site."
	page    string     // path of the HTML page the feed mirrors: "/", "/@bob", "/tags/go"
	feed    urls.Feeds // the feed's own path in a format
	key     []string   // what identifies the feed's text, for its ETag
}

// title and description are the feed's, on the site s: the site's own feed
// is described by the site's tagline when it has one.
func (src feedSource) title(s models.Settings) string {
	if src.heading == "" {
		return s.Title
	}
	return src.heading + " · " + s.Title
}

func (src feedSource) description(s models.Settings) string {
	if src.heading == "" && s.Tagline != "" {
		return s.Tagline
	}
	return "The newest " + src.about + " on " + s.Title + "."
}

func (a *App) getSiteRSS(c echo.Context) error  { return a.serveFeed(c, formatRSS, siteFeed()) }
func (a *App) getSiteAtom(c echo.Context) error { return a.serveFeed(c, formatAtom, siteFeed()) }

func (a *App) getAuthorRSS(c echo.Context) error  { return a.serveAuthorFeed(c, formatRSS) }
func (a *App) getAuthorAtom(c echo.Context) error { return a.serveAuthorFeed(c, formatAtom) }

func (a *App) getTagRSS(c echo.Context) error  { return a.serveTagFeed(c, formatRSS) }
func (a *App) getTagAtom(c echo.Context) error { return a.serveTagFeed(c, formatAtom) }

func (a *App) getSiteJSONFeed(c echo.Context) error   { return a.serveFeed(c, formatJSON, siteFeed()) }
func (a *App) getAuthorJSONFeed(c echo.Context) error { return a.serveAuthorFeed(c, formatJSON) }
func (a *App) getTagJSONFeed(c echo.Context) error    { return a.serveTagFeed(c, formatJSON) }

func siteFeed() feedSource {
	return feedSource{about: "posts", page: urls.Home(), feed: urls.SiteFeed, key: []string{"site"}}
}

// serveAuthorFeed serves /@{username}/feed.xml and atom.xml. Suspended
// accounts have no public page, so no feed either.
func (a *App) serveAuthorFeed(c echo.Context, f feedFormat) error {
	name, ok := pathParam(c, "username")
	name = strings.ToLower(name)
	if !ok || models.CheckUsername(name) != "" {
		return models.ErrNotFound
	}
	u, moved, err := a.author(c, name, func(username string) string { return urls.AuthorFeed(username, f.file()) })
	if moved || err != nil {
		return err
	}
	if u.State != models.StateActive {
		return models.ErrNotFound
	}
	return a.serveFeed(c, f, feedSource{
		filter:  models.FeedFilter{AuthorID: u.ID},
		heading: u.Name(),
		about:   "posts by " + u.Name(),
		page:    urls.Author(u.Username),
		feed:    urls.AuthorFeeds(u.Username),
		key:     []string{"author", u.Username, u.Name()},
	})
}

// serveTagFeed serves /tags/{tag}/feed.xml and atom.xml. Like the tag's
// page, it answers only to the tag's stored form (so each feed has one
// URL); a tag no post carries yet is an empty feed, ready for the first.
func (a *App) serveTagFeed(c echo.Context, f feedFormat) error {
	raw, ok := pathParam(c, "tag")
	tags, problem := models.ParseTags(raw)
	if !ok || problem != "" || len(tags) != 1 || tags[0] != raw {
		return models.ErrNotFound
	}
	tag := tags[0]
	return a.serveFeed(c, f, feedSource{
		filter:  models.FeedFilter{Tag: tag},
		heading: "#" + tag,
		about:   "posts tagged " + tag,
		page:    urls.Tag(tag),
		feed:    urls.TagFeeds(tag),
		key:     []string{"tag", tag},
	})
}

// feedFormat is RSS, Atom or JSON Feed.
type feedFormat int

const (
	formatRSS feedFormat = iota
	formatAtom
	formatJSON
)

func (f feedFormat) file() urls.Feed {
	switch f {
	case formatAtom:
		return urls.Atom
	case formatJSON:
		return urls.JSONFeed
	}
	return urls.RSS
}

func (f feedFormat) contentType() string {
	switch f {
	case formatAtom:
		return atomContentType
	case formatJSON:
		return jsonFeedContentType
	}
	return rssContentType
}

// serveFeed answers from the posts' change stamp when the reader's copy is
// current, and otherwise renders the feed.
func (a *App) serveFeed(c echo.Context, f feedFormat, src feedSource) error {
	ctx := c.Request().Context()
	st, err := a.Posts.ChangeStamp(ctx, src.filter)
	if err == nil {
		err = a.seeSite(c, st.Site)
	}
	if err != nil {
		return err
	}
	stamp, site := st.At, a.site(c)
	parts := append([]string{string(f.file()), strconv.Itoa(st.Posts)}, src.key...)
	if a.notModified(c, stamp, parts...) {
		return nil
	}
	encode := encodeXML
	if f == formatJSON {
		encode = encodeJSON
	}
	return a.cachedDoc(c, f.contentType(), encode, func() (any, error) {
		posts, err := a.Posts.ListForFeed(ctx, src.filter, max(feedLen, site.PostsPerPage))
		if err != nil {
			return nil, err
		}
		self := a.absURL(src.feed(f.file()))
		switch f {
		case formatAtom:
			return a.atomFeed(src, site, self, stamp, posts), nil
		case formatJSON:
			return a.jsonFeed(src, site, self, posts), nil
		}
		return a.rssFeed(src, site, self, stamp, posts), nil
	})
}

// feedEntry is a post as both formats show it: links absolute, HTML
// content with its relative links resolved (feed readers show it away from
// the site, and RSS cannot say what such links are relative to).
type feedEntry struct {
	id, link, title, summary, content string
	authorName, authorURL             string // "" when the author's account was deleted
	published, updated                time.Time
	tags                              []string
	comments                          int // approved comments (RSS slash:comments, Atom thr:total)
	// Where the comments are read and followed, "" when the post has none
	// and the site takes none.
	commentsURL  string
	commentsFeed urls.Feeds
}

func (a *App) feedEntry(p models.Post, site models.Settings) feedEntry {
	link := a.absURL(urls.Post(p.Slug))
	published := p.UpdatedAt
	if p.PublishedAt != nil {
		published = *p.PublishedAt
	}
	e := feedEntry{
		id: a.postTagURI(p.ID, published), link: link, title: p.Title, summary: p.Summary,
		content: entryContent(p, link), authorName: p.AuthorName,
		published: published.UTC(), updated: p.UpdatedAt.UTC(), tags: p.Tags, comments: p.CommentCount,
	}
	if p.AuthorUsername != "" {
		e.authorURL = a.absURL(urls.Author(p.AuthorUsername))
	}
	if p.CommentCount > 0 || site.Comments != models.CommentsOff {
		e.commentsURL, e.commentsFeed = link+"#comments", urls.PostCommentsFeeds(p.Slug)
	}
	return e
}

// entryContent is the post's HTML with its links made absolute, or, past
// models.FeedEntryHTML, its summary and a link to the whole post.
func entryContent(p models.Post, link string) string {
	if len(p.BodyHTML) <= models.FeedEntryHTML {
		if content := absoluteHTML(p.BodyHTML, link); len(content) <= models.FeedEntryHTML {
			return content
		}
	}
	return "<p>" + html.EscapeString(p.Summary) + "</p>\n<p><a href=\"" + html.EscapeString(link) + "\">Continue reading “" +
		html.EscapeString(p.Title) + "”</a></p>"
}

// postTagURI is a post's permanent identity in feeds (RFC 4151): unlike its
// URL, it survives a change of slug, so readers never show an edited post
// twice.
func (a *App) postTagURI(id int64, published time.Time) string {
	return "tag:" + a.Config.BaseURL.Hostname() + "," + published.UTC().Format(time.DateOnly) +
		":posts/" + strconv.FormatInt(id, 10)
}

// RSS 2.0 with the content (HTML, see entryContent), dc (author names without emails)
// and atom (self link) extensions.

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSSlash   string     `xml:"xmlns:slash,attr"`
	NSWfw     string     `xml:"xmlns:wfw,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	Generator     string    `xml:"generator"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title      string   `xml:"title"`
	Link       string   `xml:"link"`
	GUID       rssGUID  `xml:"guid"`
	PubDate    string   `xml:"pubDate"`
	Creator    string   `xml:"dc:creator,omitempty"`
	Categories []string `xml:"category"`
	// Description is HTML by RSS convention; the plain-text summary is
	// escaped for it.
	Description string `xml:"description"`
	Content     string `xml:"content:encoded"`
	Comments    int    `xml:"slash:comments"` // the approved comments' count
	// CommentsURL is where they are read, CommentRSS their feed (wfw).
	CommentsURL string `xml:"comments,omitempty"`
	CommentRSS  string `xml:"wfw:commentRss,omitempty"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

func (a *App) rssFeed(src feedSource, site models.Settings, self string, stamp time.Time, posts []models.Post) rssDoc {
	ch := rssChannel{
		// Readers show a channel's description as HTML, as they do an item's.
		Title: src.title(site), Link: a.absURL(src.page), Description: html.EscapeString(src.description(site)),
		Language: site.Language, Generator: generator,
		Self:  atomLink{Href: self, Rel: "self", Type: rssType},
		Items: make([]rssItem, 0, len(posts)),
	}
	if !stamp.IsZero() {
		ch.LastBuildDate = rssDate(stamp)
	}
	for _, p := range posts {
		e := a.feedEntry(p, site)
		ch.Items = append(ch.Items, rssItem{
			Title: e.title, Link: e.link, GUID: rssGUID{Value: e.id}, PubDate: rssDate(e.published),
			Creator: e.authorName, Categories: e.tags, Description: html.EscapeString(e.summary), Content: e.content,
			Comments: e.comments, CommentsURL: e.commentsURL,
		})
		if e.commentsFeed != nil {
			ch.Items[len(ch.Items)-1].CommentRSS = a.absURL(e.commentsFeed(urls.RSS))
		}
	}
	return rssDoc{
		Version: "2.0", NSContent: "http://purl.org/rss/1.0/modules/content/",
		NSDC: "http://purl.org/dc/elements/1.1/", NSAtom: atomNS, NSSlash: "http://purl.org/rss/1.0/modules/slash/",
		NSWfw: "http://wellformedweb.org/CommentAPI/", Channel: ch,
	}
}

// rssDate is RFC 1123 with a numeric zone, in UTC, as RSS 2.0 takes it.
func rssDate(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// Atom 1.0 (RFC 4287).

const atomNS = "http://www.w3.org/2005/Atom"

// threadNS is Atom Threading Extensions (RFC 4685): a post's replies
// (thr:total, a replies link) and what a comment answers (thr:in-reply-to).
const threadNS = "http://purl.org/syndication/thread/1.0"

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	NSThr     string      `xml:"xmlns:thr,attr"`
	Lang      string      `xml:"xml:lang,attr"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Subtitle  atomText    `xml:"subtitle"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
	Total      *int           `xml:"thr:total,omitempty"`       // a post's approved comments
	InReplyTo  *atomInReplyTo `xml:"thr:in-reply-to,omitempty"` // a comment's post
}

type atomInReplyTo struct {
	Ref  string `xml:"ref,attr"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	// Count is a replies link's thr:count, "" elsewhere.
	Count string `xml:"thr:count,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// deletedAuthor names the author of a post whose account is gone; Atom
// requires every entry to name someone.
const deletedAuthor = "A deleted user"

func (a *App) atomFeed(src feedSource, site models.Settings, self string, stamp time.Time, posts []models.Post) atomFeed {
	if stamp.IsZero() {
		stamp = time.Unix(0, 0) // an empty feed has never changed
	}
	feed := atomFeed{
		NSThr: threadNS, Lang: site.Language, ID: self, Title: atomText{Type: "text", Value: src.title(site)},
		Subtitle: atomText{Type: "text", Value: src.description(site)},
		Updated:  w3cDate(stamp),
		Links: []atomLink{
			{Href: self, Rel: "self", Type: atomType},
			{Href: a.absURL(src.page), Rel: "alternate", Type: "text/html"},
		},
		Generator: generator,
		Entries:   make([]atomEntry, 0, len(posts)),
	}
	for _, p := range posts {
		e := a.feedEntry(p, site)
		author := atomPerson{Name: e.authorName, URI: e.authorURL}
		if author.Name == "" {
			author.Name = deletedAuthor
		}
		entry := atomEntry{
			ID: e.id, Title: atomText{Type: "text", Value: e.title},
			Links:     []atomLink{{Href: e.link, Rel: "alternate", Type: "text/html"}},
			Published: w3cDate(e.published), Updated: w3cDate(e.updated),
			Author:  author,
			Summary: &atomText{Type: "text", Value: e.summary},
			Content: atomText{Type: "html", Value: e.content},
			Total:   &e.comments,
		}
		if e.commentsFeed != nil {
			entry.Links = append(entry.Links, atomLink{Href: a.absURL(e.commentsFeed(urls.Atom)), Rel: "replies",
				Type: atomType, Count: strconv.Itoa(e.comments)})
		}
		for _, t := range e.tags {
			entry.Categories = append(entry.Categories, atomCategory{Term: t})
		}
		feed.Entries = append(feed.Entries, entry)
	}
	return feed
}

// absoluteHTML resolves the relative URLs (href, src) in a post's stored,
// sanitised HTML against the post's own URL. Anything already absolute,
// including scheme-relative //host links, is left as the sanitiser allowed
// it. HTML that does not parse is returned unchanged.
func absoluteHTML(fragment, postURL string) string {
	base, err := url.Parse(postURL)
	if err != nil || fragment == "" {
		return fragment
	}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return fragment
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for i, at := range n.Attr {
				switch {
				case at.Namespace != "":
				case at.Key == "href" || at.Key == "src":
					n.Attr[i].Val = absoluteURL(base, at.Val)
				case at.Key == "srcset": // "/a-w480.jpg 480w, /a.jpg 1000w"
					cands := strings.Split(at.Val, ", ")
					for j, c := range cands {
						u, width, _ := strings.Cut(c, " ")
						cands[j] = absoluteURL(base, u) + " " + width
					}
					n.Attr[i].Val = strings.Join(cands, ", ")
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	var b strings.Builder
	for _, n := range nodes {
		walk(n)
		if err := html.Render(&b, n); err != nil {
			return fragment
		}
	}
	return b.String()
}

// absoluteURL resolves a relative URL against base; absolute and
// scheme-relative ones stay as they are.
func absoluteURL(base *url.URL, v string) string {
	if ref, err := url.Parse(strings.TrimSpace(v)); err == nil && !ref.IsAbs() && ref.Host == "" {
		return base.ResolveReference(ref).String()
	}
	return v
}

// w3cDate is RFC 3339 (the W3C date-time profile) in UTC, as Atom, the
// sitemap and social cards take it; "" for the zero time.
func w3cDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// robotsDisallowed are pages of no use to search engines: accounts,
// editors and administration.
var robotsDisallowed = []string{urls.Folder(urls.SettingsProfile()), urls.Admin() + "/", urls.NewPost(), urls.NewPage(), urls.Drafts(),
	urls.Login(""), urls.Register(), urls.Folder(urls.PasswordReset())}

// getRobots allows everything else and points crawlers at the sitemap.
// Allow comes last so crawlers that take the first matching rule still
// honour the exclusions.
func (a *App) getRobots(c echo.Context) error {
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range robotsDisallowed {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("Allow: " + urls.Home() + "\n\nSitemap: " + a.absURL(urls.Sitemap()) + "\n")
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=3600")
	return c.Blob(http.StatusOK, echo.MIMETextPlainCharsetUTF8, []byte(b.String()))
}
