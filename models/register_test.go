package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// TestRegisterTakenCostsNoHash: a sign-up with a taken username or email is
// refused before any password is hashed; with every hash slot held, the
// refusal still comes at once.
func TestRegisterTakenCostsNoHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := models.NewHasher(models.TestPasswordParams, 1)
	users := &models.UserModel{DB: dbtest.New(t), Hasher: h}
	const pw = "correct horse battery staple"
	if _, err := users.Insert(ctx, models.NewUser{Username: "grace", Email: "grace@example.com", Password: pw}); err != nil {
		t.Fatal(err)
	}
	// hopper renames: the name given up is held, and taken as if in use.
	if _, err := users.Insert(ctx, models.NewUser{Username: "hopper", Email: "hopper@example.com", Password: pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := users.DB.ExecContext(ctx, `UPDATE users SET username = 'grace_hopper' WHERE username = 'hopper'`); err != nil {
		t.Fatal(err)
	}
	release := h.Occupy()
	cases := []struct{ username, email, constraint string }{
		{"Hopper", "new@example.com", "users_username_key"},
		{"GRACE", "new@example.com", "users_username_key"},
		{"someone", "Grace@Example.COM", "users_email_key"},
		{"grace", "grace@example.com", "users_username_key"},
	}
	for _, tc := range cases {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := users.Register(tctx, models.NewUser{Username: tc.username, Email: tc.email, Password: pw})
		cancel()
		var dup *models.DuplicateError
		if !errors.As(err, &dup) || dup.Constraint != tc.constraint {
			t.Errorf("Register(%s, %s) = %v, want a duplicate of %s without hashing", tc.username, tc.email, err, tc.constraint)
		}
	}
	release()
	u, err := users.Register(ctx, models.NewUser{Username: "someone", Email: "someone@example.com", Password: pw, Role: models.RoleAdmin})
	if err != nil || u.Role != models.RoleAuthor {
		t.Fatalf("a free name: %+v, %v (sign-up must make a plain user)", u, err)
	}
}
