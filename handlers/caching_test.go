package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	"github.com/labstack/echo/v4"

	"quire/models"
)

// These tests call notModified the way a reader page does (behind the
// session layer), without a database, for what it adds to pagecache.Check
// (whose own tests cover the preconditions): the viewer in the ETag, the
// Cache-Control of pages and feeds, flashes, the 304's Vary. The feeds'
// use of it is tested through the whole app in feeds_test.go.

var stamp = time.Date(2025, 3, 1, 9, 30, 15, 123456789, time.UTC)

// viewer is who makes a request: signed in as user (0 for nobody), with
// a CSRF token, an htmx fragment request or not, a flash waiting or not.
type viewer struct {
	user     int64
	csrf     string
	fragment bool
	flash    bool
	noPage   bool // a feed: outside the session layer
}

type call struct {
	app *App
	rec *httptest.ResponseRecorder
	c   echo.Context
}

func newCall(t *testing.T, method string, v viewer, headers ...string) call {
	t.Helper()
	sm := scs.New()
	sm.Store = memstore.NewWithCleanupInterval(0)
	a := &App{Deps: Deps{Config: Config{Version: "v1"}, Sessions: sm}}
	req := httptest.NewRequest(method, "/posts/hello", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if v.fragment {
		req.Header.Set(hxRequest, "true")
	}
	ctx, err := sm.Load(req.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if v.flash {
		sm.Put(ctx, sessFlash, "Saved.")
	}
	rec := httptest.NewRecorder()
	c := echo.New().NewContext(req.WithContext(ctx), rec)
	if !v.noPage {
		c.Set(ctxSession, true)
		c.Set(ctxCSRFSecret, []byte(v.csrf))
	}
	if v.user != 0 {
		c.Set(ctxUser, models.User{ID: v.user})
	}
	return call{app: a, rec: rec, c: c}
}

func (k call) run(parts ...string) bool { return k.app.notModified(k.c, stamp, parts...) }

func (k call) header(name string) string { return k.rec.Header().Get(name) }

// etagFor is the tag a response for v gets.
func etagFor(t *testing.T, v viewer, parts ...string) string {
	t.Helper()
	k := newCall(t, http.MethodGet, v)
	if k.run(parts...) {
		t.Fatal("304 without preconditions")
	}
	return k.header("ETag")
}

func TestNotModifiedSetsValidators(t *testing.T) {
	k := newCall(t, http.MethodGet, viewer{csrf: "tok"})
	if k.run("post", "hello") {
		t.Fatal("304 without preconditions")
	}
	if got := k.header("Last-Modified"); got != "Sat, 01 Mar 2025 09:30:15 GMT" {
		t.Errorf("Last-Modified %q", got)
	}
	if got := k.header("Cache-Control"); got != "private, no-cache" {
		t.Errorf("page Cache-Control %q: it embeds the viewer and their CSRF token", got)
	}
	if k.rec.Code != http.StatusOK || k.rec.Body.Len() != 0 {
		t.Errorf("wrote %d %q before the handler rendered", k.rec.Code, k.rec.Body.String())
	}

	feed := newCall(t, http.MethodGet, viewer{noPage: true})
	feed.run("site")
	if got := feed.header("Cache-Control"); got != "no-cache" {
		t.Errorf("feed Cache-Control %q", got)
	}

	// A private page keeps its no-store.
	priv := newCall(t, http.MethodGet, viewer{})
	private(priv.c)
	priv.run("x")
	if got := priv.header("Cache-Control"); got != "no-store" {
		t.Errorf("private page Cache-Control %q", got)
	}
}

func TestNotModifiedETagCoversTheViewer(t *testing.T) {
	base := viewer{csrf: "tok"}
	tags := map[string]string{}
	for name, v := range map[string]viewer{
		"signed out":          base,
		"signed in":           {user: 7, csrf: "tok"},
		"another user":        {user: 8, csrf: "tok"},
		"signed in, new CSRF": {user: 7, csrf: "other"},
		"fragment":            {csrf: "tok", fragment: true},
	} {
		tag := etagFor(t, v, "post", "hello")
		if other, dup := tags[tag]; dup {
			t.Errorf("%s and %s share ETag %s", name, other, tag)
		}
		tags[tag] = name
	}
	if first, again := etagFor(t, base, "post", "hello"), etagFor(t, base, "post", "hello"); first != again {
		t.Error("the same request got two tags")
	}
	// Signed-out readers' pages hold no token: every such reader, and the
	// pages outside the session layer, share one copy.
	for name, v := range map[string]viewer{"another signed-out reader": {csrf: "other"}, "outside pages": {noPage: true}} {
		if tag, want := etagFor(t, v, "post", "hello"), etagFor(t, base, "post", "hello"); tag != want {
			t.Errorf("%s: ETag %s, want the signed-out reader's %s", name, tag, want)
		}
	}
}

func TestNotModifiedAnswers304(t *testing.T) {
	etag := etagFor(t, viewer{csrf: "tok"}, "post")
	lastMod := "Sat, 01 Mar 2025 09:30:15 GMT"
	for _, tc := range []struct {
		name    string
		v       viewer
		headers []string
		want    bool
	}{
		{"matching tag", viewer{csrf: "tok"}, []string{"If-None-Match", etag}, true},
		{"same second", viewer{csrf: "tok"}, []string{"If-Modified-Since", lastMod}, true},
		{"signed in since", viewer{user: 7, csrf: "tok"}, []string{"If-None-Match", etag}, false},
		{"htmx fragment", viewer{csrf: "tok", fragment: true}, []string{"If-None-Match", etag}, false},
		{"flash waiting", viewer{csrf: "tok", flash: true}, []string{"If-None-Match", etag}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newCall(t, http.MethodGet, tc.v, tc.headers...)
			if got := k.run("post"); got != tc.want {
				t.Fatalf("notModified = %v, want %v", got, tc.want)
			}
			if !tc.want {
				if k.rec.Body.Len() != 0 || k.c.Response().Committed {
					t.Error("wrote a response")
				}
				return
			}
			if k.rec.Code != http.StatusNotModified || k.rec.Body.Len() != 0 {
				t.Errorf("status %d, body %q", k.rec.Code, k.rec.Body.String())
			}
			if k.header("ETag") != etag || k.header("Last-Modified") != lastMod || k.header("Cache-Control") != "private, no-cache" {
				t.Errorf("304 headers %v", k.rec.Header())
			}
			// The 304 varies as render's 200 does.
			if !slices.Contains(k.rec.Header().Values("Vary"), hxRequest) {
				t.Errorf("Vary %q", k.rec.Header().Values("Vary"))
			}
		})
	}
}

func TestPathParam(t *testing.T) {
	for _, tc := range []struct {
		target, want string
		ok           bool
	}{
		{"/tags/go/feed.xml", "go", true},
		{"/tags/caf%C3%A9/feed.xml", "café", true},
		{"/tags/a%2Fb/feed.xml", "a/b", true},
		{"/tags/%41/feed.xml", "A", true},
		{"/tags/%2541/feed.xml", "%41", true},
	} {
		e := echo.New()
		var got string
		var ok bool
		e.GET("/tags/:tag/feed.xml", func(c echo.Context) error {
			got, ok = pathParam(c, "tag")
			return nil
		})
		u, _ := url.Parse(tc.target)
		e.ServeHTTP(httptest.NewRecorder(), &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}})
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %q, %v; want %q, %v", tc.target, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAbsoluteHTML(t *testing.T) {
	const post = "https://blog.example.org/posts/hello"
	for _, tc := range []struct{ in, want string }{
		{`<p><a href="/posts/other">x</a></p>`, `<p><a href="https://blog.example.org/posts/other">x</a></p>`},
		{`<img src="/media/a.webp" alt="a"/>`, `<img src="https://blog.example.org/media/a.webp" alt="a"/>`},
		{`<img src="/media/a.webp" srcset="/media/a-w480.webp 480w, /media/a.webp 1000w"/>`,
			`<img src="https://blog.example.org/media/a.webp" srcset="https://blog.example.org/media/a-w480.webp 480w, https://blog.example.org/media/a.webp 1000w"/>`},
		{`<a href="#top">#</a>`, `<a href="https://blog.example.org/posts/hello#top">#</a>`},
		{`<a href="other">x</a>`, `<a href="https://blog.example.org/posts/other">x</a>`},
		{`<a href="https://go.dev/">x</a>`, `<a href="https://go.dev/">x</a>`},
		{`<a href="//cdn.example/x">x</a>`, `<a href="//cdn.example/x">x</a>`},
		{`<a href="mailto:a@b.example">x</a>`, `<a href="mailto:a@b.example">x</a>`},
		{`<p>a &lt;b&gt; &amp; c</p>`, `<p>a &lt;b&gt; &amp; c</p>`},
		{``, ``},
	} {
		if got := absoluteHTML(tc.in, post); got != tc.want {
			t.Errorf("absoluteHTML(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
