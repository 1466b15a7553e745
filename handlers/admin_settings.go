package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/admin"
	"quire/views/components"
	"quire/views/urls"
)

// siteImages are the settings' images: the form field, what it is called,
// and what it becomes (the box it is fitted in, the copies made of it).
var siteImages = []struct {
	name, label, hint string
	kind              models.ImageKind
}{
	{"logo", "Logo", "Shown in the header in place of the title (which stays its text for screen readers). PNG, JPEG, GIF or WebP; each image here may be up to 3 MiB.", models.Logo},
	{"favicon", "Favicon", "The icon in browser tabs and on phones' home screens: a square image at least 256 pixels wide. Copies of 32, 180 and 192 pixels are made.", models.Favicon},
	{"social_image", "Social image", "Shown when a page without an image of its own is shared (Open Graph, Twitter cards); 1200×630 suits most sites.", models.SocialImage},
}

// settingsBody fits the largest settings form: the custom stylesheet and
// the footer, each byte percent-encoded to three, the images and the other
// fields.
var settingsBody = bodySize{(models.MaxCustomCSSBytes+models.MaxFooterBytes)*3 + 3*models.Logo.Limits.MaxBytes + formBody.max,
	fmt.Sprintf("These settings are larger than the site accepts: keep the stylesheet to %d KiB and each image to %d MiB. Nothing was saved.",
		models.MaxCustomCSSBytes>>10, models.Logo.Limits.MaxBytes>>20)}

// settingsForm is what the settings form holds: the input, with posts per
// page as typed (kept on errors even when it is no number).
type settingsForm struct {
	in           models.SiteInput
	postsPerPage string
	version      int64 // -1 when the form's is not one a row can have
}

// getAdminSettings shows the settings as stored now.
func (a *App) getAdminSettings(c echo.Context) error {
	s, err := a.Settings.Get(c.Request().Context())
	if err != nil {
		return err
	}
	f := settingsForm{in: s.SiteInput, postsPerPage: strconv.Itoa(s.PostsPerPage), version: s.Version}
	// A menu page unpublished or an author suspended since the last save
	// is pointed out now, not first when another setting is saved.
	errs, err := a.Settings.NavProblems(c.Request().Context(), s.Nav)
	if err != nil {
		return err
	}
	return a.renderSettings(c, http.StatusOK, f, errs, "")
}

// postAdminSettings saves the settings: 422 with every field's error beside
// it, 409 when someone saved since the form was opened (the input kept, to
// save again over theirs), else a notice on the settings page.
func (a *App) postAdminSettings(c echo.Context) error {
	f := bindSettings(c)
	status, imageErrs, err := a.storeSiteImages(c, &f.in)
	if err != nil {
		return err
	}
	errs, err := a.Settings.Check(c.Request().Context(), f.in)
	if err != nil {
		return err
	}
	maps.Copy(errs, imageErrs)
	if _, err := strconv.Atoi(f.postsPerPage); err != nil {
		errs["posts_per_page"] = "Choose a number of posts from 1 to " + strconv.Itoa(models.MaxPostsPerPage) + "."
	}
	if len(errs) > 0 {
		return a.renderSettings(c, status, f, errs, "")
	}
	_, err = a.Settings.Save(c.Request().Context(), adminActor(c), f.version, f.in)
	var invalid *models.InvalidSettingsError
	if errors.As(err, &invalid) { // a menu page unpublished since the check
		return a.renderSettings(c, http.StatusUnprocessableEntity, f, invalid.Fields, "")
	}
	if errors.Is(err, models.ErrConflict) {
		cur, gerr := a.Settings.Get(c.Request().Context())
		if gerr != nil {
			return gerr
		}
		f.version = cur.Version
		return a.renderSettings(c, http.StatusConflict, f, nil,
			"Someone else saved the settings since you opened this page. Your changes are below: save again to keep them.")
	}
	if err != nil {
		return err
	}
	a.flash(c, "The settings are saved.")
	return redirect(c, urls.AdminSettings())
}

