package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbtest"
)

func mediaKey(i int) string { return fmt.Sprintf("%064x.jpg", i) }

func TestMedia(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	mm := &models.MediaModel{DB: db}
	ada := newUser(t, db, "ada", "")
	bob := newUser(t, db, "bob", "")
	owner := func(id int64) models.Media {
		var m models.Media
		m.OwnerID.Int64, m.OwnerID.Valid = id, true
		return m
	}

	in := owner(ada)
	in.Key, in.Width, in.Height, in.Bytes, in.ContentType, in.Alt = mediaKey(1), 1600, 900, 123456, "image/jpeg", "A cat"
	in.Variants = []int64{480, 960}
	md, err := mm.Insert(ctx, in)
	if err != nil || md.ID == 0 || md.Key != in.Key || md.Width != 1600 || md.Alt != "A cat" ||
		!slices.Equal(md.Variants, []int64{480, 960}) || md.CreatedAt.IsZero() {
		t.Fatalf("Insert = %+v, %v", md, err)
	}
	if k := md.VariantKey(480); k != strings.TrimSuffix(in.Key, ".jpg")+"-w480.jpg" || !models.ValidKey(k) {
		t.Errorf("VariantKey = %q", k)
	}

	// The same upload again returns the existing row untouched.
	again := in
	again.Alt = "A different description"
	dup, err := mm.Insert(ctx, again)
	if err != nil || dup.ID != md.ID || dup.Alt != "A cat" {
		t.Errorf("second Insert = %+v, %v; want row %d unchanged", dup, err, md.ID)
	}
	// Another owner gets a row of their own for the same file.
	theirs := in
	theirs.OwnerID = owner(bob).OwnerID
	theirs.Variants = nil
	other, err := mm.Insert(ctx, theirs)
	if err != nil || other.ID == md.ID || other.Variants == nil || len(other.Variants) != 0 {
		t.Errorf("other owner's Insert = %+v, %v", other, err)
	}

	bad := in
	bad.Key = "../../etc/passwd"
	if _, err := mm.Insert(ctx, bad); err == nil {
		t.Error("Insert accepted an invalid key")
	}

	got, err := mm.GetByKey(ctx, md.Key)
	if err != nil || got.ID != md.ID || got.Key != md.Key || got.OwnerID.Int64 != ada {
		t.Errorf("GetByKey = %+v, %v", got, err)
	}
	if _, err := mm.GetByKey(ctx, mediaKey(1000)); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("GetByKey(missing) = %v", err)
	}

	for i := 2; i <= 5; i++ {
		x := in
		x.Key = mediaKey(i)
		if _, err := mm.Insert(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := mm.ListByOwner(ctx, ada, models.Page{Number: 1, Size: 3})
	if err != nil || total != 5 || len(list) != 3 || list[0].Key != mediaKey(5) {
		t.Errorf("ListByOwner page 1 = %d of %d, %v", len(list), total, err)
	}
	list, total, err = mm.ListByOwner(ctx, ada, models.Page{Number: 2, Size: 3})
	if err != nil || total != 5 || len(list) != 2 || list[1].Key != mediaKey(1) {
		t.Errorf("ListByOwner page 2 = %d of %d, %v", len(list), total, err)
	}

	// Rows go as an admin deletes them; the file stays, bob's row uses it.
	admin := &models.AdminModel{DB: db}
	res, err := admin.DeleteMedia(ctx, models.Actor{}, []int64{md.ID}, false)
	if err != nil || res.Changed != 1 || res.Unchanged != 0 || len(res.After.DeleteFiles) != 0 {
		t.Fatalf("DeleteMedia = %+v, %v; want one row deleted and no file", res, err)
	}
	if res, err := admin.DeleteMedia(ctx, models.Actor{}, []int64{md.ID}, false); err != nil || res.Changed != 0 || res.Unchanged != 1 {
		t.Errorf("second DeleteMedia = %+v, %v, want it unchanged", res, err)
	}
	if _, total, _ := mm.ListByOwner(ctx, ada, models.Page{}); total != 4 {
		t.Errorf("after Delete the library has %d items, want 4", total)
	}

	// Deleting the account keeps the rows (posts may use the files).
	if _, err := db.Exec(`DELETE FROM users WHERE id = $1`, bob); err != nil {
		t.Fatal(err)
	}
	if got, err := mm.GetByKey(ctx, other.Key); err != nil || got.ID != other.ID || got.OwnerID.Valid {
		t.Errorf("after the owner's deletion = %+v, %v", got, err)
	}
}

// TestMediaThumb: the picker shows an image's smallest copy, or the image
// when it has none.
func TestMediaThumb(t *testing.T) {
	md := models.Media{Key: mediaKey(1), Variants: []int64{1280, 640, 960}}
	if got, want := md.Thumb(), md.VariantKey(640); got != want {
		t.Errorf("Thumb = %q, want %q", got, want)
	}
	if got := (models.Media{Key: mediaKey(2)}).Thumb(); got != mediaKey(2) {
		t.Errorf("Thumb without copies = %q, want the key", got)
	}
}
