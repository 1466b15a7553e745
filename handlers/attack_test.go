package handlers_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"quire/models"
	"quire/models/admintable"
)

// attack is one hostile value.
type attack struct {
	name, value string
	// raw: also sent unescaped inside a URL, where its own encoding is the attack.
	raw bool
	// huge: sent only to the fields in hugeFields, to keep the run short.
	huge bool
}

// attackCorpus is sent to every parameter and form field of every route.
var attackCorpus = []attack{
	{name: "xss script", value: `<script>alert(1)</script>`},
	{name: "xss attribute breakout", value: `"><img src=x onerror=alert(1)>`},
	{name: "xss javascript url", value: `javascript:alert(1)`},
	{name: "xss svg", value: `<svg/onload=alert(1)>`},
	{name: "sqli tautology", value: `' OR '1'='1`},
	{name: "sqli stacked", value: `1; DROP TABLE users--`},
	{name: "sqli union", value: `') UNION SELECT password_hash FROM users--`},
	{name: "sqli like", value: `%' --`},
	{name: "traversal", value: `../../etc/passwd`, raw: true},
	{name: "traversal encoded", value: `..%2f..%2f`, raw: true},
	{name: "nul encoded", value: `%00`, raw: true},
	{name: "header crlf", value: "x\r\nSet-Cookie: evil=1"},
	{name: "header encoded crlf", value: `%0d%0aLocation: //evil`, raw: true},
	{name: "100 KB", value: strings.Repeat("A", 100<<10)},
	{name: "1 MB", value: strings.Repeat("B", 1<<20), huge: true},
	{name: "invalid utf-8", value: "\xff\xfe"},
	{name: "nul bytes", value: "a\x00b"},
	{name: "huge integer", value: "99999999999999999999"},
	{name: "negative", value: "-1"},
	{name: "empty", value: ""},
	{name: "rtl override", value: "\u202etxt.exe"},
}

// hugeFields get the 1 MB value: the free-text fields, where a large value
// travels furthest.
var hugeFields = []string{"q", "body", "title", "login", "value", "reason", "bio"}

// overLimit is a request body larger than the server accepts (11 MB).
const overLimit = 12 << 20

// sqlErrorText must never reach a client.
var sqlErrorText = []string{"pq:", "SQLSTATE", "syntax error at or near", `relation "`, "goroutine ", "runtime error"}

// documentedQuery lists the query parameters each GET route reads: page
// on lists, q on searches, next on sign-in, back on admin row pages, and
// the admin tables' sort, per_page and declared filters.
func documentedQuery(key string) []string {
	switch key {
	case "GET /", "GET /@:username", "GET /tags/:tag", "GET /drafts", "GET /media":
		return []string{"page"}
	case "GET /search", "GET /media/picker":
		return []string{"q", "page"}
	case "GET /login":
		return []string{"next"}
	case "GET /posts/:slug":
		return []string{"page"} // of comments
	case "GET /posts/:id/comments/:cid/reply":
		return []string{"cancel"}
	case "GET /admin/:table/:id/:action", "GET /admin/:table/:id/edit/:field", "GET /admin/:table/:id/cell/:field":
		return []string{"back"}
	case "GET /admin/:table":
		return []string{"q", "sort", "page", "per_page"} // and the table's filters: tableQuery
	}
	return nil
}

// adminTables are the declared admin tables by name.
var adminTables = map[string]*admintable.Table{"users": models.UsersTable, "posts": models.PostsTable,
	"media": models.MediaTable, "audit": models.AuditTable, "comments": models.CommentsTable}

// tableQuery lists the filter parameters of the admin table named by a
// route case, with a date filter's two inputs.
func tableQuery(table string) []string {
	t, ok := adminTables[table]
	if !ok {
		return nil
	}
	var params []string
	for _, f := range t.Filters {
		params = append(params, f.Key)
		if f.Date {
			params = append(params, f.Key+"_from", f.Key+"_to")
		}
	}
	return params
}

// formField is a field a rendered form sends, with the value it had.
type formField struct{ name, value string }

// renderedForm is where a form (or an htmx element including one) sends.
type renderedForm struct {
	method, target string
	fields         []formField
	files          []string
}

