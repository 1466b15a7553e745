package models_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"quire/models"
)

// TestCommentMailerOneReplicaOnceEach: two replicas' runs at once send the
// batch once; a send the mail server refused is tried again at the next
// run, and a sent one never.
func TestCommentMailerOneReplicaOnceEach(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	if _, err := cm.Insert(ctx, commentSite(models.CommentsAnyone), models.Commenter{}, guest(p.ID, "Held, and news.")); err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int32
	var fail atomic.Bool
	send := func(_ context.Context, d models.CommentDigest) error {
		if fail.Load() {
			return errors.New("421 try again later")
		}
		if d.To != "ada@example.com" || len(d.Items) != 1 || d.Items[0].Body != "Held, and news." {
			t.Errorf("digest %+v", d)
		}
		sent.Add(1)
		return nil
	}
	mailer := func() *models.CommentMailer { return &models.CommentMailer{DB: db, Send: send} }

	fail.Store(true)
	if r, err := mailer().SendDue(ctx); err != nil || r.Failed != 1 || r.Mails != 0 {
		t.Fatalf("refused send: %+v, %v", r, err)
	}
	fail.Store(false)
	var wg sync.WaitGroup
	runs := make([]models.CommentMailRun, 2)
	for i := range runs {
		wg.Go(func() {
			r, err := mailer().SendDue(ctx)
			if err != nil {
				t.Error(err)
			}
			runs[i] = r
		})
	}
	wg.Wait()
	if sent.Load() != 1 {
		t.Errorf("two replicas sent %d mails (runs %+v), want 1", sent.Load(), runs)
	}
	db.MustExec(`UPDATE comment_mail_sent SET sent_at = sent_at - interval '1 hour'`)
	if r, _ := mailer().SendDue(ctx); r.Mails != 0 || sent.Load() != 1 {
		t.Errorf("a sent notice went again: %+v", r)
	}
}

// TestCommentNotifyMigration: sql/00029 rolls back and applies again, the
// comments kept.
func TestCommentNotifyMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	if _, err := cm.Insert(ctx, commentSite(models.CommentsAnyone), models.Commenter{}, guest(p.ID, "Kept.")); err != nil {
		t.Fatal(err)
	}
	m := migrateDownThrough(t, db, 29)
	if err := m.Up(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM comments WHERE NOT notify_replies`); err != nil || n != 1 {
		t.Errorf("after down and up: %d comments (%v), want 1", n, err)
	}
}
