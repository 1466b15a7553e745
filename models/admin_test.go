package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/url"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"quire/models"
	"quire/models/admintable"
	"quire/models/dbtest"
)

var adminTables = []*admintable.Table{models.UsersTable, models.PostsTable, models.MediaTable, models.AuditTable}

// TestAdminDeclarations runs every declared table's SQL against a real
// database: every sort key in both directions, every filter value, a
// search, row lookups and "all matching". A typo in a declaration's SQL
// fails here, not in front of an admin.
func TestAdminDeclarations(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	users := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	r := rand.New(rand.NewPCG(1, 2))
	if _, _, err := users.SeedUsers(ctx, 12, r); err != nil {
		t.Fatal(err)
	}
	var authors []int64
	if err := db.Select(&authors, `SELECT id FROM users`); err != nil {
		t.Fatal(err)
	}
	if _, err := (&models.PostModel{DB: db}).SeedPosts(ctx, 20, authors, nil, r); err != nil {
		t.Fatal(err)
	}
	admin := &models.AdminModel{DB: db}
	var firstPost int64
	if err := db.Get(&firstPost, `SELECT min(id) FROM posts`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.HidePosts(ctx, models.Actor{ID: authors[0], Name: "seed", Role: models.RoleAdmin}, []int64{firstPost}, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO media (owner_id, key, width, height, bytes, content_type)
		VALUES ($1, repeat('a', 64) || '.png', 10, 20, 300, 'image/png')`, authors[0]); err != nil {
		t.Fatal(err)
	}

	for _, tbl := range adminTables {
		t.Run(tbl.Name, func(t *testing.T) {
			if err := tbl.Validate(); err != nil {
				t.Fatal(err)
			}
			run := func(v url.Values) admintable.Result {
				t.Helper()
				q, err := tbl.Parse(v)
				if err != nil {
					t.Fatalf("Parse(%v): %v", v, err)
				}
				res, err := tbl.List(ctx, db, q)
				if err != nil {
					t.Fatalf("List(%v): %v", v, err)
				}
				return res
			}
			all := run(url.Values{"per_page": {"100"}})
			for _, c := range tbl.Columns {
				if c.Sortable {
					for _, s := range []string{c.Key, "-" + c.Key} {
						if res := run(url.Values{"sort": {s}, "per_page": {"100"}}); res.Total != all.Total {
							t.Errorf("sort=%s: %d rows, want %d", s, res.Total, all.Total)
						}
					}
				}
			}
			for _, f := range tbl.Filters {
				switch {
				case f.Date:
					run(url.Values{f.Key: {"2000-01-01..2100-01-01"}})
				case f.Int:
					run(url.Values{f.Key: {"1"}})
					if f.ChoicesSQL != "" {
						if _, err := tbl.FilterChoices(ctx, db, f); err != nil {
							t.Error(err)
						}
					}
				default:
					n := 0
					for _, c := range f.Choices {
						n += run(url.Values{f.Key: {c.Value}}).Total
					}
					if n > all.Total {
						t.Errorf("filter %s: the choices add up to %d of %d rows", f.Key, n, all.Total)
					}
				}
			}
			run(url.Values{"q": {"a b%_"}})
			q, _ := tbl.Parse(url.Values{})
			ids, total, _, err := tbl.IDsMatching(ctx, db, q)
			if err != nil || total != all.Total || len(ids) != total {
				t.Fatalf("IDsMatching: %d of %d, %v", len(ids), total, err)
			}
			if rows, err := tbl.Rows(ctx, db, ids); err != nil || len(rows) != len(ids) {
				t.Fatalf("Rows: %d, %v", len(rows), err)
			}
		})
	}
}

// TestLastAdminUnderConcurrency: two admins demoting each other at once
// cannot leave the site with no admin.
func TestLastAdminUnderConcurrency(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	ctx := context.Background()
	users := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	var admins []models.User
	for _, name := range []string{"ann", "bob"} {
		u, err := users.Insert(ctx, models.NewUser{Username: name, Email: name + "@example.com", Password: "a long password here", Role: models.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		admins = append(admins, u)
	}
	admin := &models.AdminModel{DB: db}
	for range 10 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() {
				me, other := admins[i], admins[1-i]
				_, errs[i] = admin.SetRole(ctx, models.Actor{ID: me.ID, Name: me.Username}, []int64{other.ID}, models.RoleAuthor)
			})
		}
		wg.Wait()
		n, err := users.CountActiveAdmins(ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d active admins after concurrent demotions (%v, %v)", n, errs, err)
		}
		if !(errs[0] == nil) == !(errs[1] == nil) || !errors.Is(errors.Join(errs...), models.ErrRefused) {
			t.Fatalf("want one success and one refusal: %v", errs)
		}
		if _, err := db.Exec(`UPDATE users SET role = 'admin'`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSuspensionEndsSessions: suspending an account and reactivating it
// each give it a new session epoch. Suspension signs it out at once; after
// reactivation no session stamped meanwhile (a password change racing the
// suspension stores the epoch it made) comes alive again.
func TestSuspensionEndsSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	um := &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}
	admin := &models.AdminModel{DB: db}
	boss := models.Actor{ID: newAdmin(t, db, "boss"), Name: "boss", Role: models.RoleAdmin}
	id := newUser(t, db, "victim", "")
	epoch := func() int {
		t.Helper()
		u, err := um.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u.SessionEpoch
	}

	signedIn := epoch()
	if res, err := admin.Suspend(ctx, boss, []int64{id}, "spam"); err != nil || res.Changed != 1 {
		t.Fatalf("suspend = %+v, %v", res, err)
	}
	if epoch() == signedIn {
		t.Error("suspension left the account's sessions valid")
	}
	raced, _, err := um.SetPassword(ctx, id, "a long passphrase of several words")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := admin.Reactivate(ctx, boss, []int64{id}); err != nil || res.Changed != 1 {
		t.Fatalf("reactivate = %+v, %v", res, err)
	}
	if now := epoch(); now == raced.SessionEpoch || now == signedIn {
		t.Errorf("after reactivation the epoch is %d: a session stamped while suspended (%d) is valid again", now, raced.SessionEpoch)
	}
}

// newAdmin adds an active admin: actions that could take away the last one
// are refused without one.
func newAdmin(t *testing.T, db *sqlx.DB, username string) int64 {
	t.Helper()
	id := newUser(t, db, username, "")
	if _, err := db.Exec(`UPDATE users SET role = 'admin' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return id
}
