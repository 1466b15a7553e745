package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/s3test"
)

// TestS3StoreObjects: an object is written under the URL's prefix with its
// type and immutable caching (for a CDN reading the bucket), and a store
// under one prefix neither lists nor removes objects outside it.
func TestS3StoreObjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := s3test.Start(t)
	a, b := srv.Store(t, "a"), srv.Store(t, "b/")
	ka, kb := fmt.Sprintf("%064x.jpg", 1), fmt.Sprintf("%064x-w480.png", 2)
	undo := srv.Backdate(2 * time.Hour)
	if err := a.Put(ctx, ka, []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, kb, []byte("png")); err != nil {
		t.Fatal(err)
	}
	undo()
	if got, want := srv.Objects(t), []string{"a/" + ka, "b/" + kb}; !slices.Equal(got, want) {
		t.Fatalf("objects %v, want %v", got, want)
	}
	if got := srv.PutHeader("a/"+ka, "Content-Type"); got != "image/jpeg" {
		t.Errorf("Content-Type %q", got)
	}
	if got := srv.PutHeader("b/"+kb, "Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	var stale []string
	if err := a.Stale(ctx, time.Now(), func(k string) error { stale = append(stale, k); return nil }); err != nil || !slices.Equal(stale, []string{ka}) {
		t.Errorf("Stale under a = %v, %v", stale, err)
	}
	if gone, err := a.DeleteStale(ctx, kb, time.Now()); gone || err != nil {
		t.Errorf("DeleteStale under a of b's key = %v, %v", gone, err)
	}
	if len(srv.Objects(t)) != 2 {
		t.Errorf("objects %v after a's sweep of b's key", srv.Objects(t))
	}
	if err := a.Check(ctx); err != nil {
		t.Errorf("Check of the bucket: %v", err)
	}
	nope, err := models.NewS3Store(strings.Replace(srv.URL("a"), "s3://media/", "s3://nope/", 1), s3test.Keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := nope.Check(ctx); !errors.Is(err, models.ErrMediaURL) || !strings.Contains(err.Error(), `the bucket "nope" does not exist`) {
		t.Errorf("Check of a missing bucket = %v", err)
	}
}

// TestS3StoreURLErrors: a media URL Quire cannot use is refused before any
// request, with a message naming the part that is wrong.
func TestS3StoreURLErrors(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://bucket/prefix":                        `the scheme is "https"`,
		"s3://Bad_Bucket/prefix":                       `the bucket name "Bad_Bucket"`,
		"s3:///prefix":                                 `the bucket name ""`,
		"s3://key:secret@media/":                       "credentials do not go in the URL",
		"s3://media/?endpoint=127.0.0.1:9000":          `the endpoint "127.0.0.1:9000"`,
		"s3://media/?endpoint=http://host:9000/path":   `the endpoint "http://host:9000/path"`,
		"s3://media/?path_style=yes":                   `path_style is "yes"`,
		"s3://media/?public_url=cdn.example.org":       `public_url "cdn.example.org"`,
		"s3://media/?regoin=us-east-1":                 `unknown setting "regoin"`,
		"s3://media/p?endpoint=http://127.0.0.1:1&x=1": `unknown setting "x"`,
		"s3://media/%zz":                               "it is not a URL",
	} {
		_, err := models.NewS3Store(raw, s3test.Keys)
		if !errors.Is(err, models.ErrMediaURL) || !strings.Contains(err.Error(), want) {
			t.Errorf("NewS3Store(%q) = %v, want ErrMediaURL naming %s", raw, err, want)
		}
	}
	st, err := models.NewS3Store("s3://media/site/?endpoint=https://s3.example.org&region=eu-west-1&path_style=false&public_url=https://cdn.example.org/m/", models.S3Keys{})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := st.Redirect("k.png"); !ok || got != "https://cdn.example.org/m/k.png" {
		t.Errorf("Redirect = %q, %v", got, ok)
	}
}

// TestJanitorRemovesOrphanMediaOnS3: the janitor's sweep on a bucket
// removes old objects nothing refers to (an upload that crashed before its
// row, with its srcset copy), and keeps referenced and young ones.
func TestJanitorRemovesOrphanMediaOnS3(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	srv := s3test.Start(t)
	store := srv.Store(t, "media")
	key := func(i int) string { return fmt.Sprintf("%064x.jpg", i) }

	ada := newUser(t, db, "ada", "")
	in := models.Media{Key: key(1), Width: 1200, Height: 900, Bytes: 3, ContentType: "image/jpeg", Variants: []int64{480}}
	in.OwnerID.Int64, in.OwnerID.Valid = ada, true
	if _, err := (&models.MediaModel{DB: db}).Insert(ctx, in); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE users SET avatar = $1 WHERE id = $2`, key(2), ada)

	undo := srv.Backdate(2 * time.Hour)
	for _, k := range []string{key(1), in.VariantKey(480), key(2), key(3), models.Media{Key: key(3)}.VariantKey(960)} {
		if err := store.Put(ctx, k, []byte("img")); err != nil {
			t.Fatal(err)
		}
	}
	undo()
	if err := store.Put(ctx, key(4), []byte("young")); err != nil {
		t.Fatal(err)
	}

	j := &models.Janitor{DB: db, Media: store}
	if r := sweep(t, j); r.MediaFiles != 2 {
		t.Errorf("removed %d objects, want 2", r.MediaFiles)
	}
	want := []string{"media/" + key(1), "media/" + in.VariantKey(480), "media/" + key(2), "media/" + key(4)}
	slices.Sort(want)
	if got := srv.Objects(t); !slices.Equal(got, want) {
		t.Errorf("objects %v, want %v", got, want)
	}
	if r := sweep(t, j); r.MediaFiles != 0 {
		t.Errorf("second sweep removed %d", r.MediaFiles)
	}
}
