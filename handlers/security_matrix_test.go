package handlers_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"quire/assets"
	"quire/models"
)

// The kinds of visitor the authorization matrix covers: each role, the
// owner of what the route acts on, and a revoked admin.
const (
	roleAnonymous   = "anonymous"
	roleContributor = "contributor" // signed in as a contributor, not the owner
	roleAuthor      = "author"      // signed in as an author, not the owner
	roleOwner       = "owner"       // the author of the post (an author), the account itself
	roleEditor      = "editor"      // an active editor, not the owner
	roleAdmin       = "admin"       // an active admin
	roleSuspended   = "suspended"   // an admin suspended after signing in: the widest access, revoked
)

var matrixRoles = []string{roleAnonymous, roleContributor, roleAuthor, roleOwner, roleEditor, roleAdmin, roleSuspended}

// toLogin is a 303 to the sign-in page (Location /login?next=…), told
// apart from a 303 that is the success of the request.
const toLogin = -http.StatusSeeOther

// expect is a route's status for each kind of visitor, in matrixRoles' order.
type expect struct{ anonymous, contributor, author, owner, editor, admin, suspended int }

func (e expect) of(role string) int {
	return map[string]int{roleAnonymous: e.anonymous, roleContributor: e.contributor, roleAuthor: e.author,
		roleOwner: e.owner, roleEditor: e.editor, roleAdmin: e.admin, roleSuspended: e.suspended}[role]
}

func everyone(status int) expect {
	return expect{status, status, status, status, status, status, status}
}

var (
	//                 anonymous contributor author owner editor admin suspended
	signedIn    = expect{toLogin, 200, 200, 200, 200, 200, toLogin} // any active account
	ownPage     = expect{toLogin, 403, 403, 200, 200, 200, toLogin} // the owner's, an editor's or an admin's, of a public post
	ownDraft    = expect{toLogin, 404, 404, 200, 200, 200, toLogin} // the same, of a draft
	ownChange   = expect{toLogin, 403, 403, 303, 303, 303, toLogin}
	draftMove   = expect{toLogin, 404, 404, 303, 303, 303, toLogin}
	editorOnly  = expect{toLogin, 403, 403, 403, 200, 200, toLogin} // the posts table, the review queue
	editorApply = expect{toLogin, 403, 403, 403, 303, 303, toLogin}
	adminOnly   = expect{toLogin, 403, 403, 403, 403, 200, toLogin}
	adminApply  = expect{toLogin, 403, 403, 403, 403, 303, toLogin}
	signedOut   = expect{200, 303, 303, 303, 303, 303, 200} // forms for visitors; accounts go home
)

// authzCase is one request on a route. Path parameters are filled from the
// world: :slug and :id name the post chosen by post (the published one by
// default; "page" and "draft page" are pages); params sets the rest, and :id follows :table (users: the
// owner's account, posts: the post, media: the owner's image).
type authzCase struct {
	name      string
	post      string            // "published" (default), "draft" or "trashed"
	params    map[string]string // fixed path parameters, e.g. table, field, action
	query     string
	form      func(w *world) url.Values
	multipart bool
	file      []byte // uploaded as the field "file"
	want      expect
}

