package handlers_test

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"quire/models"
)

// TestBrowserMenuPhone: on a phone 390 pixels wide with JavaScript off,
// the site's menu is one Menu disclosure in the header beside its own
// links; opening it shows the links, and the About link leads to the page,
// marked there as the current one. Nothing is wider than the screen. On a
// wide screen the links are a row.
func TestBrowserMenuPhone(t *testing.T) {
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	a.newPage(boss, models.PostInput{Title: "About", Body: "Who writes here."}, true)
	saveSite(t, a, func(in *models.SiteInput) {
		in.Nav = models.NavItems{{Label: "About", Kind: models.NavPage, Target: "about"},
			{Label: "Elsewhere", Kind: models.NavURL, Target: "https://example.org/"}}
	})

	phone := a.browser(t)
	phone.run("a phone's screen, scripts off",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)),
		emulation.SetScriptExecutionDisabled(true))
	phone.open("/")
	phone.fullPage("the home page")
	if !phone.is(`typeof htmx === "undefined"`) {
		t.Fatal("scripts ran: htmx is loaded")
	}
	if phone.is(`document.querySelector(".menu-wide").checkVisibility()`) {
		t.Error("the menu's row of links shows on a phone")
	}
	if !phone.is(`document.querySelector("details.menu-compact > summary").checkVisibility()`) ||
		phone.is(`document.querySelector("details.menu-compact a").checkVisibility()`) {
		t.Error("the Menu disclosure is not shown closed")
	}
	for _, sel := range []string{`nav[aria-label="Site"] a[href="/search"]`, `nav[aria-label="Site"] a[href^="/login"]`} {
		if !phone.is(`document.querySelector(` + jsString(sel) + `)?.checkVisibility()`) {
			t.Errorf("the header's own link %s is hidden", sel)
		}
	}

	phone.click("details.menu-compact > summary")
	phone.wait("the menu is open", `document.querySelector("details.menu-compact").open`)
	if n := phone.count(`details.menu-compact a`); n != 2 ||
		!phone.is(`[...document.querySelectorAll("details.menu-compact a")].every(a => a.checkVisibility())`) {
		t.Errorf("the open menu shows %d links, or hides some", n)
	}
	if !phone.is(`document.documentElement.scrollWidth <= window.innerWidth`) {
		t.Errorf("the page is wider than the phone: %s", phone.str(`document.documentElement.scrollWidth + " > " + window.innerWidth`))
	}

	phone.click(`details.menu-compact a[href="/about"]`)
	phone.wait("the About page", `location.pathname === "/about" && document.readyState === "complete"`)
	phone.fullPage("the About page")
	if h := phone.text("main h1"); h != "About" {
		t.Errorf("the About page's heading %q", h)
	}
	if !phone.is(`document.querySelector('details.menu-compact a[href="/about"]').getAttribute("aria-current") === "page"`) {
		t.Error("the About link is not marked current on the About page")
	}

	// A wide screen shows the links in a row, no disclosure.
	phone.run("a desktop's screen", chromedp.EmulateViewport(1200, 800))
	if !phone.is(`document.querySelector(".menu-wide a").checkVisibility()`) ||
		phone.is(`document.querySelector("details.menu-compact").checkVisibility()`) {
		t.Error("on a wide screen the menu is not a row of links")
	}
}
