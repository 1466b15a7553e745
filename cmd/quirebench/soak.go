package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The soak: readers (home, post, search) and signed-in authors autosaving
// and saving drafts, together, for a long time; memory and goroutines are
// read from the app's /metrics before, during and after.

const (
	soakReaders   = 16
	soakWriters   = 4
	soakSavePause = 250 * time.Millisecond // between one author's saves
)

// SoakResult is what the soak measured.
type SoakResult struct {
	Duration         time.Duration
	Readers, Writers int
	Samples          []SoakSample
	Kinds            []SoakKind
	PeakRSS          int64
	Errors           []string // the first few
}

// SoakSample is the server's state at one moment.
type SoakSample struct {
	Label      string
	RSS        int64 // process_resident_memory_bytes
	HeapInuse  int64 // go_memstats_heap_inuse_bytes
	Goroutines int   // go_goroutines
}

// SoakKind is one kind of request's totals.
type SoakKind struct {
	Name      string
	Requests  int64
	Errors    int64
	Conflicts int64
	P50, P99  time.Duration
}

type soakStats struct {
	mu        sync.Mutex
	lat       map[string][]time.Duration
	errs      map[string]int64
	conflicts map[string]int64
	examples  []string
}

func (s *soakStats) record(kind string, d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat[kind] = append(s.lat[kind], d)
	if err != nil {
		s.errs[kind]++
		if len(s.examples) < 5 {
			s.examples = append(s.examples, kind+": "+err.Error())
		}
	}
}

func (s *soakStats) conflict(kind string) {
	s.mu.Lock()
	s.conflicts[kind]++
	s.mu.Unlock()
}

var metricRE = regexp.MustCompile(`(?m)^(go_goroutines|process_resident_memory_bytes|go_memstats_heap_inuse_bytes) ([0-9.e+]+)$`)

func (b *bench) sampleMetrics(label string) (SoakSample, error) {
	s := SoakSample{Label: label}
	resp, err := http.Get(b.app.url("/metrics"))
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, m := range metricRE.FindAllStringSubmatch(string(body), -1) {
		f, _ := strconv.ParseFloat(m[2], 64)
		switch m[1] {
		case "go_goroutines":
			s.Goroutines = int(f)
		case "process_resident_memory_bytes":
			s.RSS = int64(f)
		case "go_memstats_heap_inuse_bytes":
			s.HeapInuse = int64(f)
		}
	}
	if s.RSS == 0 || s.Goroutines == 0 {
		return s, fmt.Errorf("/metrics has no go_goroutines or process_resident_memory_bytes")
	}
	return s, nil
}

func (b *bench) soak(ctx context.Context, d time.Duration) (*SoakResult, error) {
	logf("soak: %s of mixed reading (%d readers) and writing (%d authors)", d, soakReaders, soakWriters)
	res := &SoakResult{Duration: d, Readers: soakReaders, Writers: soakWriters}
	slugs, authors, err := b.soakData(ctx)
	if err != nil {
		return nil, err
	}
	s0, err := b.sampleMetrics("start (before load; after the cases above)")
	if err != nil {
		return nil, err
	}
	res.Samples = append(res.Samples, s0)

	st := &soakStats{lat: map[string][]time.Duration{}, errs: map[string]int64{}, conflicts: map[string]int64{}}
	tr := &http.Transport{MaxIdleConnsPerHost: soakReaders + soakWriters, IdleConnTimeout: 90 * time.Second}
	lctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var seq atomic.Int64
	words := []string{b.fx.Query, b.fx.Tag, "postgresql", "garden", "travel notes"}
	for i := 0; i < soakReaders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: tr, Timeout: 30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for lctx.Err() == nil {
				n := seq.Add(1)
				kind, path := "home", "/"
				switch n % 5 {
				case 1, 2:
					kind, path = "post", "/posts/"+slugs[int(n/5)%len(slugs)]
				case 3:
					kind, path = "search", "/search?q="+url.QueryEscape(words[int(n/5)%len(words)])
				}
				t := time.Now()
				err := b.soakGet(lctx, c, path)
				if lctx.Err() != nil {
					return
				}
				st.record(kind, time.Since(t), err)
			}
		}()
	}
	// Signing in costs argon2id's 19 MiB per hash: the soak's peak memory
	// is counted from when every author has signed in.
	var signedIn sync.WaitGroup
	for i := 0; i < soakWriters && i < len(authors); i++ {
		wg.Add(1)
		signedIn.Add(1)
		go func(author string) {
			defer wg.Done()
			if err := b.soakWriter(lctx, tr, author, st, signedIn.Done); err != nil && lctx.Err() == nil {
				st.record("autosave", 0, fmt.Errorf("author %s stopped: %w", author, err))
			}
		}(authors[i])
	}
	go func() {
		signedIn.Wait()
		resetPeak(b.app.pid())
	}()
	// Samples each minute (or at a tenth of short soaks) while loaded.
	every := min(time.Minute, max(d/10, time.Second))
	tick := time.NewTicker(every)
	start := time.Now()
