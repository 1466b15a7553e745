// Package importer reads other blogs' exports and turns them into Quire
// users and posts.
package importer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// The namespaces WXR 1.1 and 1.2 put their fields in. The wp: namespace
// carries the version, so both spellings are accepted.
const (
	nsWP11    = "http://wordpress.org/export/1.1/"
	nsWP12    = "http://wordpress.org/export/1.2/"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
)

// MaxItemBytes bounds one element of the file (an item with its body and
// comments): the reader holds one element at a time, never the whole file.
const MaxItemBytes = 8 << 20

var (
	// ErrNotWXR means the file is XML but not a WordPress export.
	ErrNotWXR = errors.New("importer: the file is not a WordPress export (no <rss> with a wp:wxr_version)")
	// ErrTooLarge means one element is bigger than MaxItemBytes.
	ErrTooLarge = errors.New("importer: an element of the file is too large")
)

// Site is the channel's own description of the exporting site.
type Site struct {
	Title       string
	Link        string
	WXRVersion  string
	BaseSiteURL string
	BaseBlogURL string
}

// Author is one <wp:author>: a user who wrote an exported item.
type Author struct {
	ID          int64  `xml:"author_id"`
	Login       string `xml:"author_login"`
	Email       string `xml:"author_email"`
	DisplayName string `xml:"author_display_name"`
	FirstName   string `xml:"author_first_name"`
	LastName    string `xml:"author_last_name"`
}

// Term is a category, tag or other taxonomy term. WordPress 6.1 writes each
// one twice (<wp:category>/<wp:tag> and <wp:term>); the reader reports each
// (taxonomy, slug) once.
type Term struct {
	ID          int64
	Taxonomy    string // category, post_tag, post_format, …
	Slug        string // as WordPress stores it: non-ASCII percent-encoded
	Parent      string // the parent's slug
	Name        string
	Description string
}

// ItemTerm is one <category> of an item.
type ItemTerm struct {
	Domain string `xml:"domain,attr"`
	Slug   string `xml:"nicename,attr"`
	Name   string `xml:",chardata"`
}

// Meta is one <wp:postmeta>.
type Meta struct {
	Key   string `xml:"meta_key"`
	Value string `xml:"meta_value"`
}

// Comment is one <wp:comment>, kept as WordPress wrote it until Quire has
// comments of its own.
type Comment struct {
	ID          int64  `xml:"comment_id" json:"id"`
	Author      string `xml:"comment_author" json:"author"`
	AuthorEmail string `xml:"comment_author_email" json:"author_email"`
	AuthorURL   string `xml:"comment_author_url" json:"author_url"`
	AuthorIP    string `xml:"comment_author_IP" json:"author_ip"`
	Date        string `xml:"comment_date" json:"date"`
	DateGMT     string `xml:"comment_date_gmt" json:"date_gmt"`
	Content     string `xml:"comment_content" json:"content"`
	Approved    string `xml:"comment_approved" json:"approved"`
	Type        string `xml:"comment_type" json:"type"`
	Parent      int64  `xml:"comment_parent" json:"parent"`
	UserID      int64  `xml:"comment_user_id" json:"user_id"`
}

// Item is one <item>: a post, page, attachment or other post type.
type Item struct {
	Line          int // where the item starts in the file, for messages
	Title         string
	Link          string
	PubDate       string
	Creator       string // the author's login
	GUID          string
	Content       string
	Excerpt       string
	ID            int64
	Date          string // site-local "2006-01-02 15:04:05"
	DateGMT       string // "0000-00-00 00:00:00" for drafts
	ModifiedGMT   string
	Name          string // the slug; empty for drafts
	Status        string // publish, draft, future, pending, private, inherit
	Parent        int64
	MenuOrder     int
	Type          string // post, page, attachment, …
	Password      string
	Sticky        bool
	AttachmentURL string
	Terms         []ItemTerm
	Meta          []Meta
	Comments      []Comment
}

// MetaValue is the value of the item's first postmeta named key.
func (it *Item) MetaValue(key string) string {
	for _, m := range it.Meta {
		if m.Key == key {
			return m.Value
		}
	}
	return ""
}

// wpDate is the layout of WordPress's wp:post_date fields.
const wpDate = "2006-01-02 15:04:05"

// Published is the item's instant: wp:post_date_gmt, else pubDate (GMT
// too), else wp:post_date read in loc (drafts have no GMT date). ok is
// false when the item has no usable date at all.
func (it *Item) Published(loc *time.Location) (t time.Time, ok bool) {
	if t, err := time.ParseInLocation(wpDate, it.DateGMT, time.UTC); err == nil && t.Year() > 1 {
		return t, true
	}
	if t, err := time.Parse(time.RFC1123Z, it.PubDate); err == nil && t.Year() > 1 {
		return t, true
	}
	if t, err := time.ParseInLocation(wpDate, it.Date, loc); err == nil && t.Year() > 1 {
		return t, true
	}
	return time.Time{}, false
}

