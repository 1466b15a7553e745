package models_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// validNav is a menu of every kind of link.
func validNav() models.NavItems {
	return models.NavItems{
		{Label: "About", Kind: models.NavPage, Target: "about"},
		{Label: "Travel", Kind: models.NavTag, Target: "travel"},
		{Label: "Ada", Kind: models.NavAuthor, Target: "ada"},
		{Label: "Code", Kind: models.NavURL, Target: "https://code.example/ada"},
	}
}

// TestSettingsNavValidate: the menu's links are tidied as they will be
// stored, and each bad one is refused with one message, beside its field.
func TestSettingsNavValidate(t *testing.T) {
	t.Parallel()
	in := validSite()
	in.Nav = models.NavItems{
		{Label: "  About\u200b  us ", Kind: " Page ", Target: "/About/"},
		{Label: "Slow travel", Kind: "tag", Target: "#Slow  Travel"},
		{Label: "Ada", Kind: "author", Target: " @Ada "},
		{Label: "Write to me", Kind: "url", Target: " mailto:ada@example.org "},
		{Label: " ", Kind: "page", Target: " "}, // a blank row is no link
	}
	n := in.Normalized()
	want := models.NavItems{
		{Label: "About us", Kind: "page", Target: "about"},
		{Label: "Slow travel", Kind: "tag", Target: "slow-travel"},
		{Label: "Ada", Kind: "author", Target: "ada"},
		{Label: "Write to me", Kind: "url", Target: "mailto:ada@example.org"},
	}
	if !slices.Equal(n.Nav, want) {
		t.Errorf("normalised menu %+v, want %+v", n.Nav, want)
	}
	if errs := n.Validate(); len(errs) != 0 {
		t.Errorf("a good menu refused: %v", errs)
	}

	tests := []struct {
		name  string
		edit  func(models.NavItems) models.NavItems
		field string
	}{
		{"no label", func(l models.NavItems) models.NavItems { l[1].Label = " \t"; return l }, "nav_label_2"},
		{"invisible label", func(l models.NavItems) models.NavItems { l[0].Label = "\u202e\u200b\x07"; return l }, "nav_label_1"},
		{"long label", func(l models.NavItems) models.NavItems { l[2].Label = strings.Repeat("é", 41); return l }, "nav_label_3"},
		{"unknown kind", func(l models.NavItems) models.NavItems { l[3].Kind = "script"; return l }, "nav_kind_4"},
		{"no page", func(l models.NavItems) models.NavItems { l[0].Target = ""; return l }, "nav_target_1"},
		{"page as a path", func(l models.NavItems) models.NavItems { l[0].Target = "../admin"; return l }, "nav_target_1"},
		{"page as an address", func(l models.NavItems) models.NavItems { l[0].Target = "https://x.example/about"; return l }, "nav_target_1"},
		{"no tag", func(l models.NavItems) models.NavItems { l[1].Target = "#"; return l }, "nav_target_2"},
		{"tag with a slash", func(l models.NavItems) models.NavItems { l[1].Target = "a/b"; return l }, "nav_target_2"},
		{"long tag", func(l models.NavItems) models.NavItems { l[1].Target = strings.Repeat("t", 200); return l }, "nav_target_2"},
		{"no username", func(l models.NavItems) models.NavItems { l[2].Target = "@"; return l }, "nav_target_3"},
		{"bad username", func(l models.NavItems) models.NavItems { l[2].Target = "ada lovelace"; return l }, "nav_target_3"},
		{"javascript address", func(l models.NavItems) models.NavItems { l[3].Target = "javascript:alert(1)"; return l }, "nav_target_4"},
		{"data address", func(l models.NavItems) models.NavItems { l[3].Target = "data:text/html,<b>hi"; return l }, "nav_target_4"},
		{"relative address", func(l models.NavItems) models.NavItems { l[3].Target = "//evil.example/x"; return l }, "nav_target_4"},
		{"ftp address", func(l models.NavItems) models.NavItems { l[3].Target = "ftp://files.example/"; return l }, "nav_target_4"},
		{"label without a target", func(l models.NavItems) models.NavItems { l[3].Target = ""; return l }, "nav_target_4"},
		{"target without a label", func(l models.NavItems) models.NavItems { l[0].Label = ""; return l }, "nav_label_1"},
		{"thirteen links", func(l models.NavItems) models.NavItems {
			for len(l) < 13 {
				l = append(l, models.NavItem{Label: "More", Kind: "url", Target: "https://example.org"})
			}
			return l
		}, "nav_target_13"},
	}
	for _, tc := range tests {
		in := validSite()
		in.Nav = tc.edit(slices.Clone(validNav()))
		errs := in.Normalized().Validate()
		if errs[tc.field] == "" || len(errs) != 1 {
			t.Errorf("%s: errors %v, want one on %s", tc.name, errs, tc.field)
		}
	}
	twelve := validSite()
	for len(twelve.Nav) < models.MaxNavItems {
		twelve.Nav = append(twelve.Nav, models.NavItem{Label: "More", Kind: "url", Target: "https://example.org"})
	}
	if errs := twelve.Normalized().Validate(); len(errs) != 0 {
		t.Errorf("twelve links refused: %v", errs)
	}
}