// authzMatrix is every route of the application, keyed as Echo registers
// it. TestAuthorizationMatrix fails when a route has no entry here, so a
// new route cannot ship without deciding who may use it.
var authzMatrix = map[string][]authzCase{
	// Operations and static files: no session at all.
	"GET /healthz":  {{want: everyone(200)}},
	"GET /readyz":   {{want: everyone(200)}},
	"GET /metrics":  {{want: everyone(200)}},
	"GET /assets/*": {{want: everyone(200)}},
	"GET /media/:key": {{want: everyone(200)},
		{name: "not a content key", params: map[string]string{"key": "..%2F..%2Fetc%2Fpasswd"}, want: everyone(404)}},
	"GET /feed.xml":              {{want: everyone(200)}},
	"GET /atom.xml":              {{want: everyone(200)}},
	"GET /@:username/feed.xml":   {{want: everyone(200)}},
	"GET /@:username/atom.xml":   {{want: everyone(200)}},
	"GET /tags/:tag/feed.xml":    {{want: everyone(200)}},
	"GET /tags/:tag/atom.xml":    {{want: everyone(200)}},
	"GET /feed.json":             {{want: everyone(200)}},
	"GET /@:username/feed.json":  {{want: everyone(200)}},
	"GET /tags/:tag/feed.json":   {{want: everyone(200)}},
	"GET /sitemap.xml":           {{want: everyone(200)}},
	"GET /robots.txt":            {{want: everyone(200)}},
	"GET /site.css":              {{want: everyone(200)}},
	"GET /":                      {{want: everyone(200)}},
	"GET /@:username":            {{want: everyone(200)}},
	"GET /tags/:tag":             {{want: everyone(200)}},
	"GET /search":                {{query: "q=matrix", want: everyone(200)}},
	"GET /password/reset":        {{want: everyone(200)}},
	"GET /password/reset/:token": {{want: everyone(200)}},

	// A sitemap's file; a public post's comments feed (none for drafts or pages).
	"GET /sitemap-:file": {{params: map[string]string{"file": "pages.xml"}, want: everyone(200)},
		{name: "past the last file", params: map[string]string{"file": "posts-9.xml"}, want: everyone(404)}},
	"GET /posts/:slug/comments/feed.xml": {{want: everyone(200)}, {name: "draft", post: "draft", want: everyone(404)},
		{name: "page", post: "page", want: everyone(404)}},
	"GET /posts/:slug/comments/atom.xml": {{want: everyone(200)}, {name: "draft", post: "draft", want: everyone(404)}},

	// The invitation link is the permission, as a reset link is.
	"GET /invitations/:token": {{want: everyone(200)}},
	// A confirmation link confirms whoever follows it: it went to the address.
	"GET /verify/:token":  {{want: everyone(303)}},
	"POST /verify/resend": {{want: expect{toLogin, 303, 303, 303, 303, 303, toLogin}}},
	"POST /invitations/:token": {{form: func(w *world) url.Values {
		return url.Values{"username": {"invited" + w.id}, "password": {strongPassword}}
	}, want: everyone(303)}},

	// Readers and authors.
	"GET /posts/:slug": {
		{name: "published", want: everyone(200)},
		{name: "draft", post: "draft", want: expect{404, 404, 404, 200, 200, 200, 404}},
		{name: "page", post: "page", want: everyone(301)},
	},
	// Pages: the owner wrote them but is an author, and editors and admins manage pages.
	"GET /:slug": {
		{name: "page", post: "page", want: everyone(200)},
		{name: "draft page", post: "draft page", want: expect{404, 404, 404, 404, 200, 200, 404}},
		{name: "post", want: everyone(404)},
	},
	"GET /posts/new": {{want: signedIn}},
	"GET /pages/new": {{want: editorOnly}},
	"POST /posts": {{form: func(w *world) url.Values {
		return url.Values{"title": {"New " + w.id}, "body": {"Text."}, "tags": {"matrix"}}
	}, want: expect{toLogin, 303, 303, 303, 303, 303, toLogin}}, {name: "page", form: func(w *world) url.Values {
		return url.Values{"title": {"Page " + w.id}, "body": {"Text."}, "kind": {"page"}}
	}, want: editorApply}},
	// A new post's autosave makes the draft; only editors and admins make pages.
	"POST /posts/autosave": {{form: func(w *world) url.Values {
		return url.Values{"title": {"Typed " + w.id}, "body": {"Text."}, "draft_key": {models.NewDraftKey()}, "version": {"0"}}
	}, want: signedIn}, {name: "page", form: func(w *world) url.Values {
		return url.Values{"title": {"Page " + w.id}, "body": {"Text."}, "kind": {"page"}, "draft_key": {models.NewDraftKey()}, "version": {"0"}}
	}, want: editorOnly}},
	"GET /posts/:slug/edit": {
		{name: "published", want: ownPage},
		{name: "draft", post: "draft", want: ownDraft},
	},
	"POST /posts/:id": {
		{name: "published", form: func(w *world) url.Values { return postForm(w.published) }, want: ownChange},
		{name: "draft", post: "draft", form: func(w *world) url.Values { return postForm(w.draft) }, want: draftMove},
	},
	"GET /posts/:id/editor": {
		{name: "published", want: ownPage},
		{name: "draft", post: "draft", want: ownDraft},
		{name: "page", post: "page", want: editorOnly},
		{name: "draft page", post: "draft page", want: expect{toLogin, 404, 404, 404, 200, 200, toLogin}},
	},
	"GET /posts/:id/view": {{want: ownPage}},
	"POST /posts/:id/autosave": {{post: "draft", form: func(w *world) url.Values { return postForm(w.draft) },
		want: ownDraft},
		// A published post's autosave is kept as pending changes: only those who may edit it.
		{name: "published", form: func(w *world) url.Values { return postForm(w.published) }, want: ownPage}},
	"POST /posts/:id/discard": {{form: func(w *world) url.Values { return versionForm(w.published) }, want: ownChange},
		{name: "draft", post: "draft", want: draftMove}},
	"POST /posts/:id/merge": {{form: func(w *world) url.Values { return postForm(w.published) }, want: ownPage},
		{name: "draft", post: "draft", form: func(w *world) url.Values { return postForm(w.draft) }, want: ownDraft}},
	"POST /posts/:id/preview": {{post: "draft", form: func(*world) url.Values { return url.Values{"body": {"*b*"}} },
		want: ownDraft}},
	"POST /posts/:id/publish": {{post: "draft", form: func(w *world) url.Values { return versionForm(w.draft) },
		want: draftMove}},
	// Only its author submits a draft for review; editors publish instead.
	"POST /posts/:id/submit": {{post: "draft", form: func(w *world) url.Values { return versionForm(w.draft) },
		want: expect{toLogin, 404, 404, 303, 403, 403, toLogin}}},
	// Scheduling asks what publishing asks (a contributor owner would get 403: TestScheduleEditorFields).
	"POST /posts/:id/schedule": {{post: "draft", form: func(w *world) url.Values { return scheduleForm(w.draft) }, want: draftMove}},
	"POST /posts/:id/unschedule": {{post: "draft", form: func(w *world) url.Values {
		if w.a == nil { // the attack corpus asks for the form's names only
			return postForm(w.draft)
		}
		if _, err := w.a.db.Exec(`UPDATE posts SET status = 'scheduled', scheduled_at = now() + interval '1 day' WHERE id = $1`, w.draft.ID); err != nil {
			w.a.t.Fatal(err)
		}
		return postForm(w.draft)
	}, want: draftMove}},
	"POST /posts/:id/unpublish": {{form: func(w *world) url.Values { return versionForm(w.published) }, want: ownChange},
		{name: "page", post: "page", form: func(w *world) url.Values { return versionForm(w.page) }, want: editorApply}},
	"GET /posts/:id/delete":         {{want: ownPage}},
	"POST /posts/:id/delete":        {{want: ownChange}},
	"POST /posts/:id/restore":       {{post: "trashed", want: draftMove}},
	"GET /posts/:id/revisions":      {{want: ownPage}},
	"GET /posts/:id/revisions/:rev": {{want: ownPage}},
	"POST /posts/:id/revisions/:rev/restore": {{form: func(w *world) url.Values { return versionForm(w.published) },
		want: ownChange}},
	"GET /drafts": {{want: signedIn}},
	// Anyone may send a comment; this form lacks the signed stamp, so it
	// is refused (422) once the post is one the sender may see.
	"POST /posts/:id/comments": {{form: func(*world) url.Values { return url.Values{"body": {"Hello."}} }, want: everyone(422)},
		{name: "draft", post: "draft", want: expect{404, 404, 404, 422, 422, 422, 404}}},
	"GET /posts/:id/comments/token": {{want: everyone(200)}},
	// Reply mail's unsubscribe link: anyone holding a signed token (a forged one: 400).
	"GET /comments/unsubscribe/:token":  {{params: map[string]string{"token": "1.forged"}, want: everyone(400)}},
	"POST /comments/unsubscribe/:token": {{params: map[string]string{"token": "1.forged"}, want: everyone(400)}},
	// Any account may open the form to answer a shown comment (accounts comment by default).
	"GET /posts/:id/comments/:cid/reply": {{want: signedIn}},
	// The post's author, editors and admins moderate its comments from its page.
	"POST /posts/:id/comments/:cid/:action": {{params: map[string]string{"action": "spam"}, want: ownChange},
		{name: "not an action", params: map[string]string{"action": "delete"}, want: expect{toLogin, 404, 404, 404, 404, 404, toLogin}}},
	"GET /media":        {{want: signedIn}},
	"GET /media/picker": {{want: signedIn}}, // each sees their own images; editors and admins everyone's (TestMediaPicker)
	"POST /media": {{multipart: true, file: tinyPNG(), form: func(*world) url.Values { return url.Values{"alt": {"A dot"}} },
		want: signedIn}},

	// Accounts.
	// The first-run setup exists only while a site has no administrator and
	// serve gave a token (TestFirstRunSetup); here it is a page that is not.
	"GET /setup/:token": {{want: everyone(404)}},
	"POST /setup/:token": {{form: func(w *world) url.Values {
		return url.Values{"username": {"owner" + w.id}, "email": {"owner" + w.id + "@example.com"}, "password": {strongPassword}}
	}, want: everyone(404)}},
	"GET /register": {{want: signedOut}},
	"POST /register": {{form: func(w *world) url.Values {
		return url.Values{"username": {"new" + w.id}, "email": {"new" + w.id + "@example.com"}, "password": {strongPassword}}
	}, want: everyone(303)}},
	"GET /login": {{want: signedOut}},
	"POST /login": {{form: func(w *world) url.Values {
		return url.Values{"login": {w.owner.Username}, "password": {strongPassword}}
	}, want: everyone(303)}},
	"POST /logout": {{want: everyone(303)}},
	"POST /password/reset": {{form: func(w *world) url.Values { return url.Values{"email": {w.owner.Email}} },
		want: everyone(200)}},
	// The link is the permission: whoever holds it sets the password, then signs in.
	"POST /password/reset/:token": {{form: func(*world) url.Values { return url.Values{"password": {"a different long passphrase"}} },
		want: everyone(303)}},
	"GET /settings/profile": {{want: signedIn}},
	"POST /settings/profile": {{multipart: true, form: func(w *world) url.Values {
		return url.Values{"username": {w.actor.Username}, "email": {w.actor.Email}, "display_name": {"D"}, "bio": {"B"}}
	}, want: expect{toLogin, 303, 303, 303, 303, 303, toLogin}}},
	"GET /settings/password": {{want: signedIn}},
	"POST /settings/password": {{form: func(*world) url.Values {
		return url.Values{"current_password": {strongPassword}, "password": {"a different long passphrase"}}
	}, want: expect{toLogin, 303, 303, 303, 303, 303, toLogin}}},

	// Admins and editors. The owner is the account or the author acted on:
	// still not staff. Editors have the posts table; the rest is admins'.
	"GET /admin": {{want: adminOnly}},
	"GET /admin/:table": {
		{name: "users", params: map[string]string{"table": "users"}, want: adminOnly},
		{name: "posts", params: map[string]string{"table": "posts"}, want: editorOnly},
		{name: "media", params: map[string]string{"table": "media"}, want: adminOnly},
		{name: "audit", params: map[string]string{"table": "audit"}, want: adminOnly},
		{name: "invitations", params: map[string]string{"table": "invitations"}, want: editorOnly},
		{name: "review", params: map[string]string{"table": "review"}, want: editorOnly},
		{name: "redirects", params: map[string]string{"table": "redirects"}, want: adminOnly},
		{name: "comments", params: map[string]string{"table": "comments"}, want: editorOnly},
		{name: "unknown", params: map[string]string{"table": "sessions"}, want: expect{toLogin, 403, 403, 403, 404, 404, toLogin}},
	},
	"POST /admin/:table/bulk": {
		{name: "confirm", params: map[string]string{"table": "users"}, form: func(w *world) url.Values {
			return url.Values{"action": {"suspend"}, "id": {strconv.FormatInt(w.owner.ID, 10)}}
		}, want: adminOnly},
		{name: "apply", params: map[string]string{"table": "posts"}, form: func(w *world) url.Values {
			return url.Values{"action": {"hide"}, "confirm": {"1"}, "reason": {"r"}, "ids": {strconv.FormatInt(w.published.ID, 10)}}
		}, want: editorApply},
	},
	"GET /admin/invitations/new": {{want: editorOnly}},
	"GET /admin/redirects/new":   {{want: adminOnly}},
	"POST /admin/redirects": {{form: func(w *world) url.Values {
		return url.Values{"from": {"/added-" + w.id + "/"}, "to": {"/posts/" + w.published.Slug}}
	}, want: adminApply}},
	"POST /admin/invitations": {{form: func(w *world) url.Values {
		return url.Values{"email": {"asked" + w.id + "@example.com"}, "role": {models.RoleAuthor}}
	}, want: editorApply}},
	"GET /admin/:table/:id/edit/:field": {
		{name: "users", params: map[string]string{"table": "users", "field": "role"}, want: adminOnly},
		{name: "posts", params: map[string]string{"table": "posts", "field": "title"}, want: editorOnly},
		{name: "redirects", params: map[string]string{"table": "redirects", "field": "to"}, want: adminOnly},
		{name: "comments", params: map[string]string{"table": "comments", "field": "comment"}, want: editorOnly},
	},
	"POST /admin/:table/:id/edit/:field": {
		{name: "users", params: map[string]string{"table": "users", "field": "role"}, form: func(w *world) url.Values {
			return url.Values{"value": {"admin"}, "version": {strconv.Itoa(w.owner.Version)}}
		}, want: adminApply},
		{name: "posts", params: map[string]string{"table": "posts", "field": "title"}, form: func(w *world) url.Values {
			return url.Values{"value": {"Retitled"}, "version": {strconv.Itoa(w.published.Version)}}
		}, want: editorApply},
		{name: "redirects", params: map[string]string{"table": "redirects", "field": "to"}, form: func(w *world) url.Values {
			return url.Values{"value": {"/posts/" + w.published.Slug}, "version": {"1"}}
		}, want: adminApply},
		{name: "comments", params: map[string]string{"table": "comments", "field": "comment"}, form: func(w *world) url.Values {
			return url.Values{"value": {"Edited by a moderator."}, "version": {"1"}}
		}, want: editorApply},
	},
	"GET /admin/settings": {{want: adminOnly}},
	"POST /admin/settings": {{form: func(w *world) url.Values {
		s, err := (&models.SettingsModel{DB: w.a.db}).Get(context.Background())
		if err != nil {
			w.a.t.Fatal(err)
		}
		return settingsForm(strconv.FormatInt(s.Version, 10))
	}, want: adminApply}},
	"GET /admin/import":     {{want: adminOnly}},
	"POST /admin/import":    {{want: expect{toLogin, 403, 403, 403, 403, 422, toLogin}}}, // no file: the form again
	"GET /admin/import/:id": {{params: map[string]string{"id": "999999"}, want: expect{toLogin, 403, 403, 403, 403, 404, toLogin}}},
	"GET /admin/:table/:id/cell/:field": {
		{name: "users", params: map[string]string{"table": "users", "field": "role"}, want: adminOnly},
		{name: "comments", params: map[string]string{"table": "comments", "field": "comment"}, want: editorOnly},
	},
	"GET /admin/:table/:id/:action": {
		{name: "users", params: map[string]string{"table": "users", "action": "suspend"}, want: adminOnly},
		{name: "media", params: map[string]string{"table": "media", "action": "delete"}, want: adminOnly},
		{name: "posts", params: map[string]string{"table": "posts", "action": "hide"}, want: editorOnly},
		{name: "redirects", params: map[string]string{"table": "redirects", "action": "delete"}, want: adminOnly},
		{name: "comments", params: map[string]string{"table": "comments", "action": "spam"}, want: editorOnly},
	},
	"POST /admin/:table/:id/:action": {
		{name: "users", params: map[string]string{"table": "users", "action": "suspend"}, form: func(*world) url.Values {
			return url.Values{"confirm": {"1"}, "reason": {"spam"}}
		}, want: adminApply},
		{name: "posts", params: map[string]string{"table": "posts", "action": "unpublish"}, want: editorApply},
		{name: "posts confirm", params: map[string]string{"table": "posts", "action": "hide"}, want: editorOnly},
		{name: "invitations", params: map[string]string{"table": "invitations", "action": "revoke"}, form: func(*world) url.Values {
			return url.Values{"confirm": {"1"}}
		}, want: editorApply},
		{name: "review", params: map[string]string{"table": "review", "action": "approve"}, want: editorApply},
		{name: "redirects", params: map[string]string{"table": "redirects", "action": "delete"}, form: func(*world) url.Values {
			return url.Values{"confirm": {"1"}}
		}, want: adminApply},
		{name: "comments", params: map[string]string{"table": "comments", "action": "spam"}, want: editorApply},
	},
}

