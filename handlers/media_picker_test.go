package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
	"quire/views/urls"
)

// seedMedia puts an image in owner's library with the description alt; its
// file is a tiny PNG made unique by alt.
func (a *testApp) seedMedia(owner models.User, alt string) models.Media {
	a.t.Helper()
	ctx := context.Background()
	data := append(tinyPNG(), []byte(alt)...)
	key := models.ContentKey(data, ".png")
	if err := (models.LocalStore{Dir: a.media}).Put(ctx, key, data); err != nil {
		a.t.Fatal(err)
	}
	md, err := (&models.MediaModel{DB: a.db}).Insert(ctx, models.Media{OwnerID: ownerOf(owner), Key: key,
		Width: 2, Height: 2, Bytes: len(data), ContentType: "image/png", Alt: alt})
	if err != nil {
		a.t.Fatal(err)
	}
	return md
}

// picks are the keys the picker offers, in order.
func picks(r *response) []string {
	var keys []string
	r.doc.Find("[data-pick]").Each(func(_ int, s *goquery.Selection) {
		keys = append(keys, s.AttrOr("data-pick", ""))
	})
	return keys
}

// TestMediaPicker: the picker offers an author their own images only,
// newest first, twelve a page, searched by description; an editor (who
// edits anyone's posts) and an admin get everyone's, with the owner named.
func TestMediaPicker(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	bob := a.createUser("bob", models.RoleAuthor)
	a.createUser("edna", models.RoleEditor)
	var mine []models.Media
	for i := range 14 {
		mine = append(mine, a.seedMedia(alice, "Harbour at dawn "+strconv.Itoa(i)))
	}
	theirs := a.seedMedia(bob, "Bob's secret sketch")
	mine = append(mine, a.seedMedia(alice, "A red 100% kite_1"))

	c := a.client()
	c.login("alice", strongPassword)
	res := c.get(urls.MediaPicker("", 1), "HX-Request", "true")
	wantStatus(t, res, http.StatusOK)
	got := picks(res)
	if len(got) != 12 {
		t.Fatalf("first page offers %d images, want 12: %v", len(got), got)
	}
	if got[0] != mine[14].Key || got[1] != mine[13].Key {
		t.Errorf("first page starts %v, want the newest (%s, %s) first", got[:2], mine[14].Key, mine[13].Key)
	}
	if strings.Contains(res.body, theirs.Key) || strings.Contains(res.body, "Bob's secret") {
		t.Error("an author's picker offers another author's image")
	}
	if res.doc.Find("header.site-header").Length() != 0 {
		t.Error("the picker's fragment came as a whole page")
	}
	if r := c.get(urls.MediaPicker("", 2), "HX-Request", "true"); len(picks(r)) != 3 {
		t.Errorf("second page offers %d images, want 3", len(picks(r)))
	}
	// Search is by words in the description; LIKE's wildcards are plain text.
	if got := picks(c.get(urls.MediaPicker("100% KITE_", 1), "HX-Request", "true")); len(got) != 1 || got[0] != mine[14].Key {
		t.Errorf("search %q offers %v, want only the kite", "100% KITE_", got)
	}
	if got := picks(c.get(urls.MediaPicker("%", 1), "HX-Request", "true")); len(got) != 1 {
		t.Errorf("search %q offers %d images, want the one with a %% in its description", "%", len(got))
	}
	if got := picks(c.get(urls.MediaPicker("secret", 1), "HX-Request", "true")); len(got) != 0 {
		t.Errorf("search for bob's image offers alice %v", got)
	}
	// Without JavaScript: a page naming the files.
	page := c.get(urls.MediaPicker("", 1))
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find("header.site-header").Length() == 0 || !strings.Contains(page.doc.Find(".media-key").First().Text(), ".png") {
		t.Error("the picker without JavaScript is not a page listing the file names")
	}
	if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}

	ed := a.client()
	ed.login("edna", strongPassword)
	res = ed.get(urls.MediaPicker("secret", 1), "HX-Request", "true")
	if got := picks(res); len(got) != 1 || got[0] != theirs.Key {
		t.Errorf("an editor's search offers %v, want bob's image", got)
	}
	if !strings.Contains(res.doc.Find("[data-pick]").Text(), "bob") {
		t.Error("an editor's picker does not name the image's owner")
	}

	anon := a.client()
	if r := anon.get(urls.MediaPicker("", 1)); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("signed out, the picker answered %d to %q, want the sign-in page", r.StatusCode, r.Header.Get("Location"))
	}
}

