package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// validSite is a complete, acceptable settings form.
func validSite() models.SiteInput {
	return models.SiteInput{Title: "Field Notes", Tagline: "Birds and weather.", Language: "en-GB",
		TimeZone: "Europe/Paris", PostsPerPage: 5, Footer: "Written by *Ada*.",
		SocialLinks: models.SocialLinks{{Label: "Mastodon", URL: "https://social.example/@ada"},
			{Label: "Mail", URL: "mailto:ada@example.org"}},
		Accent: "#C05621", CustomCSS: "body { letter-spacing: .01em; }", Registration: models.RegistrationInvite,
		CommentsMaxLinks: 2}
}

// TestSettingsDefaults: a new site's row is what DefaultSettings says, so
// pages rendered before the first read (error pages) and after agree.
func TestSettingsDefaults(t *testing.T) {
	t.Parallel()
	sm := &models.SettingsModel{DB: dbtest.New(t)}
	got, err := sm.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := models.DefaultSettings()
	if !equalSite(got.SiteInput, want.SiteInput) || got.Version != 0 || got.Location().String() != "UTC" {
		t.Errorf("a new site's settings = %+v, want %+v", got.SiteInput, want.SiteInput)
	}
	if got.Title != "Quire" || got.Registration != models.RegistrationClosed || got.PostsPerPage != 10 {
		t.Errorf("defaults changed: %+v", got.SiteInput)
	}
}

func equalSite(a, b models.SiteInput) bool {
	return slices.Equal(a.SocialLinks, b.SocialLinks) && reflect.DeepEqual(a.Normalized(), b.Normalized())
}

// TestSettingsValidate: every field refuses what it must, beside itself,
// and the normalised form of good input passes.
func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	if errs := validSite().Normalized().Validate(); len(errs) != 0 {
		t.Fatalf("valid settings refused: %v", errs)
	}
	n := validSite().Normalized()
	if n.Language != "en-GB" || n.Accent != "#c05621" {
		t.Errorf("normalised language %q, accent %q", n.Language, n.Accent)
	}
	if l := (models.SiteInput{Language: "EN_gb"}).Normalized().Language; l != "en-GB" {
		t.Errorf("EN_gb normalised to %q", l)
	}
	tests := []struct {
		name  string
		edit  func(*models.SiteInput)
		field string
	}{
		{"no title", func(s *models.SiteInput) { s.Title = "  \t " }, "title"},
		{"long title", func(s *models.SiteInput) { s.Title = strings.Repeat("é", 101) }, "title"},
		{"long tagline", func(s *models.SiteInput) { s.Tagline = strings.Repeat("a", 301) }, "tagline"},
		{"unknown language", func(s *models.SiteInput) { s.Language = "xx" }, "language"},
		{"undetermined language", func(s *models.SiteInput) { s.Language = "und" }, "language"},
		{"no language", func(s *models.SiteInput) { s.Language = "" }, "language"},
		{"malformed language", func(s *models.SiteInput) { s.Language = "en--<script>" }, "language"},
		{"unknown zone", func(s *models.SiteInput) { s.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"zone path", func(s *models.SiteInput) { s.TimeZone = "../../etc/passwd" }, "time_zone"},
		{"local zone", func(s *models.SiteInput) { s.TimeZone = "Local" }, "time_zone"},
		{"no posts", func(s *models.SiteInput) { s.PostsPerPage = 0 }, "posts_per_page"},
		{"too many posts", func(s *models.SiteInput) { s.PostsPerPage = 101 }, "posts_per_page"},
		{"long footer", func(s *models.SiteInput) { s.Footer = strings.Repeat("word ", 1000) }, "footer"},
		{"footer over its budget", func(s *models.SiteInput) {
			s.Footer = strings.Repeat("[a][] ", 600) + "\n\n[a]: https://example.com/" + strings.Repeat("x", 200)
		}, "footer"},
		{"javascript link", func(s *models.SiteInput) { s.SocialLinks[0].URL = "javascript:alert(1)" }, "link_url_1"},
		{"data link", func(s *models.SiteInput) { s.SocialLinks[1].URL = "data:text/html,hi" }, "link_url_2"},
		{"relative link", func(s *models.SiteInput) { s.SocialLinks[0].URL = "/about" }, "link_url_1"},
		{"hostless link", func(s *models.SiteInput) { s.SocialLinks[0].URL = "https:///x" }, "link_url_1"},
		{"link without a name", func(s *models.SiteInput) { s.SocialLinks[1].Label = " " }, "link_label_2"},
		{"name without a link", func(s *models.SiteInput) { s.SocialLinks[1].URL = "" }, "link_url_2"},
		{"eleven links", func(s *models.SiteInput) {
			for len(s.SocialLinks) < 11 {
				s.SocialLinks = append(s.SocialLinks, models.SocialLink{Label: "L", URL: "https://example.org"})
			}
		}, "link_url_11"},
		{"colour name", func(s *models.SiteInput) { s.Accent = "red" }, "accent"},
		{"colour injection", func(s *models.SiteInput) { s.Accent = "#fff; } body { display: none" }, "accent"},
		{"four digits", func(s *models.SiteInput) { s.Accent = "#abcd" }, "accent"},
		{"long stylesheet", func(s *models.SiteInput) { s.CustomCSS = strings.Repeat("a", 64<<10+1) }, "custom_css"},
		{"unknown registration", func(s *models.SiteInput) { s.Registration = "anyone" }, "registration"},
	}
	for _, tc := range tests {
		in := validSite()
		in.SocialLinks = slices.Clone(in.SocialLinks)
		tc.edit(&in)
		errs := in.Normalized().Validate()
		if errs[tc.field] == "" || len(errs) != 1 {
			t.Errorf("%s: errors %v, want one on %s", tc.name, errs, tc.field)
		}
	}
	// Empty link rows are not links; an empty colour is the theme's own.
	in := validSite()
	in.SocialLinks = append(in.SocialLinks, models.SocialLink{Label: " ", URL: ""})
	in.Accent = ""
	if n := in.Normalized(); len(n.Validate()) != 0 || len(n.SocialLinks) != 2 {
		t.Errorf("empty row and colour: %v, %d links", n.Validate(), len(n.SocialLinks))
	}
}

