package handlers_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"quire/models"
)

// postMultipart submits the profile form with an optional file.
func (c *client) postMultipart(path string, fields url.Values, fileField, fileName string, file []byte) *response {
	c.a.t.Helper()
	if c.csrf == "" {
		c.get(path)
	}
	files := map[string]upload{}
	if fileField != "" {
		files[fileField] = upload{fileName, file}
	}
	return c.postFiles(path, fields, files)
}

func profileFields(username, email string) url.Values {
	return url.Values{"username": {username}, "email": {email}, "display_name": {"Grace H."}, "bio": {"Writes compilers."}}
}

// jpegWithEXIF is a 1200x900 JPEG carrying an EXIF block that names a camera.
func jpegWithEXIF(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	for y := 0; y < 900; y++ {
		for x := 0; x < 1200; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte("SECRET-CAMERA GPS 51.5N 0.1W")...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(exif)+2))
	b := out.Bytes()
	return append(append(append([]byte{}, b[:2]...), append(seg, exif...)...), b[2:]...)
}

// pngHeader is a valid PNG signature and IHDR claiming w x h, and nothing else.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk := append([]byte("IHDR"), ihdr...)
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestProfileUpdate(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	a.createUser("alan", "author")
	c := a.client()
	c.login("grace", strongPassword)
	page := c.get("/settings/profile")
	wantStatus(t, page, http.StatusOK)
	if v, _ := page.doc.Find(`input[name="email"]`).Attr("value"); v != "grace@example.com" {
		t.Fatalf("email field = %q", v)
	}

	dup := c.postMultipart("/settings/profile", profileFields("ALAN", "grace@example.com"), "", "", nil)
	wantStatus(t, dup, http.StatusUnprocessableEntity)
	if !strings.Contains(dup.fieldError("username"), "taken") {
		t.Fatalf("username error = %q", dup.fieldError("username"))
	}
	long := profileFields("grace", "grace@example.com")
	long.Set("bio", strings.Repeat("b", 501))
	res := c.postMultipart("/settings/profile", long, "", "", nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.fieldError("bio") == "" || res.doc.Find(`textarea[name="bio"]`).Text() != strings.Repeat("b", 501) {
		t.Fatal("bio error missing or input lost")
	}

	renamed := profileFields("grace_h", "grace.h@example.com")
	renamed.Set("current_password", strongPassword)
	res = c.postMultipart("/settings/profile", renamed, "", "", nil)
	wantStatus(t, res, http.StatusSeeOther)
	author := c.get("/@grace_h")
	wantStatus(t, author, http.StatusOK)
	if author.doc.Find("h1").Text() != "Grace H." || author.doc.Find(`[data-testid="bio"]`).Text() != "Writes compilers." {
		t.Fatalf("author page: %q / %q", author.doc.Find("h1").Text(), author.doc.Find(`[data-testid="bio"]`).Text())
	}
	wantStatus(t, c.get("/@grace"), http.StatusMovedPermanently) // the old name is held (TestFreedUsernamesHeld)
	m := a.smtp.Next(t, 5*time.Second)
	if m.To[0] != "grace@example.com" || !strings.Contains(m.Body, "grace.h@example.com") {
		t.Fatalf("email change notice: %+v", m)
	}
}

func TestAvatarUpload(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	c.login("grace", strongPassword)
	fields := profileFields("grace", "grace@example.com")

	refused := []struct {
		name, file string
		data       []byte
		msg        string
	}{
		{"text renamed .png", "notes.png", []byte("just some text, not an image at all\n"), "not a JPEG, PNG, GIF or WebP"},
		{"just over 5 MiB", "big.jpg", append(jpegWithEXIF(t), bytes.Repeat([]byte{0}, 5<<20)...), "larger than 5 MiB"},
		{"20000x20000 PNG", "bomb.png", pngHeader(20000, 20000), "too large"},
		{"SVG", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>`), "not a JPEG, PNG, GIF or WebP"},
	}
	for _, tc := range refused {
		res := c.postMultipart("/settings/profile", fields, "avatar", tc.file, tc.data)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if got := res.fieldError("avatar"); !strings.Contains(got, tc.msg) {
			t.Errorf("%s: avatar error = %q, want %q", tc.name, got, tc.msg)
		}
		if v, _ := res.doc.Find(`input[name="display_name"]`).Attr("value"); v != "Grace H." {
			t.Errorf("%s: other input lost: %q", tc.name, v)
		}
	}

	// Far past the limit, the body itself is refused before it is read.
	res := c.postMultipart("/settings/profile", fields, "avatar", "big.jpg", append(jpegWithEXIF(t), bytes.Repeat([]byte{0}, 6<<20)...))
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if !strings.Contains(res.body, "at most 5 MiB") {
		t.Errorf("6 MiB: the answer does not say the limit:\n%.300s", res.body)
	}

	res = c.postMultipart("/settings/profile", fields, "avatar", "photo.jpg", jpegWithEXIF(t))
	wantStatus(t, res, http.StatusSeeOther)
	author := c.get("/@grace")
	src, _ := author.doc.Find("img.u-photo").Attr("src")
	if !strings.HasPrefix(src, "/media/") {
		t.Fatalf("avatar src = %q", src)
	}
	img := c.get(src)
	wantStatus(t, img, http.StatusOK)
	if img.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(img.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("media headers: %v", img.Header)
	}
	if strings.Contains(img.body, "SECRET-CAMERA") || strings.Contains(img.body, "Exif") {
		t.Fatal("metadata survived re-encoding")
	}
	cfg, format, err := image.DecodeConfig(strings.NewReader(img.body))
	if err != nil || format != "jpeg" || cfg.Width != 480 || cfg.Height != 360 {
		t.Fatalf("avatar is %s %dx%d (%v), want jpeg 480x360", format, cfg.Width, cfg.Height, err)
	}
	wantStatus(t, c.get("/media/..%2f..%2fetc%2fpasswd"), http.StatusNotFound)
}

// An email change needs the current password (a borrowed session must not
// be able to move the account's reset links to another inbox), wrong
// guesses count toward the sign-in throttle, the old address is told, and
// reset links sent before the change stop working.
func TestProfileEmailChangeNeedsPassword(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	grace := a.createUser("grace", "author")
	link := requestReset(t, a, "grace@example.com")
	c := a.client()
	c.login("grace", strongPassword)
	page := c.get("/settings/profile")
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`input[name="current_password"]`).Length() != 0 {
		t.Fatal("the current password is asked for before the email changes")
	}
	// Other fields save without it.
	wantStatus(t, c.postMultipart("/settings/profile", profileFields("grace", "GRACE@example.com"), "", "", nil), http.StatusSeeOther)

	moved := profileFields("grace", "thief@example.net")
	res := c.postMultipart("/settings/profile", moved, "", "", nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.fieldError("current_password") == "" || res.doc.Find(`input[name="current_password"]`).Length() != 1 {
		t.Fatalf("no current password field with an error: %q", res.fieldError("current_password"))
	}
	if v, _ := res.doc.Find(`input[name="email"]`).Attr("value"); v != "thief@example.net" {
		t.Fatalf("email input not kept: %q", v)
	}
	const guess = "a wrong guess at it"
	moved.Set("current_password", guess)
	res = c.postMultipart("/settings/profile", moved, "", "", nil)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.fieldError("current_password"), "incorrect") || strings.Contains(res.body, guess) {
		t.Fatalf("wrong password: error %q, echoed %v", res.fieldError("current_password"), strings.Contains(res.body, guess))
	}
	var email string
	if err := a.db.Get(&email, "SELECT email FROM users WHERE id = $1", grace.ID); err != nil || email != "GRACE@example.com" {
		t.Fatalf("email = %q (%v), want unchanged", email, err)
	}
	var failures int
	if err := a.db.Get(&failures, "SELECT count(*) FROM login_failures WHERE account = $1", "user:"+strconv.FormatInt(grace.ID, 10)); err != nil || failures != 1 {
		t.Fatalf("login failures = %d (%v), want the wrong guess counted", failures, err)
	}

	moved.Set("current_password", strongPassword)
	wantStatus(t, c.postMultipart("/settings/profile", moved, "", "", nil), http.StatusSeeOther)
	m := a.smtp.Next(t, 5*time.Second)
	if m.To[0] != "GRACE@example.com" || !strings.Contains(m.Body, "thief@example.net") {
		t.Fatalf("email change notice: to %v\n%s", m.To, m.Body)
	}
	wantStatus(t, a.client().get(link), http.StatusNotFound)
	var live int
	if err := a.db.Get(&live, "SELECT count(*) FROM password_resets WHERE user_id = $1", grace.ID); err != nil || live != 0 {
		t.Fatalf("reset tokens after the email change = %d (%v)", live, err)
	}
}

// Guessing the password through the profile form is throttled like sign-in.
func TestProfileEmailChangeThrottled(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	c := a.client()
	c.login("grace", strongPassword)
	moved := profileFields("grace", "thief@example.net")
	for i := 0; i < models.MaxLoginFailures; i++ {
		moved.Set("current_password", "wrong guess number "+strconv.Itoa(i))
		wantStatus(t, c.postMultipart("/settings/profile", moved, "", "", nil), http.StatusUnprocessableEntity)
	}
	moved.Set("current_password", strongPassword)
	res := c.postMultipart("/settings/profile", moved, "", "", nil)
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || !strings.Contains(res.fieldError("current_password"), "Try again") {
		t.Fatalf("throttled answer: Retry-After %q, error %q", res.Header.Get("Retry-After"), res.fieldError("current_password"))
	}
	var email string
	if err := a.db.Get(&email, "SELECT email FROM users WHERE username = 'grace'"); err != nil || email != "grace@example.com" {
		t.Fatalf("email = %q (%v), want unchanged", email, err)
	}
}

// Names and bios lose invisible format characters (a right-to-left
// override shows "nimda" as "admin"), and only admins may look like staff.
func TestProfileNames(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	a.createUser("boss", models.RoleAdmin)
	c := a.client()
	c.login("grace", strongPassword)
	f := profileFields("grace", "grace@example.com")
	f.Set("display_name", "Grace\u202E ecarG\u200B")
	f.Set("bio", "Line one\u2066\nline\u200D two")
	wantStatus(t, c.postMultipart("/settings/profile", f, "", "", nil), http.StatusSeeOther)
	var name, bio string
	if err := a.db.QueryRow("SELECT display_name, bio FROM users WHERE username = 'grace'").Scan(&name, &bio); err != nil {
		t.Fatal(err)
	}
	if name != "Grace ecarG" || bio != "Line one\nline two" {
		t.Fatalf("stored %q / %q", name, bio)
	}

	for _, tc := range []struct{ field, value string }{
		{"display_name", "alice ✓ (staff)"},
		{"display_name", "Admin"},
		{"display_name", "Quire Support"},
		{"username", "support"},
		{"username", "quire_admin"},
	} {
		f := profileFields("grace", "grace@example.com")
		f.Set(tc.field, tc.value)
		res := c.postMultipart("/settings/profile", f, "", "", nil)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if !strings.Contains(res.fieldError(tc.field), "reserved") {
			t.Errorf("%s %q: error %q", tc.field, tc.value, res.fieldError(tc.field))
		}
	}
	reg := a.client().post("/register", url.Values{"username": {"r00t"}, "email": {"r@example.com"}, "password": {strongPassword}})
	wantStatus(t, reg, http.StatusUnprocessableEntity)
	if !strings.Contains(reg.fieldError("username"), "reserved") {
		t.Fatalf("register r00t: error %q", reg.fieldError("username"))
	}

	admin := a.client()
	admin.login("boss", strongPassword)
	f = profileFields("boss", "boss@example.com")
	f.Set("display_name", "Quire Admin")
	wantStatus(t, admin.postMultipart("/settings/profile", f, "", "", nil), http.StatusSeeOther)
}

// A password change ends every reset link sent before it, from the
// settings page as from a reset link itself (guards what item 6 relies on).
func TestPasswordChangeEndsResetLinks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("grace", "author")
	first, second := requestReset(t, a, "grace@example.com"), requestReset(t, a, "grace@example.com")
	c := a.client()
	c.login("grace", strongPassword)
	wantStatus(t, c.post("/settings/password", url.Values{"current_password": {strongPassword}, "password": {"plum sandwich eleven orbit"}}),
		http.StatusSeeOther)
	a.smtp.Next(t, 5*time.Second) // the change notice
	wantStatus(t, a.client().get(first), http.StatusNotFound)
	third := requestReset(t, a, "grace@example.com")
	wantStatus(t, a.client().post(third, url.Values{"password": {"quiet lantern over marsh"}}), http.StatusSeeOther)
	wantStatus(t, a.client().get(second), http.StatusNotFound)
	var n int
	if err := a.db.Get(&n, "SELECT count(*) FROM password_resets"); err != nil || n != 0 {
		t.Fatalf("reset tokens left = %d (%v)", n, err)
	}
}

// A profile form refused for another field stores no picture: the image is
// decoded and written only for a form that is otherwise valid.
func TestAvatarStoredOnlyForValidForm(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("ivy", "author")
	c := a.client()
	c.login("ivy", strongPassword)
	fields := profileFields("ivy", "not an address")
	res := c.postMultipart("/settings/profile", fields, "avatar", "photo.jpg", jpegWithEXIF(t))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.fieldError("email") == "" {
		t.Fatal("the bad email address was not refused")
	}
	files, err := os.ReadDir(a.media)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 0 {
		t.Errorf("a refused profile form left %d files in the media folder", len(files))
	}
}
