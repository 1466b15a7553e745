package handlers_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"quire/models"
)

// rawRequest writes a request's head declaring length bytes of body, then
// only first of them, and waits up to wait for the answer. A server that
// reads the body before answering gets no further and times out.
func rawRequest(t *testing.T, a *testApp, method, path, contentType string, length int64, first string, headers ...string) (*http.Response, error) {
	t.Helper()
	conn, err := net.Dial("tcp", a.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n",
		method, path, a.srv.Listener.Addr(), contentType, length)
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&head, "%s: %s\r\n", headers[i], headers[i+1])
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()+first); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

func cookieHeader(c *client) string {
	u, _ := url.Parse(c.a.srv.URL)
	var parts []string
	for _, ck := range c.http.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; ")
}

// TestBodyRefusedUnread: requests that cannot pass CSRF, or that declare
// more than their route takes from them, are answered before a byte of
// their body is read (bodies over 256 KiB: net/http itself drains a smaller
// unread rest before answering). Signed-out visitors never get more than a small form,
// whatever the route takes from its users.
func TestBodyRefusedUnread(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Kept", Body: "Kept text."}, false)

	anon := a.client()
	visitor := a.client()
	visitor.get("/login") // a CSRF cookie and token, no account
	author := a.client()
	author.login("alice", strongPassword)
	author.get("/posts/" + p.Slug + "/edit")

	const form, multi = "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz"
	cases := []struct {
		name, path, contentType string
		length                  int64
		c                       *client
		header                  bool // the token in X-CSRF-Token; else the body starts with it
		want                    int
	}{
		{"no cookie, a form", "/posts", form, 2 << 20, anon, false, http.StatusForbidden},
		{"no cookie, an upload", "/media", multi, 10 << 20, anon, false, http.StatusForbidden},
		{"no cookie, token in the header", fmt.Sprintf("/posts/%d", p.ID), form, 2 << 20, anon, true, http.StatusForbidden},
		{"wrong token in the header", "/media", multi, 10 << 20, visitor, true, http.StatusForbidden},
		{"no cookie, past the route's limit", "/login", form, 11 << 20, anon, false, http.StatusRequestEntityTooLarge},
		{"signed out, an upload", "/media", multi, 10 << 20, visitor, true, http.StatusRequestEntityTooLarge},
		{"signed out, a post", "/posts", form, 2 << 20, visitor, false, http.StatusRequestEntityTooLarge},
		{"signed out, a big sign-in form", "/login", form, 1 << 20, visitor, false, http.StatusRequestEntityTooLarge},
		{"signed in, a post past its limit", fmt.Sprintf("/posts/%d", p.ID), form, 10 << 20, author, true, http.StatusRequestEntityTooLarge},
		{"signed in, an upload past its limit", "/media", multi, 12 << 20, author, true, http.StatusRequestEntityTooLarge},
		{"signed in, a small form sent large", "/settings/password", form, 1 << 20, author, false, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{"Cookie", cookieHeader(tc.c)}
			first := "_csrf=" + url.QueryEscape(tc.c.csrf) + "&title="
			if tc.header {
				token := tc.c.csrf
				if tc.c == visitor && tc.want == http.StatusForbidden {
					token = strings.Repeat("A", 86)
				}
				headers = append(headers, "X-CSRF-Token", token)
				first = "title="
			}
			start := time.Now()
			res, err := rawRequest(t, a, http.MethodPost, tc.path, tc.contentType, tc.length, first, headers...)
			if err != nil {
				t.Fatalf("no answer without the body (%v): the server is reading it", err)
			}
			if res.StatusCode != tc.want {
				body, _ := io.ReadAll(res.Body)
				t.Fatalf("status %d, want %d\n%.400s", res.StatusCode, tc.want, body)
			}
			t.Logf("answered %d in %v", res.StatusCode, time.Since(start).Round(time.Millisecond))
		})
	}
	if got := storedBrowserPost(a, p.ID); got.Title != "Kept" || got.Body != "Kept text." {
		t.Errorf("post changed to %q / %q", got.Title, got.Body)
	}
}

// TestTooLargeSave: a save larger than the editor's limit, sent as htmx
// sends it (token in the header), is a 413 saying so, not an empty form;
// nothing is saved.
func TestTooLargeSave(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Kept", Body: "Kept text."}, false)
	c := a.client()
	c.login("alice", strongPassword)
	c.get("/posts/" + p.Slug + "/edit")
	for _, size := range []int{3 << 20, 10<<20 + 512<<10} {
		form := url.Values{"title": {"New title"}, "body": {strings.Repeat("x", size)}, "version": {fmt.Sprint(p.Version)}}
		res := c.post(fmt.Sprintf("/posts/%d", p.ID), form, "X-CSRF-Token", c.csrf, "HX-Request", "true")
		wantStatus(t, res, http.StatusRequestEntityTooLarge)
		if !strings.Contains(res.body, "This post is too large to save") {
			t.Errorf("%d bytes: the answer does not say why:\n%.400s", size, res.body)
		}
	}
	if got := storedBrowserPost(a, p.ID); got.Title != "Kept" || got.Body != "Kept text." {
		t.Errorf("post changed to %q / %.40q", got.Title, got.Body)
	}
}

