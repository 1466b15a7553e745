package handlers_test

import (
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"quire/models"
)

// transferJS gives the body textarea a file as a drop or a paste
// would (event: drop or paste), with the caret at `at`: a DataTransfer holding a File of bytes
// (base64) named name, and text as text/plain unless it is "".
func transferJS(event, name, b64 string, at int, text string) string {
	return `(() => {
		const ta = document.querySelector("[data-testid=body]");
		ta.focus();
		ta.setSelectionRange(` + itoa(at) + `, ` + itoa(at) + `);
		const bytes = Uint8Array.from(atob(` + jsString(b64) + `), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], ` + jsString(name) + `, {type: "image/png"}));
		if (` + jsString(text) + ` !== "") dt.setData("text/plain", ` + jsString(text) + `);
		let evt;
		if (` + jsString(event) + ` === "drop") {
			evt = new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true});
		} else {
			evt = new Event("paste", {bubbles: true, cancelable: true});
			Object.defineProperty(evt, "clipboardData", {value: dt});
		}
		ta.dispatchEvent(evt);
		return evt.defaultPrevented;
	})()`
}

func itoa(n int) string { return strconv.Itoa(n) }

// writePNG writes a small gradient PNG into a temporary folder.
func writePNG(t *testing.T, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 5), B: 200, A: 255})
		}
	}
	file := filepath.Join(t.TempDir(), name)
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return file
}

// answerAlt waits for the description dialog and answers it.
func (b *browserTab) answerAlt(alt string, decorative bool) {
	b.t.Helper()
	b.wait("the description dialog", `document.querySelector("[data-alt-dialog]").open`)
	b.typeText("[data-testid=alt-text]", alt, true)
	if decorative {
		b.click("[data-testid=alt-decorative]")
	}
	b.click("[data-testid=alt-ok]")
}

var mediaMarkdown = `\((/media/[0-9a-f]{64}\.png)\)`

// TestBrowserImageDropAtCursor: in the inline editor, an image dropped on
// the body asks for its description (an empty one is refused unless marked
// decorative) and lands where the caret is, as its own paragraph; a file
// that is no image says so as an error and leaves the text as it was; the
// progress bar is back at zero and hidden after each upload.
func TestBrowserImageDropAtCursor(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	text := "First paragraph.\n\nSecond paragraph."
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Dropping", Body: text}, true)
	pic := base64.StdEncoding.EncodeToString(tinyPNG())

	b := a.browser(t)
	b.signIn("alice")
	b.open("/posts/" + p.Slug)
	b.click("[data-testid=edit]")
	b.wait("the inline editor with its image tools", `document.querySelector("[data-body-images]")?.hidden === false`)

	// Not an image: refused, said as an error, the text untouched.
	if !b.is(transferJS("drop", "broken.png", base64.StdEncoding.EncodeToString([]byte("not a picture")), 16, "")) {
		t.Fatal("the drop was left to the browser")
	}
	b.answerAlt("Broken", false)
	b.wait("the upload's error", `document.querySelector("[data-testid=upload-error]")?.textContent.length > 0`)
	if !b.is(`document.querySelector("[data-testid=upload-error]").getAttribute("role") === "alert" &&
		document.querySelector("[data-testid=upload-error]").classList.contains("error")`) {
		t.Error("the upload's error is not shown as an error (role=alert, the error style)")
	}
	if got := b.value("[data-testid=body]"); got != text {
		t.Errorf("after a failed upload the body is %q, want it unchanged", got)
	}

	b.is(transferJS("drop", "dot.png", pic, 16, ""))
	b.wait("the description dialog", `document.querySelector("[data-alt-dialog]").open`)
	b.click("[data-testid=alt-ok]") // no description, not decorative
	b.wait("the dialog's refusal", `!document.querySelector("[data-alt-error]").hidden`)
	if !b.is(`document.querySelector("[data-alt-dialog]").open`) {
		t.Fatal("an empty description closed the dialog")
	}
	b.typeText("[data-testid=alt-text]", "A red dot", true)
	b.click("[data-testid=alt-ok]")
	b.wait("the image in the body", `/!\[A red dot\]\(\/media\//.test(document.querySelector("[data-testid=body]").value)`)
	body := b.value("[data-testid=body]")
	if !regexp.MustCompile(`^First paragraph\.\n\n!\[A red dot\]` + mediaMarkdown + `\n\nSecond paragraph\.$`).MatchString(body) {
		t.Errorf("body after the drop = %q, want the image between the paragraphs", body)
	}
	if b.count("[data-testid=upload-error]") != 0 {
		t.Error("the earlier error stayed after a successful upload")
	}
	if !b.is(`document.querySelector("[data-body-images] progress").hidden && document.querySelector("[data-body-images] progress").value === 0`) {
		t.Error("the progress bar was not reset after the upload")
	}
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM media WHERE owner_id = $1 AND alt = 'A red dot'`, alice.ID); err != nil || n != 1 {
		t.Errorf("media rows with the description: %d (%v), want 1", n, err)
	}
}

// TestBrowserImagePasteNewPost: an image pasted into a new post's body,
// before anything was saved, goes to the media library and its Markdown in
// at the caret; marked decorative, its description is empty; the autosave
// then makes the draft with it.
func TestBrowserImagePasteNewPost(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	pic := base64.StdEncoding.EncodeToString(append(tinyPNG(), 'x'))

	b := a.browser(t)
	b.signIn("alice")
	b.open("/posts/new")
	b.wait("the image tools", `document.querySelector("[data-body-images]")?.hidden === false`)
	if !b.is(`document.getElementById("upload-form") === null || document.getElementById("upload-form").hidden`) {
		t.Error("the upload form without JavaScript is still shown beside the body's own")
	}
	b.typeText("#f-title", "Pasted", true)
	b.typeText("[data-testid=body]", "Before\nAfter", true)
	// Text copied from a word processor comes with a picture of itself: the
	// text is what is pasted.
	if b.is(transferJS("paste", "", pic, 7, "Copied words")) || b.is(`document.querySelector("[data-alt-dialog]").open`) {
		t.Error("a paste of text with a picture of it was taken for an image")
	}
	if !b.is(transferJS("paste", "", pic, 7, "")) {
		t.Fatal("the paste was left to the browser")
	}
	b.answerAlt("", true)
	b.wait("the image in the body", `/!\[\]\(\/media\//.test(document.querySelector("[data-testid=body]").value)`)
	body := b.value("[data-testid=body]")
	if !regexp.MustCompile(`^Before\n\n!\[\]` + mediaMarkdown + `\n\nAfter$`).MatchString(body) {
		t.Errorf("body after the paste = %q, want the image between the lines", body)
	}
	b.wait("the autosave", `document.querySelector("[data-testid=save-status]").textContent.includes("Saved")`)
	var stored []string
	if err := a.db.Select(&stored, `SELECT body FROM posts WHERE author_id = $1`, alice.ID); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0] != strings.ReplaceAll(body, "\r\n", "\n") {
		t.Errorf("stored drafts %q, want one holding %q", stored, body)
	}
}

