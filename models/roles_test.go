package models_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// asAuthor is p's author acting on it, with an author's role.
func asAuthor(p models.Post) models.Actor {
	return models.Actor{ID: p.AuthorID.Int64, Name: p.AuthorUsername, Role: models.RoleAuthor}
}

// TestRolePermissions: the permission table, role by role.
func TestRolePermissions(t *testing.T) {
	t.Parallel()
	perms := []models.Permission{models.PermWrite, models.PermPublish, models.PermEditAny, models.PermInvite, models.PermAdmin}
	want := map[string]string{ // one letter a permission, in perms' order
		models.RoleContributor: "w....",
		models.RoleAuthor:      "wp...",
		models.RoleEditor:      "wpei.",
		models.RoleAdmin:       "wpeia",
		"user":                 ".....", // the old role grants nothing
		"":                     ".....",
	}
	for role, w := range want {
		got := ""
		for i, p := range perms {
			if models.RoleCan(role, p) {
				got += w[i : i+1]
			} else {
				got += "."
			}
		}
		if got != w {
			t.Errorf("role %q: %s, want %s", role, got, w)
		}
	}
	if got := models.UploadLimit(models.RoleContributor, 10<<20); got != models.ContributorUploadBytes {
		t.Errorf("contributor upload limit %d, want %d", got, models.ContributorUploadBytes)
	}
	if got := models.UploadLimit(models.RoleAuthor, 10<<20); got != 10<<20 {
		t.Errorf("author upload limit %d, want the site's", got)
	}
	if got := strings.Join(models.InvitableRoles(models.RoleEditor), ","); got != "contributor,author" {
		t.Errorf("editors invite %s, want contributor,author", got)
	}
	if got := models.InvitableRoles(models.RoleAuthor); got != nil {
		t.Errorf("authors invite %v, want none", got)
	}
}

// TestPostChangesByRole: the one write path of a post's state changes asks
// the actor's role: contributors cannot publish their drafts, authors act
// on their own posts only, editors on anyone's.
func TestPostChangesByRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pm := &models.PostModel{DB: db}
	admin := &models.AdminModel{DB: db}
	cid, aid, eid := newUser(t, db, "cora", ""), newUser(t, db, "abe", ""), newUser(t, db, "eve", "")
	cora := models.Actor{ID: cid, Name: "cora", Role: models.RoleContributor}
	abe := models.Actor{ID: aid, Name: "abe", Role: models.RoleAuthor}
	eve := models.Actor{ID: eid, Name: "eve", Role: models.RoleEditor}

	draft := newPost(t, pm, cid, models.PostInput{Title: "Cora's draft"})
	_, err := pm.Publish(ctx, cora, draft.ID, draft.Version)
	var fe *models.ForbiddenError
	if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "submit the post for review") {
		t.Fatalf("a contributor publishing: %v, want a ForbiddenError saying to submit it", err)
	}
	if _, err := pm.Publish(ctx, abe, draft.ID, draft.Version); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an author publishing someone else's draft: %v, want ErrForbidden", err)
	}
	if _, err := admin.HidePosts(ctx, abe, []int64{draft.ID}, "spam"); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an author hiding a post: %v, want ErrForbidden", err)
	}
	if err := pm.SoftDelete(ctx, cora, draft.ID); err != nil {
		t.Errorf("a contributor deleting their own draft: %v", err)
	}

	other := newPost(t, pm, aid, models.PostInput{Title: "Abe's draft"})
	p, err := pm.Publish(ctx, eve, other.ID, other.Version)
	if err != nil || p.Status != models.PostPublished {
		t.Fatalf("an editor publishing an author's draft: %v (%s)", err, p.Status)
	}
	if res, err := admin.UnpublishPosts(ctx, eve, []int64{other.ID}); err != nil || res.Changed != 1 {
		t.Errorf("an editor unpublishing from the posts table: %+v, %v", res, err)
	}
	if res, err := admin.PublishPosts(ctx, cora, []int64{other.ID}); !errors.Is(err, models.ErrForbidden) || res.Changed != 0 {
		t.Errorf("a contributor bulk-publishing: %+v, %v; want ErrForbidden", res, err)
	}
}

// TestRolesMigration: sql/00012 makes the old 'user' accounts authors and
// keeps admins; its Down maps them back, and the CHECK refuses other roles.
func TestRolesMigration(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	u, a := newUser(t, db, "plain", ""), newAdmin(t, db, "chief")
	up, down := migrationParts(t, "00012_roles.sql")
	if _, err := db.Exec(down); err != nil {
		t.Fatal(err)
	}
	role := func(id int64) string {
		var r string
		if err := db.Get(&r, `SELECT role FROM users WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if role(u) != "user" || role(a) != "admin" {
		t.Errorf("after Down: %s and %s, want user and admin", role(u), role(a))
	}
	if _, err := db.Exec(up); err != nil {
		t.Fatal(err)
	}
	if role(u) != models.RoleAuthor || role(a) != models.RoleAdmin {
		t.Errorf("after Up: %s and %s, want author and admin", role(u), role(a))
	}
	if _, err := db.Exec(`UPDATE users SET role = 'user' WHERE id = $1`, u); err == nil {
		t.Error("the CHECK accepted the old role 'user'")
	}
}

// migrationParts are the Up and Down statements of one migration file.
func migrationParts(t *testing.T, name string) (up, down string) {
	t.Helper()
	b, err := fs.ReadFile(models.MigrationFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	up, down, ok := strings.Cut(string(b), "-- +goose Down")
	if !ok {
		t.Fatalf("%s has no Down", name)
	}
	return up, down
}
