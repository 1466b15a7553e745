package models_test

import (
	"context"
	"io"
	"testing"

	"quire/models"
)

// TestCommentsSuspensionMigration: with sql/00028 a suspended account's
// approved comments leave the post's count; rolled back, the count is every
// approved comment again; applied again, it leaves them out once more.
func TestCommentsSuspensionMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, cm, p := commentFixture(t)
	grace := models.User{ID: newUser(t, db, "grace", "Grace"), Role: models.RoleContributor, State: models.StateActive}
	mod := models.Actor{Name: "mod", Role: models.RoleEditor}
	for _, who := range []models.Commenter{{User: grace}, {}} {
		c, err := cm.Insert(ctx, commentSite(models.CommentsAnyone), who, guest(p.ID, "Swifts!"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cm.Approve(ctx, mod, []int64{c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	db.MustExec(`UPDATE users SET state = 'suspended' WHERE id = $1`, grace.ID)
	count := func() (n int) {
		if err := db.Get(&n, `SELECT comment_count FROM posts WHERE id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("count with Grace suspended: %d, want 1", n)
	}
	m := migrateDownThrough(t, db, 28)
	if n := count(); n != 2 {
		t.Errorf("count after rolling back 00028: %d, want 2", n)
	}
	if err := m.Up(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("count after applying 00028 again: %d, want 1", n)
	}
}