// formsIn lists the forms of a page: <form> with its action, hx-post or
// hx-get, and elements with hx-post or hx-get that include form fields.
func formsIn(doc *goquery.Document) []renderedForm {
	var out []renderedForm
	fieldsOf := func(sel *goquery.Selection) ([]formField, []string) {
		var fields []formField
		var files []string
		inputs := sel.Find("input[name], textarea[name], select[name], button[name]").AddSelection(sel.Filter("input[name], textarea[name]"))
		if id, ok := sel.Attr("id"); ok && goquery.NodeName(sel) == "form" {
			inputs = inputs.AddSelection(doc.Find(`[form="` + id + `"][name]`))
		}
		inputs.Each(func(_ int, in *goquery.Selection) {
			name, _ := in.Attr("name")
			value, _ := in.Attr("value")
			switch goquery.NodeName(in) {
			case "textarea":
				value = in.Text()
			case "select":
				opt := in.Find("option[selected]")
				if opt.Length() == 0 {
					opt = in.Find("option")
				}
				value, _ = opt.First().Attr("value")
			}
			if t, _ := in.Attr("type"); t == "file" {
				files = append(files, name)
				return
			}
			fields = append(fields, formField{name, value})
		})
		return fields, files
	}
	doc.Find("form, [hx-post], [hx-get]").Each(func(_ int, el *goquery.Selection) {
		var fields []formField
		var files []string
		isForm := goquery.NodeName(el) == "form"
		inc := el.AttrOr("hx-include", "")
		switch {
		case isForm:
			fields, files = fieldsOf(el)
		case inc == "closest form":
			fields, files = fieldsOf(el.Closest("form"))
		case inc == "":
			fields, files = fieldsOf(el)
		}
		if inc != "" && inc != "closest form" {
			more, moreFiles := fieldsOf(doc.Find(inc))
			fields, files = append(fields, more...), append(files, moreFiles...)
		}
		if action, ok := el.Attr("action"); ok && isForm {
			out = append(out, renderedForm{strings.ToUpper(el.AttrOr("method", "get")), action, fields, files})
		}
		for attr, m := range map[string]string{"hx-post": "POST", "hx-get": "GET"} {
			if target, ok := el.Attr(attr); ok {
				out = append(out, renderedForm{m, target, fields, files})
			}
		}
	})
	return out
}

// routeOf is the registered route ("METHOD PATH") a URL reaches, "" for none.
func (a *testApp) routeOf(method, target string) string {
	u, err := url.Parse(target)
	if err != nil || u.Host != "" {
		return ""
	}
	ctx := a.app.NewContext(nil, nil)
	a.app.Router().Find(method, u.Path, ctx)
	key := method + " " + ctx.Path()
	if _, ok := authzMatrix[key]; !ok {
		return ""
	}
	return key
}

// routeFields is what the attack test knows of a route's input.
type routeFields struct {
	form   map[string]string // field name -> a value a rendered form sent
	files  []string
	query  []string
	params []string
}

