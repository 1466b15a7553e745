package models

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"quire/models/markdown"
)

// Limits of the site settings (sql/00011 checks the same).
const (
	MaxSiteTitleLen   = 100
	MaxTaglineLen     = 300
	MaxFooterBytes    = 4 << 10
	MaxSocialLinks    = 10
	MaxLinkLabelLen   = 50
	MaxLinkURLLen     = 2000
	MaxCustomCSSBytes = 64 << 10
	MaxPostsPerPage   = 100
	MaxNavItems       = 12
	MaxNavLabelLen    = 40
	maxLanguageLen    = 35
)

var accentPattern = regexp.MustCompile(`^#([0-9a-f]{3}|[0-9a-f]{6})$`)

// normalized trims and tidies what the admin cannot mean to keep, so
// validation and the stored settings agree: single-line fields lose runs
// of white space and control characters, the language tag takes its
// canonical form (EN_gb is en-GB), the colour is lower-case.
func (in SiteInput) normalized() SiteInput {
	line := func(s string) string { return strings.Join(strings.Fields(CleanText(s)), " ") }
	in.Title, in.Tagline = line(in.Title), line(in.Tagline)
	in.Language = strings.TrimSpace(in.Language)
	if tag, err := language.Parse(in.Language); err == nil && len(in.Language) <= maxLanguageLen {
		in.Language = tag.String()
	}
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	in.Footer = strings.TrimSpace(strings.ReplaceAll(CleanText(in.Footer), "\r\n", "\n"))
	links := SocialLinks{}
	for _, l := range in.SocialLinks {
		l.Label, l.URL = line(l.Label), strings.TrimSpace(CleanText(l.URL))
		if l.Label != "" || l.URL != "" {
			links = append(links, l)
		}
	}
	in.SocialLinks = links
	nav := NavItems{}
	for _, it := range in.Nav {
		it.Label, it.Kind = CleanDisplayName(it.Label), strings.ToLower(strings.TrimSpace(it.Kind))
		it.Target = navTarget(it.Kind, it.Target)
		if it.Label != "" || it.Target != "" {
			nav = append(nav, it)
		}
	}
	in.Nav = nav
	in.Accent = strings.ToLower(strings.TrimSpace(in.Accent))
	in.CustomCSS = strings.ReplaceAll(CleanText(in.CustomCSS), "\r\n", "\n")
	in.Registration = strings.TrimSpace(in.Registration)
	in.Comments = cmp.Or(strings.TrimSpace(in.Comments), CommentsAccounts) // a form without the field: the default
	in.CommentsBlocklist = normalizedBlocklist(in.CommentsBlocklist)
	in.CommentsNotify = cmp.Or(strings.TrimSpace(in.CommentsNotify), CommentNotifyHeld)
	in.CommentsPerPage = cmp.Or(in.CommentsPerPage, DefaultCommentsPerPage) // settings saved before 00027
	in.Logo, in.Favicon, in.SocialImage = strings.TrimSpace(in.Logo), strings.TrimSpace(in.Favicon), strings.TrimSpace(in.SocialImage)
	return in
}

// Normalized is in as Save would store it.
func (in SiteInput) Normalized() SiteInput { return in.normalized() }

// Validate returns user-facing messages keyed by form field name (a social
// link's are link_label_N and link_url_N, N from 1); the map is empty (not
// nil) when the input is acceptable. Validate the Normalized input.
func (in SiteInput) Validate() map[string]string {
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs["title"] = "Give the site a title."
	case n > MaxSiteTitleLen:
		errs["title"] = fmt.Sprintf("Keep the title to %d characters (it has %d).", MaxSiteTitleLen, n)
	}
	if n := utf8.RuneCountInString(in.Tagline); n > MaxTaglineLen {
		errs["tagline"] = fmt.Sprintf("Keep the description to %d characters (it has %d).", MaxTaglineLen, n)
	}
	if msg := languageProblem(in.Language); msg != "" {
		errs["language"] = msg
	}
	if msg := timeZoneProblem(in.TimeZone); msg != "" {
		errs["time_zone"] = msg
	}
	if in.PostsPerPage < 1 || in.PostsPerPage > MaxPostsPerPage {
		errs["posts_per_page"] = "Choose a number of posts from 1 to " + strconv.Itoa(MaxPostsPerPage) + "."
	}
	if msg := footerProblem(in.Footer); msg != "" {
		errs["footer"] = msg
	}
	if len(in.SocialLinks) > MaxSocialLinks {
		errs["link_url_"+strconv.Itoa(MaxSocialLinks+1)] = fmt.Sprintf("Give at most %d links.", MaxSocialLinks)
	}
	for i, l := range in.SocialLinks {
		n := strconv.Itoa(i + 1)
		switch c := utf8.RuneCountInString(l.Label); {
		case c == 0:
			errs["link_label_"+n] = "Name the link, for example Mastodon."
		case c > MaxLinkLabelLen:
			errs["link_label_"+n] = fmt.Sprintf("Keep the name to %d characters.", MaxLinkLabelLen)
		}
		if msg := linkProblem(l.URL); msg != "" {
			errs["link_url_"+n] = msg
		}
	}
	if len(in.Nav) > MaxNavItems {
		errs["nav_target_"+strconv.Itoa(MaxNavItems+1)] = fmt.Sprintf("Give the menu at most %d links.", MaxNavItems)
	}
	for i, it := range in.Nav {
		n := strconv.Itoa(i + 1)
		for field, msg := range map[string]string{"label": navLabelProblem(it.Label), "kind": navKindProblem(it.Kind),
			"target": navTargetProblem(it)} {
			if msg != "" {
				errs["nav_"+field+"_"+n] = msg
			}
		}
	}
	if in.Accent != "" && !accentPattern.MatchString(in.Accent) {
		errs["accent"] = "Give a colour as # and three or six hexadecimal digits, like #2f5fd0, or leave it empty."
	}
	if n := len(in.CustomCSS); n > MaxCustomCSSBytes {
		errs["custom_css"] = fmt.Sprintf("Keep the stylesheet to %d KiB (it has %d bytes).", MaxCustomCSSBytes>>10, n)
	}
	for name, key := range map[string]string{"logo": in.Logo, "favicon": in.Favicon, "social_image": in.SocialImage} {
		if key != "" && !ValidKey(key) {
			errs[name] = "Upload the image again."
		}
	}
	switch in.Registration {
	case RegistrationClosed, RegistrationInvite, RegistrationOpen:
	default:
		errs["registration"] = "Choose who may register: closed, invite-only or open."
	}
	commentSettingsProblems(in, errs)
	return errs
}

