package handlers_test

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jmoiron/sqlx"

	"quire/handlers"
	"quire/models"
	"quire/models/dbhealth"
	"quire/models/dbtest"
	"quire/models/imaging"
	"quire/models/mail"
	"quire/models/mail/mailtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testApp is the whole application on a real database, a real SMTP server
// and an httptest server.
type testApp struct {
	t     *testing.T
	srv   *httptest.Server
	db    *sqlx.DB
	users *models.UserModel
	smtp  *mailtest.Server
	media string
	app   *handlers.Server // its routes are what the security tests cover
}

func newApp(t *testing.T) *testApp {
	t.Helper()
	smtp := mailtest.Start(t)
	a := startApp(t, dbtest.New(t), appOptions{mailURL: smtp.URL})
	a.smtp = smtp
	return a
}

// appOptions vary the application a test runs.
type appOptions struct {
	mailURL   string        // "" writes mail to the (discarded) log
	timeout   time.Duration // request deadline; 0 for the default
	connState func(net.Conn, http.ConnState)
	metrics   string            // the /metrics bearer token; "" for none
	images    *imaging.Pipeline // nil: imaging.Default
	health    *dbhealth.Monitor
	logger    *slog.Logger   // nil: newServerLog
	zone      *time.Location // the site's time zone; nil: UTC
	setup     string         // the first-run setup token; "" for no setup gate
	// registration is the registration mode; "" is open, so tests sign up
	// as before.
	registration string
	media        models.MediaStore // nil: a LocalStore in a temporary folder
	// changes, when set, keeps the reader pages' stamps in memory as serve
	// does (changes_test.go).
	changes *models.Changes
}

// startApp serves the whole application on db with an httptest server.
func startApp(t *testing.T, db *sqlx.DB, o appOptions) *testApp {
	t.Helper()
	sender, err := mail.New(o.mailURL, "Quire <noreply@quire.test>", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	data := handlers.NewModels(db, models.NewHasher(models.TestPasswordParams, 0))
	if o.changes != nil {
		data.PushChanges(o.changes)
	}
	media := t.TempDir()
	var files models.MediaStore = models.LocalStore{Dir: media}
	if o.media != nil {
		files = o.media
	}
	base, _ := url.Parse("https://blog.example.org")
	srv := handlers.New(handlers.Deps{
		Models: data,
		Config: handlers.Config{BaseURL: base, RequestTimeout: o.timeout, MetricsToken: o.metrics, TimeZone: o.zone, SetupToken: o.setup,
			Registration: cmp.Or(o.registration, models.RegistrationOpen)},
		Images:   o.images,
		Mail:     sender,
		Sessions: handlers.NewSessionManager(models.NewSessionStore(db.DB, 0), true),
		Logger:   cmp.Or(o.logger, newServerLog(t)),
		Health:   o.health,

		MediaFiles: files,
	})
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ConnState = o.connState
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &testApp{t: t, srv: ts, db: db, users: data.Users, media: media, app: srv}
}

// strongPassword passes the password policy.
const strongPassword = "correct horse battery staple"

// createUser makes an account directly in the database.
func (a *testApp) createUser(username, role string) models.User {
	a.t.Helper()
	u, err := a.users.Insert(context.Background(), models.NewUser{
		Username: username, Email: username + "@example.com", Password: strongPassword, Role: role,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return u
}

// client is one browser: a cookie jar, no automatic redirects, and the
// CSRF token scraped from the last page it loaded.
type client struct {
	a    *testApp
	http *http.Client
	csrf string
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{a: a, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a finished request with its parsed HTML.
type response struct {
	*http.Response
	body string
	doc  *goquery.Document
}

func (c *client) do(req *http.Request) *response {
	c.a.t.Helper()
	if req.Host != "" && req.Host != req.URL.Host {
		// The cookie jar will not send Secure cookies once Host is not the
		// loopback address; a browser at that host would.
		for _, ck := range c.http.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.a.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		c.a.t.Fatal(err)
	}
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		c.csrf = tok
	}
	return &response{Response: res, body: string(b), doc: doc}
}

func (c *client) get(path string, headers ...string) *response {
	c.a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.a.srv.URL+path, nil)
	setHeaders(req, headers)
	return c.do(req)
}

// setHeaders applies name, value pairs; "Host" sets the request's host.
func setHeaders(req *http.Request, headers []string) {
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
}

// post submits a form with the client's CSRF token (loading a page
// first when the client has none yet).
func (c *client) post(path string, form url.Values, headers ...string) *response {
	c.a.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("_csrf") {
		form.Set("_csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.a.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	setHeaders(req, headers)
	return c.do(req)
}

// login signs the client in and fails the test if that does not work.
func (c *client) login(login, password string) {
	c.a.t.Helper()
	res := c.post("/login", url.Values{"login": {login}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.a.t.Fatalf("login %s: status %d: %s", login, res.StatusCode, res.doc.Find("[data-testid=form-error]").Text())
	}
}

func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.a.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// signedInAs returns the username in the navigation, "" when signed out.
func (r *response) signedInAs() string {
	href, ok := r.doc.Find(`nav a[href^="/@"]`).Attr("href")
	if !ok {
		return ""
	}
	return strings.TrimPrefix(href, "/@")
}

func (r *response) fieldError(name string) string {
	return strings.TrimSpace(r.doc.Find(`[data-testid="error-` + name + `"]`).Text())
}

func (r *response) formError() string {
	return strings.TrimSpace(r.doc.Find(`[data-testid="form-error"]`).Text())
}

func wantStatus(t *testing.T, r *response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.body)
	}
}