// discoverFields crawls every page as a visitor, an owner and an admin,
// plain and as htmx asks for it, and collects the fields each route's
// forms send; POST answers (confirmations, forms shown again) count too.
func discoverFields(a *testApp, routes []string) map[string]*routeFields {
	found := map[string]*routeFields{}
	for _, key := range routes {
		method, pattern, _ := strings.Cut(key, " ")
		rf := &routeFields{form: map[string]string{}}
		for _, s := range strings.Split(pattern, "/") {
			if _, name, ok := strings.Cut(s, ":"); ok {
				rf.params = append(rf.params, name)
			} else if s == "*" {
				rf.params = append(rf.params, "*")
			}
		}
		if method == http.MethodGet {
			rf.query = documentedQuery(key)
		}
		found[key] = rf
	}
	collect := func(res *response) {
		for _, f := range formsIn(res.doc) {
			key := a.routeOf(f.method, f.target)
			if key == "" {
				continue
			}
			rf := found[key]
			if u, err := url.Parse(f.target); err == nil {
				for name := range u.Query() {
					rf.query = append(rf.query, name)
				}
			}
			for _, fld := range f.fields {
				if f.method == http.MethodGet {
					rf.query = append(rf.query, fld.name)
				} else if _, seen := rf.form[fld.name]; !seen {
					rf.form[fld.name] = fld.value
				}
			}
			rf.files = append(rf.files, f.files...)
		}
	}
	crawl := func(w *world, methods ...string) {
		for _, key := range routes {
			method, pattern, _ := strings.Cut(key, " ")
			if !slices.Contains(methods, method) || slices.Contains(sessionRoutes, key) {
				continue
			}
			for _, tc := range authzMatrix[key] {
				path := w.fill(pattern, tc.post, tc.params)
				if tc.query != "" {
					path += "?" + tc.query
				}
				if method == http.MethodGet {
					collect(w.c.get(path))
					collect(w.c.get(path, "HX-Request", "true"))
				} else {
					collect(w.send(method, path, tc))
				}
			}
		}
	}
	for _, role := range []string{roleAnonymous, roleOwner, roleAdmin} {
		crawl(a.newWorld(role), http.MethodGet)
	}
	crawl(a.newWorld(roleAdmin), http.MethodPost)
	for _, rf := range found {
		slices.Sort(rf.query)
		rf.query = slices.Compact(rf.query)
		slices.Sort(rf.files)
		rf.files = slices.Compact(rf.files)
	}
	return found
}

// sessionRoutes change who the client is; crawling them would sign the
// crawler out or in as someone else.
var sessionRoutes = []string{"POST /logout", "POST /login", "POST /register", "POST /settings/password", "POST /settings/profile"}

// probe is one hostile request.
type probe struct {
	desc          string
	c             *client
	csrf          string
	method, path  string
	form          url.Values
	files         map[string][2]string // field -> file name, content
	multipart, hx bool
	oversize      string // "length" or "chunked": a body over the limit
}

// TestAttackCorpus sends every value of attackCorpus to every query
// parameter, form field and path parameter of every route, as a visitor
// and as an admin, and checks that nothing breaks: no 5xx, no markup or
// script made from the input, no SQL error text, no injected header.
func TestAttackCorpus(t *testing.T) {
	t.Parallel()
	start := time.Now()
	a := newApp(t)
	a.discardMail(t)
	routes := registeredRoutes(a)
	fields := discoverFields(a, routes)

	var probes []probe
	var mu sync.Mutex
	var setup sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, key := range routes {
		method, pattern, _ := strings.Cut(key, " ")
		rf := fields[key]
		if method == http.MethodPost && len(rf.form) == 0 && len(authzMatrix[key][0].formKeys()) == 0 {
			t.Logf("%s: no rendered form names any field; attacking its path and _csrf only", key)
		}
		t.Logf("%s: form %v files %v query %v path %v", key, slices.Sorted(maps.Keys(rf.form)), rf.files, rf.query, rf.params)
		cases := authzMatrix[key]
		if !strings.Contains(pattern, ":table") {
			cases = cases[:1] // the other cases differ in objects, not in input
		}
		for ci, tc := range cases {
			setup.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; setup.Done() }()
				var ps []probe
				for _, role := range []string{roleAnonymous, roleAdmin} {
					w := a.newWorld(role)
					ps = append(ps, routeProbes(w, key, method, pattern, tc, ci, rf)...)
				}
				mu.Lock()
				probes = append(probes, ps...)
				mu.Unlock()
			}()
		}
	}
	setup.Wait()
	setupTime := time.Since(start)

	var sent atomic.Int64
	statuses := map[int]int{}
	work := make(chan probe)
	var done sync.WaitGroup
	for range 8 {
		done.Add(1)
		go func() {
			defer done.Done()
			for p := range work {
				status, problems := p.run(a)
				sent.Add(1)
				mu.Lock()
				statuses[status]++
				mu.Unlock()
				for _, pr := range problems {
					t.Errorf("%s: %s", p.desc, pr)
				}
			}
		}()
	}
	for _, p := range probes {
		work <- p
	}
	close(work)
	done.Wait()
	var codes []string
	for s, n := range statuses {
		codes = append(codes, fmt.Sprintf("%d×%d", s, n))
	}
	sort.Strings(codes)
	t.Logf("%d requests (%d routes, %d values) in %s (setup %s); statuses %s", sent.Load(), len(routes),
		len(attackCorpus), time.Since(start).Round(time.Millisecond), setupTime.Round(time.Millisecond), strings.Join(codes, " "))
}