func languageProblem(s string) string {
	const msg = "Give a language tag such as en, en-GB, fr or pt-BR."
	if s == "" || len(s) > maxLanguageLen {
		return msg
	}
	tag, err := language.Parse(s)
	if _, conf := tag.Base(); err != nil || conf != language.Exact {
		return msg
	}
	return ""
}

func timeZoneProblem(s string) string {
	const msg = "Give a time zone by its IANA name, such as Europe/Paris, America/New_York or UTC."
	if s == "" || s == "Local" || len(s) > 64 {
		return msg
	}
	if _, err := time.LoadLocation(s); err != nil {
		return msg
	}
	return ""
}

func footerProblem(s string) string {
	if n := len(s); n > MaxFooterBytes {
		return fmt.Sprintf("Keep the footer to %d KiB of text (it has %d bytes).", MaxFooterBytes>>10, n)
	}
	if _, err := markdown.Render(s); errors.Is(err, markdown.ErrTooLarge) {
		return "The footer would be too large once formatted: use fewer headings, links or table cells."
	} else if err != nil {
		return "The footer could not be formatted."
	}
	return ""
}

// linkProblem accepts web addresses (http, https) with a host and mailto:
// addresses, nothing else: a javascript: or data: link in every page's
// footer would run on every reader.
func linkProblem(s string) string {
	const msg = "Give an address starting with https://, http:// or mailto:."
	if s == "" {
		return "Give the link's address."
	}
	if len(s) > MaxLinkURLLen {
		return fmt.Sprintf("Keep the address to %d characters.", MaxLinkURLLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return msg
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" || u.User != nil {
			return msg
		}
	case "mailto":
		if !strings.Contains(u.Opaque, "@") {
			return msg
		}
	default:
		return msg
	}
	return ""
}

// navTarget is a menu link's target in its stored form: a page's slug
// without slashes ("/About/" is about), a tag as tags are stored ("#Slow
// Travel" is slow-travel), a username without its @, an address trimmed.
func navTarget(kind, s string) string {
	s = strings.TrimSpace(CleanText(s))
	switch kind {
	case NavPage:
		return strings.ToLower(strings.Trim(s, "/"))
	case NavTag:
		if len(s) > maxTagBytes {
			return s // refused as too long, unread
		}
		return normalizeTag(s)
	case NavAuthor:
		return NormalizeUsername(strings.TrimPrefix(s, "@"))
	}
	return s
}

func navLabelProblem(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "Give the link a label, for example About."
	case n > MaxNavLabelLen:
		return fmt.Sprintf("Keep the label to %d characters (it has %d).", MaxNavLabelLen, n)
	}
	return ""
}

func navKindProblem(kind string) string {
	if !slices.Contains(NavKinds, kind) {
		return "Choose what the link leads to: a page, a tag, an author or a web address."
	}
	return ""
}

// navTargetProblem says what is wrong with the form of a link's target;
// whether its page or author exists is navTargetProblems' to say. A link
// of no known kind has no target to judge.
func navTargetProblem(it NavItem) string {
	t := it.Target
	switch it.Kind {
	case NavPage:
		if t == "" {
			return "Give the page's address, such as about."
		}
		if !markdown.ValidSlug(t) {
			return "Give the page's address as it ends its link: lower-case letters, digits and hyphens, such as about."
		}
	case NavTag:
		if t == "" {
			return "Give the tag, such as travel."
		}
		return tagsProblem([]string{t})
	case NavAuthor:
		if t == "" {
			return "Give the author's username, such as ada."
		}
		if CheckUsername(t) != "" {
			return "Give the author's username: 3 to 30 characters, letters a-z, digits and underscores."
		}
	case NavURL:
		return linkProblem(t)
	}
	return ""
}

// navTargetWellFormed reports whether the link's kind and target pass
// Validate, so that the database may be asked about them.
func navTargetWellFormed(it NavItem) bool {
	return navKindProblem(it.Kind) == "" && navTargetProblem(it) == ""
}