func postForm(p models.Post) url.Values {
	return url.Values{"title": {p.Title + " (edited)"}, "body": {"Edited."}, "tags": {"matrix"}, "version": {strconv.Itoa(p.Version)}}
}

// scheduleForm is p's editor form with a publish time a day ahead, in the
// test site's zone (UTC).
func scheduleForm(p models.Post) url.Values {
	f := postForm(p)
	f.Set("publish_at", time.Now().UTC().Add(24*time.Hour).Format("2006-01-02T15:04"))
	return f
}

func versionForm(p models.Post) url.Values { return url.Values{"version": {strconv.Itoa(p.Version)}} }

// registeredRoutes lists the application's routes as "METHOD PATH". The
// catch-all 404 routes Echo adds for groups with middleware are not routes
// of the application.
func registeredRoutes(a *testApp) []string {
	var keys []string
	for _, r := range a.app.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		keys = append(keys, r.Method+" "+r.Path)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// TestAuthorizationMatrix sends every route, as each kind of visitor, to
// objects made for that request alone, and checks the status.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.discardMail(t)
	routes := registeredRoutes(a)
	for _, key := range routes {
		if _, ok := authzMatrix[key]; !ok {
			t.Errorf("route %s has no entry in authzMatrix: decide who may use it", key)
		}
	}
	for key := range authzMatrix {
		if !slices.Contains(routes, key) {
			t.Errorf("authzMatrix has %s, which is not a route any more", key)
		}
	}
	for _, key := range routes {
		method, pattern, _ := strings.Cut(key, " ")
		for _, tc := range authzMatrix[key] {
			t.Run(strings.TrimSpace(key+" "+tc.name), func(t *testing.T) {
				t.Parallel()
				a := a.in(t)
				for _, role := range matrixRoles {
					w := a.newWorld(role)
					path := w.fill(pattern, tc.post, tc.params)
					if tc.query != "" {
						path += "?" + tc.query
					}
					res := w.send(method, path, tc)
					got := res.StatusCode
					if got == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
						got = toLogin
					}
					if want := tc.want.of(role); got != want {
						t.Errorf("%s %s as %s: %d (Location %q), want %s", method, path, role, res.StatusCode,
							res.Header.Get("Location"), statusName(want))
					}
				}
			})
		}
	}
}

