package pagecache

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

var stamp = time.Date(2025, 3, 1, 9, 30, 15, 123456789, time.UTC)

const lastMod = "Sat, 01 Mar 2025 09:30:15 GMT" // stamp in whole seconds

// check runs Check for a request with headers (name, value pairs) and
// returns its answer and the response header it set.
func check(method string, v Validators, headers ...string) (bool, http.Header) {
	r := httptest.NewRequest(method, "/posts/hello", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	h := http.Header{}
	return Check(r, h, v), h
}

func TestTag(t *testing.T) {
	tag := Tag("v1", "post", "hello")
	if len(tag) < 4 || tag[:3] != `W/"` || tag[len(tag)-1] != '"' {
		t.Errorf("tag %s is not a weak entity tag", tag)
	}
	if again := Tag("v1", "post", "hello"); again != tag {
		t.Error("the same parts got two tags")
	}
	if Tag("v1", "post", "other") == tag {
		t.Error("other parts got the same tag")
	}
	// Parts are kept apart: ("ab", "c") is not ("a", "bc").
	if Tag("ab", "c") == Tag("a", "bc") {
		t.Error("parts run together")
	}
}

func TestCheckSetsValidators(t *testing.T) {
	v := Validators{ETag: Tag("post"), LastModified: stamp, CacheControl: "private, no-cache"}
	if fresh, h := check(http.MethodGet, v); fresh {
		t.Fatal("current without preconditions")
	} else if h.Get("ETag") != v.ETag || h.Get("Last-Modified") != lastMod || h.Get("Cache-Control") != "private, no-cache" {
		t.Errorf("validators %v", h)
	}

	// A private page keeps its no-store.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	h := http.Header{"Cache-Control": {"no-store"}}
	Check(r, h, v)
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("private page Cache-Control %q", got)
	}

	// No posts yet: a tag, but no date to compare.
	empty := Validators{ETag: Tag("x"), CacheControl: "no-cache"}
	if fresh, h := check(http.MethodGet, empty, "If-Modified-Since", lastMod); fresh || h.Get("Last-Modified") != "" || h.Get("ETag") == "" {
		t.Errorf("zero time: current %v, Last-Modified %q, ETag %q", fresh, h.Get("Last-Modified"), h.Get("ETag"))
	}

	// Only GET and HEAD revalidate; other methods get no validators.
	if fresh, h := check(http.MethodPost, v, "If-None-Match", v.ETag); fresh || len(h) != 0 {
		t.Errorf("POST: current %v, header %v", fresh, h)
	}
}

func TestCheckPreconditions(t *testing.T) {
	etag := Tag("post")
	v := Validators{ETag: etag, LastModified: stamp, CacheControl: "no-cache"}
	for _, tc := range []struct {
		name    string
		method  string
		headers []string
		want    bool
	}{
		{"matching tag", "GET", []string{"If-None-Match", etag}, true},
		{"HEAD", "HEAD", []string{"If-None-Match", etag}, true},
		{"in a list", "GET", []string{"If-None-Match", `"a,b", W/"x" ,` + etag}, true},
		{"strong form", "GET", []string{"If-None-Match", etag[2:]}, true},
		{"star", "GET", []string{"If-None-Match", "*"}, true},
		{"same second", "GET", []string{"If-Modified-Since", lastMod}, true},
		{"later", "GET", []string{"If-Modified-Since", "Sun, 02 Mar 2025 00:00:00 GMT"}, true},
		{"other tag", "GET", []string{"If-None-Match", `W/"other"`}, false},
		{"malformed tag", "GET", []string{"If-None-Match", etag[3:]}, false},
		{"tag decides alone", "GET", []string{"If-None-Match", `W/"other"`, "If-Modified-Since", lastMod}, false},
		{"earlier", "GET", []string{"If-Modified-Since", "Sat, 01 Mar 2025 09:30:14 GMT"}, false},
		{"bad date", "GET", []string{"If-Modified-Since", "soon"}, false},
		{"POST", "POST", []string{"If-None-Match", etag}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := check(tc.method, v, tc.headers...); got != tc.want {
				t.Fatalf("Check = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAddVary(t *testing.T) {
	h := http.Header{}
	AddVary(h, "HX-Request")
	h.Add("Vary", "Accept-Encoding, hx-request")
	AddVary(h, "HX-Request")
	AddVary(h, "Accept-Encoding")
	if got := h.Values("Vary"); len(got) != 2 || got[0] != "HX-Request" {
		t.Errorf("Vary %q, want HX-Request once", got)
	}
}
