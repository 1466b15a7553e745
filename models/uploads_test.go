package models_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/imaging"
)

// widePNG is a 1000x600 PNG: wide enough for a post image's srcset copies.
func widePNG(t *testing.T, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1000, 600))
	for i := range img.Pix {
		img.Pix[i] = uint8(i/4) ^ seed
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestUploadsStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	dir := t.TempDir()
	up := &models.Uploads{Rows: &models.MediaModel{DB: db}, Files: models.LocalStore{Dir: dir}}
	ada := newUser(t, db, "ada", "")
	exists := func(key string) bool {
		f, err := up.Files.Open(ctx, key)
		if err == nil {
			f.Close()
		}
		return err == nil
	}

	// A post image: its row, the image and a copy per srcset width.
	md, err := up.Store(ctx, bytes.NewReader(widePNG(t, 1)), ada, "A test card", models.PostImage)
	if err != nil || md.ID == 0 || md.Width != 1000 || md.Alt != "A test card" || len(md.Variants) != 2 {
		t.Fatalf("post image: %+v, %v", md, err)
	}
	for _, key := range []string{md.Key, md.VariantKey(480), md.VariantKey(960)} {
		if !exists(key) {
			t.Errorf("post image: %s was not stored", key)
		}
	}

	// An avatar: the file, boxed, and no row in the library.
	av, err := up.Store(ctx, bytes.NewReader(widePNG(t, 2)), ada, "", models.Avatar)
	if err != nil || av.ID != 0 || av.Width != 480 || !exists(av.Key) {
		t.Fatalf("avatar: %+v, %v (stored %v)", av, err, exists(av.Key))
	}
	if _, err := up.Rows.GetByKey(ctx, av.Key); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("an avatar was recorded in the media library (%v)", err)
	}

	// A file that is not an image is a problem for its sender, and stores nothing.
	before, _ := os.ReadDir(dir)
	_, err = up.Store(ctx, strings.NewReader("<svg onload=alert(1)>"), ada, "", models.PostImage)
	if !models.IsImageProblem(err) || !errors.Is(err, imaging.ErrUnsupported) {
		t.Errorf("an SVG: %v, want a problem with the file", err)
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("a refused file changed the media folder: %d entries, then %d", len(before), len(after))
	}

	// When the row cannot be written, the files written for it go again;
	// content that was already stored (the first image) stays.
	if _, err := db.Exec(`DELETE FROM users WHERE id = $1`, ada); err != nil {
		t.Fatal(err)
	}
	again, err := up.Store(ctx, bytes.NewReader(widePNG(t, 1)), ada, "", models.PostImage)
	if err == nil {
		t.Fatalf("stored for a deleted owner: %+v", again)
	}
	if !exists(md.Key) || !exists(md.VariantKey(480)) {
		t.Error("a failed upload removed content another image uses")
	}
	_, err = up.Store(ctx, bytes.NewReader(widePNG(t, 3)), ada, "", models.PostImage)
	if err == nil {
		t.Fatal("stored for a deleted owner")
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("a failed upload left files: %d entries before, %d after", len(before), len(after))
	}
}
