package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"quire/models"
)

// axeSource is axe-core as npm installed it (assets/package.json pins it
// as a devDependency). It goes to the test browser only, through the
// DevTools protocol: the app never serves it.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "assets", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not installed (go tool task assets installs it from assets/package.json): %v", err)
	}
	return string(b)
}

type axeViolation struct {
	ID    string `json:"id"`
	Help  string `json:"help"`
	Nodes []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe runs axe-core on the page the tab shows and returns its violations.
func (b *browserTab) axe(source string) []axeViolation {
	b.t.Helper()
	var raw string
	// axe takes seconds a page on a busy machine: more than one wait.
	ctx, cancel := context.WithTimeout(b.ctx, 3*browserWaitTimeout)
	defer cancel()
	err := chromedp.Run(ctx, chromedp.Evaluate(source+";true", nil), chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`,
		&raw, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if err != nil {
		b.t.Fatalf("axe-core: %v\n%s", err, b.describe())
	}
	var out []axeViolation
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		b.t.Fatal(err)
	}
	return out
}

// axeBody is a post with what readers meet in the wild: code, a table, a
// quote, a footnote, a task list, a heading and a link.
const axeBody = "An introduction with a [link](https://example.com) and `code`.\n\n" +
	"## A section\n\n" +
	"| Name | Value |\n|---|---:|\n| one | 1 |\n| two | 2 |\n\n" +
	"```go\nfunc main() { fmt.Println(\"hello\") }\n```\n\n" +
	"> A quote.\n\n" +
	"- [x] Sow the beans\n- [ ] Water them\n\n" +
	"A claim.[^1]\n\n[^1]: The footnote.\n"

// Every kind of page passes axe-core with no violations, in the light and
// the dark colour scheme: home, a post, the editor, sign-in, search, the
// dashboard, every admin table and the site settings.
func TestBrowserAxe(t *testing.T) {
	source := axeSource(t)
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	alice := a.createUser("alice", models.RoleAuthor)
	p := seedBrowserPost(a, boss, models.PostInput{Title: "Everything in a post", Body: axeBody, Tags: []string{"garden"}}, true)
	seedBrowserPost(a, alice, models.PostInput{Title: "A garden post", Body: "Gardens."}, true)
	seedBrowserPost(a, alice, models.PostInput{Title: "A draft", Body: "Draft."}, false)

	signedOut := []string{"/", "/posts/" + p.Slug, "/login", "/search?q=garden"}
	signedIn := []string{
		"/posts/" + p.Slug + "/edit", "/posts/new", "/drafts",
		"/admin", "/admin/users", "/admin/posts", "/admin/media", "/admin/invitations", "/admin/review",
		"/admin/comments", "/admin/redirects", "/admin/redirects/new", "/admin/import",
		"/admin/audit", "/admin/settings",
	}
	// One tab a page (each tab's deadline is one browser test's), all in
	// one browser context: boss signs in once.
	b := a.browser(t)
	check := func(path, scheme string) {
		t.Helper()
		tab := b.newTab()
		tab.run("colour scheme "+scheme, emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}))
		tab.open(path)
		tab.fullPage(path)
		for _, v := range tab.axe(source) {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, fmt.Sprint(n.Target)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
			}
			t.Errorf("%s (%s): %s: %s\n\t%s", path, scheme, v.ID, v.Help, strings.Join(where, "\n\t"))
		}
	}
	for _, scheme := range []string{"light", "dark"} {
		for _, path := range signedOut {
			check(path, scheme)
		}
	}
	b.newTab().signIn("boss") // b's own deadline may have passed by now
	for _, scheme := range []string{"light", "dark"} {
		for _, path := range signedIn {
			check(path, scheme)
		}
	}
}
