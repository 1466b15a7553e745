package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// wantFailed checks that a request whose transaction failed at commit got
// an error page, not the answer of a change made.
func wantFailed(t *testing.T, r *response) {
	t.Helper()
	if r.StatusCode < 500 {
		t.Fatalf("status %d after a failed commit, want an error", r.StatusCode)
	}
}

// TestAfterCommitMediaFiles: an admin's media deletion whose transaction
// fails at commit removes no file (the rows are still there and need
// them); once it commits, the file goes (a real LocalStore folder).
func TestAfterCommitMediaFiles(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	owner := a.createUser("uploader", models.RoleAuthor)
	ctx := context.Background()
	store := models.LocalStore{Dir: a.media}
	key := strings.Repeat("ef", 32) + ".png"
	if err := store.Put(ctx, key, []byte("png")); err != nil {
		t.Fatal(err)
	}
	md, err := (&models.MediaModel{DB: a.db}).Insert(ctx, models.Media{OwnerID: ownerOf(owner), Key: key,
		Width: 10, Height: 10, Bytes: 3, ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	stored := func() bool {
		f, err := store.Open(ctx, key)
		if err == nil {
			_ = f.Close()
		}
		return err == nil
	}

	undo := dbtest.FailAtCommit(t, a.db, "media", "DELETE")
	wantFailed(t, c.bulk("media", "delete", url.Values{"option": {"refuse"}}, md.ID))
	if _, err := (&models.MediaModel{DB: a.db}).GetByKey(ctx, key); err != nil {
		t.Fatalf("the row went with a failed commit: %v", err)
	}
	if !stored() {
		t.Error("the file was removed though the deletion did not commit")
	}

	undo()
	wantStatus(t, c.bulk("media", "delete", url.Values{"option": {"refuse"}}, md.ID), http.StatusSeeOther)
	if stored() {
		t.Error("the file is still stored after the deletion committed")
	}
}

// TestAfterCommitMail: each change that mails (an admin's reset links, a
// password change, an email change, a reset request) sends nothing when
// its transaction fails at commit, and its message when it commits.
func TestAfterCommitMail(t *testing.T) {
	t.Parallel()
	a, admin, _ := adminApp(t)
	grace := a.createUser("grace", models.RoleAuthor)
	c := a.client()
	c.login("grace", strongPassword)
	c.get("/settings/password")

	changes := []struct {
		name      string
		table, op string // the table and change whose commit fails
		do        func() *response
		failed    func(*response) // what the failed change answers
		to, about string          // the mail that follows the commit
	}{
		{name: "admin reset link", table: "password_resets", op: "INSERT",
			do: func() *response {
				return admin.post(fmt.Sprintf("/admin/users/%d/send_reset", grace.ID), url.Values{"confirm": {"1"}})
			},
			failed: func(r *response) { wantFailed(t, r) }, to: "grace@example.com", about: "/password/reset/"},
		{name: "reset request", table: "password_resets", op: "INSERT",
			do: func() *response {
				return a.client().post("/password/reset", url.Values{"email": {"grace@example.com"}})
			},
			// The answer is the same whatever happens in the background.
			failed: func(r *response) { wantStatus(t, r, http.StatusOK) }, to: "grace@example.com", about: "/password/reset/"},
		{name: "password change", table: "users", op: "UPDATE",
			do: func() *response {
				return c.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {"a completely different passphrase"}})
			},
			failed: func(r *response) { wantFailed(t, r) }, to: "grace@example.com", about: "password of the Quire account grace was just changed"},
		{name: "email change", table: "users", op: "UPDATE",
			do: func() *response {
				f := profileFields("grace", "grace.h@example.com")
				f.Set("current_password", "a completely different passphrase")
				return c.postMultipart("/settings/profile", f, "", "", nil)
			},
			failed: func(r *response) { wantFailed(t, r) }, to: "grace@example.com", about: "changed from grace@example.com to grace.h@example.com"},
	}
	for _, ch := range changes {
		undo := dbtest.FailAtCommit(t, a.db, ch.table, ch.op)
		ch.failed(ch.do())
		a.smtp.None(t, 500*time.Millisecond)
		undo()
		if r := ch.do(); r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d once it commits", ch.name, r.StatusCode)
		}
		m := a.smtp.Next(t, 5*time.Second)
		if len(m.To) != 1 || m.To[0] != ch.to || !strings.Contains(m.Body, ch.about) {
			t.Errorf("%s: mail to %v:\n%s", ch.name, m.To, m.Body)
		}
	}
}
