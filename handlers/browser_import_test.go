package handlers_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"quire/models"
	"quire/models/importer"
	"quire/views/urls"
)

// The WordPress fixture, imported with its uploads folder, reads right on
// a 390 px phone: the rich post's headings, list, quote, code block and
// table are there and styled, the photo post's images load from the
// media library, and neither page is wider than the screen (issue 11).
func TestBrowserImportedWordPressPosts(t *testing.T) {
	a := newApp(t)
	sum := importWordPressFixture(t, a, importer.Options{MediaURL: urls.Media,
		UploadsDir: "../models/importer/testdata/wordpress-small-uploads",
		Uploads:    &models.Uploads{Rows: &models.MediaModel{DB: a.db}, Files: models.LocalStore{Dir: a.media}}})
	if sum.Posts.Created == 0 {
		t.Fatalf("nothing imported: %+v", sum)
	}
	b := a.browser(t)
	b.viewport(390, 800)

	b.open("/posts/creme-brulee-a-rich-post")
	b.fullPage("the rich post")
	if got := b.text("h1"); got != "Crème brûlée & 月饼: a rich post 🍮" {
		t.Errorf("title = %q", got)
	}
	for sel, want := range map[string]string{
		".post-body h2":                                         "Ingredients",
		".post-body h3":                                         "Method",
		".post-body ul li:nth-child(2)":                         "3 eggs & a pinch of salt",
		".post-body ol li:nth-child(2)":                         "Bake at 160 °C for 40 minutes.",
		".post-body blockquote p":                               "La cuisine, c’est l’envers du décor. « Quoted » text.",
		".post-body table th:nth-child(2)":                      "Country",
		".post-body table tbody tr:nth-child(2) td:first-child": "月饼 (mooncake)",
	} {
		if got := b.text(sel); !strings.HasPrefix(got, want) { // a heading ends in its "#" link
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := b.str(`document.querySelector(".post-body pre code").textContent`); got != "func main() {\n\tif a < b && c > d {\n\t\tfmt.Println(\"héllo, 世界 🌍\")\n\t}\n}\n" {
		t.Errorf("code block = %q", got)
	}
	if got := b.str(`getComputedStyle(document.querySelector(".post-body blockquote")).borderLeftWidth`); got == "0px" {
		t.Error("the quote is unstyled")
	}
	if n := b.num(sidewaysJS); n > 0 {
		t.Errorf("the rich post scrolls %d px sideways at 390 px", n)
	}

	// The rich post shows no image; the photo post's cover and body image
	// came in from the uploads folder.
	b.open("/posts/harbour-at-dusk-with-a-photo")
	b.wait("the images", `[...document.querySelectorAll("main img")].every(i => i.complete)`)
	if n := b.num(`document.querySelectorAll("main img").length`); n < 2 {
		t.Errorf("%d images on the photo post, want its cover and its body image", n)
	}
	if !b.is(`[...document.querySelectorAll("main img")].every(i => i.naturalWidth > 0 && i.src.includes("/media/"))`) {
		t.Errorf("an image did not load from the media library: %s", b.str(`[...document.querySelectorAll("main img")].map(i => i.src + " " + i.naturalWidth).join(", ")`))
	}
	if n := b.num(`Math.max(...[...document.querySelectorAll("main img")].map(i => i.getBoundingClientRect().right))`); n > 390 {
		t.Errorf("an image reaches %d px on a 390 px screen", n)
	}
	if n := b.num(sidewaysJS); n > 0 {
		t.Errorf("the photo post scrolls %d px sideways at 390 px", n)
	}
}

// importWordPressFixture imports the small WordPress export into a's site.
func importWordPressFixture(t *testing.T, a *testApp, opt importer.Options) importer.Summary {
	t.Helper()
	f, err := os.Open("../models/importer/testdata/wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum, err := importer.ImportWordPress(context.Background(), a.db, f, "wordpress-small.xml", opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
