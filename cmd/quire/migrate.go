package main

import (
	"context"
	"fmt"
	"io"

	"quire/models"
)

func migrate(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	fs := newFlagSet("migrate", "migrate up|down|status [flags]")
	cfg.databaseFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("migrate: say up, down or status")
	}
	db, err := openDatabase(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	m, err := models.NewMigrator(db.DB)
	if err != nil {
		return err
	}
	switch fs.Arg(0) {
	case "up":
		return m.Up(ctx, stdout)
	case "down":
		return m.Down(ctx, stdout)
	case "status":
		return m.Status(ctx, stdout)
	}
	return fmt.Errorf("migrate: unknown action %q: say up, down or status", fs.Arg(0))
}
