package models_test

import (
	"context"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestSearchFollowsLanguage: search stems and drops stop words by the
// site's language where PostgreSQL knows it, and takes words as they are
// ('simple') where it does not; a change of language reads every post again.
func TestSearchFollowsLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	sm := &models.SettingsModel{DB: db}
	ada := newUser(t, db, "ada", "")
	publishedPost(t, pm, ada, models.PostInput{Title: "Au marché", Body: "Ils mangeaient des pommes, et nous running."})
	found := func(q string) int {
		t.Helper()
		_, n, err := pm.Search(ctx, q, models.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	setLanguage := func(lang string) {
		t.Helper()
		cur, err := sm.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		in := cur.SiteInput
		in.Language = lang
		if _, err := sm.Save(ctx, models.Actor{ID: ada, Name: "ada"}, cur.Version, in); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		lang string
		hits map[string]int
	}{
		// English stems "running" to "run" and does not know French verbs.
		{"en", map[string]int{"run": 1, "manger": 0, "nous": 1}},
		// French finds "manger" in "mangeons", and drops "nous" as a stop word.
		{"fr-FR", map[string]int{"run": 0, "manger": 1, "nous": 0}},
		// No configuration for Japanese: words match as written.
		{"ja", map[string]int{"run": 0, "manger": 0, "running": 1, "nous": 1}},
	} {
		setLanguage(step.lang)
		for q, want := range step.hits {
			if got := found(q); got != want {
				t.Errorf("language %s: %q finds %d posts, want %d", step.lang, q, got, want)
			}
		}
	}
	// A post written after the change is indexed in the language too.
	setLanguage("fr")
	publishedPost(t, pm, ada, models.PostInput{Title: "Les chevaux", Body: "Elles mangeront du foin."})
	if got := found("manger"); got != 2 {
		t.Errorf("French: %q finds %d posts, want 2", "manger", got)
	}
}
