package models_test

import (
	"context"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

// The reads every reader's page makes run as statements prepared once per
// connection, not parsed and planned on each request.
func TestHotReadsArePrepared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	db.SetMaxOpenConns(1) // pg_prepared_statements is per connection: look at the one used
	pm := &models.PostModel{DB: db}
	um := &models.UserModel{DB: db}
	newUser(t, db, "ada", "")
	for range 3 {
		if _, err := pm.ChangeStamp(ctx, models.FeedFilter{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := pm.ResolveHead(ctx, "no-such-post"); err == nil {
			t.Fatal("a missing post resolved")
		}
		if _, err := um.GetByUsername(ctx, "ada"); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{"post_list_stats", "posts", "users"} {
		var n int
		err := db.Get(&n, `SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql AND statement LIKE '%FROM ' || $1 || ' %'`, table)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("statements reading %s prepared on the connection: %d, want 1 (prepared once, reused)", table, n)
		}
	}
}
