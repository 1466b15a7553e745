package handlers_test

import (
	"context"
	"fmt"
	"image"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"quire/models"
)

// Browser tests drive the real app in headless Chromium: the htmx
// behaviour (swaps in place, autosave, conflicts, uploads, history) and the
// same pages with JavaScript off.

// seedBrowserPost makes a post by author, published when publish is set.
func seedBrowserPost(a *testApp, author models.User, in models.PostInput, publish bool) models.Post {
	a.t.Helper()
	ctx := context.Background()
	posts := models.PostModel{DB: a.db}
	p, err := posts.Insert(ctx, author.ID, in)
	if err != nil {
		a.t.Fatal(err)
	}
	if publish {
		if p, err = posts.Publish(ctx, asAuthor(p), p.ID, p.Version); err != nil {
			a.t.Fatal(err)
		}
	}
	return p
}

// storedBrowserPost reads a post back from the database.
func storedBrowserPost(a *testApp, id int64) models.Post {
	a.t.Helper()
	p, err := (&models.PostModel{DB: a.db}).Get(context.Background(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return p
}

// Click-to-edit: Edit swaps the article for the form in place, Save swaps
// the saved article back, Cancel restores it untouched; no page loads.
func TestBrowserInlineEdit(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "First title", Body: "Some *text*."}, true)

	b := a.browser(t)
	b.signIn("alice")
	b.open("/posts/" + p.Slug)
	b.mark()

	b.click("[data-testid=edit]")
	b.wait("the editor replaces the article", `!!document.querySelector("form#post #f-title") && !document.querySelector("article#post")`)
	if !b.marked() {
		t.Fatal("Edit loaded a new page instead of swapping the editor in")
	}
	if got := b.path(); got != "/posts/"+p.Slug {
		t.Errorf("address after Edit = %s, want /posts/%s", got, p.Slug)
	}
	if got := b.value("#f-title"); got != "First title" {
		t.Errorf("title field = %q", got)
	}

	b.typeText("#f-title", "Second title", true)
	b.click("[data-testid=save]")
	b.wait("the saved article comes back", `document.querySelector("article#post [data-testid=post-title]")?.textContent === "Second title"`)
	if !b.marked() {
		t.Fatal("Save loaded a new page instead of swapping the article in")
	}
	if got := b.text("[data-testid=post-body]"); got != "Some text." {
		t.Errorf("post body = %q", got)
	}
	if got := b.path(); got != "/posts/"+p.Slug {
		t.Errorf("address after Save = %s, want /posts/%s", got, p.Slug)
	}
	saved := storedBrowserPost(a, p.ID)
	if saved.Title != "Second title" || saved.Version != p.Version+1 {
		t.Fatalf("stored title %q version %d, want %q version %d", saved.Title, saved.Version, "Second title", p.Version+1)
	}

	b.click("[data-testid=edit]")
	b.wait("the editor opens again", `!!document.querySelector("form#post #f-title")`)
	if got := b.value("#f-title"); got != "Second title" {
		t.Errorf("editor reopened with title %q, want the saved one", got)
	}
	b.typeText("#f-title", "Discarded title", true)
	b.typeText("#f-body", " Discarded text.", false)
	b.click("[data-testid=cancel]")
	b.wait("Cancel brings the article back", `!!document.querySelector("article#post") && !document.querySelector("form#post")`)
	if got := b.text("[data-testid=post-title]"); got != "Second title" {
		t.Errorf("title after Cancel = %q, want the saved one", got)
	}
	if !b.marked() {
		t.Error("Cancel loaded a new page")
	}
	if got := storedBrowserPost(a, p.ID); got.Title != saved.Title || got.Body != saved.Body || got.Version != saved.Version {
		t.Errorf("Cancel changed the post: %q %q version %d", got.Title, got.Body, got.Version)
	}
}

// Autosave: a draft saves itself a moment after typing stops, and each
// autosave hands the form the new version, so the next one is no conflict.
func TestBrowserAutosave(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "A draft"}, false)

	b := a.browser(t)
	b.signIn("alice")
	b.open("/posts/" + p.Slug + "/edit")
	b.fullPage("the editor")

	b.typeText("[data-testid=body]", "First words.", false)
	b.wait("the first autosave", `document.querySelector("[data-testid=save-status]").textContent.includes("Saved at")`)
	b.wait("the form carries the new version", fmt.Sprintf(`document.querySelector("#post-version").value === "%d"`, p.Version+1))
	if got := storedBrowserPost(a, p.ID); got.Body != "First words." || got.Version != p.Version+1 {
		t.Fatalf("after the first autosave: body %q version %d, want %q version %d", got.Body, got.Version, "First words.", p.Version+1)
	}

	b.typeText("[data-testid=body]", "\nMore words.", false)
	b.wait("the second autosave", fmt.Sprintf(`document.querySelector("#post-version").value === "%d"`, p.Version+2))
	if got := b.text("[data-testid=save-status]"); !strings.HasPrefix(got, "Saved at") {
		t.Errorf("save status = %q", got)
	}
	want := "First words.\nMore words."
	if got := storedBrowserPost(a, p.ID); got.Body != want || got.Version != p.Version+2 {
		t.Fatalf("after the second autosave: body %q version %d, want %q version %d", got.Body, got.Version, want, p.Version+2)
	}
	if got := b.requests("/posts/" + fmt.Sprint(p.ID) + "/autosave"); !slices.Equal(got, []int64{200, 200}) {
		t.Errorf("autosave answers = %v, want two 200s", got)
	}
	if b.count("[data-testid=conflict]") != 0 {
		t.Error("a conflict is shown")
	}
}

