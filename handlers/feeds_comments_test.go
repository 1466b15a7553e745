package handlers_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
)

// addApprovedComment posts a guest's comment on p and approves it.
func (a *testApp) addApprovedComment(p models.Post, name, body string) {
	a.t.Helper()
	g := a.client()
	wantStatus(a.t, g.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments",
		a.commentForm(p.ID, "name", name, "email", "reader@example.org", "body", body)), http.StatusSeeOther)
	a.approveAll(p.ID)
}

// TestCommentCountsOnLists: the home, tag, author and search lists show
// "N comments" linking to a post's comments once it has approved ones, and
// nothing before; approving a comment moves the home page's ETag.
func TestCommentCountsOnLists(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	ada := a.createUser("ada", models.RoleAuthor)
	p := a.addPost(ada, post{title: "Swifts", body: "They are back.", tags: []string{"birds"}})
	lists := []string{"/", "/tags/birds", "/@ada", "/search?q=swifts"}
	for _, path := range lists {
		if got := a.client().get(path).doc.Find(`[data-testid="item-comments"]`).Length(); got != 0 {
			t.Errorf("%s shows a comment count on a post without comments", path)
		}
	}
	res, _ := a.rawGet("/", "")
	etag := res.Header.Get("ETag")

	a.addApprovedComment(p, "Grace", "Hello.")
	a.addApprovedComment(p, "Linus", "Welcome back.")
	res, _ = a.rawGet("/", "", "If-None-Match", etag)
	if res.StatusCode != http.StatusOK || res.Header.Get("ETag") == etag {
		t.Errorf("after approvals the home page answered %d with ETag %q (was %q)", res.StatusCode, res.Header.Get("ETag"), etag)
	}
	for _, path := range lists {
		link := a.client().get(path).doc.Find(`[data-testid="item-comments"]`)
		if href, _ := link.Attr("href"); strings.TrimSpace(link.Text()) != "2 comments" || href != "/posts/swifts#comments" {
			t.Errorf("%s: comment count %q linking to %q, want \"2 comments\" to /posts/swifts#comments", path, link.Text(), href)
		}
	}
}

