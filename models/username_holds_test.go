package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// Every writer of users is held to the rule (the triggers of sql/00008),
// and an account renaming over and over keeps only its five newest names.
func TestUsernameHolds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	users := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	ada := newUser(t, db, "ada", "")
	for i := 1; i <= 7; i++ {
		if _, err := db.Exec(`UPDATE users SET username = $2 WHERE id = $1`, ada, fmt.Sprintf("ada%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var held []string
	if err := db.Select(&held, `SELECT username FROM username_holds WHERE user_id = $1 ORDER BY username`, ada); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(held) != "[ada2 ada3 ada4 ada5 ada6]" {
		t.Fatalf("held names = %v, want the five newest", held)
	}
	if now, err := users.RenamedTo(ctx, "ADA3"); err != nil || now != "ada7" {
		t.Fatalf("RenamedTo(ADA3) = %q, %v", now, err)
	}
	if _, err := users.RenamedTo(ctx, "ada"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("a released name: %v", err)
	}
	// createadmin and seed insert directly: a held name is a duplicate for them too.
	_, err := users.Insert(ctx, models.NewUser{Username: "ada5", Email: "x@example.com", Password: "irrelevant here"})
	var dup *models.DuplicateError
	if !errors.As(err, &dup) || dup.Constraint != "users_username_key" {
		t.Fatalf("insert a held name: %v", err)
	}
	if _, err := db.Exec(`DELETE FROM users WHERE id = $1`, ada); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ada7", "ada4"} {
		if _, err := users.RenamedTo(ctx, name); !errors.Is(err, models.ErrGone) {
			t.Fatalf("RenamedTo(%s) after deletion: %v", name, err)
		}
	}
}
