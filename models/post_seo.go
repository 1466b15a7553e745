package models

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits of a post's search and social fields (sql/00020 checks the same).
const (
	MaxMetaDescriptionLen = 300
	MaxSocialTitleLen     = MaxTitleLen
	MaxCanonicalURLLen    = 2000
)

// SEO is how a post presents itself to search engines and social cards.
// Every field is optional: an empty one falls back to the post's own
// (summary, title, cover, address).
type SEO struct {
	MetaDescription string `db:"meta_description"`
	SocialTitle     string `db:"social_title"`
	SocialImage     string `db:"social_image"` // media key, "" for the cover
	// CanonicalURL names the original when the post is republished from
	// elsewhere; "" is the post's own address.
	CanonicalURL string `db:"canonical_url"`
	// NoIndex asks search engines to leave the post out, and keeps it out of
	// the sitemap; readers still see it.
	NoIndex bool `db:"noindex"`
}

// seoColumns are SEO's columns, in the order insert and update take them
// (postColumns reads them too).
const seoColumns = `meta_description, social_title, social_image, canonical_url, noindex`

// args are SEO's values in seoColumns' order.
func (s SEO) args() []any {
	return []any{s.MetaDescription, s.SocialTitle, s.SocialImage, s.CanonicalURL, s.NoIndex}
}

func (s SEO) normalized() SEO {
	s.MetaDescription = strings.Join(strings.Fields(CleanText(s.MetaDescription)), " ")
	s.SocialTitle = strings.TrimSpace(CleanText(s.SocialTitle))
	s.SocialImage = strings.TrimSpace(s.SocialImage)
	s.CanonicalURL = strings.TrimSpace(s.CanonicalURL)
	return s
}

// validate adds s's problems to errs, keyed by form field name.
func (s SEO) validate(errs map[string]string) {
	if n := utf8.RuneCountInString(s.MetaDescription); n > MaxMetaDescriptionLen {
		errs["meta_description"] = fmt.Sprintf("Keep the description to %d characters (it has %d); search engines cut it near 160.", MaxMetaDescriptionLen, n)
	}
	if n := utf8.RuneCountInString(s.SocialTitle); n > MaxSocialTitleLen {
		errs["social_title"] = fmt.Sprintf("Keep the social title to %d characters (it has %d).", MaxSocialTitleLen, n)
	}
	if s.SocialImage != "" && !ValidKey(s.SocialImage) {
		errs["social_image"] = "Use the file name of an image from your media library."
	}
	if msg := canonicalProblem(s.CanonicalURL); msg != "" {
		errs["canonical_url"] = msg
	}
}

// canonicalProblem says what is wrong with a canonical URL override, or ""
// when it is empty or an absolute http(s) address.
func canonicalProblem(raw string) string {
	if raw == "" {
		return ""
	}
	if len(raw) > MaxCanonicalURLLen {
		return fmt.Sprintf("Keep the address to %d characters.", MaxCanonicalURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(raw, " \t\r\n") {
		return "Use a full address starting with https:// (or http://), like https://example.com/original-post."
	}
	return ""
}