// Two tabs edit the same post: the later save gets the conflict with the
// other text shown and its own text kept; saving again overwrites.
func TestBrowserConflict(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Shared", Body: "The original text."}, true)

	tabA := a.browser(t)
	tabA.signIn("alice")
	tabB := tabA.newTab()
	for _, b := range []*browserTab{tabA, tabB} {
		b.open("/posts/" + p.Slug)
		b.click("[data-testid=edit]")
		b.wait("the editor", `!!document.querySelector("form#post [data-testid=body]")`)
	}

	tabA.typeText("[data-testid=body]", "Text from tab A.", true)
	tabA.click("[data-testid=save]")
	tabA.wait("tab A's save", `document.querySelector("article#post [data-testid=post-body]")?.textContent.trim() === "Text from tab A."`)

	tabB.mark()
	tabB.typeText("[data-testid=body]", "Text from tab B.", true)
	tabB.click("[data-testid=save]")
	tabB.wait("the conflict", `!!document.querySelector("form#post [data-testid=conflict]")`)
	if got := tabB.text("[data-testid=conflict-body] del"); got != "[removed: A]" {
		t.Errorf("conflict shows %q removed, want the word of tab A's text", got)
	}
	if got := tabB.value("[data-testid=body]"); got != "Text from tab B." {
		t.Errorf("tab B's textarea holds %q, want its own text", got)
	}
	if !tabB.marked() {
		t.Error("the conflict loaded a new page")
	}
	if got := storedBrowserPost(a, p.ID).Body; got != "Text from tab A." {
		t.Fatalf("stored body %q, want tab A's", got)
	}

	tabB.click("[data-testid=save]")
	tabB.wait("the deliberate overwrite", `document.querySelector("article#post [data-testid=post-body]")?.textContent.trim() === "Text from tab B."`)
	if got := storedBrowserPost(a, p.ID).Body; got != "Text from tab B." {
		t.Errorf("stored body %q, want tab B's", got)
	}
}

// An image chosen with the editor's "Insert an image" lands in the body at
// the caret as Markdown, without a page load; the link serves the stored
// image.
func TestBrowserUpload(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "With a picture", Body: "Intro.\n\nOutro."}, false)
	file := writePNG(t, "picture.png")

	b := a.browser(t)
	b.signIn("alice")
	b.open("/posts/" + p.Slug + "/edit")
	b.mark()
	b.run("place the caret", chromedp.Evaluate(`document.querySelector("[data-testid=body]").setSelectionRange(6, 6)`, nil))
	b.run("choose the file", chromedp.SetUploadFiles("[data-body-image-file]", []string{file}, chromedp.ByQuery))
	b.answerAlt("A gradient", false)
	b.wait("the upload", `document.querySelector("[data-testid=body-image-status]")?.textContent === "Added picture.png."`)

	body := b.value("[data-testid=body]")
	md := regexp.MustCompile(`^Intro\.\n\n!\[A gradient\]\((/media/[0-9a-f]{64}\.(?:jpg|png))\)\n\nOutro\.$`).FindStringSubmatch(body)
	if md == nil {
		t.Fatalf("body after the upload = %q, want the image's Markdown at the caret", body)
	}
	if !b.is(`document.querySelector("[data-body-images] progress").hidden && document.querySelector("[data-body-images] progress").value === 0`) {
		t.Error("the progress bar was not reset after the upload")
	}
	if !b.marked() {
		t.Error("the upload loaded a new page")
	}

	res, err := http.Get(a.srv.URL + md[1])
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	cfg, format, err := image.DecodeConfig(res.Body)
	if res.StatusCode != http.StatusOK || err != nil || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/") {
		t.Fatalf("GET %s: status %d, %s, decode: %v", md[1], res.StatusCode, res.Header.Get("Content-Type"), err)
	}
	if cfg.Width != 64 || cfg.Height != 48 {
		t.Errorf("served %s image is %dx%d, want 64x48", format, cfg.Width, cfg.Height)
	}
}