// storeSiteImages stores the images uploaded with the form, through the
// media pipeline (each is also in the media library), and puts their keys
// in in. An image is kept as soon as it is stored: a form refused for
// another field shows it, and saves it with the next try. status is 422,
// or 503 when the image pipeline had no room.
func (a *App) storeSiteImages(c echo.Context, in *models.SiteInput) (int, map[string]string, error) {
	status, errs := http.StatusUnprocessableEntity, map[string]string{}
	u, _ := currentUser(c)
	for _, im := range siteImages {
		fh, err := c.FormFile(im.name)
		if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) || err == nil && fh.Size == 0 {
			continue
		}
		if err != nil {
			errs[im.name] = "The upload did not arrive complete. Please try again."
			continue
		}
		up, err := a.storeImage(c, im.name, u.ID, in.Title+" "+strings.ToLower(im.label), im.kind)
		if err != nil {
			return 0, nil, err
		}
		md := up.media
		switch {
		case up.msg != "":
			errs[im.name], status = up.msg, up.status(c)
		case im.name == "favicon" && (md.Width != md.Height || md.Width < models.MinFaviconSize):
			errs[im.name] = fmt.Sprintf("Use a square image at least %d pixels wide (this one is %d×%d).",
				models.MinFaviconSize, md.Width, md.Height)
		default:
			*in.Image(im.name) = md.Key
		}
	}
	return status, errs, nil
}

// bindSettings reads the form, normalised as it will be stored.
func bindSettings(c echo.Context) settingsForm {
	f := settingsForm{postsPerPage: field(c, "posts_per_page"), version: -1}
	if v, err := strconv.ParseInt(c.FormValue("version"), 10, 64); err == nil && v >= 0 {
		f.version = v
	}
	f.in = models.SiteInput{
		Title: c.FormValue("title"), Tagline: c.FormValue("tagline"), Language: c.FormValue("language"),
		TimeZone: c.FormValue("time_zone"), Footer: c.FormValue("footer"), Accent: c.FormValue("accent"),
		CustomCSS: c.FormValue("custom_css"), Registration: c.FormValue("registration"),
	}
	for _, im := range siteImages {
		if c.FormValue("remove_"+im.name) == "" {
			*f.in.Image(im.name) = c.FormValue(im.name + "_key")
		}
	}
	f.in.PostsPerPage, _ = strconv.Atoi(f.postsPerPage)
	f.in.Comments, f.in.CommentsBlocklist = c.FormValue("comments"), c.FormValue("comments_blocklist")
	f.in.CommentsNotify = c.FormValue("comments_notify")
	f.in.CommentsCloseDays, f.in.CommentsMaxLinks = formNumber(c, "comments_close_days"), formNumber(c, "comments_max_links")
	if _, sent := c.Request().Form["comments_per_page"]; sent { // else the default (Normalized)
		f.in.CommentsPerPage = cmp.Or(formNumber(c, "comments_per_page"), -1) // blank is refused
	}
	for i := 1; i <= models.MaxSocialLinks+1; i++ {
		n := strconv.Itoa(i)
		f.in.SocialLinks = append(f.in.SocialLinks,
			models.SocialLink{Label: c.FormValue("link_label_" + n), URL: c.FormValue("link_url_" + n)})
	}
	f.in.Nav = bindNav(c)
	f.in = f.in.Normalized()
	return f
}

// bindNav reads the menu's rows in the order of their position numbers.
// A row given the number another row has goes before it ("2" moves a link
// to second place); a row without a number keeps its place.
func bindNav(c echo.Context) models.NavItems {
	type row struct {
		at    float64
		moved bool
		item  models.NavItem
	}
	var rows []row
	for i := 1; i <= models.MaxNavItems+1; i++ {
		n := strconv.Itoa(i)
		at, err := strconv.ParseFloat(field(c, "nav_position_"+n), 64)
		if err != nil || math.IsNaN(at) {
			at = float64(i)
		}
		rows = append(rows, row{at, at != float64(i), models.NavItem{Label: c.FormValue("nav_label_" + n),
			Kind: c.FormValue("nav_kind_" + n), Target: c.FormValue("nav_target_" + n)}})
	}
	slices.SortStableFunc(rows, func(x, y row) int {
		if d := cmp.Compare(x.at, y.at); d != 0 || x.moved == y.moved {
			return d
		}
		if x.moved {
			return -1
		}
		return 1
	})
	nav := models.NavItems{}
	for _, r := range rows {
		nav = append(nav, r.item)
	}
	return nav
}

