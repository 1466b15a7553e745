package models_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// TestInvitationSingleUse: accepts of one token at once make one account;
// the others find the invitation used (ErrNotFound).
func TestInvitationSingleUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	users := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	admin := &models.AdminModel{DB: db}
	inv, token, err := admin.Invite(ctx, models.Actor{Name: "boss", Role: models.RoleAdmin}, "new@example.com", models.RoleContributor)
	if err != nil || inv.Role != models.RoleContributor {
		t.Fatal(inv, err)
	}
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = users.AcceptInvitation(ctx, token, "racer"+strconv.Itoa(i), "correct horse battery staple")
		})
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, models.ErrNotFound):
			t.Errorf("a losing accept: %v, want ErrNotFound", err)
		}
	}
	var accounts int
	if err := db.Get(&accounts, `SELECT count(*) FROM users WHERE email = 'new@example.com' AND role = 'contributor'`); err != nil {
		t.Fatal(err)
	}
	if made != 1 || accounts != 1 {
		t.Errorf("%d accepts succeeded, %d accounts made; want 1 and 1", made, accounts)
	}
	if _, _, err := admin.Invite(ctx, models.Actor{Name: "ed", Role: models.RoleEditor}, "x@example.com", models.RoleEditor); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an editor inviting an editor: %v, want ErrForbidden", err)
	}
}

// TestVerifyEmail: a confirmation link confirms the address it was sent
// to, once; after the address changed it confirms nothing.
func TestVerifyEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	users := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	u, err := users.Register(ctx, models.NewUser{Username: "newbie", Email: "old@example.com", Password: "correct horse battery staple"})
	if err != nil || u.EmailVerified || u.Role != models.SignUpRole {
		t.Fatalf("a sign-up: %+v, %v", u, err)
	}
	stale, _, err := users.IssueVerification(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := users.UpdateProfile(ctx, u.ID, models.Profile{Username: "newbie", Email: "new@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := users.VerifyEmail(ctx, stale); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a link to the old address: %v, want ErrNotFound", err)
	}
	fresh, to, err := users.IssueVerification(ctx, u.ID)
	if err != nil || to != "new@example.com" {
		t.Fatalf("a new link goes to %q: %v", to, err)
	}
	if v, err := users.VerifyEmail(ctx, fresh); err != nil || !v.EmailVerified {
		t.Fatalf("the new link: %+v, %v", v.EmailVerified, err)
	}
	if _, _, err := users.IssueVerification(ctx, u.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a link for a verified account: %v, want ErrNotFound", err)
	}
}
