package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
	"quire/views/urls"
)

// editorForm is what the editor of p sends, with title typed over.
func editorForm(p models.Post, title string) url.Values {
	return url.Values{"title": {title}, "body": {p.Body}, "version": {strconv.Itoa(p.Version)}}
}

// TestScheduleEditorFields: the editor's publish time is read in the site's
// time zone. A time that cannot be read or has passed is a 422 that says so
// beside the field and keeps everything typed (nothing is saved); a time to
// come saves the text and schedules the post, which readers do not see, and
// which "Your posts", the editor and the admin table show with its time.
// Cancel schedule makes it a draft again. Contributors get no field and 403.
func TestScheduleEditorFields(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	a := startApp(t, dbtest.New(t), appOptions{zone: paris})
	alice := a.createUser("alice", models.RoleAuthor)
	a.createUser("boss", models.RoleAdmin)
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Later", Body: "Words."}, false)
	c := a.client()
	c.login("alice", strongPassword)

	res := c.get(urls.EditPost(p.Slug))
	wantStatus(t, res, http.StatusOK)
	if got, _ := res.doc.Find(`[data-testid=schedule-post]`).Attr("formaction"); got != urls.SchedulePost(p.ID) {
		t.Fatalf("the Schedule button posts to %q", got)
	}
	if res.doc.Find(`input[name=publish_at][type=datetime-local]`).Length() != 1 {
		t.Fatal("no datetime-local publish_at field in the editor")
	}

	refused := []struct{ name, value, says string }{
		{"not a date", "next tuesday", "year-month-day"},
		{"empty", "", "Choose the day and time"},
		{"gone by", time.Now().In(paris).Add(-time.Hour).Format("2006-01-02T15:04"), "That time has passed"},
	}
	for _, r := range refused {
		f := editorForm(p, "Typed title")
		f.Set("publish_at", r.value)
		res := c.post(urls.SchedulePost(p.ID), f)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if got := res.fieldError("publish_at"); !strings.Contains(got, r.says) {
			t.Errorf("%s: the field says %q, want %q", r.name, got, r.says)
		}
		if got, _ := res.doc.Find(`input[name=title]`).Attr("value"); got != "Typed title" {
			t.Errorf("%s: title kept as %q", r.name, got)
		}
		if got, _ := res.doc.Find(`input[name=publish_at]`).Attr("value"); got != r.value {
			t.Errorf("%s: publish_at kept as %q, want %q", r.name, got, r.value)
		}
		if got := storedBrowserPost(a, p.ID); got.Status != models.PostDraft || got.Title != "Later" {
			t.Errorf("%s: the post became %s %q", r.name, got.Status, got.Title)
		}
	}

	// 09:00 in Paris on 1 June 2030 (summer time, UTC+2) is 07:00 UTC.
	f := editorForm(p, "Later, retitled")
	f.Set("publish_at", "2030-06-01T09:00")
	res = c.post(urls.SchedulePost(p.ID), f)
	wantStatus(t, res, http.StatusSeeOther)
	got := storedBrowserPost(a, p.ID)
	want := time.Date(2030, 6, 1, 7, 0, 0, 0, time.UTC)
	if got.Status != models.PostScheduled || got.ScheduledAt == nil || !got.ScheduledAt.Equal(want) || got.Title != "Later, retitled" {
		t.Fatalf("after Schedule: %s %q at %v, want scheduled %q at %v", got.Status, got.Title, got.ScheduledAt, "Later, retitled", want)
	}
	if flash := c.get(res.Header.Get("Location")).doc.Find(".flash").Text(); !strings.Contains(flash, "1 Jun 2030 09:00 (Europe/Paris)") {
		t.Errorf("flash after scheduling = %q", flash)
	}
	reader := a.client()
	wantStatus(t, reader.get(urls.Post(got.Slug)), http.StatusNotFound)
	if strings.Contains(reader.get("/").body, "Later, retitled") {
		t.Error("the home page lists the scheduled post")
	}

	ed := c.get(urls.EditPost(got.Slug))
	if v, _ := ed.doc.Find(`input[name=publish_at]`).Attr("value"); v != "2030-06-01T09:00" {
		t.Errorf("the editor shows the publish time as %q", v)
	}
	if s := ed.doc.Find(`[data-testid=scheduled-for]`).Text(); !strings.Contains(s, "1 Jun 2030 09:00") {
		t.Errorf("the editor says %q", s)
	}
	if s := c.get(urls.Drafts()).doc.Find(`[data-testid=my-posts] [data-testid=scheduled-for]`).Text(); s != "for 1 Jun 2030 09:00" {
		t.Errorf("Your posts says %q", s)
	}
	boss := a.client()
	boss.login("boss", strongPassword)
	table := boss.get("/admin/posts?status=scheduled")
	wantStatus(t, table, http.StatusOK)
	if row := table.doc.Find("tbody tr").Text(); !strings.Contains(row, "Later, retitled") || !strings.Contains(row, "1 Jun 2030") {
		t.Errorf("the admin table's scheduled filter shows %q", row)
	}

	// Inline (htmx), a new time: the editor stays and says when.
	f = editorForm(got, "Later, retitled")
	f.Set("publish_at", "2030-06-02T10:30")
	res = c.post(urls.SchedulePost(p.ID), f, "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	if s := res.doc.Find(`[data-testid=scheduled-for]`).Text(); !strings.Contains(s, "2 Jun 2030 10:30") {
		t.Errorf("the inline editor after rescheduling says %q", s)
	}
	got = storedBrowserPost(a, p.ID)
	res = c.post(urls.UnschedulePost(p.ID), editorForm(got, got.Title))
	wantStatus(t, res, http.StatusSeeOther)
	if got = storedBrowserPost(a, p.ID); got.Status != models.PostDraft || got.ScheduledAt != nil {
		t.Errorf("after Cancel schedule: %s at %v", got.Status, got.ScheduledAt)
	}

	// A published post is not scheduled, and its text is not saved by trying.
	pub := seedBrowserPost(a, alice, models.PostInput{Title: "Out", Body: "Public."}, true)
	f = editorForm(pub, "Out, retitled")
	f.Set("publish_at", "2030-06-01T09:00")
	wantStatus(t, c.post(urls.SchedulePost(pub.ID), f), http.StatusConflict)
	if got := storedBrowserPost(a, pub.ID); got.Title != "Out" || got.Status != models.PostPublished {
		t.Errorf("scheduling a published post made it %s %q", got.Status, got.Title)
	}
	wantStatus(t, c.post(urls.UnschedulePost(pub.ID), editorForm(pub, "Out, retitled")), http.StatusConflict)

	// A contributor's own draft: no field, and no scheduling.
	a.createUser("cora", models.RoleContributor)
	cora := a.client()
	cora.login("cora", strongPassword)
	var coraID int64
	if err := a.db.Get(&coraID, `SELECT id FROM users WHERE username = 'cora'`); err != nil {
		t.Fatal(err)
	}
	cp := seedBrowserPost(a, models.User{ID: coraID}, models.PostInput{Title: "Cora's", Body: "Hers."}, false)
	if cora.get(urls.EditPost(cp.Slug)).doc.Find(`[data-testid=schedule]`).Length() != 0 {
		t.Error("a contributor's editor offers a publish time")
	}
	f = editorForm(cp, "Cora's")
	f.Set("publish_at", "2030-06-01T09:00")
	wantStatus(t, cora.post(urls.SchedulePost(cp.ID), f), http.StatusForbidden)
	if got := storedBrowserPost(a, cp.ID); got.Status != models.PostDraft {
		t.Errorf("a contributor scheduled a post: %s", got.Status)
	}
}

