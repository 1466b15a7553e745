package models_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/markdown"
	"quire/models/markdown/markdowntest"
)

// mediaURL stands in for urls.Media, which models may not import.
func mediaURL(key string) string { return "/media/" + key }

// TestPostBodyImagesSized: an image uploaded through models.Uploads and
// shown in a post's body is stored with its width, height, srcset (its
// 480 and 960 pixel copies and the original) and sizes; an address that is
// no media of this site is left as written.
func TestPostBodyImagesSized(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	up := &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: models.LocalStore{Dir: t.TempDir()}}
	pm := &models.PostModel{DB: db, MediaURL: mediaURL}
	ada := newUser(t, db, "ada", "")
	md, err := up.Store(ctx, bytes.NewReader(widePNG(t, 7)), ada, "A card", models.PostImage)
	if err != nil {
		t.Fatal(err)
	}
	unknown := strings.Repeat("ab", 32) + ".png"
	p := newPost(t, pm, ada, models.PostInput{Title: "Pictures",
		Body: "![A card](" + mediaURL(md.Key) + ")\n\n![Gone](" + mediaURL(unknown) + ") ![Far](https://example.com/" + md.Key + ")"})
	want := `<img src="` + mediaURL(md.Key) + `" alt="A card" loading="lazy" width="1000" height="600" srcset="` +
		mediaURL(md.VariantKey(480)) + ` 480w, ` + mediaURL(md.VariantKey(960)) + ` 960w, ` + mediaURL(md.Key) + ` 1000w" sizes="(max-width: 42rem) 100vw, 42rem">`
	if !strings.Contains(p.BodyHTML, want) {
		t.Errorf("body HTML lacks\n%s\nin\n%s", want, p.BodyHTML)
	}
	for _, plain := range []string{`<img src="` + mediaURL(unknown) + `" alt="Gone" loading="lazy">`, `<img src="https://example.com/` + md.Key + `" alt="Far" loading="lazy">`} {
		if !strings.Contains(p.BodyHTML, plain) {
			t.Errorf("body HTML lacks %s\n%s", plain, p.BodyHTML)
		}
	}
	markdowntest.AssertInert(t, p.BodyHTML)
	// A model without media addresses renders as before.
	plain, err := (&models.PostModel{DB: db}).RenderBody(ctx, p.Body)
	if err != nil || strings.Contains(plain, "srcset") {
		t.Errorf("without MediaURL: %v\n%s", err, plain)
	}
}

// TestRerenderStale: posts whose HTML an earlier renderer made get the
// current HTML once, with every stamp moved and an audit entry; a second
// run (another start) finds it done and changes nothing.
func TestRerenderStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db, MediaURL: mediaURL}
	ada := newUser(t, db, "ada", "")
	old := newPost(t, pm, ada, models.PostInput{Title: "Old", Body: "# Setup\n\n- [ ] task"})
	fresh := newPost(t, pm, ada, models.PostInput{Title: "Fresh", Body: "Just words."})
	oldHTML := `<h1 id="setup">Setup <a class="anchor" href="#setup" aria-hidden="true" rel="nofollow">#</a></h1>`
	if _, err := db.Exec(`UPDATE posts SET body_html = $2 WHERE id = $1`, old.ID, oldHTML); err != nil {
		t.Fatal(err)
	}
	before := map[int64]time.Time{}
	for _, p := range []models.Post{old, fresh} {
		got, _ := pm.Get(ctx, p.ID)
		before[p.ID] = got.UpdatedAt
	}

	n, err := pm.RerenderStale(ctx, nil)
	if err != nil || n != 1 {
		t.Fatalf("RerenderStale = %d, %v; want the 1 stale post", n, err)
	}
	got, _ := pm.Get(ctx, old.ID)
	want, _ := markdown.Render(old.Body)
	if got.BodyHTML != want || got.Version != old.Version {
		t.Errorf("stale post: version %d, HTML\n%s\nwant version %d and\n%s", got.Version, got.BodyHTML, old.Version, want)
	}
	if !got.UpdatedAt.After(before[old.ID]) || got.UpdatedAt.Sub(before[old.ID]) > time.Millisecond {
		t.Errorf("updated_at %v -> %v: want it moved by a microsecond", before[old.ID], got.UpdatedAt)
	}
	if f, _ := pm.Get(ctx, fresh.ID); !f.UpdatedAt.Equal(before[fresh.ID]) {
		t.Errorf("an unchanged post's stamp moved")
	}
	var entries int
	if err := db.Get(&entries, `SELECT count(*) FROM audit_log WHERE model = 'markdown' AND object_id = $1 AND action = 'rerender'`,
		markdown.RenderVersion); err != nil || entries != 1 {
		t.Errorf("%d audit entries (%v), want 1", entries, err)
	}

	// Done for this version: a later start leaves even stale HTML alone.
	if _, err := db.Exec(`UPDATE posts SET body_html = $2 WHERE id = $1`, old.ID, oldHTML); err != nil {
		t.Fatal(err)
	}
	if n, err := pm.RerenderStale(ctx, nil); err != nil || n != 0 {
		t.Errorf("second run = %d, %v; want 0", n, err)
	}
	if got, _ := pm.Get(ctx, old.ID); got.BodyHTML != oldHTML {
		t.Error("the second run rendered again")
	}
}

// A start with no post to render again logs nothing (the audit log keeps
// the run): a fault's few log lines are not drowned by startup chatter.
func TestRerenderNothingLogsNothing(t *testing.T) {
	db := dbtest.New(t)
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	if n, err := (&models.PostModel{DB: db}).RerenderStale(context.Background(), log); err != nil || n != 0 {
		t.Fatalf("RerenderStale = %d, %v; want 0 on an empty site", n, err)
	}
	if out.Len() != 0 {
		t.Errorf("logged %q with nothing to do", out.String())
	}
}