// rawItem mirrors <item> for encoding/xml; the namespaces keep title (RSS)
// apart from wp: fields of the same local name.
type rawItem struct {
	Title         string     `xml:"title"`
	Link          string     `xml:"link"`
	PubDate       string     `xml:"pubDate"`
	Creator       string     `xml:"http://purl.org/dc/elements/1.1/ creator"`
	GUID          string     `xml:"guid"`
	Content       string     `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	Excerpt       []excerpt  `xml:"encoded"`
	ID            int64      `xml:"post_id"`
	Date          string     `xml:"post_date"`
	DateGMT       string     `xml:"post_date_gmt"`
	ModifiedGMT   string     `xml:"post_modified_gmt"`
	Name          string     `xml:"post_name"`
	Status        string     `xml:"status"`
	Parent        int64      `xml:"post_parent"`
	MenuOrder     int        `xml:"menu_order"`
	Type          string     `xml:"post_type"`
	Password      string     `xml:"post_password"`
	Sticky        int        `xml:"is_sticky"`
	AttachmentURL string     `xml:"attachment_url"`
	Terms         []ItemTerm `xml:"category"`
	Meta          []Meta     `xml:"postmeta"`
	Comments      []Comment  `xml:"comment"`
}

// excerpt catches every *:encoded element so the excerpt namespace (which
// also carries the version) can be told from content:encoded.
type excerpt struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

type rawCategory struct {
	ID          int64  `xml:"term_id"`
	Slug        string `xml:"category_nicename"`
	Parent      string `xml:"category_parent"`
	Name        string `xml:"cat_name"`
	Description string `xml:"category_description"`
}

type rawTag struct {
	ID          int64  `xml:"term_id"`
	Slug        string `xml:"tag_slug"`
	Name        string `xml:"tag_name"`
	Description string `xml:"tag_description"`
}

type rawTerm struct {
	ID          int64  `xml:"term_id"`
	Taxonomy    string `xml:"term_taxonomy"`
	Slug        string `xml:"term_slug"`
	Parent      string `xml:"term_parent"`
	Name        string `xml:"term_name"`
	Description string `xml:"term_description"`
}

// WXR reads a WordPress export one record at a time: Next returns a *Site
// (once, before the first author, term or item), *Author, *Term or *Item,
// and io.EOF at the end.
type WXR struct {
	name    string
	dec     *xml.Decoder
	lim     *limitedReader
	site    Site
	sent    bool // the Site has been returned
	inChan  bool
	seen    map[[2]string]bool // (taxonomy, slug) of terms already returned
	items   int
	pending any
}

// NewWXR reads from r; name (the file's path) prefixes error messages.
func NewWXR(r io.Reader, name string) *WXR {
	lim := &limitedReader{r: r}
	dec := xml.NewDecoder(lim)
	return &WXR{name: name, dec: dec, lim: lim, seen: map[[2]string]bool{}}
}

// limitedReader counts bytes read since the last reset so one element
// cannot exceed MaxItemBytes.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n > MaxItemBytes {
		return 0, ErrTooLarge
	}
	// One read never takes more than the element may still have: a reader
	// that reads large blocks (json.Decoder) would hold the whole element
	// before the next read could refuse it.
	if room := MaxItemBytes + 1 - l.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// errorf says where in the file the problem is.
func (w *WXR) errorf(line int, format string, args ...any) error {
	where := fmt.Sprintf("%s:%d", w.name, line)
	if w.items > 0 {
		where += fmt.Sprintf(" (item %d)", w.items)
	}
	return fmt.Errorf("%s: %w", where, fmt.Errorf(format, args...))
}

// Next returns the next record, or io.EOF after the last one.
func (w *WXR) Next() (any, error) {
	for {
		if w.pending != nil && w.sent {
			rec := w.pending
			w.pending = nil
			return rec, nil
		}
		line, _ := w.dec.InputPos()
		w.lim.n = 0
		tok, err := w.dec.Token()
		if err == io.EOF {
			if w.sent {
				return nil, io.EOF
			}
			if w.site.WXRVersion == "" {
				return nil, fmt.Errorf("%s: %w", w.name, ErrNotWXR)
			}
			w.sent = true
			site := w.site
			return &site, nil
		}
		if err != nil {
			line, _ = w.dec.InputPos()
			return nil, w.errorf(line, "the XML is malformed: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			rec, err := w.start(t)
			if err != nil {
				return nil, err
			}
			if rec == nil {
				continue
			}
			if !w.sent {
				w.pending = rec
				if w.site.WXRVersion == "" {
					return nil, w.errorf(line, "%w", ErrNotWXR)
				}
				w.sent = true
				site := w.site
				return &site, nil
			}
			return rec, nil
		case xml.EndElement:
			if t.Name.Local == "channel" {
				w.inChan = false
			}
		}
	}
}

// start handles one opening tag; it returns a record or nil to go on.
func (w *WXR) start(t xml.StartElement) (any, error) {
	line, _ := w.dec.InputPos()
	wp := t.Name.Space == nsWP11 || t.Name.Space == nsWP12
	switch {
	case t.Name.Local == "rss" || t.Name.Local == "channel" && !w.inChan:
		if t.Name.Local == "channel" {
			w.inChan = true
		}
		return nil, nil
	case !w.inChan:
		return nil, w.errorf(line, "%w", ErrNotWXR)
	case t.Name.Local == "item" && t.Name.Space == "":
		w.items++
		var raw rawItem
		if err := w.dec.DecodeElement(&raw, &t); err != nil {
			return nil, w.errorf(line, "the item is malformed: %w", err)
		}
		return raw.item(line), nil
	case wp && t.Name.Local == "author":
		var a Author
		if err := w.dec.DecodeElement(&a, &t); err != nil {
			return nil, w.errorf(line, "the author is malformed: %w", err)
		}
		return &a, nil
	case wp && (t.Name.Local == "category" || t.Name.Local == "tag" || t.Name.Local == "term"):
		term, err := w.term(t)
		if err != nil {
			return nil, w.errorf(line, "the %s is malformed: %w", t.Name.Local, err)
		}
		key := [2]string{term.Taxonomy, term.Slug}
		if w.seen[key] {
			return nil, nil
		}
		w.seen[key] = true
		return term, nil
	case wp && t.Name.Local == "wxr_version":
		return nil, w.text(t, &w.site.WXRVersion)
	case wp && t.Name.Local == "base_site_url":
		return nil, w.text(t, &w.site.BaseSiteURL)
	case wp && t.Name.Local == "base_blog_url":
		return nil, w.text(t, &w.site.BaseBlogURL)
	case t.Name.Space == "" && t.Name.Local == "title":
		return nil, w.text(t, &w.site.Title)
	case t.Name.Space == "" && t.Name.Local == "link":
		return nil, w.text(t, &w.site.Link)
	}
	// Anything else in the channel (description, language, generator,
	// navigation menus of newer exporters) is skipped whole.
	if err := w.dec.Skip(); err != nil {
		return nil, w.errorf(line, "the XML is malformed: %w", err)
	}
	return nil, nil
}

func (w *WXR) text(t xml.StartElement, into *string) error {
	var s string
	if err := w.dec.DecodeElement(&s, &t); err != nil {
		line, _ := w.dec.InputPos()
		return w.errorf(line, "<%s> is malformed: %w", t.Name.Local, err)
	}
	*into = strings.TrimSpace(s)
	return nil
}

func (w *WXR) term(t xml.StartElement) (*Term, error) {
	switch t.Name.Local {
	case "category":
		var c rawCategory
		if err := w.dec.DecodeElement(&c, &t); err != nil {
			return nil, err
		}
		return &Term{ID: c.ID, Taxonomy: "category", Slug: c.Slug, Parent: c.Parent, Name: c.Name, Description: c.Description}, nil
	case "tag":
		var g rawTag
		if err := w.dec.DecodeElement(&g, &t); err != nil {
			return nil, err
		}
		return &Term{ID: g.ID, Taxonomy: "post_tag", Slug: g.Slug, Name: g.Name, Description: g.Description}, nil
	}
	var r rawTerm
	if err := w.dec.DecodeElement(&r, &t); err != nil {
		return nil, err
	}
	return &Term{ID: r.ID, Taxonomy: r.Taxonomy, Slug: r.Slug, Parent: r.Parent, Name: r.Name, Description: r.Description}, nil
}

func (r *rawItem) item(line int) *Item {
	it := &Item{
		Line: line, Title: r.Title, Link: strings.TrimSpace(r.Link), PubDate: strings.TrimSpace(r.PubDate),
		Creator: r.Creator, GUID: strings.TrimSpace(r.GUID), Content: r.Content, ID: r.ID,
		Date: r.Date, DateGMT: r.DateGMT, ModifiedGMT: r.ModifiedGMT, Name: r.Name, Status: r.Status, Parent: r.Parent,
		MenuOrder: r.MenuOrder, Type: r.Type, Password: r.Password, Sticky: r.Sticky == 1,
		AttachmentURL: strings.TrimSpace(r.AttachmentURL), Terms: r.Terms, Meta: r.Meta, Comments: r.Comments,
	}
	for _, e := range r.Excerpt {
		if strings.HasPrefix(e.XMLName.Space, "http://wordpress.org/export/") {
			it.Excerpt = e.Text
		}
	}
	return it
}