// TestCommentCountsInFeeds: Atom entries carry thr:total and a replies link
// to the post's comments feed (RFC 4685), RSS items a comments link and
// wfw:commentRss beside slash:comments, JSON Feed items a _quire object.
func TestCommentCountsInFeeds(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	a.addApprovedComment(p, "Grace", "Hello.")

	_, atom := a.rawGet("/atom.xml", "")
	var af struct {
		Entries []struct {
			Total string `xml:"http://purl.org/syndication/thread/1.0 total"`
			Links []struct {
				Rel   string `xml:"rel,attr"`
				Href  string `xml:"href,attr"`
				Count string `xml:"http://purl.org/syndication/thread/1.0 count,attr"`
			} `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(atom, &af); err != nil || len(af.Entries) != 1 {
		t.Fatalf("atom: %v, %d entries:\n%s", err, len(af.Entries), atom)
	}
	e := af.Entries[0]
	replies := false
	for _, l := range e.Links {
		replies = replies || (l.Rel == "replies" && l.Href == "https://blog.example.org/posts/swifts/comments/atom.xml" && l.Count == "1")
	}
	if e.Total != "1" || !replies {
		t.Errorf("atom entry: thr:total %q, replies link found %v:\n%s", e.Total, replies, atom)
	}

	_, rss := a.rawGet("/feed.xml", "")
	for _, want := range []string{"<comments>https://blog.example.org/posts/swifts#comments</comments>",
		"<wfw:commentRss>https://blog.example.org/posts/swifts/comments/feed.xml</wfw:commentRss>",
		`xmlns:wfw="http://wellformedweb.org/CommentAPI/"`} {
		if !strings.Contains(string(rss), want) {
			t.Errorf("rss lacks %s:\n%s", want, rss)
		}
	}

	_, js := a.rawGet("/feed.json", "")
	var jf struct {
		Items []struct {
			Quire struct {
				Comments        int    `json:"comments"`
				CommentsURL     string `json:"comments_url"`
				CommentsFeedURL string `json:"comments_feed_url"`
			} `json:"_quire"`
		} `json:"items"`
	}
	if err := json.Unmarshal(js, &jf); err != nil || len(jf.Items) != 1 {
		t.Fatalf("json feed: %v:\n%s", err, js)
	}
	if q := jf.Items[0].Quire; q.Comments != 1 || q.CommentsURL != "https://blog.example.org/posts/swifts#comments" ||
		q.CommentsFeedURL != "https://blog.example.org/posts/swifts/comments/atom.xml" {
		t.Errorf("json feed _quire = %+v", q)
	}
}

// TestPostCommentsFeed: /posts/{slug}/comments/feed.xml and atom.xml carry
// the newest 50 approved comments, newest first, names and bodies inert;
// they revalidate by ETag and by date, both moved by a new approval; held
// comments, drafts and pages are not in them; the post page links them.
func TestPostCommentsFeed(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	ada := a.createUser("ada", models.RoleAuthor)
	p := a.addPost(ada, post{title: "Swifts", body: "They are back."})
	a.db.MustExec(`INSERT INTO comments (post_id, guest_name, guest_email, body, body_html, status, created_at)
SELECT $1, 'Guest ' || i, 'g' || i || '@example.org', 'Body ' || i, '<p>Body ' || i || '</p>', 'approved',
	now() - (100 - i) * interval '1 minute' FROM generate_series(1, 52) AS i`, p.ID)
	xss := `<script>alert("x")</script>`
	a.addApprovedComment(p, xss+"Eve", "Hi "+xss+` <img src=x onerror=alert(1)> [link](javascript:alert(1))`)
	g := a.client()
	wantStatus(t, g.post("/posts/"+strconv.FormatInt(p.ID, 10)+"/comments",
		a.commentForm(p.ID, "name", "Held", "email", "held@example.org", "body", "Waiting.")), http.StatusSeeOther)

	res, rss := a.rawGet("/posts/swifts/comments/feed.xml", "")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/rss+xml") {
		t.Fatalf("rss: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var doc struct {
		Channel struct {
			Title string `xml:"title"`
			Items []struct {
				Title       string `xml:"title"`
				Link        string `xml:"link"`
				Description string `xml:"description"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal(rss, &doc); err != nil {
		t.Fatal(err)
	}
	items := doc.Channel.Items
	if len(items) != 50 || !strings.HasPrefix(items[0].Title, "Comment by "+xss) || items[1].Title != "Comment by Guest 52" ||
		items[49].Title != "Comment by Guest 4" {
		t.Fatalf("rss has %d items, first %q, second %q", len(items), items[0].Title, items[1].Title)
	}
	if !strings.HasPrefix(items[0].Link, "https://blog.example.org/posts/swifts#comment-") || doc.Channel.Title != "Comments on “Swifts” · Quire" {
		t.Errorf("rss link %q, title %q", items[0].Link, doc.Channel.Title)
	}
	if d := items[0].Description; strings.Contains(d, "<script") || strings.Contains(d, "onerror") || strings.Contains(d, "javascript:") {
		t.Errorf("a comment's body is not inert: %q", d)
	}
	if strings.Contains(string(rss), "<script") || strings.Contains(string(rss), "Waiting.") {
		t.Errorf("the feed holds live markup or a held comment:\n%s", rss)
	}

	res, atom := a.rawGet("/posts/swifts/comments/atom.xml", "")
	etag, lastMod := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	var af struct {
		Entries []struct {
			Author    string `xml:"author>name"`
			InReplyTo struct {
				Href string `xml:"href,attr"`
			} `xml:"http://purl.org/syndication/thread/1.0 in-reply-to"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(atom, &af); err != nil || len(af.Entries) != 50 || af.Entries[1].Author != "Guest 52" ||
		af.Entries[1].InReplyTo.Href != "https://blog.example.org/posts/swifts" {
		t.Fatalf("atom: %v, %d entries:\n%.2000s", err, len(af.Entries), atom)
	}
	if res, _ := a.rawGet("/posts/swifts/comments/atom.xml", "", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidating an unchanged feed: %d", res.StatusCode)
	}
	pageRes, _ := a.rawGet("/posts/swifts", "")
	time.Sleep(1100 * time.Millisecond) // Last-Modified has whole seconds
	a.approveAll(p.ID)
	if res, _ := a.rawGet("/posts/swifts/comments/atom.xml", "", "If-None-Match", etag); res.StatusCode != http.StatusOK {
		t.Errorf("by ETag after an approval: %d", res.StatusCode)
	}
	if res, _ := a.rawGet("/posts/swifts/comments/atom.xml", "", "If-Modified-Since", lastMod); res.StatusCode != http.StatusOK {
		t.Errorf("by date after an approval: %d", res.StatusCode)
	}
	if res, _ := a.rawGet("/posts/swifts", "", "If-Modified-Since", pageRes.Header.Get("Last-Modified")); res.StatusCode != http.StatusOK {
		t.Errorf("the post page by date after an approval: %d", res.StatusCode)
	}

	page := a.client().get("/posts/swifts")
	if href, _ := page.doc.Find(`link[rel="alternate"][type="application/atom+xml"][title^="Comments"]`).Attr("href"); href != "https://blog.example.org/posts/swifts/comments/atom.xml" {
		t.Errorf("the post page links the comments feed as %q", href)
	}
	draft := a.addPost(ada, post{title: "Unfinished", state: "draft"})
	for _, path := range []string{"/posts/" + draft.Slug + "/comments/feed.xml", "/posts/nothing/comments/atom.xml"} {
		if res, _ := a.rawGet(path, ""); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
	// A site that takes no comments links no feed from a post without any.
	quiet := a.addPost(ada, post{title: "Quiet", body: "Nothing to say."})
	a.commentsMode(models.CommentsOff)
	if n := a.client().get("/posts/" + quiet.Slug).doc.Find(`link[title^="Comments"]`).Length(); n != 0 {
		t.Errorf("a post without comments on a site without them links %d comment feeds", n)
	}
}

// TestPostCommentsSwitch: the editor's "Allow comments" closes and opens a
// post's comments with its save, audited; a closed post says so, shows no
// form and refuses a comment; a form without the checkbox keeps the state.
func TestPostCommentsSwitch(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.commentsMode(models.CommentsAnyone)
	p := a.addPost(a.createUser("ada", models.RoleAuthor), post{title: "Swifts", body: "They are back."})
	ada := a.client()
	ada.login("ada", strongPassword)
	id := strconv.FormatInt(p.ID, 10)
	checked := func() bool {
		t.Helper()
		box := ada.get("/posts/swifts/edit").doc.Find(`input[data-testid="allow-comments"]`)
		if box.Length() != 1 {
			t.Fatal("the editor has no Allow comments checkbox")
		}
		_, on := box.Attr("checked")
		return on
	}
	save := func(fields ...string) {
		t.Helper()
		var version int
		if err := a.db.Get(&version, `SELECT version FROM posts WHERE id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		f := url.Values{"title": {"Swifts"}, "body": {"They are back."}, "version": {strconv.Itoa(version)}}
		for i := 0; i+1 < len(fields); i += 2 {
			f.Set(fields[i], fields[i+1])
		}
		wantStatus(t, ada.post("/posts/"+id, f), http.StatusSeeOther)
	}
	if !checked() {
		t.Error("a post's comments start closed in the editor")
	}
	if box := ada.get("/posts/new").doc.Find(`input[data-testid="allow-comments"][checked]`); box.Length() != 1 {
		t.Error("a new post's Allow comments is not ticked")
	}

	save("comments_switch", "1") // unticked
	if checked() {
		t.Error("after closing, the editor still ticks Allow comments")
	}
	page := a.client().get("/posts/swifts")
	if !strings.Contains(page.doc.Find("#comments").Text(), "Comments are closed") || page.doc.Find(`[data-testid="comment-form"]`).Length() != 0 {
		t.Errorf("a closed post's comments section: %q", page.doc.Find("#comments").Text())
	}
	g := a.client()
	if r := g.post("/posts/"+id+"/comments", a.commentForm(p.ID, "name", "Grace", "email", "g@example.org", "body", "Hello.")); r.StatusCode != http.StatusForbidden {
		t.Errorf("a comment on a closed post: %d, want 403", r.StatusCode)
	}

	save() // a form without the checkbox keeps comments closed
	if checked() {
		t.Error("a save without the checkbox opened comments")
	}
	save("comments_switch", "1", "allow_comments", "1")
	if !checked() {
		t.Error("ticking Allow comments did not open them")
	}
	var log []string
	if err := a.db.Select(&log, `SELECT action || ' by ' || actor_name FROM audit_log WHERE model = 'posts' AND object_id = $1 ORDER BY id`, p.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Join(log, ", ") != "close comments by ada, open comments by ada" {
		t.Errorf("audit log: %q", log)
	}
}
