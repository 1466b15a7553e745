package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"path/filepath"
	"time"

	"quire/models"
	"quire/models/imaging"
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
	fs.StringVar(&cfg.MediaDir, "media-dir", env("QUIRE_MEDIA_DIR", ""), "folder for uploaded images (QUIRE_MEDIA_DIR; default DATA_DIR/media)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.MediaDir == "" {
		cfg.MediaDir = filepath.Join(cfg.DataDir, "media")
	}
	if users < 0 || posts < 0 {
		return fmt.Errorf("--users and --posts must be zero or more")
	}
	db, err := openMigrated(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	// #nosec G404 -- demo content, reproducible from its seed; nothing secret is drawn from it.
	r := rand.New(rand.NewPCG(seedValue, seedValue^0x9e3779b97f4a7c15))
	m := &models.UserModel{DB: db.DB, Hasher: models.NewHasher(models.PasswordParams, 0)}
	n, password, err := m.SeedUsers(ctx, users, r)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(stdout, "Created %d demo accounts; each signs in with this password, made for this run:\n%s\n", n, password)
	} else {
		fmt.Fprintln(stdout, "Created no demo accounts.")
	}
	if posts == 0 {
		return nil
	}
	var authors []int64
	if err := db.DB.SelectContext(ctx, &authors, `SELECT id FROM users WHERE state = 'active' ORDER BY id`); err != nil {
		return err
	}
	if len(authors) == 0 {
		return fmt.Errorf("--posts needs authors: add --users")
	}
	covers, err := seedCovers(ctx, models.LocalStore{Dir: cfg.MediaDir}, r)
	if err != nil {
		return err
	}
	pm := &models.PostModel{DB: db.DB}
	made, err := pm.SeedPosts(ctx, posts, authors, covers, r)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created %d demo posts.\n", made)
	return nil
}

// seedCovers draws a few abstract cover images, processed and stored like
// real uploads.
func seedCovers(ctx context.Context, store models.MediaStore, r *rand.Rand) ([]string, error) {
	var keys []string
	for i := 0; i < 6; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 1200, 630))
		c1 := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255} // #nosec G115 -- IntN(256) is 0..255
		c2 := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255} // #nosec G115 -- IntN(256) is 0..255
		for y := 0; y < 630; y++ {
			for x := 0; x < 1200; x++ {
				t := float64(x+y) / float64(1200+630)
				img.Set(x, y, color.RGBA{
					uint8(float64(c1.R)*(1-t) + float64(c2.R)*t), uint8(float64(c1.G)*(1-t) + float64(c2.G)*t),
					uint8(float64(c1.B)*(1-t) + float64(c2.B)*t), 255,
				})
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
			return nil, err
		}
		res, err := imaging.Process(&buf, imaging.Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000}, 2400, 2400)
		if err != nil {
			return nil, err
		}
		key := models.ContentKey(res.Data, res.Ext)
		if err := store.Put(ctx, key, res.Data); err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}
