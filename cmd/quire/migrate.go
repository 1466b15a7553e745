package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"quire/models"
)

func migrate(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	fs := newFlagSet("migrate", "migrate up|down|status [flags]")
	cfg.databaseFlags(fs)
	force := fs.Bool("force", false, "down: roll back even while quire serve runs on the database (its pages will fail)")
	// The action may come before or after the flags.
	action := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		action, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if action == "" && fs.NArg() == 1 {
		action = fs.Arg(0)
	} else if action == "" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("migrate: say up, down or status")
	}
	if action != "up" && action != "down" && action != "status" {
		return fmt.Errorf("migrate: unknown action %q: say up, down or status", action)
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
	switch action {
	case "up":
		return m.Up(ctx, stdout)
	case "down":
		release, err := models.LockOutServers(ctx, db.DB)
		switch {
		case errors.Is(err, models.ErrServing) && *force:
			fmt.Fprintf(stdout, "warning: %v; rolling back anyway (--force)\n", err)
		case errors.Is(err, models.ErrServing):
			return fmt.Errorf("migrate down: %w. Rolling the schema back under it would break its pages: "+
				"stop it first, or run `quire migrate down --force` to roll back anyway", err)
		case err != nil:
			return err
		default:
			defer release()
		}
		return m.Down(ctx, stdout)
	default:
		return m.Status(ctx, stdout)
	}
}