// TestSettingsSave: a save stores everything or nothing, moves the version
// (which the stamp queries carry) and audits before and after; a save over
// a version someone else saved since is refused.
func TestSettingsSave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	sm := &models.SettingsModel{DB: db}
	pm := &models.PostModel{DB: db}
	ada := newAdmin(t, db, "ada")
	post := publishedPost(t, pm, ada, models.PostInput{Title: "Hello"})
	actor := models.Actor{ID: ada, Name: "ada"}

	saved, err := sm.Save(ctx, actor, 0, validSite())
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 1 || saved.Title != "Field Notes" || saved.Accent != "#c05621" || saved.Location().String() != "Europe/Paris" {
		t.Errorf("saved %+v", saved)
	}
	if !strings.Contains(saved.FooterHTML, "<em>Ada</em>") || !strings.Contains(saved.Stylesheet, "--accent: #c05621") ||
		!strings.Contains(saved.Stylesheet, "letter-spacing") {
		t.Errorf("derived: footer %q, stylesheet %q", saved.FooterHTML, saved.Stylesheet)
	}
	got, err := sm.Get(ctx)
	if err != nil || !equalSite(got.SiteInput, saved.SiteInput) {
		t.Errorf("read back %+v, %v", got.SiteInput, err)
	}

	// The audit entry holds only what changed, before and after.
	var before, after string
	if err := db.Get(&before, `SELECT before::text FROM audit_log WHERE model = 'settings' AND action = 'edit'`); err != nil {
		t.Fatal(err)
	}
	db.Get(&after, `SELECT after::text FROM audit_log WHERE model = 'settings'`)
	var b, a map[string]any
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	if b["title"] != "Quire" || a["title"] != "Field Notes" || a["registration"] != "invite" || len(a) != 10 || a["logo"] != nil {
		t.Errorf("audit before %v after %v", b, a)
	}
	if css, _ := a["custom_css"].(string); !strings.HasPrefix(css, "31 bytes, sha256 ") {
		t.Errorf("audited stylesheet %q, want its size and hash", css)
	}

	// A stale version is refused and changes nothing.
	in := validSite()
	in.Title = "Overwritten"
	if _, err := sm.Save(ctx, actor, 0, in); !errors.Is(err, models.ErrConflict) {
		t.Errorf("stale save: %v, want ErrConflict", err)
	}
	// Invalid input is refused by Save too, whole.
	in.Accent = "javascript"
	if _, err := sm.Save(ctx, actor, 1, in); !errors.Is(err, models.ErrInvalidSettings) {
		t.Errorf("invalid save: %v", err)
	}
	// The database refuses what slips past the code.
	if _, err := db.Exec(`UPDATE site_settings SET accent = 'red'`); err == nil {
		t.Error("the database took accent 'red'")
	}
	if _, err := db.Exec(`INSERT INTO site_settings (id) VALUES (2)`); err == nil {
		t.Error("the database took a second settings row")
	}
	if got, _ := sm.Get(ctx); got.Title != "Field Notes" || got.Version != 1 {
		t.Errorf("after refused saves: %q at version %d", got.Title, got.Version)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM audit_log WHERE model = 'settings'`)
	if n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}

	// The stamps of lists (with or without a row) and of a post page carry the version.
	for _, f := range []models.FeedFilter{{}, {Tag: "no-such-tag"}} {
		st, err := pm.ChangeStamp(ctx, f)
		if err != nil || st.Site != 1 {
			t.Errorf("stamp %+v: %+v, %v; want site version 1", f, st, err)
		}
	}
	head, _, err := pm.ResolveHead(ctx, post.Slug)
	if err != nil || head.SiteVersion != 1 {
		t.Errorf("post head site version %d, %v", head.SiteVersion, err)
	}
}

// TestSettingsReplicas: a replica keeps the settings it read until a stamp
// shows a newer version, then reads them once.
func TestSettingsReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	one, two := &models.SettingsModel{DB: db}, &models.SettingsModel{DB: db}
	if s, err := two.At(ctx, 0); err != nil || s.Title != "Quire" {
		t.Fatalf("first read: %q, %v", s.Title, err)
	}
	if two.Kept().Title != "Quire" {
		t.Error("nothing kept after the first read")
	}
	in := validSite()
	if _, err := one.Save(ctx, models.Actor{Name: "script"}, 0, in); err != nil {
		t.Fatal(err)
	}
	if s, _ := two.At(ctx, 0); s.Title != "Quire" {
		t.Errorf("replica two read again without a newer version: %q", s.Title)
	}
	if s, err := two.At(ctx, 1); err != nil || s.Title != "Field Notes" || s.Version != 1 {
		t.Errorf("at version 1: %q (%d), %v", s.Title, s.Version, err)
	}
	in.Title = "Third"
	if _, err := one.Save(ctx, models.Actor{Name: "script"}, 1, in); err != nil {
		t.Fatal(err)
	}
	if s, err := two.Current(ctx); err != nil || s.Title != "Third" {
		t.Errorf("current: %q, %v", s.Title, err)
	}
	if v := two.Kept().Version; v != 2 {
		t.Errorf("kept version %d, want 2", v)
	}
}