func (a *App) renderSettings(c echo.Context, status int, f settingsForm, errs map[string]string, formError string) error {
	fe := fieldErrors(errs)
	in := f.in
	now := "With the saved zone it is now " + a.formatter(c).DateTime(time.Now()) + "."
	if a.Config.TimeZone != nil {
		now = "The server was started with --timezone (QUIRE_TIMEZONE) " + a.Config.TimeZone.String() +
			": dates are shown in that zone while it is set. It is now " + a.formatter(c).DateTime(time.Now()) + "."
	}
	v := admin.SettingsView{
		Tabs: a.adminTabs(c, "settings"), CSRF: csrfToken(c), Version: strconv.FormatInt(f.version, 10), Error: formError,
		Before: []admin.SettingsSection{
			{Legend: "Site", Fields: fe.apply([]components.Field{
				{Name: "title", Label: "Title", Type: "text", Value: in.Title, Required: true, MaxLength: models.MaxSiteTitleLen,
					Hint: "The site's name: in every page's header and title, its feeds, social cards and mail."},
				{Name: "tagline", Label: "Description", Type: "text", Value: in.Tagline, MaxLength: models.MaxTaglineLen,
					Hint: "A sentence about the site, for search engines, social cards and the feed."},
				{Name: "language", Label: "Language", Type: "text", Value: in.Language, Required: true,
					Hint: "A language tag such as en, en-GB, fr or pt-BR: browsers, screen readers and feed readers use it."},
				{Name: "time_zone", Label: "Time zone", Type: "text", Value: in.TimeZone, Required: true,
					Hint: "An IANA name such as Europe/Paris or America/New_York; dates are shown in it. " + now},
			})},
			{Legend: "Reading", Fields: fe.apply([]components.Field{
				{Name: "posts_per_page", Label: "Posts per page", Type: "number", Value: f.postsPerPage, Required: true,
					Hint: "On the home, tag, author and search pages, from 1 to 100. Feeds carry at least 20."},
				{Name: "footer", Label: "Footer", Type: "textarea", Value: in.Footer, MaxLength: models.MaxFooterBytes,
					Hint: "Markdown, shown at the foot of every page: a copyright line, a licence, a contact."},
			})},
		},
		After: []admin.SettingsSection{
			{Legend: "Comments", Fields: fe.apply([]components.Field{
				{Name: "comments", Label: "Who may comment", Type: "select", Value: in.Comments, Choices: []components.Choice{
					{Value: models.CommentsOff, Label: "Nobody: comments are off"},
					{Value: models.CommentsAccounts, Label: "Signed-in accounts"},
					{Value: models.CommentsAnyone, Label: "Anyone with a name and email address"}},
					Hint: "A commenter's first comment waits for moderation; once one is approved, their later ones appear at once."},
				{Name: "comments_close_days", Label: "Close comments after (days)", Type: "number",
					Value: strconv.Itoa(in.CommentsCloseDays), Hint: "Days after a post is published; 0 keeps comments open."},
				{Name: "comments_max_links", Label: "Links before a comment is held", Type: "number",
					Value: strconv.Itoa(in.CommentsMaxLinks), Hint: "A comment with more links than this waits for moderation."},
				{Name: "comments_notify", Label: "Mail authors about new comments", Type: "select", Value: in.CommentsNotify,
					Choices: []components.Choice{
						{Value: models.CommentNotifyOff, Label: "Never"},
						{Value: models.CommentNotifyHeld, Label: "When a comment on their post waits for moderation"},
						{Value: models.CommentNotifyAll, Label: "For every new comment on their post"}},
					Hint: "Mail goes out in batches: at most one every 10 minutes to each author."},
				{Name: "comments_per_page", Label: "Comments per page", Type: "number", Value: strconv.Itoa(in.CommentsPerPage),
					Hint: "From 10 to 500, each with its replies. A post shows its newest page; older ones are a link away."},
				{Name: "comments_blocklist", Label: "Blocklist", Type: "textarea", Value: in.CommentsBlocklist,
					MaxLength: models.MaxBlocklistBytes, Hint: "One word or address a line: a comment containing any of them waits for moderation."},
			})},
			{Legend: "Appearance", Fields: fe.apply([]components.Field{
				{Name: "accent", Label: "Accent colour", Type: "text", Value: in.Accent, MaxLength: 7,
					Hint: "For links and buttons, as #rgb or #rrggbb (#2f5fd0 is the theme's). Empty keeps the theme's colours, light and dark."},
				{Name: "custom_css", Label: "Custom CSS", Type: "textarea", Value: in.CustomCSS, MaxLength: models.MaxCustomCSSBytes,
					Hint: "Added after the theme's stylesheet, at most 64 KiB. It may load nothing from other sites."},
			})},
		},
		Registration: admin.Select{Name: "registration", Label: "Who may register", Error: fe["registration"],
			Hint: "Closed: there is no sign-up page; people join through the invitations admins and editors send. Invite-only: the same, and the sign-up page says so. Open: anyone, once their email address is confirmed."},
	}
	if mode := a.Config.Registration; mode != "" {
		v.Registration.Hint += " The server was started with --registration " + mode +
			" (QUIRE_REGISTRATION): that mode is in force, whatever is chosen here, while it is set."
	}
	for _, o := range []admin.Option{{Value: models.RegistrationClosed, Label: "Closed"},
		{Value: models.RegistrationInvite, Label: "Invite-only"}, {Value: models.RegistrationOpen, Label: "Open"}} {
		o.Selected = o.Value == in.Registration
		v.Registration.Options = append(v.Registration.Options, o)
	}
	rows := min(max(len(in.SocialLinks)+2, 3), models.MaxSocialLinks)
	for i := range rows {
		var l models.SocialLink
		if i < len(in.SocialLinks) {
			l = in.SocialLinks[i]
		}
		n := strconv.Itoa(i + 1)
		v.Links = append(v.Links, [2]components.Field(fe.apply([]components.Field{
			{Name: "link_label_" + n, Label: "Name", Type: "text", Value: l.Label, MaxLength: models.MaxLinkLabelLen},
			{Name: "link_url_" + n, Label: "Address", Type: "url", Value: l.URL, MaxLength: models.MaxLinkURLLen},
		})))
	}
	v.LinksError = fe["link_url_"+strconv.Itoa(models.MaxSocialLinks+1)]
	kinds := []components.Choice{{Value: models.NavPage, Label: "Page"}, {Value: models.NavTag, Label: "Tag"},
		{Value: models.NavAuthor, Label: "Author"}, {Value: models.NavURL, Label: "Web address"}}
	for i := range min(max(len(in.Nav)+3, 4), models.MaxNavItems) {
		it := models.NavItem{Kind: models.NavPage}
		if i < len(in.Nav) {
			it = in.Nav[i]
		}
		n := strconv.Itoa(i + 1)
		v.Nav = append(v.Nav, [4]components.Field(fe.apply([]components.Field{
			{Name: "nav_position_" + n, Label: "Place", Type: "number", Value: n},
			{Name: "nav_label_" + n, Label: "Label", Type: "text", Value: it.Label, MaxLength: models.MaxNavLabelLen},
			{Name: "nav_kind_" + n, Label: "Leads to", Type: "select", Value: it.Kind, Choices: kinds},
			{Name: "nav_target_" + n, Label: "Page, tag, username or address", Type: "text", Value: it.Target, MaxLength: models.MaxLinkURLLen},
		})))
	}
	v.NavError = fe["nav_target_"+strconv.Itoa(models.MaxNavItems+1)]
	for _, im := range siteImages {
		field := admin.ImageField{Name: im.name, Label: im.label, Hint: im.hint, Error: fe[im.name], Key: *in.Image(im.name)}
		if field.Key != "" {
			field.URL = urls.Media(field.Key)
		}
		v.Images = append(v.Images, field)
	}
	return render(c, status, admin.SettingsPage(a.adminPage(c, "Settings"), v), admin.SettingsForm(v))
}

// formNumber is a whole-number field: 0 when empty, -1 (refused by the
// rules) when not a number.
func formNumber(c echo.Context, name string) int {
	v := strings.TrimSpace(c.FormValue(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}