// TestLongestPostFits: the editor's body limit holds the longest post the
// model accepts, in the costliest encoding (four-byte characters, each
// byte percent-encoded).
func TestLongestPostFits(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Long", Body: "Short."}, false)
	c := a.client()
	c.login("alice", strongPassword)
	c.get("/posts/" + p.Slug + "/edit")
	body := strings.Repeat("😀", models.MaxBodyLen)
	res := c.post(fmt.Sprintf("/posts/%d", p.ID), url.Values{
		"title": {strings.Repeat("😀", 200)}, "body": {body}, "version": {fmt.Sprint(p.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303: %.300s", res.StatusCode, res.body)
	}
	if got := storedBrowserPost(a, p.ID); got.Body != body {
		t.Errorf("stored %d bytes, want %d", len(got.Body), len(body))
	}
}

// TestLargeBodyBudget: large bodies being read share a budget. Past it a
// request waits a moment, then gets a 503 with Retry-After at once instead
// of another body in memory; when a reader finishes, room comes back.
func TestLargeBodyBudget(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("alice", "author")
	c := a.client()
	c.login("alice", strongPassword)
	c.get("/media")
	addr := a.srv.Listener.Addr().String()

	// Four uploads of 10 MiB whose bodies are slow to come.
	var holders []net.Conn
	for range 4 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "POST /media HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=xyz\r\n"+
			"Content-Length: %d\r\nX-CSRF-Token: %s\r\nCookie: %s\r\n\r\n--xyz\r\n", addr, 10<<20, c.csrf, cookieHeader(c))
		holders = append(holders, conn)
	}
	defer func() {
		for _, h := range holders {
			h.Close()
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); a.app.LargeBodyBudgetHas(10 << 20); { // they reach the reading
		if time.Now().After(deadline) {
			t.Fatal("four slow uploads did not fill the large-body budget")
		}
		time.Sleep(20 * time.Millisecond)
	}

	start := time.Now()
	res, err := rawRequest(t, a, http.MethodPost, "/media", "multipart/form-data; boundary=xyz", 10<<20, "--xyz\r\n",
		"Cookie", cookieHeader(c), "X-CSRF-Token", c.csrf)
	if err != nil {
		t.Fatalf("a fifth large body got no answer (%v): it is being read too", err)
	}
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
	t.Logf("refused in %v", time.Since(start).Round(time.Millisecond))

	// One holder gives up: an upload fits again.
	holders[0].Close()
	img := testImage(t, 3)
	for deadline := time.Now().Add(10 * time.Second); ; {
		res := c.upload(img)
		if res.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("upload after room was freed: status %d", res.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCSRFNotFromQuery: a token in the query string does not count.
func TestCSRFNotFromQuery(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	c.get("/login")
	form := url.Values{"login": {"grace"}, "password": {strongPassword}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/login?_csrf="+url.QueryEscape(c.csrf), strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	wantStatus(t, c.do(req), http.StatusForbidden)
	if c.get("/").signedInAs() != "" {
		t.Fatal("a token in the query string signed the user in")
	}
	// The same token in the body works.
	c.login("grace", strongPassword)
}

// syncBuffer is a log destination safe for concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func requestLog(a *testApp) *syncBuffer {
	var log syncBuffer
	a.app.SetLogger(slog.New(slog.NewTextHandler(&log, nil)))
	return &log
}

var regexpID = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)

// TestRequestID: a client's short, plain request id is echoed and logged;
// anything else is replaced by one the server makes.
func TestRequestID(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	log := requestLog(a)
	c := a.client()
	for _, tc := range []struct {
		name, sent string
		kept       bool
	}{
		{"a UUID", "3f2c1a9e-8d4b-4c1e-9a7f-2b6d5e8c0f11", true},
		{"plain", "req_42.retry-1", true},
		{"4 KB", strings.Repeat("a", 4096), false},
		{"65 characters", strings.Repeat("b", 65), false},
		{"spaces and quotes", `x" level=ERROR msg="forged`, false},
		{"a line break, escaped", "abc%0Adef", false},
		{"non-ASCII", "idé", false},
	} {
		res := c.get("/", "X-Request-Id", tc.sent)
		got := res.Header.Get("X-Request-Id")
		switch {
		case tc.kept && got != tc.sent:
			t.Errorf("%s: echoed %q, want %q", tc.name, got, tc.sent)
		case !tc.kept && (got == tc.sent || !regexpID.MatchString(got)):
			t.Errorf("%s: echoed %.80q, want a fresh id", tc.name, got)
		}
		if !strings.Contains(log.String(), "request_id="+got) {
			t.Errorf("%s: the log lacks request_id=%s", tc.name, got)
		}
		if !tc.kept && strings.Contains(log.String(), tc.sent) {
			t.Errorf("%s: the client's id reached the log", tc.name)
		}
	}
}

// TestLogHasRouteNotToken: request logs name the route pattern, so a reset
// token in the address never reaches them.
func TestLogHasRouteNotToken(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	log := requestLog(a)
	c := a.client()
	const token = "s3cretResetTokenValue0123456789"
	c.get("/password/reset/" + token)
	c.post("/password/reset/"+token, url.Values{"password": {strongPassword}})
	out := log.String()
	if strings.Contains(out, token) {
		t.Errorf("the log holds the token:\n%s", out)
	}
	if !strings.Contains(out, "route=/password/reset/:token") {
		t.Errorf("the log lacks the route pattern:\n%s", out)
	}
}

// TestURILimit: a request target past 8 KiB is a 414; one under it is
// served.
func TestURILimit(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	c := a.client()
	wantStatus(t, c.get("/search?q="+strings.Repeat("a", 8<<10)), http.StatusRequestURITooLong)
	wantStatus(t, c.get("/search?q="+strings.Repeat("a", 8<<10-len("/search?q="))), http.StatusOK)
}
