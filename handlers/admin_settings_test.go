package handlers_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
	"quire/models/dbtest"
)

// settingsForm is a complete, valid settings form at version.
func settingsForm(version string) url.Values {
	return url.Values{
		"version": {version}, "title": {"Field Notes"}, "tagline": {"Birds and weather."}, "language": {"en-GB"},
		"time_zone": {"Europe/Paris"}, "posts_per_page": {"2"},
		"footer":       {"Words by **Ada**. <script>alert(1)</script>"},
		"link_label_1": {"Mastodon"}, "link_url_1": {"https://social.example/@ada"},
		"link_label_2": {"Mail"}, "link_url_2": {"mailto:ada@example.org"},
		"accent": {"#C05621"}, "custom_css": {"body { letter-spacing: .01em; }"}, "registration": {"invite"},
	}
}

// TestAdminSettingsForm: every field refuses bad input with 422 beside
// itself, the input kept and nothing saved; a good form saves, says so and
// is audited with before and after; a form older than the last save is
// refused with 409, the input kept.
func TestAdminSettingsForm(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)

	page := c.get("/admin/settings")
	wantStatus(t, page, http.StatusOK)
	if v, _ := page.doc.Find("#f-title").Attr("value"); v != "Quire" {
		t.Errorf("title field %q, want the default", v)
	}
	if cur := page.doc.Find(`.admin-nav a[aria-current="page"]`).Text(); cur != "Settings" {
		t.Errorf("current admin tab %q", cur)
	}
	if page.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", page.Header.Get("Cache-Control"))
	}

	bad := settingsForm("0")
	for k, v := range map[string]string{"title": " ", "tagline": strings.Repeat("a", 301), "language": "xx",
		"time_zone": "Mars/Olympus", "posts_per_page": "lots", "footer": strings.Repeat("[a][] ", 600) + "\n\n[a]: https://example.com/" + strings.Repeat("x", 200),
		"link_url_1": "javascript:alert(1)", "link_label_2": "", "accent": "red", "custom_css": strings.Repeat("a", 64<<10+1),
		"registration": "anyone"} {
		bad.Set(k, v)
	}
	res := c.post("/admin/settings", bad)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	for _, f := range []string{"title", "tagline", "language", "time_zone", "posts_per_page", "footer", "link_url_1",
		"link_label_2", "accent", "custom_css", "registration"} {
		if res.fieldError(f) == "" {
			t.Errorf("no error beside %s", f)
		}
	}
	for id, want := range map[string]string{"#f-accent": "red", "#f-posts_per_page": "lots", "#f-link_url_1": "javascript:alert(1)",
		"#f-time_zone": "Mars/Olympus", "#f-language": "xx"} {
		if v, _ := res.doc.Find(id).Attr("value"); v != want {
			t.Errorf("%s kept %q, want %q", id, v, want)
		}
	}
	if sel, _ := res.doc.Find(`#f-registration option[selected]`).Attr("value"); sel != "" {
		t.Errorf("an unknown registration mode shows as chosen: %q", sel)
	}
	if len(a.audit()) != 0 {
		t.Fatal("a refused form was audited")
	}

	res = c.post("/admin/settings", settingsForm("0"))
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/settings" {
		t.Errorf("saved: Location %q", loc)
	}
	page = c.get("/admin/settings")
	if f := page.doc.Find(".flash.ok").Text(); f != "The settings are saved." {
		t.Errorf("flash %q", f)
	}
	if v, _ := page.doc.Find("#f-accent").Attr("value"); v != "#c05621" {
		t.Errorf("stored accent %q", v)
	}
	if v, _ := page.doc.Find(`input[name="version"]`).Attr("value"); v != "1" {
		t.Errorf("version field %q after one save", v)
	}
	rows := a.audit()
	if len(rows) != 1 || rows[0].Model != "settings" || rows[0].ActorName != "boss" || rows[0].Before == nil ||
		!strings.Contains(*rows[0].Before, `"title": "Quire"`) || !strings.Contains(*rows[0].After, `"title": "Field Notes"`) {
		t.Errorf("audit %+v", rows)
	}
	if log := c.get("/admin/audit?model=settings"); !strings.Contains(log.body, "Field Notes") {
		t.Error("the audit log page does not show the change")
	}

	// A second admin's form from before the save.
	stale := settingsForm("0")
	stale.Set("title", "Overwritten")
	res = c.post("/admin/settings", stale)
	wantStatus(t, res, http.StatusConflict)
	if res.formError() == "" {
		t.Error("409 without a message")
	}
	if v, _ := res.doc.Find("#f-title").Attr("value"); v != "Overwritten" {
		t.Errorf("409 kept title %q", v)
	}
	if v, _ := res.doc.Find(`input[name="version"]`).Attr("value"); v != "1" {
		t.Errorf("409 form at version %q, want the current one", v)
	}
	if got := c.get("/").doc.Find(".brand").Text(); got != "Field Notes" {
		t.Errorf("the refused save showed: brand %q", got)
	}
}