// What the scheduler publishes reaches every kept copy: the home page, the
// feed and the sitemap, already read (and kept in memory) before, answer
// with the post and a new ETag, as after an author's Publish.
func TestScheduledPostReachesFeedsAndSitemap(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	seedBrowserPost(a, alice, models.PostInput{Title: "Already out", Body: "Old."}, true)
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Timed", Body: "New."}, false)
	reader := a.client()
	paths := []string{"/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/@alice", "/@alice/feed.xml"}
	etags := map[string]string{}
	for _, path := range paths {
		res := reader.get(path)
		wantStatus(t, res, http.StatusOK)
		if strings.Contains(res.body, urls.Post(p.Slug)) {
			t.Fatalf("%s shows the draft", path)
		}
		etags[path] = res.Header.Get("ETag")
	}
	pm := &models.PostModel{DB: a.db}
	p, err := pm.Schedule(t.Context(), models.ActorOf(alice), p.ID, p.Version, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`UPDATE posts SET scheduled_at = now() - interval '1 second' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if r, err := (&models.Scheduler{DB: a.db}).PublishDue(t.Context()); err != nil || r.Published != 1 {
		t.Fatalf("run: %+v, %v", r, err)
	}
	for _, path := range paths {
		res := reader.get(path, "If-None-Match", etags[path])
		wantStatus(t, res, http.StatusOK)
		if !strings.Contains(res.body, urls.Post(p.Slug)) {
			t.Errorf("%s does not show the post the scheduler published", path)
		}
		if res.Header.Get("ETag") == etags[path] {
			t.Errorf("%s kept its ETag %s", path, etags[path])
		}
	}
}
