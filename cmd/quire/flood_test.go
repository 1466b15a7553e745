package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// vmHWM is the process's peak resident memory so far, in MiB.
func vmHWM(t *testing.T, pid int) float64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// zeros is n bytes of '0', made as they are read.
type zeros struct{ n int64 }

func (z *zeros) Read(b []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(b)), z.n)
	for i := range b[:k] {
		b[i] = '0'
	}
	z.n -= k
	return int(k), nil
}

// TestAnonymousBodyFlood: 100 anonymous requests at once, each sending
// 11 MB, in every way an anonymous client can (no cookie; a cookie and a
// token in the header or in the body; with and without Content-Length; to
// forms and to uploads). The server's peak memory stays under 200 MiB and
// the home page is served all along. Run on the real binary, with its own
// memory limit, so the figure is the process's.
func TestAnonymousBodyFlood(t *testing.T) {
	t.Parallel()
	s := startServe(t, setUpSite(t))
	pid := s.cmd.Process.Pid
	b := newBrowser(t)
	b.get(s.addr, "/login") // an anonymous visitor's CSRF cookie and token
	cookie, token := b.cookieHeader(s.addr), b.csrf
	before := vmHWM(t, pid)

	const size = 11_000_000
	kinds := []struct {
		name, path, contentType string
		chunked                 bool
		headers                 []string
		first                   string // the body's start; zeros follow
	}{
		{"no cookie, form", "/login", "application/x-www-form-urlencoded", false, nil, "login=x&password="},
		{"no cookie, upload", "/media", "multipart/form-data; boundary=xyz", false, nil, "--xyz\r\n"},
		{"header token, upload", "/media", "multipart/form-data; boundary=xyz", false,
			[]string{"Cookie", cookie, "X-CSRF-Token", token}, "--xyz\r\n"},
		{"header token, chunked upload", "/media", "multipart/form-data; boundary=xyz", true,
			[]string{"Cookie", cookie, "X-CSRF-Token", token}, "--xyz\r\n"},
		{"body token, chunked form", "/login", "application/x-www-form-urlencoded", true,
			[]string{"Cookie", cookie}, "_csrf=" + url.QueryEscape(token) + "&login=x&password="},
		{"body token, chunked post", "/posts", "application/x-www-form-urlencoded", true,
			[]string{"Cookie", cookie}, "_csrf=" + url.QueryEscape(token) + "&title=x&body="},
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 0, DisableKeepAlives: true}}

	var wg sync.WaitGroup
	var mu sync.Mutex
	answers := map[string]int{}
	stop := make(chan struct{})
	var readerMax time.Duration
	var readerN int
	var readerBad []string
	wg.Add(1)
	go func() { // a reader, all along
		defer wg.Done()
		rc := &http.Client{Timeout: 30 * time.Second}
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			start := time.Now()
			res, err := rc.Get("http://" + s.addr + "/")
			took := time.Since(start)
			mu.Lock()
			readerN++
			readerMax = max(readerMax, took)
			if err != nil {
				readerBad = append(readerBad, err.Error())
			} else {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					readerBad = append(readerBad, res.Status)
				}
			}
			mu.Unlock()
		}
	}()

	start := time.Now()
	var flood sync.WaitGroup
	for i := range 100 {
		k := kinds[i%len(kinds)]
		flood.Add(1)
		go func() {
			defer flood.Done()
			body := io.MultiReader(strings.NewReader(k.first), &zeros{n: size - int64(len(k.first))})
			req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+k.path, body)
			req.ContentLength = size
			if k.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", k.contentType)
			for j := 0; j+1 < len(k.headers); j += 2 {
				req.Header.Set(k.headers[j], k.headers[j+1])
			}
			answer := "connection closed"
			if res, err := client.Do(req); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				answer = strconv.Itoa(res.StatusCode)
			}
			mu.Lock()
			answers[k.name+": "+answer]++
			mu.Unlock()
		}()
	}
	flood.Wait()
	took := time.Since(start)
	time.Sleep(300 * time.Millisecond) // a reader or two after the flood
	close(stop)
	wg.Wait()
	peak := vmHWM(t, pid)

	t.Logf("100 anonymous 11 MB requests in %v: %v", took.Round(time.Millisecond), answers)
	t.Logf("peak RSS (VmHWM) %.0f MiB (%.0f MiB before the flood); %d reader pages, slowest %v",
		peak, before, readerN, readerMax.Round(time.Millisecond))
	for a, n := range answers {
		if !strings.Contains(a, ": 4") && !strings.Contains(a, "connection closed") {
			t.Errorf("%d × %s, want a refusal", n, a)
		}
	}
	if peak >= 200 {
		t.Errorf("peak RSS %.0f MiB under the flood, want under 200 MiB", peak)
	}
	if len(readerBad) > 0 || readerN == 0 {
		t.Errorf("reader pages during the flood: %d served, failures %v", readerN, readerBad)
	}
	if readerMax > 3*time.Second {
		t.Errorf("the slowest reader page took %v during the flood, want under 3 s", readerMax)
	}

	// The request line and headers are bounded too.
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\n\r\n", s.addr, strings.Repeat("a", 40<<10))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("40 KiB of headers: status %d, want 431", res.StatusCode)
	}
}
