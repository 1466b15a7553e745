package handlers_test

import (
	"context"
	"testing"
	"time"

	"quire/models"
	"quire/views/urls"
)

// An author schedules a draft a few seconds ahead from the editor; the
// scheduler (running as serve runs it, with a test's interval) publishes it
// at that time, and a signed-out reader's home page, which did not list it,
// lists it then.
func TestBrowserScheduledPostGoesOut(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Scheduled news", Body: "Out soon."}, false)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	go (&models.Scheduler{DB: a.db}).Run(ctx, time.Second)

	reader := a.browser(t)
	homeLists := func() bool {
		t.Helper()
		reader.open("/")
		reader.fullPage("the home page")
		return reader.is(`!!document.querySelector('main a[href="` + urls.Post(p.Slug) + `"]')`)
	}
	if homeLists() {
		t.Fatal("the home page lists a draft")
	}

	b := a.browser(t)
	b.signIn("alice")
	b.open(urls.EditPost(p.Slug))
	b.fullPage("the editor")
	// The test site's zone is UTC; seconds, which a datetime-local field
	// sends when its value has them, make "a few seconds ahead" exact.
	at := time.Now().UTC().Add(8 * time.Second).Truncate(time.Second)
	b.str(`document.querySelector("[name=publish_at]").value = ` + jsString(at.Format("2006-01-02T15:04:05")))
	b.click("[data-testid=schedule-post]")
	b.wait("the post page, scheduled", `location.pathname === `+jsString(urls.Post(p.Slug))+` &&
		document.querySelector("[data-testid=post-status]")?.textContent.trim() === "scheduled"`)
	got := storedBrowserPost(a, p.ID)
	if got.Status != models.PostScheduled || got.ScheduledAt == nil || !got.ScheduledAt.Equal(at) {
		t.Fatalf("after Schedule: %s at %v, want scheduled at %v", got.Status, got.ScheduledAt, at)
	}
	if time.Now().Before(at) && homeLists() {
		t.Fatal("the home page lists the post before its time")
	}

	deadline := at.Add(30 * time.Second) // generous: the CPU is shared
	for !homeLists() {
		if time.Now().After(deadline) {
			t.Fatalf("the home page does not list the post 30 s after its time; it is %s", storedBrowserPost(a, p.ID).Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if late := time.Since(at); late < 0 {
		t.Errorf("listed %v before its time", -late)
	} else {
		t.Logf("listed on the home page %v after its time", late.Round(time.Millisecond))
	}
	got = storedBrowserPost(a, p.ID)
	if got.Status != models.PostPublished || got.PublishedAt == nil || !got.PublishedAt.Equal(at) {
		t.Errorf("published: %s at %v, want %v", got.Status, got.PublishedAt, at)
	}
	reader.open(urls.Post(p.Slug))
	reader.wait("the reader sees the post", `document.querySelector("[data-testid=post-title]")?.textContent === "Scheduled news"`)
}
