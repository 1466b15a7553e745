package handlers

import (
	"cmp"
	"strings"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/layout"
	"quire/views/pages"
	"quire/views/urls"
)

// A post's search and social fields: the editor's form, and the schema.org
// description (JSON-LD) its page carries for search engines.

// seoForm reads the editor's search and social fields as typed.
func seoForm(c echo.Context) pages.SEOView {
	return pages.SEOView{
		MetaDescription: c.FormValue("meta_description"), SocialTitle: c.FormValue("social_title"),
		SocialImage: strings.TrimSpace(c.FormValue("social_image")), CanonicalURL: c.FormValue("canonical_url"),
		NoIndex: c.FormValue("noindex") != "",
	}
}

func seoInput(v pages.SEOView) models.SEO {
	return models.SEO{MetaDescription: v.MetaDescription, SocialTitle: v.SocialTitle,
		SocialImage: v.SocialImage, CanonicalURL: v.CanonicalURL, NoIndex: v.NoIndex}
}

func seoView(s models.SEO) pages.SEOView {
	return pages.SEOView{MetaDescription: s.MetaDescription, SocialTitle: s.SocialTitle,
		SocialImage: s.SocialImage, CanonicalURL: s.CanonicalURL, NoIndex: s.NoIndex}
}

// jsonLD is a schema.org BlogPosting (a page: WebPage), as Google's article
// structured data asks for it.
type jsonLD struct {
	Context       string       `json:"@context"`
	Type          string       `json:"@type"`
	Headline      string       `json:"headline"`
	Description   string       `json:"description,omitempty"`
	URL           string       `json:"url"`
	MainEntity    *jsonLDThing `json:"mainEntityOfPage,omitempty"`
	Image         []string     `json:"image,omitempty"`
	DatePublished string       `json:"datePublished,omitempty"`
	DateModified  string       `json:"dateModified,omitempty"`
	Author        *jsonLDThing `json:"author,omitempty"`
	Publisher     *jsonLDThing `json:"publisher,omitempty"`
	Keywords      string       `json:"keywords,omitempty"`
	InLanguage    string       `json:"inLanguage,omitempty"`
	IsPartOf      *jsonLDThing `json:"isPartOf,omitempty"`
}

// jsonLDThing is a nested schema.org object: a person, an organisation, a
// web page or an image.
type jsonLDThing struct {
	Type string       `json:"@type"`
	ID   string       `json:"@id,omitempty"`
	Name string       `json:"name,omitempty"`
	URL  string       `json:"url,omitempty"`
	Logo *jsonLDThing `json:"logo,omitempty"`
}

// postJSONLD describes post p, shown in frame pg (its canonical address,
// description and social image already chosen), for search engines.
func (a *App) postJSONLD(p models.Post, pg layout.Page) jsonLD {
	own := a.absURL(postPath(p))
	d := jsonLD{
		Context: "https://schema.org", Type: "BlogPosting", Headline: p.Title,
		Description: pg.Description, URL: own, InLanguage: pg.Site.Lang,
		MainEntity:   &jsonLDThing{Type: "WebPage", ID: cmp.Or(p.CanonicalURL, own)},
		DateModified: w3cDate(p.UpdatedAt),
		Keywords:     strings.Join(p.Tags, ", "),
	}
	if pg.Social != nil && pg.Social.Image != "" {
		d.Image = []string{pg.Social.Image}
	}
	if p.IsPage() {
		d.Type, d.MainEntity = "WebPage", nil
		d.IsPartOf = &jsonLDThing{Type: "WebSite", Name: pg.Site.Title, URL: a.absURL(urls.Home())}
		return d
	}
	if p.PublishedAt != nil {
		d.DatePublished = w3cDate(*p.PublishedAt)
	}
	if p.AuthorUsername != "" {
		d.Author = &jsonLDThing{Type: "Person", Name: p.AuthorName, URL: a.absURL(urls.Author(p.AuthorUsername))}
	}
	d.Publisher = &jsonLDThing{Type: "Organization", Name: pg.Site.Title, URL: a.absURL(urls.Home())}
	if pg.Site.Logo != "" {
		d.Publisher.Logo = &jsonLDThing{Type: "ImageObject", URL: a.absURL(pg.Site.Logo)}
	}
	return d
}
