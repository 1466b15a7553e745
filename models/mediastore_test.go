package models_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// age sets a media file's modification time to d ago.
func age(t *testing.T, dir, name string, d time.Duration) {
	t.Helper()
	old := time.Now().Add(-d)
	if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
		t.Fatal(err)
	}
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestJanitorRemovesOrphanMedia: files in a real media folder that nothing
// refers to (an upload that crashed between its files and its row, a
// replaced avatar) are removed once older than the grace period, with
// writes a crash cut short; everything a row, an avatar or a post (even a
// trashed one) uses stays, as do young files and files that are not Quire's.
func TestJanitorRemovesOrphanMedia(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	dir := t.TempDir()
	store := models.LocalStore{Dir: dir}
	key := func(i int) string { return fmt.Sprintf("%064x.jpg", i) }

	ada := newUser(t, db, "ada", "")
	mm := &models.MediaModel{DB: db}
	in := models.Media{Key: key(1), Width: 1200, Height: 900, Bytes: 3, ContentType: "image/jpeg", Variants: []int64{480}}
	in.OwnerID.Int64, in.OwnerID.Valid = ada, true
	if _, err := mm.Insert(ctx, in); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE users SET avatar = $1 WHERE id = $2`, key(2), ada)
	pm := &models.PostModel{DB: db}
	covered := publishedPost(t, pm, ada, models.PostInput{Title: "Covered", Body: "text", CoverKey: key(3)})
	if err := pm.SoftDelete(ctx, asAuthor(covered), covered.ID); err != nil { // trashed posts can come back
		t.Fatal(err)
	}
	publishedPost(t, pm, ada, models.PostInput{Title: "Linked", Body: "![x](/media/" + key(4) + ")"})

	old := map[string]bool{ // name: whether the sweep must remove it
		key(1): false, // a media row's file
		models.Media{Key: key(1)}.VariantKey(480): false, // its srcset copy
		key(2): false, // an avatar
		key(3): false, // a trashed post's cover
		key(4): false, // shown in a post's text
		key(5): true,  // nothing: an upload that crashed before its row
		models.Media{Key: key(5)}.VariantKey(960): true,
		".upload-123": true,  // a write a crash cut short
		"README.txt":  false, // not Quire's
	}
	for name := range old {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("img"), 0o600); err != nil {
			t.Fatal(err)
		}
		age(t, dir, name, 2*time.Hour)
	}
	young := []string{key(6), ".upload-456"} // written just now: maybe on their way to a row
	for _, name := range young {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("img"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	j := &models.Janitor{DB: db, Media: store}
	if r := sweep(t, j); r.MediaFiles != 2 {
		t.Errorf("removed %d media files, want 2", r.MediaFiles)
	}
	left := files(t, dir)
	for name, gone := range old {
		if slices.Contains(left, name) == gone {
			t.Errorf("%s: removed = %v, want %v", name, !gone, gone)
		}
	}
	for _, name := range young {
		if !slices.Contains(left, name) {
			t.Errorf("young %s removed", name)
		}
	}
	if r := sweep(t, j); r.MediaFiles != 0 {
		t.Errorf("second sweep removed %d", r.MediaFiles)
	}
	// Without a store the janitor leaves files alone.
	if r := sweep(t, &models.Janitor{DB: db}); r.MediaFiles != 0 {
		t.Errorf("sweep without a store: %+v", r)
	}
}

// TestDeleteStaleSparesRewrittenFile: a file the janitor found old and
// unreferenced but that an upload wrote again since (it is about to get
// its row) is not removed; an old one is, and a file set aside by a
// janitor that crashed goes back under its name.
func TestDeleteStaleSparesRewrittenFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	store := models.LocalStore{Dir: dir}
	k := fmt.Sprintf("%064x.png", 7)
	if err := store.Put(ctx, k, []byte("img")); err != nil {
		t.Fatal(err)
	}
	age(t, dir, k, 2*time.Hour)
	cutoff := time.Now().Add(-time.Hour)
	var stale []string
	if err := store.Stale(ctx, cutoff, func(key string) error { stale = append(stale, key); return nil }); err != nil || !slices.Equal(stale, []string{k}) {
		t.Fatalf("Stale = %v, %v", stale, err)
	}
	if err := store.Put(ctx, k, []byte("img")); err != nil { // an upload of the same image
		t.Fatal(err)
	}
	if gone, err := store.DeleteStale(ctx, k, cutoff); gone || err != nil {
		t.Fatalf("DeleteStale of a rewritten file = %v, %v", gone, err)
	}
	if got := files(t, dir); !slices.Equal(got, []string{k}) {
		t.Fatalf("files %v, want the rewritten file", got)
	}

	age(t, dir, k, 2*time.Hour)
	if gone, err := store.DeleteStale(ctx, k, cutoff); !gone || err != nil {
		t.Fatalf("DeleteStale of an old file = %v, %v", gone, err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("files %v, want none", got)
	}

	// A janitor that crashed between setting aside and removing.
	if err := os.WriteFile(filepath.Join(dir, ".stale-"+k), []byte("img"), 0o600); err != nil {
		t.Fatal(err)
	}
	age(t, dir, ".stale-"+k, 2*time.Hour)
	if err := store.Stale(ctx, cutoff, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); !slices.Equal(got, []string{k}) {
		t.Fatalf("files %v, want the file set aside back under its name", got)
	}
}
