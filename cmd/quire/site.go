package main

import (
	"context"
	"path/filepath"

	"quire/models"
)

// openSite opens the database with open (openDatabase to read,
// openMigrated to write) and reads the site's settings, for the commands
// that work on a site's posts and media; the media folder defaults to
// DATA_DIR/media.
func openSite(ctx context.Context, cfg *Config, open func(context.Context, *Config) (*database, error)) (*database, models.Settings, error) {
	if cfg.MediaDir == "" {
		cfg.MediaDir = filepath.Join(cfg.DataDir, "media")
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return nil, models.Settings{}, err
	}
	settings, err := (&models.SettingsModel{DB: db.DB}).Get(ctx)
	if err != nil {
		_ = db.Close(context.WithoutCancel(ctx))
		return nil, models.Settings{}, err
	}
	return db, settings, nil
}
