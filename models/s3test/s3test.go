// Package s3test starts a real S3-compatible server on loopback for tests:
// gofakes3 speaking the S3 protocol over HTTP, keeping its objects in a
// bbolt file in the test's temporary folder (no mock of the client).
package s3test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	bolt "go.etcd.io/bbolt"

	"quire/models"
)

// Bucket is the bucket every server starts with.
const Bucket = "media"

// Keys are the credentials tests use; the server accepts any.
var Keys = models.S3Keys{AccessKey: "quire-test", SecretKey: "quire-test-secret"} // #nosec G101 -- a test server that checks no keys

// Server is one S3-compatible server.
type Server struct {
	// Endpoint is its http:// address.
	Endpoint string
	backend  *s3bolt.Backend
	clock    *clock

	mu      sync.Mutex
	headers map[string]http.Header // object path -> headers of its last PUT
}

// Start serves a server with an empty bucket until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "s3.bolt"), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	s := &Server{backend: s3bolt.New(db, s3bolt.WithTimeSource(clk)), clock: clk, headers: map[string]http.Header{}}
	if err := s.backend.CreateBucket(Bucket); err != nil {
		t.Fatal(err)
	}
	// No skew limit: Backdate moves the server's clock, not the client's.
	fake := gofakes3.New(s.backend, gofakes3.WithTimeSource(clk), gofakes3.WithTimeSkewLimit(0), gofakes3.WithLogger(gofakes3.DiscardLog()))
	handler := fake.Server()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			s.mu.Lock()
			s.headers[r.URL.Path] = r.Header.Clone()
			s.mu.Unlock()
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		ts.Close()
		_ = db.Close()
	})
	s.Endpoint = ts.URL
	return s
}

// URL is a media URL for the bucket, under prefix ("" for none), with
// extra settings ("public_url=…") appended.
func (s *Server) URL(prefix string, extra ...string) string {
	q := url.Values{"endpoint": {s.Endpoint}, "region": {"us-east-1"}, "path_style": {"true"}}
	for _, e := range extra {
		v, _ := url.ParseQuery(e)
		for name := range v {
			q.Set(name, v.Get(name))
		}
	}
	return "s3://" + Bucket + "/" + prefix + "?" + q.Encode()
}

// Store is a store on the bucket, under prefix.
func (s *Server) Store(t testing.TB, prefix string, extra ...string) *models.S3Store {
	t.Helper()
	st, err := models.NewS3Store(s.URL(prefix, extra...), Keys)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Backdate stamps what is written from now on d earlier, as if written d
// ago, until the returned function is called.
func (s *Server) Backdate(d time.Duration) (undo func()) {
	s.clock.set(-d)
	return func() { s.clock.set(0) }
}

// Objects are the names of the bucket's objects, sorted, read from the
// server's storage directly.
func (s *Server) Objects(t testing.TB) []string {
	t.Helper()
	list, err := s.backend.ListBucket(Bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list.Contents {
		names = append(names, c.Key)
	}
	slices.Sort(names)
	return names
}

// PutHeader is a header of the last PUT of the object name.
func (s *Server) PutHeader(name, header string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.headers["/"+Bucket+"/"+name].Get(header)
}

// clock is the server's time, offset by Backdate.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	c.offset = d
	c.mu.Unlock()
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset).In(time.FixedZone("GMT", 0))
}

func (c *clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }
