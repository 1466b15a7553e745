package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"quire/models"
)

func seed(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	var users, posts int
	var seedValue uint64
	fs := newFlagSet("seed", "seed --users N [--posts M] [flags]")
	fs.IntVar(&users, "users", 10, "number of demo accounts to create")
	fs.IntVar(&posts, "posts", 0, "number of demo posts to create")
	fs.Uint64Var(&seedValue, "seed", uint64(time.Now().UnixNano()), "random seed, for repeatable content")
	cfg.databaseFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if users < 0 || posts < 0 {
		return fmt.Errorf("--users and --posts must be zero or more")
	}
	db, err := openDatabase(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	if err := migrateUp(ctx, db, io.Discard); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seedValue, seedValue^0x9e3779b97f4a7c15))
	m := &models.UserModel{DB: db.DB, Hasher: models.NewHasher(models.PasswordParams, 0)}
	n, err := m.SeedUsers(ctx, users, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %d demo accounts; each signs in with the password %q.\n", n, models.SeedPassword)
	if posts > 0 {
		fmt.Fprintln(stdout, "Posts are not part of this version yet; --posts was ignored.")
	}
	return nil
}