// uploadJSON posts an image to /media as media.js does, asking for JSON.
func (c *client) uploadJSON(fields url.Values, img []byte) (*response, map[string]string) {
	c.a.t.Helper()
	if c.csrf == "" {
		c.get("/media")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("_csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("file", "image.png")
	fw.Write(img)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.a.srv.URL+"/media", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res := c.do(req)
	var ans map[string]string
	if err := json.Unmarshal([]byte(res.body), &ans); err != nil {
		c.a.t.Fatalf("upload answer is not JSON (%d): %s", res.StatusCode, res.body)
	}
	return res, ans
}

// TestUploadAltOrDecorative: an image needs a description unless it is
// marked decorative, with JavaScript (JSON) and without (the library page);
// a stored one answers media.js with its key and Markdown.
func TestUploadAltOrDecorative(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("alice", models.RoleAuthor)
	c := a.client()
	c.login("alice", strongPassword)

	res, ans := c.uploadJSON(url.Values{"alt": {"  "}}, testImage(t, 1))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(ans["error"], "or mark it as decorative") {
		t.Errorf("no description: error %q", ans["error"])
	}
	res = c.postMultipart("/media", url.Values{}, "file", "image.png", testImage(t, 2))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.doc.Find("[data-testid=form-error]").Text(), "or mark it as decorative") {
		t.Error("the library's form does not say a description is needed")
	}
	if n := a.mediaRows(); n != 0 {
		t.Fatalf("%d images stored without a description", n)
	}

	res, ans = c.uploadJSON(url.Values{"decorative": {"1"}}, testImage(t, 3))
	wantStatus(t, res, http.StatusOK)
	if !strings.HasPrefix(ans["markdown"], "![](/media/") || ans["key"] == "" || ans["url"] != urls.Media(ans["key"]) {
		t.Errorf("decorative upload answered %v", ans)
	}
	res, ans = c.uploadJSON(url.Values{"alt": {"A [bright] gradient"}}, testImage(t, 4))
	wantStatus(t, res, http.StatusOK)
	if want := "![A bright gradient](" + urls.Media(ans["key"]) + ")"; ans["markdown"] != want || ans["alt"] != "A [bright] gradient" {
		t.Errorf("upload answered %v, want markdown %q", ans, want)
	}
	res, ans = c.uploadJSON(url.Values{"alt": {"Not an image"}}, []byte("GIF89a but not really"))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if ans["error"] == "" {
		t.Error("a broken image answered no error")
	}
}

// TestCoverCaption: the caption is saved with the post, shown under the
// cover in a figure, kept by autosave as pending changes, and refused past
// its length.
func TestCoverCaption(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	alice := a.createUser("alice", models.RoleAuthor)
	md := a.seedMedia(alice, "A lighthouse")
	p := a.adminPost(alice, "Lighthouses", true)
	c := a.client()
	c.login("alice", strongPassword)
	form := func(caption string) url.Values {
		return url.Values{"title": {"Lighthouses"}, "body": {"Tall."}, "cover_key": {md.Key},
			"cover_alt": {"A lighthouse"}, "cover_caption": {caption}, "version": {strconv.Itoa(a.storedPost(p.ID).Version)}}
	}

	long := strings.Repeat("é", models.MaxCaptionLen+1)
	res := c.post(urls.SavePost(p.ID), form(long))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := res.doc.Find("[data-testid=error-cover_caption]").Text(); !strings.Contains(msg, "Keep the caption to 300 characters") {
		t.Errorf("a long caption: error %q", msg)
	}
	if v, _ := res.doc.Find("#f-cover_caption").Attr("value"); v != long {
		t.Error("the refused caption was not kept in the form")
	}

	wantStatus(t, c.post(urls.SavePost(p.ID), form("  Photo: Ada  ")), http.StatusSeeOther)
	if got := a.storedPost(p.ID).CoverCaption; got != "Photo: Ada" {
		t.Fatalf("stored caption %q", got)
	}
	reader := a.client()
	page := reader.get(urls.Post(p.Slug))
	if got := page.doc.Find("figure.cover-figure img.cover + figcaption").Text(); got != "Photo: Ada" {
		t.Errorf("the post page's caption under the cover = %q", got)
	}

	// A published post's autosave keeps the caption as a pending change.
	f := form("Photo: Grace")
	wantStatus(t, c.post(urls.PostAutosave(p.ID), f, "HX-Request", "true"), http.StatusOK)
	ed := c.get(urls.EditPost(p.Slug))
	if v, _ := ed.doc.Find("#f-cover_caption").Attr("value"); v != "Photo: Grace" {
		t.Errorf("the editor brings back caption %q, want the pending one", v)
	}
	if got := a.storedPost(p.ID).CoverCaption; got != "Photo: Ada" {
		t.Errorf("autosave changed the public caption to %q", got)
	}
}