func statusName(s int) string {
	if s == toLogin {
		return "303 to /login"
	}
	return strconv.Itoa(s)
}

// in is the app as seen from test t: helpers that fail stop t, not the
// test that made the app.
func (a *testApp) in(t *testing.T) *testApp {
	c := *a
	c.t = t
	return &c
}

// discardMail drops the mail the app sends (reset links, notices), so a
// test that sends many never fills the server's inbox.
func (a *testApp) discardMail(t *testing.T) {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for {
			select {
			case <-a.smtp.Inbox:
			case <-done:
				return
			}
		}
	}()
}

var worldSeq atomic.Int64

// world is what one request acts on: an owner with a published post (that
// has a revision), a draft, a post in the trash, a page and a draft page,
// an uploaded image and a password reset link; and the visitor making the request, signed in as
// their role.
type world struct {
	a                         *testApp
	id                        string // makes names unique
	owner                     models.User
	published, draft, trashed models.Post
	page, draftPage           models.Post
	rev                       int64
	media                     models.Media
	token                     string
	invitation                models.Invitation // an author's, pending
	redirect                  int64             // an old address leading to the tag matrix
	inviteToken               string
	verifyToken               string      // the owner's address, marked unconfirmed
	comment                   int64       // a guest's approved comment on the published post
	actor                     models.User // zero for anonymous visitors
	c                         *client
}