// TestBrowserCoverPicker: the cover is chosen from the media library in a
// dialog, never typed: search narrows it, choosing fills the key (and the
// empty description), an upload in the picker is chosen at once, and Save
// keeps it with its caption.
func TestBrowserCoverPicker(t *testing.T) {
	a := newApp(t)
	alice := a.createUser("alice", "author")
	bob := a.createUser("bob", "author")
	harbour := a.seedMedia(alice, "Old harbour")
	a.seedMedia(alice, "New lighthouse")
	a.seedMedia(bob, "Bob's boat")
	p := seedBrowserPost(a, alice, models.PostInput{Title: "Covered", Body: "Text."}, false)

	b := a.browser(t)
	b.signIn("alice")
	b.open("/posts/" + p.Slug + "/edit")
	b.click(".more-fields summary")
	b.wait("the cover's picker button", `!!document.querySelector("[data-testid=choose-cover_key]")`)
	if !b.is(`document.querySelector("#f-cover_key").hidden`) {
		t.Error("the file-name field is still shown with JavaScript")
	}
	b.click("[data-testid=choose-cover_key]")
	b.wait("the picker's images", `document.querySelector("[data-testid=picker-dialog]").open &&
		document.querySelectorAll("[data-testid=picker-dialog] [data-testid=pick]").length === 2`)
	if b.is(`document.querySelector("[data-testid=picker-dialog]").textContent.includes("Bob's boat")`) {
		t.Error("alice's picker offers bob's image")
	}
	b.typeText("[data-testid=picker-search]", "HARBOUR\r", true)
	b.wait("the search's one image", `document.querySelectorAll("[data-testid=picker-dialog] [data-testid=pick]").length === 1`)
	b.click("[data-testid=picker-dialog] [data-testid=pick]")
	b.wait("the dialog closed", `!document.querySelector("[data-testid=picker-dialog]").open`)
	if got := b.value("#f-cover_key"); got != harbour.Key {
		t.Fatalf("cover key %q, want %q", got, harbour.Key)
	}
	if got := b.value("#f-cover_alt"); got != "Old harbour" {
		t.Errorf("cover description %q, want the image's", got)
	}
	if !b.is(`document.querySelector("[data-media-choice] img").getAttribute("src").endsWith(` + jsString(harbour.Key) + `)`) {
		t.Error("the chosen cover is not previewed")
	}

	// Upload in the picker: chosen at once; the description typed stays.
	file := writePNG(t, "fresh.png")
	b.click("[data-testid=choose-cover_key]")
	b.wait("the picker", `document.querySelector("[data-testid=picker-dialog]").open && !!document.querySelector("[data-testid=picker-file]")`)
	b.run("choose the file", chromedp.SetUploadFiles("[data-testid=picker-file]", []string{file}, chromedp.ByQuery))
	b.typeText("[data-testid=picker-alt]", "Fresh upload", true)
	b.click("[data-testid=picker-upload]")
	b.wait("the upload chosen", `!document.querySelector("[data-testid=picker-dialog]").open`)
	fresh := b.value("#f-cover_key")
	if fresh == harbour.Key || !models.ValidKey(fresh) {
		t.Fatalf("after the picker's upload the cover key is %q", fresh)
	}
	b.typeText("#f-cover_caption", "Photo: Alice", true)
	b.click("[data-testid=save]")
	b.wait("saved", `location.pathname === "/posts/`+p.Slug+`"`)
	got := storedBrowserPost(a, p.ID)
	if got.CoverKey != fresh || got.CoverAlt != "Old harbour" || got.CoverCaption != "Photo: Alice" {
		t.Errorf("stored cover %q %q %q", got.CoverKey, got.CoverAlt, got.CoverCaption)
	}
	b.wait("the caption under the cover", `document.querySelector("figure.cover-figure figcaption")?.textContent === "Photo: Alice"`)

	// The inline editor's field is a picker too, showing the cover it holds.
	b.click("[data-testid=edit]")
	b.wait("the inline editor's picker", `!!document.querySelector("form#post [data-testid=choose-cover_key]")`)
	if !b.is(`!document.querySelector("[data-media-choice] img").hidden &&
		document.querySelector("[data-media-choice] img").getAttribute("src").endsWith(` + jsString(fresh) + `)`) {
		t.Error("the inline editor does not preview the post's cover")
	}
}
