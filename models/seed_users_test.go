package models_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// Seeded demo accounts get a password made for the run from crypto/rand:
// the same --seed twice gives the same people, never the same password.
func TestSeedUsersPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	users := &models.UserModel{DB: dbtest.New(t), Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	n, first, err := users.SeedUsers(ctx, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil || n != 3 {
		t.Fatalf("seeded %d: %v", n, err)
	}
	_, second, err := users.SeedUsers(ctx, 3, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if first == second || len(first) < 24 {
		t.Fatalf("demo passwords %q and %q: want long and different each run", first, second)
	}
	var username string
	if err := users.DB.Get(&username, `SELECT username FROM users ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := models.CheckPassword(first, username, username+"@example.com"); err != nil {
		t.Fatalf("the demo password fails the policy: %v", err)
	}
	if _, err := users.SignIn(ctx, &models.ThrottleModel{DB: users.DB}, username, first, "10.0.0.1"); err != nil {
		t.Fatalf("sign in with the demo password: %v", err)
	}
	if _, err := users.SignIn(ctx, &models.ThrottleModel{DB: users.DB}, username, "quire demo password", "10.0.0.1"); err == nil {
		t.Fatal("the old published demo password still signs in")
	}
}
