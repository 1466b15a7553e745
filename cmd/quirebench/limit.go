package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The limit: nginx (Debian's package) serving the bytes Quire just sent for
// a page, gzipped as sent, from a file, loaded by wrk with the case's own
// settings in the same run. Quire's requests per second as a share of it
// says how much of the machine's HTTP capacity the app itself takes.

// limitConf is nginx's whole configuration: one file for every request,
// sent with the headers Quire sends for it, nothing logged.
const limitConf = `%sworker_processes %d;
daemon off;
pid %s/nginx.pid;
error_log %s/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	server {
		listen 127.0.0.1:%d;
		root %s;
		location / {
			default_type "text/html; charset=UTF-8";
			add_header Content-Encoding gzip;
			add_header Vary "Accept-Encoding, HX-Request";
			try_files /page.html.gz =404;
		}
	}
}
`

// limit measures nginx serving the case's page and notes it beside Quire's
// figures.
func (b *bench) limit(ctx context.Context, res *caseResult, rq request) {
	w, err := b.limitRun(ctx, rq)
	if err != nil {
		res.Notes = append(res.Notes, "limit: not measured: "+oneLine(err.Error()))
		logf("%s: limit: %v", res.Case.Name, err)
		return
	}
	res.Limit = &w
	share := 0.0
	if res.Wrk != nil && w.RPS > 0 {
		share = 100 * res.Wrk.RPS / w.RPS
	}
	note := fmt.Sprintf("limit (nginx serving the same gzipped bytes from a file, same wrk settings): %.0f req/s, p99 %s; Quire is %.0f%% of it",
		w.RPS, w.P99, share)
	res.Notes = append(res.Notes, note)
	logf("%s: %s", res.Case.Name, note)
}

// limitRun serves the page's bytes from nginx and loads it as the case
// was loaded.
func (b *bench) limitRun(ctx context.Context, rq request) (wrkResult, error) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		return wrkResult{}, fmt.Errorf("nginx is not installed (go tool task bench installs it as root): %w", err)
	}
	dir, err := os.MkdirTemp(b.tmp, "limit")
	if err != nil {
		return wrkResult{}, err
	}
	body, err := b.pageBytes(rq)
	if err != nil {
		return wrkResult{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "page.html.gz"), body, 0o600); err != nil {
		return wrkResult{}, err
	}
	port, err := freePort()
	if err != nil {
		return wrkResult{}, err
	}
	user := ""
	if os.Getuid() == 0 { // workers would be nobody, who cannot read the folder
		user = "user root;\n"
	}
	conf := filepath.Join(dir, "nginx.conf")
	text := fmt.Sprintf(limitConf, user, b.o.Threads, dir, dir, port, dir)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return wrkResult{}, err
	}
	cmd := exec.CommandContext(ctx, nginx, "-p", dir, "-c", conf) // #nosec G204 -- nginx from PATH on a file this run wrote
	if err := cmd.Start(); err != nil {
		return wrkResult{}, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	if err := waitServing(url); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "error.log")) // #nosec G304 -- nginx's log in the folder this run made
		return wrkResult{}, fmt.Errorf("%w: %s", err, log)
	}
	w := b.wrk(rq, b.o.Duration)
	w.URL, w.Script = url+strings.TrimPrefix(rq.path, "/"), ""
	if b.o.Warmup > 0 {
		warm := w
		warm.Duration = b.o.Warmup
		if _, _, err := warm.run(ctx); err != nil {
			return wrkResult{}, err
		}
	}
	r, _, err := w.run(ctx)
	return r, err
}

// pageBytes is the response body Quire sends for the case's request, as
// sent (gzipped).
func (b *bench) pageBytes(rq request) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, b.app.url(rq.path), nil)
	if err != nil {
		return nil, err
	}
	for _, h := range rq.headers {
		k, v, _ := strings.Cut(h, ": ")
		if k != "If-None-Match" {
			req.Header.Set(k, v)
		}
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		return nil, fmt.Errorf("%s answered %d, Content-Encoding %q; want 200 gzipped", rq.path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	return io.ReadAll(resp.Body)
}

// freePort is a loopback port nobody listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitServing waits until url answers 200, for up to 10 s.
func waitServing(url string) error {
	c := &http.Client{Timeout: time.Second}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		resp, err := c.Get(url)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("nginx did not answer %s within 10 s", url)
}