// TestAdminSettingsLargeStylesheet: a stylesheet of the full 64 KiB, every
// byte percent-encoded, fits the route's body limit.
func TestAdminSettingsLargeStylesheet(t *testing.T) {
	t.Parallel()
	_, c, _ := adminApp(t)
	form := settingsForm("0")
	form.Set("custom_css", strings.Repeat("{", 64<<10))
	res := c.post("/admin/settings", form)
	wantStatus(t, res, http.StatusSeeOther)
}

// TestSiteSettingsShown: the settings reach every page: the footer as
// sanitised HTML, the profile links with rel="me", the accent and custom
// CSS through a stylesheet of the site's own (CSP unchanged), the number
// of posts per page, and the signed-out pages readers share.
func TestSiteSettingsShown(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	for i := range 3 {
		a.newPost(boss, "Post "+strconv.Itoa(i), true)
	}
	reader := a.client()
	csp := reader.get("/").Header.Get("Content-Security-Policy")
	if n := reader.get("/").doc.Find(`[data-testid="post-item"]`).Length(); n != 3 {
		t.Fatalf("%d posts on the home page before", n)
	}
	if reader.get("/").doc.Find(`link[href^="/site.css"]`).Length() != 0 {
		t.Error("a site without accent or custom CSS links a stylesheet of its own")
	}
	wantStatus(t, c.post("/admin/settings", settingsForm("0")), http.StatusSeeOther)

	home := reader.get("/")
	if n := home.doc.Find(`[data-testid="post-item"]`).Length(); n != 2 {
		t.Errorf("%d posts on the home page, want 2 per page", n)
	}
	if next := reader.get("/?page=2").doc.Find(`[data-testid="post-item"]`).Length(); next != 1 {
		t.Errorf("%d posts on page 2", next)
	}
	if n := strings.Count(reader.get("/feed.xml").body, "<item>"); n != 3 {
		t.Errorf("the feed carries %d posts, want all 3 (at least 20)", n)
	}
	footer := home.doc.Find(`[data-testid="site-footer"]`)
	if h, _ := footer.Html(); !strings.Contains(h, "<strong>Ada</strong>") || strings.Contains(h, "<script") {
		t.Errorf("footer HTML %q", h)
	}
	link := home.doc.Find(`[data-testid="social-links"] a[rel="me"]`)
	if href, _ := link.First().Attr("href"); link.Length() != 2 || href != "https://social.example/@ada" {
		t.Errorf("%d rel=me links, first %q", link.Length(), href)
	}
	if got := home.Header.Get("Content-Security-Policy"); got != csp || strings.Contains(got, "unsafe-inline") {
		t.Errorf("CSP changed: %q", got)
	}
	if home.doc.Find("[style], style").Length() != 0 {
		t.Error("an inline style on the page")
	}
	href, ok := home.doc.Find(`link[rel="stylesheet"][href^="/site.css?v="]`).Attr("href")
	if !ok {
		t.Fatal("no link to the site's stylesheet")
	}
	css := reader.get(href)
	wantStatus(t, css, http.StatusOK)
	if ct := css.Header.Get("Content-Type"); ct != "text/css; charset=utf-8" || css.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("stylesheet Content-Type %q, nosniff %q", ct, css.Header.Get("X-Content-Type-Options"))
	}
	if cc := css.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("stylesheet Cache-Control %q", cc)
	}
	if !strings.Contains(css.body, "--accent: #c05621") || !strings.Contains(css.body, "letter-spacing: .01em") {
		t.Errorf("stylesheet:\n%s", css.body)
	}
	// An old address gets the current stylesheet, never kept for good.
	if old := reader.get("/site.css?v=0000"); old.body != css.body || strings.Contains(old.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("an old stylesheet address: %q, Cache-Control %q", old.body, old.Header.Get("Cache-Control"))
	}
	// The theme reads the accent as a custom property.
	theme := reader.get(home.doc.Find(`link[rel="stylesheet"]`).First().AttrOr("href", ""))
	if !strings.Contains(theme.body, "var(--accent)") {
		t.Error("the theme's stylesheet does not use --accent")
	}
}

// upload is a file sent with a form.
type upload struct {
	name string
	data []byte
}

