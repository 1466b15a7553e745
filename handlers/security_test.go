package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"quire/models/dbtest"
)

func TestCSRF(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	creds := url.Values{"login": {"grace"}, "password": {strongPassword}}
	cases := []struct {
		name    string
		token   string
		headers []string
	}{
		{"missing token", "", nil},
		{"wrong token", strings.Repeat("A", 52), nil},
		{"cross-site fetch metadata", "", []string{"Sec-Fetch-Site", "cross-site"}},
		{"cross-origin Origin header", "", []string{"Origin", "https://evil.example"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := a.client()
			c.get("/login")
			form := url.Values{}
			for k, v := range creds {
				form[k] = v
			}
			switch {
			case tc.token != "":
				form.Set("_csrf", tc.token)
			case tc.headers != nil:
				form.Set("_csrf", c.csrf) // a valid token does not excuse a cross-origin request
			default:
				form.Set("_csrf", "")
			}
			res := c.post("/login", form, tc.headers...)
			wantStatus(t, res, http.StatusForbidden)
			if c.cookie("quire_session") != "" && c.get("/").signedInAs() != "" {
				t.Fatal("refused request signed the user in")
			}
		})
	}
	t.Run("header token as htmx sends it", func(t *testing.T) {
		c := a.client()
		c.get("/login")
		token := c.csrf
		c.csrf = "ignored"
		form := url.Values{"_csrf": {""}}
		for k, v := range creds {
			form[k] = v
		}
		res := c.post("/login", form, "X-CSRF-Token", token, "HX-Request", "true")
		wantStatus(t, res, http.StatusOK)
		if res.Header.Get("HX-Redirect") != "/" {
			t.Fatalf("HX-Redirect = %q", res.Header.Get("HX-Redirect"))
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	home := c.get("/")
	css, ok := home.doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !ok {
		t.Fatal("no stylesheet link")
	}
	for _, path := range []string{"/", "/login", "/no/such/page", css, "/healthz"} {
		res := c.get(path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe code: %q", path, csp)
		}
		for name, want := range map[string]string{
			"X-Frame-Options":           "DENY",
			"X-Content-Type-Options":    "nosniff",
			"Referrer-Policy":           "strict-origin-when-cross-origin",
			"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
		} {
			if got := h.Get(name); got != want {
				t.Errorf("%s: %s = %q, want %q", path, name, got, want)
			}
		}
	}
	asset := c.get(css)
	wantStatus(t, asset, http.StatusOK)
	if cc := asset.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("asset Cache-Control = %q", cc)
	}
	if !strings.HasPrefix(asset.Header.Get("Content-Type"), "text/css") {
		t.Errorf("asset Content-Type = %q", asset.Header.Get("Content-Type"))
	}
	wantStatus(t, c.get("/assets/css/site.css"), http.StatusNotFound) // only hashed names are served
	notFound := c.get("/no/such/page")
	wantStatus(t, notFound, http.StatusNotFound)
	if notFound.doc.Find("h1").Text() != "Page not found." {
		t.Errorf("404 page heading = %q", notFound.doc.Find("h1").Text())
	}
}

func TestNoInlineScriptsOrStyles(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	for _, path := range []string{"/", "/login", "/register", "/password/reset"} {
		res := c.get(path)
		if n := res.doc.Find("script:not([src])").Length(); n > 0 {
			t.Errorf("%s: %d inline scripts", path, n)
		}
		if n := res.doc.Find("style, [style]").Length(); n > 0 {
			t.Errorf("%s: %d inline styles", path, n)
		}
		cfg, _ := res.doc.Find(`meta[name="htmx-config"]`).Attr("content")
		for _, want := range []string{`"allowEval":false`, `"includeIndicatorStyles":false`, `"selfRequestsOnly":true`, `"allowScriptTags":false`} {
			if !strings.Contains(cfg, want) {
				t.Errorf("%s: htmx config lacks %s", path, want)
			}
		}
	}
}

func TestRenderPageOrFragment(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	full := c.get("/login")
	frag := c.get("/login", "HX-Request", "true")
	boosted := c.get("/login", "HX-Request", "true", "HX-Boosted", "true")
	restore := c.get("/login", "HX-Request", "true", "HX-History-Restore-Request", "true")
	for name, r := range map[string]*response{"full": full, "boosted": boosted, "history restore": restore} {
		if r.doc.Find("html head title").Length() != 1 || !strings.HasPrefix(strings.ToLower(r.body), "<!doctype html>") {
			t.Errorf("%s request did not get a full page", name)
		}
	}
	if strings.Contains(strings.ToLower(frag.body), "<!doctype") || frag.doc.Find("form#login-form").Length() != 1 {
		t.Errorf("htmx request did not get just the fragment: %s", frag.body)
	}
	for _, r := range []*response{full, frag} {
		if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "HX-Request") {
			t.Errorf("Vary = %v", r.Header.Values("Vary"))
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	big := url.Values{"login": {strings.Repeat("x", 12<<20)}, "password": {"x"}}
	res := c.post("/login", big)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
}

func TestOperations(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	wantStatus(t, c.get("/healthz"), http.StatusOK)
	ready := c.get("/readyz")
	wantStatus(t, ready, http.StatusOK)
	c.get("/")
	m := c.get("/metrics")
	wantStatus(t, m, http.StatusOK)
	if !strings.Contains(m.body, `quire_http_requests_total{method="GET",route="/",status="200"}`) {
		t.Errorf("metrics lack the request counter:\n%.500s", m.body)
	}
	for _, want := range []string{"quire_database_state 0", `go_sql_max_open_connections{db_name="quire"} 20`, "go_sql_wait_count_total",
		"quire_changes_listening 0"} {
		if !strings.Contains(m.body, want) {
			t.Errorf("metrics lack %q (the database's state and pool)", want)
		}
	}
	// Through a reverse proxy on this machine, the world is asking.
	wantStatus(t, c.get("/metrics", "X-Forwarded-For", "203.0.113.9"), http.StatusNotFound)
	wantStatus(t, c.get("/metrics", "Forwarded", "for=203.0.113.9"), http.StatusNotFound)
	a.db.Close() // the database goes away: not ready, but alive
	wantStatus(t, c.get("/readyz"), http.StatusServiceUnavailable)
	wantStatus(t, c.get("/healthz"), http.StatusOK)
}

func TestMetricsToken(t *testing.T) {
	t.Parallel()
	a := startApp(t, dbtest.New(t), appOptions{metrics: "s3cret-scrape-token"})
	c := a.client()
	res := c.get("/metrics")
	wantStatus(t, res, http.StatusUnauthorized)
	if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", got)
	}
	wantStatus(t, c.get("/metrics", "Authorization", "Bearer wrong"), http.StatusUnauthorized)
	ok := c.get("/metrics", "Authorization", "Bearer s3cret-scrape-token", "X-Forwarded-For", "203.0.113.9")
	wantStatus(t, ok, http.StatusOK)
	if !strings.Contains(ok.body, "quire_http_requests_total") {
		t.Errorf("metrics with the token lack the request counter:\n%.300s", ok.body)
	}
}

func TestHeadAnswersLikeGet(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	for _, path := range []string{"/", "/feed.xml", "/robots.txt", "/healthz", "/search?q=x"} {
		get := c.get(path)
		req, _ := http.NewRequest(http.MethodHead, a.srv.URL+path, nil)
		head := c.do(req)
		if head.StatusCode != get.StatusCode || head.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s = %d, GET = %d, want both 200", path, head.StatusCode, get.StatusCode)
		}
		if head.body != "" {
			t.Errorf("HEAD %s sent a body of %d bytes", path, len(head.body))
		}
		if h, g := head.Header.Get("Content-Type"), get.Header.Get("Content-Type"); h != g {
			t.Errorf("HEAD %s Content-Type = %q, GET's = %q", path, h, g)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, a.srv.URL+"/posts/no-such-post", nil)
	wantStatus(t, c.do(req), http.StatusNotFound)
}
