package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// Setups racing on a fresh site make exactly one administrator; once there
// is one, setup is over.
func TestCreateFirstAdmin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	users := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = users.CreateFirstAdmin(ctx, models.NewUser{Username: fmt.Sprintf("owner%d", i),
				Email: fmt.Sprintf("owner%d@example.com", i), Password: "correct horse battery staple"})
		})
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, models.ErrSetUp):
			t.Errorf("a racing setup: %v", err)
		}
	}
	if n, err := users.CountActiveAdmins(ctx); made != 1 || n != 1 || err != nil {
		t.Fatalf("%d setups succeeded, %d administrators (%v); want one", made, n, err)
	}
	_, err := users.CreateFirstAdmin(ctx, models.NewUser{Username: "late", Email: "late@example.com", Password: "correct horse battery staple"})
	if !errors.Is(err, models.ErrSetUp) {
		t.Errorf("a setup after the first: %v, want ErrSetUp", err)
	}
}