loop:
	for {
		select {
		case <-lctx.Done():
			break loop
		case <-tick.C:
			if time.Until(start.Add(d)) < every/2 {
				continue
			}
			if s, err := b.sampleMetrics(fmt.Sprintf("after %s (under load)", time.Since(start).Round(time.Second))); err == nil {
				res.Samples = append(res.Samples, s)
			}
		}
	}
	tick.Stop()
	if s, err := b.sampleMetrics("end (under load)"); err == nil {
		res.Samples = append(res.Samples, s)
	}
	wg.Wait()
	if _, hwm, err := memory(b.app.pid()); err == nil {
		res.PeakRSS = hwm
	}
	// Idle keep-alive connections hold a goroutine each on the server:
	// close ours so the last sample shows what is left behind.
	tr.CloseIdleConnections()
	time.Sleep(5 * time.Second)
	if s, err := b.sampleMetrics("5 s after the load stopped"); err == nil {
		res.Samples = append(res.Samples, s)
	}

	for _, kind := range []string{"home", "post", "search", "autosave", "save"} {
		lat := st.lat[kind]
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		res.Kinds = append(res.Kinds, SoakKind{Name: kind, Requests: int64(len(lat)), Errors: st.errs[kind],
			Conflicts: st.conflicts[kind], P50: lat[len(lat)/2], P99: lat[len(lat)*99/100]})
	}
	res.Errors = st.examples
	logf("soak: done")
	return res, nil
}

func (b *bench) soakGet(ctx context.Context, c *http.Client, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.app.url(path), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", "quire_csrf="+b.fx.CSRFCookie)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return nil
}

// soakData picks public posts to read and seeded authors to write.
func (b *bench) soakData(ctx context.Context) (slugs, authors []string, err error) {
	db, err := b.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	if err := db.SelectContext(ctx, &slugs, `SELECT slug FROM posts WHERE status = 'published' AND deleted_at IS NULL
		ORDER BY id % 97, id LIMIT 200`); err != nil {
		return nil, nil, err
	}
	if err := db.SelectContext(ctx, &authors, `SELECT username FROM users
		WHERE role = 'author' AND state = 'active' AND username <> $1 ORDER BY id LIMIT $2`, b.fx.LoginUser, soakWriters); err != nil {
		return nil, nil, err
	}
	if len(slugs) == 0 || len(authors) == 0 {
		return nil, nil, fmt.Errorf("soak: no posts or authors to use")
	}
	return slugs, authors, nil
}

var (
	postActionRE = regexp.MustCompile(`action="/posts/(\d+)"`)
	versionRE    = regexp.MustCompile(`name="version" value="(\d+)"`)
)

