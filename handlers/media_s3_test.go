package handlers_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"quire/models/dbtest"
	"quire/models/s3test"
)

// TestMediaOnS3AcrossReplicas: two replicas of the site on one database
// and one bucket, each with its own (empty) media folder. An image uploaded
// on replica A lands in the bucket, not on A's disk, and replica B serves
// it with the same headers as a local file, Range requests included; a key
// that is not there is a 404. A third replica configured with a public URL
// redirects to it instead, permanently.
func TestMediaOnS3AcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := s3test.Start(t)
	db := dbtest.New(t)
	a := startApp(t, db, appOptions{media: srv.Store(t, "site")})
	b := startApp(t, db, appOptions{media: srv.Store(t, "site")})

	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	wantStatus(t, c.upload(testImage(t, 3)), http.StatusOK)
	var key string
	if err := db.Get(&key, `SELECT key FROM media`); err != nil {
		t.Fatal(err)
	}
	objects := srv.Objects(t)
	if len(objects) != 3 || !slices.Contains(objects, "site/"+key) {
		t.Fatalf("bucket holds %v, want %s and its 2 srcset copies under site/", objects, key)
	}
	if files := a.mediaFiles(); len(files) != 0 {
		t.Errorf("replica A's media folder holds %v", files)
	}
	f, err := srv.Store(t, "site").Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(f)
	f.Close()

	reader := b.client()
	res := reader.get("/media/" + key)
	wantStatus(t, res, http.StatusOK)
	if !bytes.Equal([]byte(res.body), stored) || len(stored) == 0 {
		t.Errorf("replica B served %d bytes, want the %d stored", len(res.body), len(stored))
	}
	for h, want := range map[string]string{
		"Cache-Control":           "public, max-age=31536000, immutable",
		"Content-Type":            "image/png",
		"Content-Security-Policy": "default-src 'none'; sandbox",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	part := reader.get("/media/"+key, "Range", "bytes=100-199")
	wantStatus(t, part, http.StatusPartialContent)
	if part.body != string(stored[100:200]) {
		t.Errorf("range served %d bytes, want bytes 100-199", len(part.body))
	}
	missing := strings.Repeat("ab", 32) + ".png"
	wantStatus(t, reader.get("/media/"+missing), http.StatusNotFound)
	wantStatus(t, reader.get("/media/nothing.png"), http.StatusNotFound)

	cdn := startApp(t, db, appOptions{media: srv.Store(t, "site", "public_url=https://cdn.example.org/media/")})
	res = cdn.client().get("/media/" + key)
	wantStatus(t, res, http.StatusMovedPermanently)
	if got := res.Header.Get("Location"); got != "https://cdn.example.org/media/"+key {
		t.Errorf("redirect to %q", got)
	}
	if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("redirect Cache-Control %q", got)
	}
	wantStatus(t, cdn.client().get("/media/nothing.png"), http.StatusNotFound)
}