func (tc authzCase) formKeys() []string {
	if tc.form == nil {
		return nil
	}
	var keys []string
	for k := range tc.form(&world{}) {
		keys = append(keys, k)
	}
	return keys
}

// routeProbes are the hostile requests of one route case, from the
// world's visitor: each value in each field, path parameter and query
// parameter in turn, the other fields as the matrix case sends them; and
// for unsafe routes a body over the size limit.
func routeProbes(w *world, key, method, pattern string, tc authzCase, ci int, rf *routeFields) []probe {
	role := "anonymous"
	if w.actor.ID != w.owner.ID {
		role = "admin"
	}
	csrf := w.c.csrf
	baseForm := url.Values{}
	if method == http.MethodPost {
		for name, v := range rf.form {
			switch name {
			case "id", "ids", "post_id", "version": // another world's objects
				v = ""
			}
			baseForm.Set(name, v)
		}
		if tc.form != nil {
			for k, v := range tc.form(w) {
				baseForm[k] = v
			}
		}
		baseForm.Set("_csrf", csrf)
	}
	baseQuery := url.Values{}
	if tc.query != "" {
		baseQuery, _ = url.ParseQuery(tc.query)
	}
	files := map[string][2]string{}
	for _, f := range rf.files {
		if tc.file != nil {
			files[f] = [2]string{"upload.png", string(tc.file)}
		}
	}
	multi := tc.multipart || len(rf.files) > 0
	path := func(params map[string]string) string {
		p := w.fill(pattern, tc.post, mergeParams(tc.params, params))
		if len(baseQuery) > 0 {
			p += "?" + baseQuery.Encode()
		}
		return p
	}
	query := rf.query
	if key == "GET /admin/:table" {
		// Each table reads its own filters; the others' are ignored alike.
		own := append(documentedQuery(key), tableQuery(tc.params["table"])...)
		query = slices.DeleteFunc(slices.Clone(query), func(q string) bool { return !slices.Contains(own, q) })
		query = slices.Compact(slices.Sorted(slices.Values(append(query, own...))))
	}
	var out []probe
	n := 0
	add := func(what string, p probe) {
		n++
		p.desc = fmt.Sprintf("%s case %d as %s, %s", key, ci, role, what)
		p.c, p.csrf, p.method, p.multipart = w.c, csrf, method, multi
		if p.path == "" {
			p.path = path(nil)
		}
		if p.form == nil && method == http.MethodPost {
			p.form = baseForm
		}
		if p.files == nil && len(files) > 0 {
			p.files = files
		}
		p.hx = n%2 == 0 // half the requests as htmx sends them
		out = append(out, p)
	}
	for _, at := range attackCorpus {
		for _, name := range rf.params {
			if at.huge {
				continue
			}
			// A path parameter gets the value escaped, and where its own
			// encoding is the attack, as it is.
			add(fmt.Sprintf("path :%s = %s", name, at.name), probe{path: path(map[string]string{name: url.PathEscape(at.value)})})
			if at.raw {
				add(fmt.Sprintf("raw path :%s = %s", name, at.name),
					probe{path: path(map[string]string{name: strings.ReplaceAll(at.value, " ", "%20")})})
			}
		}
		for _, name := range query {
			if at.huge && !slices.Contains(hugeFields, name) {
				continue
			}
			q := url.Values{}
			for k, v := range baseQuery {
				q[k] = v
			}
			q.Set(name, at.value)
			p := w.fill(pattern, tc.post, tc.params) + "?" + q.Encode()
			add(fmt.Sprintf("query %s = %s", name, at.name), probe{path: p})
			if at.raw {
				add(fmt.Sprintf("raw query %s = %s", name, at.name),
					probe{path: p + "&" + name + "=" + strings.ReplaceAll(at.value, " ", "%20")})
			}
		}
		if method != http.MethodPost {
			continue
		}
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range baseForm {
				if !yield(k) {
					return
				}
			}
		})
		for _, name := range names {
			if at.huge && !slices.Contains(hugeFields, name) {
				continue
			}
			f := url.Values{}
			for k, v := range baseForm {
				f[k] = v
			}
			f.Set(name, at.value)
			add(fmt.Sprintf("form %s = %s", name, at.name), probe{form: f})
		}
		for _, name := range rf.files {
			if at.huge {
				continue
			}
			fs := map[string][2]string{}
			for k, v := range files {
				fs[k] = v
			}
			fs[name] = [2]string{at.value, at.value}
			add(fmt.Sprintf("file %s = %s", name, at.name), probe{files: fs})
		}
	}
	if method == http.MethodPost {
		add("body over the limit", probe{oversize: "length"})
		if role == "admin" {
			add("chunked body over the limit", probe{oversize: "chunked"})
		}
	}
	return out
}