// Active search: results update as the reader types, in place, and the
// address bar follows so the search can be shared or reloaded.
func TestBrowserActiveSearch(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	for _, w := range []string{"zeppelin", "quokka", "marmalade"} {
		seedBrowserPost(a, alice, models.PostInput{Title: "All about " + w, Body: "A post on the " + w + " and nothing else."}, true)
	}

	b := a.browser(t)
	b.open("/search")
	b.mark()
	b.typeText("[data-testid=search-input]", "quokka", false)
	b.wait("the results", `document.querySelector("[data-testid=result-count]")?.textContent.startsWith("1 result for “quokka”")`)
	check := func(when string) {
		t.Helper()
		var titles []string
		b.eval(`[...document.querySelectorAll("[data-testid=post-item] h2")].map(e => e.textContent.trim())`, &titles)
		if !slices.Equal(titles, []string{"All about quokka"}) {
			t.Errorf("%s: results %q, want the quokka post", when, titles)
		}
	}
	check("typing")
	if !b.marked() {
		t.Error("searching loaded a new page")
	}
	if got := b.path(); got != "/search?q=quokka" {
		t.Fatalf("address after searching = %s, want /search?q=quokka", got)
	}

	b.open(b.path())
	b.fullPage("the shared search")
	if got := b.text("[data-testid=result-count]"); !strings.HasPrefix(got, "1 result for “quokka”") {
		t.Errorf("reloaded search says %q", got)
	}
	if got := b.value("[data-testid=search-input]"); got != "quokka" {
		t.Errorf("reloaded search box holds %q", got)
	}
	check("reloaded")
}

// Back and Forward after boosted links and "load more" always show a
// whole, current page, never a fragment that was swapped in.
func TestBrowserHistory(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	for i := range 15 {
		seedBrowserPost(a, alice, models.PostInput{Title: fmt.Sprintf("Post number %d", i+1), Body: "Text."}, true)
	}
	home := `document.title === "Latest posts · Quire" && document.querySelector("main h1")?.textContent === "Latest posts" && `
	page1 := home + `location.pathname + location.search === "/" && document.querySelectorAll("[data-testid=post-item]").length === 10`
	page2 := home + `location.pathname + location.search === "/?page=2" && document.querySelectorAll("[data-testid=post-item]").length === 5`

	b := a.browser(t)
	b.open("/")
	b.fullPage("home")
	b.mark()

	// A boosted link swaps in the whole post page.
	first := b.text("#posts li:nth-child(1) h2")
	b.click("#posts li:nth-child(1) h2 a")
	b.wait("the first post", `location.pathname.startsWith("/posts/") && document.querySelector("[data-testid=post-title]")?.textContent === `+jsString(first))
	b.fullPage("the first post")
	if !b.marked() {
		t.Error("a link loaded a new page instead of a boosted swap")
	}

	b.back()
	b.wait("home after Back", page1)
	b.fullPage("home after Back")

	// Load more appends page 2 in place and puts /?page=2 in the address bar.
	b.mark()
	b.click("[data-testid=load-more]")
	b.wait("page 2 appended", `document.querySelectorAll("#posts [data-testid=post-item]").length === 15 && !document.querySelector("[data-testid=load-more]")`)
	if got := b.path(); got != "/?page=2" {
		t.Errorf("address after Load more = %s, want /?page=2", got)
	}
	if !b.marked() {
		t.Error("Load more loaded a new page")
	}
	eleventh := b.text("#posts li:nth-child(11) h2")
	b.click("#posts li:nth-child(11) h2 a")
	b.wait("the eleventh post", `document.querySelector("[data-testid=post-title]")?.textContent === `+jsString(eleventh))
	b.fullPage("the eleventh post")
	postPath := b.path()

	// Back to /?page=2 is the whole of page 2, not the appended items.
	b.back()
	b.wait("page 2 after Back", page2)
	b.fullPage("page 2 after Back")
	if got := b.text("#posts li:nth-child(1) h2"); got != eleventh {
		t.Errorf("page 2 after Back starts with %q, want %q", got, eleventh)
	}

	b.forward()
	b.wait("the post after Forward", `location.pathname + location.search === `+jsString(postPath)+
		` && document.querySelector("[data-testid=post-title]")?.textContent === `+jsString(eleventh))
	b.fullPage("the post after Forward")

	// Back into /?page=2 from another document loads it again, maybe from
	// the HTTP cache, which also holds the "load more" fragment for that
	// address (htmx issue #497): the page must still be whole.
	b.open("/")
	b.click("[data-testid=load-more]")
	b.wait("page 2 appended", `document.querySelectorAll("#posts [data-testid=post-item]").length === 15`)
	b.open("/search")
	b.back()
	b.wait("page 2 after Back from another page", page2)
	b.fullPage("page 2 after Back from another page")
	b.forward()
	b.wait("search after Forward", `location.pathname === "/search" && !!document.querySelector("[data-testid=search-input]")`)
	b.fullPage("search after Forward")

	b.open("/?page=2")
	b.run("Reload", chromedp.Reload())
	b.wait("page 2 after Reload", page2)
	b.fullPage("page 2 after Reload")
}

