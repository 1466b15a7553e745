package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/mail/mailtest"
)

// TestBrowserNewOwner walks a new owner through their first hour: the
// one-time setup address names the site and creates its administrator;
// the settings give it a language, a time zone and an accent colour; an
// invited contributor writes a post that is returned, then approved; an
// About page is written. Readers then see the site's own name, language,
// zone and colour on pages, feeds and social cards.
func TestBrowserNewOwner(t *testing.T) {
	smtp := mailtest.Start(t)
	a := startApp(t, dbtest.New(t), appOptions{setup: "first-run", registration: models.RegistrationClosed, mailURL: smtp.URL})
	a.smtp = smtp
	owner := a.browser(t)

	owner.open("/")
	if !strings.Contains(owner.text("main"), "not set up yet") {
		t.Fatalf("a site without an administrator shows %q", owner.text("main"))
	}
	owner.open("/setup/first-run")
	owner.typeText("#f-title", "Field Notes", true)
	owner.typeText("#f-username", "owner", true)
	owner.typeText("#f-email", "owner@example.com", true)
	owner.typeText("#f-password", strongPassword, true)
	owner.click("#form-page button[type=submit]")
	owner.wait("the settings, signed in", `location.pathname === "/admin/settings" && !!document.querySelector('header nav a[href="/@owner"]')`)

	owner.typeText("#f-language", "fr", true)
	owner.typeText("#f-time_zone", "Pacific/Auckland", true)
	owner.typeText("#f-accent", "#aa3300", true)
	owner.click("#site-settings button[type=submit]")
	owner.wait("saved", `document.querySelector(".flash")?.textContent.includes("saved")`)

	// An invited contributor's post, returned once, then approved.
	owner.open("/admin/invitations")
	owner.click("[data-testid=table-create]")
	owner.wait("the invitation form", `!!document.querySelector("#f-email")`)
	owner.typeText("#f-email", "cora@example.com", true)
	owner.run("choose the role", chromedp.SetValue("#f-role", models.RoleContributor, chromedp.ByQuery))
	owner.click("#form-page button[type=submit]")
	owner.wait("invited", `document.querySelector("[data-testid=admin-list]")?.textContent.includes("cora@example.com")`)
	token, _ := a.mailedToken(inviteLinkRE)
	cora := a.browser(t)
	cora.open("/invitations/" + token)
	cora.typeText("#f-username", "cora", true)
	cora.typeText("#f-password", strongPassword, true)
	cora.click("#form-page button[type=submit]")
	cora.wait("signed in as cora", `!!document.querySelector('header nav a[href="/@cora"]')`)
	cora.open("/posts/new")
	cora.typeText("#f-title", "Notes from the field", true)
	cora.typeText("#f-body", "The first entry.", true)
	cora.click("[data-testid=save]")
	cora.wait("saved as a draft", `location.pathname === "/posts/notes-from-the-field/edit"`)
	cora.open("/posts/notes-from-the-field")
	cora.click("[data-testid=submit]")
	cora.wait("submitted", `document.querySelector("[data-testid=post-status]")?.textContent.trim() === "submitted"`)
	owner.open("/admin/review")
	owner.click("[data-testid=row-approve]")
	owner.wait("approved", `document.querySelector("[data-testid=admin-notice]")?.textContent.includes("Approved and published 1")`)

	// The About page.
	owner.open("/pages/new")
	owner.typeText("#f-title", "About", true)
	owner.typeText("#f-body", "Field Notes is written by a few people who walk a lot.", true)
	owner.click("[data-testid=save]")
	owner.wait("the page's editor", `location.pathname === "/about/edit" || location.pathname === "/posts/about/edit"`)
	owner.open("/about")
	owner.click("[data-testid=publish]")
	owner.wait("published", `!document.querySelector("[data-testid=post-status]")`)

	// ... and put it in the menu.
	owner.open("/admin/settings")
	owner.typeText("#f-nav_label_1", "About us", true)
	owner.run("the link leads to a page", chromedp.SetValue("#f-nav_kind_1", models.NavPage, chromedp.ByQuery))
	owner.typeText("#f-nav_target_1", "about", true)
	owner.click("#site-settings button[type=submit]")
	owner.wait("saved", `document.querySelector(".flash")?.textContent.includes("saved")`)

	// What a reader gets.
	reader := a.client()
	home := reader.get("/")
	wantStatus(t, home, http.StatusOK)
	if lang, _ := home.doc.Find("html").Attr("lang"); lang != "fr" {
		t.Errorf("<html lang> is %q, want fr", lang)
	}
	if title := home.doc.Find("title").Text(); !strings.Contains(title, "Field Notes") {
		t.Errorf("the home page's title is %q", title)
	}
	if brand := strings.TrimSpace(home.doc.Find("header .brand").Text()); brand != "Field Notes" {
		t.Errorf("the header names the site %q", brand)
	}
	// Approved in December: Auckland is UTC+13.
	if iso, _ := home.doc.Find("main time[datetime]").First().Attr("datetime"); !strings.HasSuffix(iso, "+13:00") {
		t.Errorf("the post's time is %q, want the site's zone (+13:00)", iso)
	}
	css, ok := home.doc.Find(`link[rel=stylesheet][href^="/site.css"]`).Attr("href")
	if !ok {
		t.Fatal("the site's stylesheet is not linked")
	}
	if sheet := reader.get(css); !strings.Contains(sheet.body, "#aa3300") || sheet.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("the site's stylesheet (%s) lacks the accent: %.200s", sheet.Header.Get("Content-Type"), sheet.body)
	}

	post := reader.get("/posts/notes-from-the-field")
	wantStatus(t, post, http.StatusOK)
	if site, _ := post.doc.Find(`meta[property="og:site_name"]`).Attr("content"); site != "Field Notes" {
		t.Errorf("og:site_name is %q", site)
	}
	if href, _ := home.doc.Find(`[data-testid=site-menu] a:contains("About us")`).Attr("href"); href != "/about" {
		t.Errorf("the menu's About link leads to %q", href)
	}
	about := reader.get("/about")
	wantStatus(t, about, http.StatusOK)
	if !strings.Contains(about.body, "walk a lot") {
		t.Error("the About page does not show its text")
	}

	feed := reader.get("/feed.xml")
	wantStatus(t, feed, http.StatusOK)
	for _, want := range []string{"<title>Field Notes</title>", "<language>fr</language>", "Notes from the field"} {
		if !strings.Contains(feed.body, want) {
			t.Errorf("the feed lacks %s", want)
		}
	}
	if strings.Contains(feed.body, "walk a lot") {
		t.Error("the About page is in the feed")
	}
	wantStatus(t, reader.get("/register"), http.StatusNotFound) // closed: only invitations
}