// soakWriter is one author: sign in, start a draft, then autosave it as
// someone typing would, with a full save every tenth time.
func (b *bench) soakWriter(ctx context.Context, tr *http.Transport, author string, st *soakStats, signedIn func()) error {
	c := newClient()
	c.Transport = tr
	base := b.app.url("")
	err := signIn(c, base, author, b.seedPassword)
	signedIn()
	if err != nil {
		return err
	}
	token, err := formToken(c, base+"/posts/new")
	if err != nil {
		return err
	}
	title := "Soak draft by " + author
	text := strings.Repeat("A paragraph an author keeps editing while the soak runs. ", 40)
	resp, body, err := postForm(c, base+"/posts", token, url.Values{"title": {title}, "body": {text}, "tags": {"soak, notes"}})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("create draft: %s\n%s", resp.Status, snippet(body))
	}
	id, version, err := b.editorState(ctx, c, resp.Header.Get("Location"), false)
	if err != nil {
		return err
	}
	for n := 1; ctx.Err() == nil; n++ {
		form := url.Values{"title": {title}, "body": {text + strconv.Itoa(n)}, "tags": {"soak, notes"},
			"version": {strconv.Itoa(version)}}
		kind, target, headers := "autosave", base+"/posts/"+id+"/autosave", []string{"HX-Request", "true"}
		if n%10 == 0 {
			kind, target, headers = "save", base+"/posts/"+id, nil
		}
		t := time.Now()
		resp, body, err := postForm(c, target, token, form, headers...)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil:
		case resp.StatusCode == http.StatusConflict:
			st.conflict(kind)
		case kind == "autosave" && resp.StatusCode == http.StatusOK:
			if m := versionRE.FindSubmatch(body); m != nil {
				version, _ = strconv.Atoi(string(m[1]))
			} else {
				err = fmt.Errorf("autosave answer has no version")
			}
		case kind == "save" && resp.StatusCode == http.StatusSeeOther:
		default:
			err = fmt.Errorf("%s: %s", kind, resp.Status)
		}
		st.record(kind, time.Since(t), err)
		if kind == "save" || resp != nil && resp.StatusCode == http.StatusConflict {
			if _, version, err = b.editorState(ctx, c, "/posts/"+id+"/editor", true); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(soakSavePause):
		}
	}
	return nil
}

// editorState reads a post's id and current version from its editor.
func (b *bench) editorState(ctx context.Context, c *http.Client, path string, htmx bool) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.app.url(path), nil)
	if err != nil {
		return "", 0, err
	}
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	id, ver := postActionRE.FindSubmatch(body), versionRE.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || id == nil || ver == nil {
		return "", 0, fmt.Errorf("GET %s: %s, no editor form", path, resp.Status)
	}
	v, _ := strconv.Atoi(string(ver[1]))
	return string(id[1]), v, nil
}

func (s *SoakResult) write(w *bufio.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("%s of mixed load from quirebench's own Go load loop: %d readers without pause (home 40%%, post 40%%, search 20%%) ", s.Duration, s.Readers)
	p("and %d signed-in authors each autosaving a draft every %s (every tenth save a full `POST /posts/{id}`), on the same server as above.\n\n", s.Writers, soakSavePause)
	p("| moment | RSS | Go heap in use | goroutines |\n|---|---:|---:|---:|\n")
	for _, m := range s.Samples {
		p("| %s | %s | %s | %d |\n", m.Label, fmtMiB(m.RSS), fmtMiB(m.HeapInuse), m.Goroutines)
	}
	if s.PeakRSS > 0 {
		p("\nPeak RSS during the soak once the authors had signed in (VmHWM, reset then): %s.\n", fmtMiB(s.PeakRSS))
	}
	p("\n| request | count | errors | 409 conflicts | p50 | p99 |\n|---|---:|---:|---:|---:|---:|\n")
	for _, k := range s.Kinds {
		p("| %s | %d | %d | %d | %s | %s |\n", k.Name, k.Requests, k.Errors, k.Conflicts, fmtDur(k.P50), fmtDur(k.P99))
	}
	if len(s.Errors) > 0 {
		p("\nFirst errors:\n\n")
		for _, e := range s.Errors {
			p("- %s\n", oneLine(e))
		}
	}
}
