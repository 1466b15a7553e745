package models_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/dbtest"
)

// scheduledPost inserts a draft of author's and schedules it for at (in the
// future), as its author.
func scheduledPost(t *testing.T, pm *models.PostModel, author int64, title string, at time.Time) models.Post {
	t.Helper()
	p := newPost(t, pm, author, models.PostInput{Title: title, Body: "Words for " + title, Tags: []string{"later"}})
	p, err := pm.Schedule(context.Background(), asAuthor(p), p.ID, p.Version, at)
	if err != nil {
		t.Fatalf("schedule %q: %v", title, err)
	}
	if p.Status != models.PostScheduled || p.ScheduledAt == nil || !p.ScheduledAt.Equal(at.Truncate(time.Second)) {
		t.Fatalf("scheduled %q: status %s at %v, want scheduled at %v", title, p.Status, p.ScheduledAt, at)
	}
	return p
}

// makeDue moves a scheduled post's time to ago before now, as if the clock
// had run on: the model refuses to schedule in the past.
func makeDue(t *testing.T, db *sqlx.DB, id int64, ago time.Duration) time.Time {
	t.Helper()
	var at time.Time
	if err := db.Get(&at, `UPDATE posts SET scheduled_at = date_trunc('second', now() - $2::interval) WHERE id = $1 RETURNING scheduled_at`,
		id, ago.String()); err != nil {
		t.Fatal(err)
	}
	return at
}

func getPost(t *testing.T, pm *models.PostModel, id int64) models.Post {
	t.Helper()
	p, err := pm.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A scheduled post is not public and in no reader's list until its time.
func TestScheduledPostIsNotPublic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	p := scheduledPost(t, pm, ada, "Tomorrow", time.Now().Add(24*time.Hour))
	if p.IsPublic() || p.PublishedAt != nil {
		t.Fatalf("scheduled post public: %+v", p)
	}
	l, err := pm.ListPublished(ctx, models.Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Posts) != 0 {
		t.Fatalf("the home list shows %d posts, want none", len(l.Posts))
	}
	r, err := (&models.Scheduler{DB: db}).PublishDue(ctx)
	if err != nil || r.Published != 0 {
		t.Fatalf("a run before the time: %+v, %v", r, err)
	}
}