func (a *testApp) newWorld(role string) *world {
	a.t.Helper()
	ctx := context.Background()
	w := &world{a: a, id: strconv.FormatInt(worldSeq.Add(1), 10)}
	w.owner = a.createUser("owner"+w.id, models.RoleAuthor)
	pm := &models.PostModel{DB: a.db}
	in := models.PostInput{Title: "Published " + w.id, Body: "First text.", Tags: []string{"matrix"}}
	p, err := pm.Insert(ctx, w.owner.ID, in)
	if err == nil {
		p, err = pm.Publish(ctx, asAuthor(p), p.ID, p.Version)
	}
	if err == nil {
		in.Body = "Second text."
		p, err = pm.Update(ctx, p.ID, p.Version, in, w.owner.ID)
	}
	if err != nil {
		a.t.Fatal(err)
	}
	w.published = p
	revs, err := pm.Revisions(ctx, p.ID)
	if err != nil || len(revs) == 0 {
		a.t.Fatalf("no revision: %v", err)
	}
	w.rev = revs[0].ID
	w.draft = a.newPost(w.owner, "Draft "+w.id, false)
	w.trashed = a.newPost(w.owner, "Trashed "+w.id, false)
	if err := pm.SoftDelete(ctx, asAuthor(w.trashed), w.trashed.ID); err != nil {
		a.t.Fatal(err)
	}
	w.page = a.newPage(w.owner, models.PostInput{Title: "Page " + w.id}, true)
	w.draftPage = a.newPage(w.owner, models.PostInput{Title: "Draft page " + w.id}, false)
	data := []byte("image " + w.id)
	key := models.ContentKey(data, ".png")
	if err := (models.LocalStore{Dir: a.media}).Put(ctx, key, data); err != nil {
		a.t.Fatal(err)
	}
	w.media, err = (&models.MediaModel{DB: a.db}).Insert(ctx, models.Media{OwnerID: ownerOf(w.owner), Key: key,
		Width: 1, Height: 1, Bytes: len(data), ContentType: "image/png"})
	if err != nil {
		a.t.Fatal(err)
	}
	// A reset link, as the reset form makes one (its mail is not sent here).
	reset, err := a.users.RequestReset(ctx, &models.ThrottleModel{DB: a.db}, w.owner.Email)
	if err != nil || len(reset.Mail) != 1 {
		a.t.Fatalf("reset link: %+v, %v", reset, err)
	}
	w.token = reset.Mail[0].Token

	w.invitation, w.inviteToken, err = (&models.AdminModel{DB: a.db}).Invite(ctx,
		models.Actor{Name: "matrix", Role: models.RoleAdmin}, "invited"+w.id+"@example.com", models.RoleAuthor)
	if err != nil {
		a.t.Fatal(err)
	}

	w.redirect, err = (&models.AdminModel{DB: a.db}).AddRedirect(ctx, models.Actor{Name: "matrix", Role: models.RoleAdmin},
		"/old-"+w.id+"/", models.RedirectTarget{Tag: "matrix"})
	if err != nil {
		a.t.Fatal(err)
	}

	if _, err := a.db.Exec(`UPDATE users SET email_verified = false WHERE id = $1`, w.owner.ID); err != nil {
		a.t.Fatal(err)
	}
	if w.verifyToken, _, err = a.users.IssueVerification(ctx, w.owner.ID); err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.db.Exec(`UPDATE users SET email_verified = true WHERE id = $1`, w.owner.ID); err != nil {
		a.t.Fatal(err)
	}

	if err := a.db.Get(&w.comment, `INSERT INTO comments (post_id, guest_name, guest_email, body, body_html, status)
VALUES ($1, 'Guest', 'guest@example.org', 'Hello.', '<p>Hello.</p>', 'approved') RETURNING id`, w.published.ID); err != nil {
		a.t.Fatal(err)
	}

	w.c = a.client()
	switch role {
	case roleAnonymous:
		w.c.get("/login")
	case roleContributor, roleAuthor, roleEditor:
		w.actor = a.createUser(role+w.id, role)
	case roleOwner:
		w.actor = w.owner
	case roleAdmin, roleSuspended:
		w.actor = a.createUser(role+w.id, models.RoleAdmin)
	}
	if w.actor.ID != 0 {
		w.c.login(w.actor.Username, strongPassword)
	}
	if role == roleSuspended {
		a.suspend(w.actor.ID)
	}
	if w.actor.ID == 0 {
		w.actor = w.owner // forms about "your account" name someone
	}
	return w
}