func mergeParams(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// run sends the probe and returns the status and what is wrong with the answer.
func (p probe) run(a *testApp) (int, []string) {
	req, err := p.request(a.srv.URL)
	if err != nil {
		if strings.Contains(err.Error(), "invalid") {
			return 0, nil // a URL no client can send
		}
		return 0, []string{"building the request: " + err.Error()}
	}
	res, err := p.c.http.Do(req)
	if err != nil {
		if p.oversize != "" && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
			return 0, nil // refused by closing the connection before reading it all: fine too
		}
		return 0, []string{"request failed: " + err.Error()}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, []string{"reading the answer: " + err.Error()}
	}
	problems := inspect(res, body)
	if p.oversize == "length" && res.StatusCode != http.StatusRequestEntityTooLarge {
		problems = append(problems, fmt.Sprintf("status %d for a body over the limit, want 413", res.StatusCode))
	}
	return res.StatusCode, problems
}

func (p probe) request(base string) (*http.Request, error) {
	var body io.Reader
	contentType := ""
	length := int64(-1)
	switch {
	case p.oversize != "":
		body = io.MultiReader(strings.NewReader("_csrf="+url.QueryEscape(p.csrf)+"&body="), &repeatReader{n: overLimit})
		contentType = "application/x-www-form-urlencoded"
		if p.oversize == "length" {
			length = int64(len("_csrf="+url.QueryEscape(p.csrf)+"&body=")) + overLimit
		}
	case p.method == http.MethodPost && p.multipart:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range p.form {
			for _, v := range vs {
				_ = mw.WriteField(k, v)
			}
		}
		for field, f := range p.files {
			fw, err := mw.CreateFormFile(field, f[0])
			if err != nil {
				return nil, err
			}
			_, _ = fw.Write([]byte(f[1]))
		}
		_ = mw.Close()
		body, contentType, length = &buf, mw.FormDataContentType(), int64(buf.Len())
	case p.method == http.MethodPost:
		enc := p.form.Encode()
		body, contentType, length = strings.NewReader(enc), "application/x-www-form-urlencoded", int64(len(enc))
	}
	req, err := http.NewRequest(p.method, base+p.path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = length
		if length < 0 {
			req.TransferEncoding = []string{"chunked"}
		}
		req.Header.Set("Content-Type", contentType)
	}
	if p.oversize == "chunked" {
		req.Header.Set("X-CSRF-Token", p.csrf) // past the CSRF check, into the handler
	}
	if p.hx {
		req.Header.Set("HX-Request", "true")
	}
	return req, nil
}

// repeatReader is n bytes of 'a', made as they are read.
type repeatReader struct{ n int }

func (r *repeatReader) Read(b []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(b), r.n)
	for i := range k {
		b[i] = 'a'
	}
	r.n -= k
	return k, nil
}

