package handlers_test

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
	"quire/models/imaging"
)

// zeroPNG is a PNG of w x h zero pixels of 8-bit RGBA, compressed as a
// decompression bomb is: about 5 KB a megapixel, declaring 4 MB of pixels.
func zeroPNG(w, h int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		out.Write(c)
		binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	chunk("IHDR", append(ihdr, 8, 6, 0, 0, 0))
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	row := make([]byte, 1+4*w)
	for range h {
		zw.Write(row)
	}
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

var (
	bombOnce sync.Once
	bomb40   []byte // the bomb: 40 megapixels of RGBA zeros, about 200 KB
)

func bomb(t *testing.T) []byte {
	bombOnce.Do(func() { bomb40 = zeroPNG(8000, 5000) })
	return bomb40
}

// TestImageBombRefused: a bomb within the pixel limit but not the memory
// budget is refused, as a post image and as an avatar, with a message
// saying how large an image may be.
func TestImageBombRefused(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	c.get("/media")

	res := c.upload(bomb(t))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "The image is too large: at most") {
		t.Errorf("upload: no message saying the image is too large:\n%s", res.body)
	}
	res = c.postMultipart("/settings/profile", profileFields("author", "author@example.com"), "avatar", "bomb.png", bomb(t))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := res.fieldError("avatar"); !strings.Contains(got, "The image is too large: at most") {
		t.Errorf("avatar error = %q", got)
	}
	if files := a.mediaFiles(); len(files) > 0 || a.mediaRows() > 0 {
		t.Errorf("stored %v", files)
	}
}

// TestImagePipelineBusy: when the pipeline has no room within its queue
// wait, uploads and avatars alike are answered 503 with Retry-After and a
// plain message; once there is room the same upload is stored.
func TestImagePipelineBusy(t *testing.T) {
	t.Parallel()
	pipe := imaging.NewPipeline(64<<20, 200*time.Millisecond)
	a := startApp(t, dbtest.New(t), appOptions{images: pipe})
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	c.get("/media")
	release, err := pipe.Acquire(context.Background(), 64<<20) // other uploads hold it all
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	img := testImage(t, 3)
	busy := func(what string, res *response) {
		t.Helper()
		wantStatus(t, res, http.StatusServiceUnavailable)
		if res.Header.Get("Retry-After") != strconv.Itoa(imaging.RetryAfter) {
			t.Errorf("%s: Retry-After %q", what, res.Header.Get("Retry-After"))
		}
		if !strings.Contains(res.body, "Too many images are being processed right now.") {
			t.Errorf("%s: no message saying why:\n%s", what, res.body)
		}
	}
	busy("upload", c.upload(img))
	busy("avatar", c.postMultipart("/settings/profile", profileFields("author", "author@example.com"), "avatar", "me.png", img))
	if files := a.mediaFiles(); len(files) > 0 || a.mediaRows() > 0 {
		t.Errorf("stored %v while busy", files)
	}

	release()
	wantStatus(t, c.upload(img), http.StatusOK)
	if files := a.mediaFiles(); len(files) != 3 || a.mediaRows() != 1 {
		t.Fatalf("stored files %v and %d rows, want the image, 2 copies and 1 row", files, a.mediaRows())
	}
}

// TestImageBombServer is no test on its own: TestImageBombPeakRSS runs the
// test binary again with only this test, as the server whose memory it
// measures, so that nothing else in the process counts.
func TestImageBombServer(t *testing.T) {
	dsn := os.Getenv("QUIRE_BOMB_SERVER_DSN")
	if dsn == "" {
		t.Skip("the server of TestImageBombPeakRSS")
	}
	debug.SetMemoryLimit((32 + 24*int64(runtime.NumCPU())) << 20) // as quire serve sets it
	db, err := models.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := startApp(t, db, appOptions{timeout: time.Minute})
	fmt.Printf("listening %s\n", a.srv.URL)
	io.Copy(io.Discard, os.Stdin) // serve until the parent closes stdin
}

// TestImageBombPeakRSS uploads ten bombs at once to a server in its own
// process and reads the process's peak resident memory (VmHWM): first the
// issue's 40-megapixel RGBA bomb, refused from its header, then the largest
// RGBA bomb the budget accepts (27.5 megapixels, 150 MB to decode), which
// the pipeline decodes one at a time while the others wait or are told to
// come back. Peak RSS must stay under 300 MiB.
func TestImageBombPeakRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc")
	}
	dsn := dbtest.URL(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestImageBombServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), "QUIRE_BOMB_SERVER_DSN="+dsn)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
		}
	}()
	lines := bufio.NewScanner(stdout)
	url := ""
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "listening "); ok {
			url = u
			break
		}
	}
	if url == "" {
		t.Fatal("the server did not start")
	}
	go io.Copy(io.Discard, stdout)

	db, err := models.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &testApp{t: t, srv: &httptest.Server{URL: url}, db: db,
		users: &models.UserModel{DB: db, Hasher: models.NewHasher(models.TestPasswordParams, 0)}}
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	c.get("/media")
	cookies := "quire_session=" + c.cookie("quire_session") + "; quire_csrf=" + c.cookie("quire_csrf")

	flood := func(img []byte) map[int]int {
		body, ctype := uploadBody(t, img)
		statuses := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, url+"/media", bytes.NewReader(body))
				req.Header.Set("Content-Type", ctype)
				req.Header.Set("X-CSRF-Token", c.csrf)
				req.Header.Set("Cookie", cookies)
				status := 0
				if res, err := http.DefaultClient.Do(req); err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					status = res.StatusCode
					if status == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
						status = -status // flagged below
					}
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return statuses
	}
	hwm := func() int64 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				return kb << 10
			}
		}
		t.Fatal("no VmHWM")
		return 0
	}
	start := hwm()

	st := flood(bomb(t))
	afterRefused := hwm()
	if st[http.StatusUnprocessableEntity] != 10 {
		t.Errorf("40 MP bombs: statuses %v, want 10 refused (422)", st)
	}

	st = flood(zeroPNG(5500, 5000))
	peak := hwm()
	if st[http.StatusOK] == 0 || st[http.StatusOK]+st[http.StatusServiceUnavailable] != 10 {
		t.Errorf("27.5 MP bombs: statuses %v, want each stored (200) or sent back with Retry-After (503), at least one stored", st)
	}
	t.Logf("server peak RSS: %d MiB at start, %d MiB after ten 40 MP bombs, %d MiB after ten 27.5 MP bombs (%v)",
		start>>20, afterRefused>>20, peak>>20, st)
	if peak > 300<<20 {
		t.Errorf("peak RSS %d MiB, want under 300 MiB", peak>>20)
	}
}

// TestUploadRefreshesStoredFile: uploading an image whose file is already
// stored (and old, so possibly an orphan the janitor is about to remove)
// writes it again, so the janitor's grace period covers it until its row is
// in.
func TestUploadRefreshesStoredFile(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("author", "author")
	c := a.client()
	c.login("author", strongPassword)
	c.get("/media")
	img := testImage(t, 4)
	wantStatus(t, c.upload(img), http.StatusOK)
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range a.mediaFiles() {
		if err := os.Chtimes(filepath.Join(a.media, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	wantStatus(t, c.upload(img), http.StatusOK)
	for _, name := range a.mediaFiles() {
		fi, err := os.Stat(filepath.Join(a.media, name))
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(fi.ModTime()) > time.Hour {
			t.Errorf("%s: still written %v ago", name, time.Since(fi.ModTime()).Round(time.Minute))
		}
	}
}
