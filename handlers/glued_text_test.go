package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"

	"quire/models"
)

// blockTags start and end a line of text as browsers lay them out by
// default; every other element (a, span, button, form, label …) flows
// inline, so two of them written without a space between read as one word.
// Controls and images stand apart by their own box.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "body": true, "br": true,
	"dd": true, "details": true, "div": true, "dl": true, "dt": true, "fieldset": true, "figcaption": true,
	"figure": true, "footer": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "img": true, "input": true, "legend": true, "li": true, "main": true,
	"nav": true, "ol": true, "option": true, "p": true, "pre": true, "progress": true, "section": true,
	"select": true, "summary": true, "table": true, "tbody": true, "td": true, "textarea": true,
	"tfoot": true, "th": true, "thead": true, "tr": true, "ul": true,
}

// gluedWords finds the places in a page's text where two words meet across
// an element boundary with no space between them ("…30 more days)Restore").
func gluedWords(page string) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{err.Error()}
	}
	var found []string
	var last string  // the text of the current line so far
	var crossed bool // an inline element began or ended since the last text
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if n.Data == "" {
				return
			}
			if crossed && last != "" {
				l, _ := utf8.DecodeLastRuneInString(last)
				r, _ := utf8.DecodeRuneInString(n.Data)
				if endsWord(l) && startsWord(r) {
					found = append(found, fmt.Sprintf("%q|%q", gluedTail(last), gluedHead(n.Data)))
				}
			}
			last += n.Data
			crossed = false
			return
		case html.ElementNode:
			switch n.Data {
			case "head", "script", "style", "template":
				return
			}
			if _, hidden := htmlAttr(n, "hidden"); hidden {
				return
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			last = ""
		} else {
			crossed = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			last = ""
		} else {
			crossed = true
		}
	}
	walk(doc)
	return found
}

func endsWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(").!?:", r)
}

func startsWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '(' }

func gluedTail(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[len(r)-30:])
	}
	return s
}

func gluedHead(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30])
	}
	return s
}

func htmlAttr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func TestGluedWordsFinder(t *testing.T) {
	for page, want := range map[string]int{
		`<li>Title <span>(restorable for 30 more days)</span><form><button>Restore</button></form></li>`: 1,
		`<td><form><button>Unpublish</button></form><a>Delete</a></td>`:                                  1,
		`<td><form><button>Unpublish</button></form> <a>Delete</a></td>`:                                 0,
		`<li><a>Title</a></li><li><a>Next</a></li>`:                                                      0,
		`<p>by <a>alice</a>, 3 days ago</p>`:                                                             0,
		`<p>Hello <b>world</b>s</p>`:                                                                     1,
	} {
		if got := gluedWords(page); len(got) != want {
			t.Errorf("%s: %d glued (%v), want %d", page, len(got), got, want)
		}
	}
}

// No page runs two words together (issue 10: "(restorable for 30 more
// days)Restore", "UnpublishDelete"): every page an author, an editor and an
// admin see, read as text the way a browser lays it out.
func TestNoGluedWords(t *testing.T) {
	t.Parallel()
	a, c, boss := adminApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	pub := a.addPost(boss, post{title: "Published post", body: "Some words about gardens.", tags: []string{"garden"}})
	a.addPost(boss, post{title: "A draft", body: "Draft words.", state: "draft"})
	a.addPost(boss, post{title: "Gone post", body: "Deleted words.", state: "deleted"})
	a.addPost(alice, post{title: "Alice writes", body: "Gardens again.", tags: []string{"garden"}})
	a.addPost(alice, post{title: "Hidden one", body: "Spam.", state: "hidden"})
	wantStatus(t, c.post(fmt.Sprintf("/admin/users/%d/suspend", alice.ID), url.Values{"confirm": {"1"}, "reason": {"test"}}), http.StatusSeeOther)
	a.invite(c, "friend@example.com", models.RoleAuthor)
	wantStatus(t, c.upload(testImage(t, 1)), http.StatusOK)

	pages := []string{
		"/", "/posts/" + pub.Slug, "/posts/" + pub.Slug + "/edit", "/posts/new", "/drafts", "/tags/garden",
		"/@boss", "/search?q=gardens", "/settings/profile", "/settings/password", "/media",
		fmt.Sprintf("/posts/%d/revisions", pub.ID),
		"/admin", "/admin/users", "/admin/posts", "/admin/media", "/admin/invitations", "/admin/review",
		"/admin/audit", "/admin/settings",
	}
	for _, p := range pages {
		res := c.get(p)
		wantStatus(t, res, http.StatusOK)
		if g := gluedWords(res.body); len(g) > 0 {
			t.Errorf("%s: words run together: %s", p, strings.Join(g, ", "))
		}
	}
	signedOut := a.client()
	for _, p := range []string{"/", "/posts/" + pub.Slug, "/login", "/register", "/password/reset", "/search?q=gardens"} {
		res := signedOut.get(p)
		wantStatus(t, res, http.StatusOK)
		if g := gluedWords(res.body); len(g) > 0 {
			t.Errorf("%s (signed out): words run together: %s", p, strings.Join(g, ", "))
		}
	}
}