// fill puts the world's objects into a route's path parameters.
func (w *world) fill(pattern, post string, params map[string]string) string {
	p := map[string]models.Post{"": w.published, "published": w.published, "draft": w.draft, "trashed": w.trashed,
		"page": w.page, "draft page": w.draftPage}[post]
	id := strconv.FormatInt(p.ID, 10)
	switch params["table"] {
	case "users":
		id = strconv.FormatInt(w.owner.ID, 10)
	case "media":
		id = strconv.FormatInt(w.media.ID, 10)
	case "invitations":
		id = strconv.FormatInt(w.invitation.ID, 10)
	case "redirects":
		id = strconv.FormatInt(w.redirect, 10)
	case "comments":
		id = strconv.FormatInt(w.comment, 10)
	}
	token := w.token
	if strings.HasPrefix(pattern, "/invitations/") {
		token = w.inviteToken
	}
	if strings.HasPrefix(pattern, "/verify/") {
		token = w.verifyToken
	}
	values := map[string]string{
		"slug": p.Slug, "id": id, "username": w.owner.Username, "tag": "matrix", "token": token,
		"key": w.media.Key, "rev": strconv.FormatInt(w.rev, 10), "cid": strconv.FormatInt(w.comment, 10),
		"*": strings.TrimPrefix(assets.Path("css/site.css"), assets.Prefix),
	}
	for k, v := range params {
		values[k] = v
	}
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		prefix, name, ok := strings.Cut(s, ":") // "@:username" is a parameter after a fixed "@"
		if !ok && s == "*" {
			prefix, name, ok = "", "*", true
		}
		if !ok {
			continue
		}
		v, known := values[name]
		if !known {
			w.a.t.Fatalf("%s: no value for parameter %s", pattern, name)
		}
		segs[i] = prefix + v
	}
	return strings.Join(segs, "/")
}

// send makes the case's request as the world's visitor, with a valid CSRF
// token on unsafe methods.
func (w *world) send(method, path string, tc authzCase) *response {
	w.a.t.Helper()
	form := url.Values{}
	if tc.form != nil {
		form = tc.form(w)
	}
	switch {
	case method == http.MethodGet:
		return w.c.get(path)
	case tc.multipart:
		name := ""
		if tc.file != nil {
			name = "file"
		}
		return w.c.postMultipart(path, form, name, "upload.png", tc.file)
	case method == http.MethodPost:
		return w.c.post(path, form)
	}
	w.a.t.Fatalf("no way to send %s", method)
	return nil
}

// tinyPNG is a valid 2x2 image.
func tinyPNG() []byte {
	var b bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, 2, 2))
	m.Set(1, 1, color.RGBA{R: 200, A: 255})
	_ = png.Encode(&b, m)
	return b.Bytes()
}
