package models_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/s3test"
)

// storeCase is one MediaStore with the means to look behind it: write a
// file as if d ago, and list what it really holds.
type storeCase struct {
	name string
	open func(t *testing.T) (store models.MediaStore, writeAgo func(key string, data []byte, d time.Duration), held func() []string)
}

var storeCases = []storeCase{
	{"local", func(t *testing.T) (models.MediaStore, func(string, []byte, time.Duration), func() []string) {
		dir := t.TempDir()
		store := models.LocalStore{Dir: dir}
		return store, func(key string, data []byte, d time.Duration) {
				if err := store.Put(context.Background(), key, data); err != nil {
					t.Fatal(err)
				}
				age(t, dir, key, d)
			}, func() []string {
				return files(t, dir)
			}
	}},
	{"s3", func(t *testing.T) (models.MediaStore, func(string, []byte, time.Duration), func() []string) {
		srv := s3test.Start(t)
		store := srv.Store(t, "site/media")
		return store, func(key string, data []byte, d time.Duration) {
				defer srv.Backdate(d)()
				if err := store.Put(context.Background(), key, data); err != nil {
					t.Fatal(err)
				}
			}, func() []string {
				var names []string
				for _, o := range srv.Objects(t) {
					names = append(names, strings.TrimPrefix(o, "site/media/"))
				}
				return names
			}
	}},
}

// TestMediaStoreBehaviour runs the MediaStore contract against the local
// folder and against a real S3-compatible server: stored bytes come back
// and seek (for Range requests), a missing or malformed key is
// ErrNotFound, Delete forgets, Stale lists only old keys, and DeleteStale
// removes an old file but spares one written again since the cutoff.
func TestMediaStoreBehaviour(t *testing.T) {
	t.Parallel()
	key := func(i int) string { return fmt.Sprintf("%064x.png", i) }
	for _, sc := range storeCases {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store, writeAgo, held := sc.open(t)

			data := []byte("0123456789 image bytes")
			if err := store.Put(ctx, key(1), data); err != nil {
				t.Fatal(err)
			}
			if err := store.Put(ctx, key(1), data); err != nil { // the same image again is harmless
				t.Fatal(err)
			}
			f, err := store.Open(ctx, key(1))
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(f); err != nil || string(got) != string(data) {
				t.Errorf("read %q, %v; want %q", got, err, data)
			}
			if n, err := f.Seek(0, io.SeekEnd); err != nil || n != int64(len(data)) {
				t.Errorf("seek to end = %d, %v; want %d", n, err, len(data))
			}
			if _, err := f.Seek(11, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(io.LimitReader(f, 5)); err != nil || string(got) != "image" {
				t.Errorf("read at 11 = %q, %v; want image", got, err)
			}
			if err := f.Close(); err != nil {
				t.Error(err)
			}

			for _, k := range []string{key(2), "../etc/passwd", "x.png", key(1) + "x"} {
				if _, err := store.Open(ctx, k); !errors.Is(err, models.ErrNotFound) {
					t.Errorf("Open(%q) = %v, want ErrNotFound", k, err)
				}
			}
			if err := store.Put(ctx, "../evil.png", data); err == nil {
				t.Error("Put of a path was accepted")
			}
			if err := store.Delete(ctx, key(2)); err != nil {
				t.Errorf("Delete of a missing key = %v", err)
			}

			writeAgo(key(3), []byte("old"), 2*time.Hour)
			writeAgo(key(4), []byte("old too"), 2*time.Hour)
			cutoff := time.Now().Add(-time.Hour)
			var stale []string
			if err := store.Stale(ctx, cutoff, func(k string) error { stale = append(stale, k); return nil }); err != nil {
				t.Fatal(err)
			}
			slices.Sort(stale)
			if want := []string{key(3), key(4)}; !slices.Equal(stale, want) {
				t.Fatalf("Stale = %v, want %v", stale, want)
			}
			stop := errors.New("stop")
			if err := store.Stale(ctx, cutoff, func(string) error { return stop }); !errors.Is(err, stop) {
				t.Errorf("Stale with fn failing = %v, want its error", err)
			}

			// An upload of key 3's image after the janitor listed it.
			if err := store.Put(ctx, key(3), []byte("old")); err != nil {
				t.Fatal(err)
			}
			if gone, err := store.DeleteStale(ctx, key(3), cutoff); gone || err != nil {
				t.Errorf("DeleteStale of a rewritten file = %v, %v; want kept", gone, err)
			}
			if gone, err := store.DeleteStale(ctx, key(4), cutoff); !gone || err != nil {
				t.Errorf("DeleteStale of an old file = %v, %v; want removed", gone, err)
			}
			if gone, err := store.DeleteStale(ctx, key(5), cutoff); gone || err != nil {
				t.Errorf("DeleteStale of a missing file = %v, %v", gone, err)
			}
			if got, want := held(), []string{key(1), key(3)}; !slices.Equal(got, want) {
				t.Errorf("holds %v, want %v", got, want)
			}

			if err := store.Delete(ctx, key(1)); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Open(ctx, key(1)); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("Open after Delete = %v, want ErrNotFound", err)
			}
		})
	}
}