// TestSettingsNavSave: a menu link leads only where readers may go (a
// public page, an active author): Check and Save say which row is wrong,
// Save stores nothing then, and stores and audits a good menu with the
// other settings in one entry. The database refuses a menu that is no
// array.
func TestSettingsNavSave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	sm := &models.SettingsModel{DB: db}
	pm := &models.PostModel{DB: db}
	ada := newAdmin(t, db, "ada")
	newUser(t, db, "bob", "")
	actor := models.Actor{ID: ada, Name: "ada", Role: models.RoleAdmin}
	about := newPost(t, pm, ada, models.PostInput{Kind: models.KindPage, Title: "About"})
	publishedPost(t, pm, ada, models.PostInput{Title: "A post called contact"})

	in := validSite()
	in.Nav = validNav()
	in.Nav = append(in.Nav, models.NavItem{Label: "Bob", Kind: models.NavAuthor, Target: "bob"},
		models.NavItem{Label: "Contact", Kind: models.NavPage, Target: "a-post-called-contact"},
		models.NavItem{Label: "Nobody", Kind: models.NavAuthor, Target: "nobody"})
	if _, err := db.Exec(`UPDATE users SET state = 'suspended' WHERE username = 'bob'`); err != nil {
		t.Fatal(err)
	}
	errs, err := sm.Check(ctx, in.Normalized())
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []string{"nav_target_1", "nav_target_5", "nav_target_6", "nav_target_7"}
	if got := slices.Sorted(maps.Keys(errs)); !slices.Equal(got, wantErrs) {
		t.Errorf("check: errors on %v, want %v: %v", got, wantErrs, errs)
	}
	if !strings.Contains(errs["nav_target_1"], "not published") || !strings.Contains(errs["nav_target_6"], "no page") ||
		!strings.Contains(errs["nav_target_5"], "suspended") || !strings.Contains(errs["nav_target_7"], "No one") {
		t.Errorf("messages: %v", errs)
	}
	_, err = sm.Save(ctx, actor, 0, in)
	var inv *models.InvalidSettingsError
	if !errors.As(err, &inv) || !errors.Is(err, models.ErrInvalidSettings) || len(inv.Fields) != 4 {
		t.Fatalf("save of a bad menu: %v", err)
	}
	if got, _ := sm.Get(ctx); got.Version != 0 || got.Title != "Quire" || len(got.Nav) != 0 {
		t.Errorf("a refused menu saved something: %+v", got.SiteInput)
	}

	if _, err := pm.Publish(ctx, actor, about.ID, about.Version); err != nil {
		t.Fatal(err)
	}
	in.Nav = validNav()
	saved, err := sm.Save(ctx, actor, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(saved.Nav, validNav()) || saved.Title != "Field Notes" {
		t.Errorf("saved menu %+v", saved.Nav)
	}
	if got, _ := sm.Get(ctx); !slices.Equal(got.Nav, validNav()) {
		t.Errorf("read back menu %+v", got.Nav)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM audit_log WHERE model = 'settings' AND after ? 'navigation' AND after ? 'title'`)
	if n != 1 {
		t.Errorf("%d audit entries with the menu and the title, want 1", n)
	}
	for _, bad := range []string{`'{}'`, `'"about"'`, `(SELECT jsonb_agg(i) FROM generate_series(1, 13) i)`} {
		if _, err := db.Exec(`UPDATE site_settings SET navigation = ` + bad); err == nil {
			t.Errorf("the database took the menu %s", bad)
		}
	}
}