// postFiles submits a multipart form with files, by field.
func (c *client) postFiles(path string, fields url.Values, files map[string]upload) *response {
	c.a.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for field, f := range files {
		fw, _ := w.CreateFormFile(field, f.name)
		_, _ = fw.Write(f.data)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.a.srv.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// pngOf is a w×h PNG.
func pngOf(w, h int) []byte {
	var b bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(i)
	}
	_ = png.Encode(&b, m)
	return b.Bytes()
}

// TestAdminSettingsImages: the logo, favicon (with its sizes) and social
// image go through the media pipeline and show on the pages; a refused
// image says why beside its field while the others stay uploaded; Remove
// takes one away.
func TestAdminSettingsImages(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	post := a.newPost(boss, "No cover", true)
	c.get("/admin/settings")

	res := c.postFiles("/admin/settings", settingsForm("0"),
		map[string]upload{"logo": {"logo.png", pngOf(400, 100)}, "favicon": {"icon.png", pngOf(300, 200)},
			"social_image": {"card.png", pngOf(600, 315)}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.fieldError("favicon"), "square") {
		t.Errorf("favicon error %q", res.fieldError("favicon"))
	}
	logoKey, _ := res.doc.Find(`input[name="logo_key"]`).Attr("value")
	imageKey, _ := res.doc.Find(`input[name="social_image_key"]`).Attr("value")
	if logoKey == "" || imageKey == "" {
		t.Fatalf("the accepted images were not kept: logo %q, social image %q", logoKey, imageKey)
	}

	form := settingsForm("0")
	form.Set("logo_key", logoKey)
	form.Set("social_image_key", imageKey)
	res = c.postFiles("/admin/settings", form, map[string]upload{"favicon": {"icon.png", pngOf(300, 300)}})
	wantStatus(t, res, http.StatusSeeOther)

	reader := a.client()
	home := reader.get("/")
	if src, _ := home.doc.Find(".brand img.logo").Attr("src"); src != "/media/"+logoKey {
		t.Errorf("header logo %q, want /media/%s", src, logoKey)
	}
	if alt, _ := home.doc.Find(".brand img.logo").Attr("alt"); alt != "Field Notes" {
		t.Errorf("logo alt %q", alt)
	}
	icons := home.doc.Find(`link[rel="icon"], link[rel="apple-touch-icon"]`)
	if icons.Length() != 3 {
		t.Fatalf("%d icon links", icons.Length())
	}
	icons.Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		sizes, _ := s.Attr("sizes")
		r := reader.get(href)
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("icon %s (%s): %d %s", href, sizes, r.StatusCode, r.Header.Get("Content-Type"))
			return
		}
		img, err := png.DecodeConfig(strings.NewReader(r.body))
		if err != nil || sizes != strconv.Itoa(img.Width)+"x"+strconv.Itoa(img.Height) {
			t.Errorf("icon %s says %s, is %dx%d (%v)", href, sizes, img.Width, img.Height, err)
		}
	})
	og, _ := reader.get("/posts/" + post.Slug).doc.Find(`meta[property="og:image"]`).Attr("content")
	if og != "https://blog.example.org/media/"+imageKey {
		t.Errorf("og:image of a post without a cover: %q", og)
	}

	page := c.get("/admin/settings")
	version, _ := page.doc.Find(`input[name="version"]`).Attr("value")
	form = settingsForm(version)
	for _, im := range []string{"logo", "favicon", "social_image"} {
		v, _ := page.doc.Find(`input[name="` + im + `_key"]`).Attr("value")
		form.Set(im+"_key", v)
	}
	form.Set("remove_logo", "1")
	wantStatus(t, c.postFiles("/admin/settings", form, nil), http.StatusSeeOther)
	home = reader.get("/")
	if home.doc.Find(".brand img").Length() != 0 || strings.TrimSpace(home.doc.Find(".brand").Text()) != "Field Notes" {
		t.Error("the removed logo is still shown")
	}
	if home.doc.Find(`link[rel="apple-touch-icon"]`).Length() != 1 {
		t.Error("removing the logo took the favicon too")
	}
}

// TestSettingsSayRegistrationOverride: while serve's --registration is set,
// the settings page says that mode is in force over the stored choice.
func TestSettingsSayRegistrationOverride(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{models.RegistrationOpen, models.RegistrationInvite} {
		a := startApp(t, dbtest.New(t), appOptions{registration: mode})
		a.createUser("boss", models.RoleAdmin)
		c := a.client()
		c.login("boss", strongPassword)
		res := c.get("/admin/settings")
		wantStatus(t, res, http.StatusOK)
		hint := res.doc.Find("#f-registration-hint").Text()
		if !strings.Contains(hint, "--registration "+mode) || !strings.Contains(hint, "in force") {
			t.Errorf("override %s: the registration hint says %q", mode, hint)
		}
	}
}