// With JavaScript off, every reader page, the pager, signing in and the
// full-page editor work as plain links and forms.
func TestBrowserNoJS(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	for i := range 11 {
		seedBrowserPost(a, alice, models.PostInput{Title: fmt.Sprintf("Plain post %d", i+1), Body: "Nothing special."}, true)
	}
	tagged := seedBrowserPost(a, alice, models.PostInput{Title: "The tagged one", Body: "About the okapi.", Tags: []string{"x"}}, true)
	draft := seedBrowserPost(a, alice, models.PostInput{Title: "Work in progress", Body: "Draft text."}, false)

	b := a.browser(t)
	b.run("disable JavaScript", emulation.SetScriptExecutionDisabled(true))

	b.open("/")
	if b.is(`window.htmx`) {
		t.Fatal("scripts ran although JavaScript is disabled")
	}
	b.fullPage("home")
	if n := b.count("[data-testid=post-item]"); n != 10 {
		t.Errorf("home lists %d posts, want 10", n)
	}
	b.click(`a[rel=next]`)
	b.wait("page 2 through the pager", `location.search === "?page=2" && document.readyState === "complete" && document.querySelectorAll("[data-testid=post-item]").length === 2`)
	b.fullPage("page 2")

	reader := []struct{ path, sel, want string }{
		{"/posts/" + tagged.Slug, "[data-testid=post-title]", "The tagged one"},
		{"/tags/x", "[data-testid=post-item] h2", "The tagged one"},
		{"/@alice", "[data-testid=post-item] h2", "The tagged one"},
		{"/search?q=okapi", "[data-testid=result-count]", "1 result for “okapi”"},
		{"/search?q=okapi", "[data-testid=post-item] h2", "The tagged one"},
	}
	for _, r := range reader {
		b.open(r.path)
		b.fullPage(r.path)
		if got := b.text(r.sel); got != r.want {
			t.Errorf("%s: %s = %q, want %q", r.path, r.sel, got, r.want)
		}
	}

	b.signIn("alice")

	b.open("/posts/" + draft.Slug + "/edit")
	b.typeText("#f-title", "Finished piece", true)
	b.click("[data-testid=save]")
	b.wait("the saved post", `!location.pathname.endsWith("/edit") && document.readyState === "complete" && !!document.querySelector("[data-testid=post-title]")`)
	b.fullPage("the saved post")
	if got, want := b.path(), "/posts/"+storedBrowserPost(a, draft.ID).Slug; got != want {
		t.Errorf("after saving at %s, want %s", got, want)
	}
	if got := b.text("[data-testid=post-title]"); got != "Finished piece" {
		t.Errorf("post title after saving = %q", got)
	}
	if got := b.text("main .flash[role=status]"); got != "Saved." {
		t.Errorf("status after saving = %q, want Saved.", got)
	}
	if got := storedBrowserPost(a, draft.ID); got.Title != "Finished piece" || got.Body != "Draft text." {
		t.Errorf("stored %q %q", got.Title, got.Body)
	}
	if b.is(`window.htmx`) {
		t.Error("scripts ran on a later page although JavaScript is disabled")
	}
}

// A sign-in refused by the throttle (429) shows why with JavaScript on too:
// htmx swaps the form it answers with, as it does a 422's.
func TestBrowserThrottledSignInSaysSo(t *testing.T) {
	a := newApp(t)
	a.createUser("alice", "author")
	b := a.browser(t)
	b.open("/login")
	for i := range models.MaxLoginFailures + 1 {
		b.typeText("#f-login", "alice", true)
		b.typeText("#f-password", fmt.Sprintf("wrong password %d", i), true)
		b.eval(`document.querySelector("#form-page").dataset.sent = "yes"`, nil) // gone once the answer is swapped in
		b.click("#form-page button[type=submit]")
		want := "incorrect"
		if i == models.MaxLoginFailures {
			want = "Too many failed sign-in attempts"
		}
		b.wait("the answer to attempt "+fmt.Sprint(i+1)+" says "+want, `(() => { const f = document.querySelector("#form-page");
			return !!f && !f.dataset.sent && f.textContent.includes(`+jsString(want)+`) })()`)
	}
}