// Two schedulers (two replicas) running at once publish each due post
// exactly once: one publication, one audit entry.
func TestSchedulersRacingPublishOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	const n = 30
	due := map[int64]time.Time{}
	for i := range n {
		p := scheduledPost(t, pm, ada, "Post "+string(rune('A'+i)), time.Now().Add(time.Hour))
		due[p.ID] = makeDue(t, db, p.ID, time.Duration(i+1)*time.Minute)
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		published int
	)
	for range 2 {
		s := &models.Scheduler{DB: db}
		wg.Go(func() {
			for range 10 {
				r, err := s.PublishDue(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				published += r.Published
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if published != n {
		t.Errorf("the schedulers published %d posts, want %d", published, n)
	}
	for id, at := range due {
		p := getPost(t, pm, id)
		if p.Status != models.PostPublished || p.ScheduledAt != nil || p.PublishedAt == nil || !p.PublishedAt.Equal(at) {
			t.Errorf("post %d: status %s, published_at %v, scheduled_at %v; want published at %v", id, p.Status, p.PublishedAt, p.ScheduledAt, at)
		}
		if got := countRows(t, db, `SELECT count(*) FROM audit_log WHERE model = 'posts' AND object_id = $1 AND action = 'publish'
			AND actor_name = 'scheduler' AND after->>'status' = 'published'`, id); got != 1 {
			t.Errorf("post %d: %d publish entries in the audit log, want 1", id, got)
		}
	}
}

// After a downtime, the first run publishes everything due, each dated at
// its scheduled time, and moves the lists' stamps; what is not due yet
// waits.
func TestSchedulerCatchesUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	early := scheduledPost(t, pm, ada, "Two days late", time.Now().Add(time.Hour))
	late := scheduledPost(t, pm, ada, "An hour late", time.Now().Add(time.Hour))
	future := scheduledPost(t, pm, ada, "Next week", time.Now().Add(7*24*time.Hour))
	earlyAt := makeDue(t, db, early.ID, 48*time.Hour)
	lateAt := makeDue(t, db, late.ID, time.Hour)
	stamps := func() (all, tag models.Stamp) {
		var err error
		if all, err = pm.ChangeStamp(ctx, models.FeedFilter{}); err != nil {
			t.Fatal(err)
		}
		if tag, err = pm.ChangeStamp(ctx, models.FeedFilter{Tag: "later"}); err != nil {
			t.Fatal(err)
		}
		return all, tag
	}
	allBefore, tagBefore := stamps()

	// serve's start: Run publishes at once, whatever its interval.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { (&models.Scheduler{DB: db}).Run(runCtx, time.Hour); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for getPost(t, pm, late.ID).Status != models.PostPublished {
		if time.Now().After(deadline) {
			t.Fatal("the scheduler's first run did not publish the due posts")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done

	for _, c := range []struct {
		id int64
		at time.Time
	}{{early.ID, earlyAt}, {late.ID, lateAt}} {
		p := getPost(t, pm, c.id)
		if p.Status != models.PostPublished || p.PublishedAt == nil || !p.PublishedAt.Equal(c.at) {
			t.Errorf("%q: status %s, published_at %v; want published at %v", p.Title, p.Status, p.PublishedAt, c.at)
		}
	}
	if p := getPost(t, pm, future.ID); p.Status != models.PostScheduled {
		t.Errorf("the post for next week is %s", p.Status)
	}
	allAfter, tagAfter := stamps()
	if allAfter.Posts != 2 || !allAfter.At.After(allBefore.At) || tagAfter.Posts != 2 || !tagAfter.At.After(tagBefore.At) {
		t.Errorf("stamps did not move: every post %+v -> %+v, tag %+v -> %+v", allBefore, allAfter, tagBefore, tagAfter)
	}
	l, err := pm.ListPublished(ctx, models.Page{Number: 1, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Posts) != 2 || l.Posts[0].ID != late.ID {
		t.Errorf("home list after the catch-up: %d posts, first %q", len(l.Posts), l.Posts[0].Title)
	}
}

// A running scheduler publishes a post at its time, not only at its
// interval's next tick.
func TestSchedulerPublishesOnTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	at := time.Now().Add(3 * time.Second).Truncate(time.Second)
	p := scheduledPost(t, pm, ada, "Soon", at)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go (&models.Scheduler{DB: db}).Run(runCtx, time.Hour)
	// The run at start finds it not due; the next must come at its time,
	// long before the hour's tick (a generous bound: the CPU is shared).
	deadline := at.Add(20 * time.Second)
	for getPost(t, pm, p.ID).Status != models.PostPublished {
		if time.Now().After(deadline) {
			t.Fatalf("not published 20 s after its time")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if late := time.Since(at); late < 0 {
		t.Errorf("published %v before its time", -late)
	} else {
		t.Logf("published %v after its time", late.Round(time.Millisecond))
	}
}

// Cancelling a schedule makes the post a draft again, which no run
// publishes; so does putting it in the trash.
func TestScheduleCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	p := scheduledPost(t, pm, ada, "Maybe", time.Now().Add(time.Hour))
	p, err := pm.Unschedule(ctx, asAuthor(p), p.ID, p.Version)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != models.PostDraft || p.ScheduledAt != nil {
		t.Fatalf("after cancelling: status %s at %v", p.Status, p.ScheduledAt)
	}
	if _, err := pm.Unschedule(ctx, asAuthor(p), p.ID, p.Version); !errors.Is(err, models.ErrConflict) {
		t.Errorf("cancelling a draft's schedule: %v, want ErrConflict", err)
	}
	trashed := scheduledPost(t, pm, ada, "Binned", time.Now().Add(time.Hour))
	if err := pm.SoftDelete(ctx, asAuthor(trashed), trashed.ID); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE posts SET scheduled_at = now() - interval '1 minute' WHERE status = 'scheduled'`)
	if r, err := (&models.Scheduler{DB: db}).PublishDue(ctx); err != nil || r.Published != 0 {
		t.Fatalf("a run after cancelling: %+v, %v", r, err)
	}
	restored, err := pm.Restore(ctx, trashed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if restored.Status != models.PostDraft || restored.ScheduledAt != nil {
		t.Errorf("restored from the trash: status %s at %v, want a draft", restored.Status, restored.ScheduledAt)
	}
	if got := countRows(t, db, `SELECT count(*) FROM posts WHERE status = 'published'`); got != 0 {
		t.Errorf("%d posts published", got)
	}
}

// Scheduling asks what publishing asks: contributors cannot, authors their
// own posts, editors anyone's; an unverified address cannot. Times gone by,
// and posts already public, are refused.
func TestSchedulePermission(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	bob := newUser(t, db, "bob", "")
	ed := newUser(t, db, "edith", "")
	at := time.Now().Add(time.Hour)
	p := newPost(t, pm, ada, models.PostInput{Title: "Ada's"})

	cases := []struct {
		name string
		who  models.Actor
		want error
	}{
		{"a contributor, own post", models.Actor{ID: ada, Name: "ada", Role: models.RoleContributor}, models.ErrForbidden},
		{"an unverified author", models.Actor{ID: ada, Name: "ada", Role: models.RoleAuthor, Unverified: true}, models.ErrUnverified},
		{"another author", models.Actor{ID: bob, Name: "bob", Role: models.RoleAuthor}, models.ErrForbidden},
		{"the author", models.Actor{ID: ada, Name: "ada", Role: models.RoleAuthor}, nil},
		{"an editor, a new time", models.Actor{ID: ed, Name: "edith", Role: models.RoleEditor}, nil},
	}
	for _, c := range cases {
		got, err := pm.Schedule(ctx, c.who, p.ID, p.Version, at)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
			continue
		}
		if err == nil {
			p = got
		}
	}
	if p.Status != models.PostScheduled {
		t.Fatalf("status %s", p.Status)
	}
	contributor := models.Actor{ID: ada, Name: "ada", Role: models.RoleContributor}
	if _, err := pm.Unschedule(ctx, contributor, p.ID, p.Version); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a contributor cancelling: %v, want ErrForbidden", err)
	}
	if _, err := pm.Schedule(ctx, asAuthor(p), p.ID, p.Version, time.Now().Add(-2*time.Minute)); !errors.Is(err, models.ErrPastSchedule) {
		t.Errorf("a time gone by: %v, want ErrPastSchedule", err)
	}
	pub := publishedPost(t, pm, ada, models.PostInput{Title: "Out already"})
	if _, err := pm.Schedule(ctx, asAuthor(pub), pub.ID, pub.Version, at); !errors.Is(err, models.ErrConflict) {
		t.Errorf("scheduling a published post: %v, want ErrConflict", err)
	}
	if _, err := pm.Schedule(ctx, asAuthor(p), p.ID, p.Version-1, at); !errors.Is(err, models.ErrConflict) {
		t.Errorf("scheduling over an old version: %v, want ErrConflict", err)
	}
}

// Rolling sql/00018 back makes scheduled posts drafts (nothing goes public
// by a downgrade), and applying it again works.
func TestScheduleMigrationDown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	ada := newUser(t, db, "ada", "")
	p := scheduledPost(t, pm, ada, "Pending", time.Now().Add(time.Hour))
	m, err := models.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	for v := models.SchemaVersion(); v >= 18; {
		if err := m.Down(ctx, io.Discard); err != nil {
			t.Fatal(err)
		}
		if err := db.GetContext(ctx, &v, `SELECT max(version_id) FROM goose_db_version`); err != nil {
			t.Fatal(err)
		}
	}
	var status string
	if err := db.Get(&status, `SELECT status FROM posts WHERE id = $1`, p.ID); err != nil || status != models.PostDraft {
		t.Fatalf("after down: status %q, %v; want draft", status, err)
	}
	if err := m.Up(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := getPost(t, pm, p.ID); got.Status != models.PostDraft || got.ScheduledAt != nil {
		t.Errorf("after up again: %s at %v", got.Status, got.ScheduledAt)
	}
}

// Publish on a scheduled post publishes it now, and Hide hides it; either
// way its schedule is gone, so no run publishes it again.
func TestSchedulePublishNowOrHide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	admin := &models.AdminModel{DB: db}
	ada := newUser(t, db, "ada", "")
	root := models.Actor{ID: newUser(t, db, "root", ""), Name: "root", Role: models.RoleAdmin}
	now := scheduledPost(t, pm, ada, "Now rather", time.Now().Add(24*time.Hour))
	now, err := pm.Publish(ctx, asAuthor(now), now.ID, now.Version)
	if err != nil {
		t.Fatal(err)
	}
	if now.Status != models.PostPublished || now.ScheduledAt != nil || now.PublishedAt == nil || time.Since(*now.PublishedAt) > time.Minute {
		t.Errorf("published now: %s, published %v, scheduled %v", now.Status, now.PublishedAt, now.ScheduledAt)
	}
	hidden := scheduledPost(t, pm, ada, "Spam", time.Now().Add(24*time.Hour))
	if res, err := admin.HidePosts(ctx, root, []int64{hidden.ID}, "spam"); err != nil || res.Changed != 1 {
		t.Fatalf("hide: %+v, %v", res, err)
	}
	if got := getPost(t, pm, hidden.ID); got.Status != models.PostHidden || got.ScheduledAt != nil {
		t.Errorf("hidden: %s at %v", got.Status, got.ScheduledAt)
	}
}