// inspect lists what is wrong with an answer to hostile input.
func inspect(res *http.Response, body []byte) []string {
	var problems []string
	if res.StatusCode >= 500 {
		problems = append(problems, fmt.Sprintf("status %d: %.300s", res.StatusCode, body))
	}
	for _, s := range sqlErrorText {
		if bytes.Contains(body, []byte(s)) {
			i := bytes.Index(body, []byte(s))
			problems = append(problems, fmt.Sprintf("answer holds %q: …%s…", s, body[max(0, i-100):min(len(body), i+100)]))
		}
	}
	for _, ck := range res.Cookies() {
		if ck.Name != "quire_csrf" && ck.Name != "quire_session" {
			problems = append(problems, fmt.Sprintf("unexpected cookie %q", ck.Name))
		}
	}
	for name, vs := range res.Header {
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				problems = append(problems, fmt.Sprintf("header %s holds a line break: %q", name, v))
			}
		}
	}
	for _, h := range []string{"Location", "HX-Redirect", "HX-Location", "HX-Push-Url"} {
		if v := res.Header.Get(h); v != "" && !localURL(v) {
			problems = append(problems, fmt.Sprintf("%s leads away from the site: %q", h, v))
		}
	}
	if !bytes.Contains(body, []byte("alert(1)")) {
		return problems // no payload came back at all
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		problems = append(problems, activeMarkup(body)...)
	} else {
		for _, raw := range []string{"<script>alert(1)</script>", "<svg/onload=alert(1)>", "onerror=alert(1)>"} {
			if bytes.Contains(body, []byte(raw)) {
				problems = append(problems, fmt.Sprintf("%s answer holds %s unescaped", res.Header.Get("Content-Type"), raw))
			}
		}
	}
	return problems
}

// localURL: a path on this site, never another host or a script.
func localURL(v string) bool {
	return strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") && !strings.HasPrefix(v, `/\`)
}

// urlAttributes are the attributes a browser (or htmx) follows as URLs.
var urlAttributes = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "srcset": true,
	"poster": true, "data": true, "xlink:href": true, "hx-get": true, "hx-post": true, "hx-push-url": true}

// activeMarkup parses a page as a browser does and lists what the site
// itself never renders: inline scripts, event handlers, javascript: URLs
// and inline SVG.
func activeMarkup(body []byte) []string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return []string{"unparsable HTML: " + err.Error()}
	}
	var found []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				// JSON-LD (post pages) is data a browser never runs.
				if !slices.ContainsFunc(n.Attr, func(at html.Attribute) bool {
					return at.Key == "src" || (at.Key == "type" && at.Val == "application/ld+json")
				}) {
					found = append(found, "an inline <script>")
				}
			case "svg", "iframe", "object", "embed":
				found = append(found, "a <"+n.Data+"> element")
			}
			for _, at := range n.Attr {
				v := strings.ToLower(strings.Join(strings.Fields(at.Val), ""))
				switch {
				case strings.HasPrefix(at.Key, "on"):
					found = append(found, fmt.Sprintf("event handler %s=%q on <%s>", at.Key, at.Val, n.Data))
				case urlAttributes[at.Key] && strings.HasPrefix(v, "javascript:"):
					found = append(found, fmt.Sprintf("javascript: URL in %s on <%s>", at.Key, n.Data))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// TestMangledVersion: a version field that is not a version a row can have
// is a conflict. It once skipped the admin's edit check (-1 meant "bulk, no
// check" to the model) and overflowed PostgreSQL's integer (a 500).
func TestMangledVersion(t *testing.T) {
	t.Parallel()
	a, c, _ := adminApp(t)
	u := a.createUser("versioned", models.RoleAuthor)
	p := a.adminPost(u, "Versioned", false)
	for _, v := range []string{"-1", "0", "99999999999999999999", "1e3", ""} {
		res := c.post(fmt.Sprintf("/admin/users/%d/edit/role", u.ID), url.Values{"value": {"admin"}, "version": {v}}, "HX-Request", "true")
		wantStatus(t, res, http.StatusConflict)
		res = c.post(fmt.Sprintf("/posts/%d/publish", p.ID), url.Values{"version": {v}})
		wantStatus(t, res, http.StatusConflict)
	}
	if a.user(u.ID).Role != models.RoleAuthor || a.storedPost(p.ID).Status != models.PostDraft {
		t.Error("a change went through without its version")
	}
}
