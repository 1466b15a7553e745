package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdpnetwork "github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	cdptarget "github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// browserTestTimeout bounds one browser test, start to finish.
const browserTestTimeout = 60 * time.Second

// browserWaitTimeout bounds one wait for a condition in the page.
const browserWaitTimeout = 15 * time.Second

// The browser is started once per test binary, on first use; each test gets
// tabs in a browser context of its own (its own cookies and cache).
var browserOnce struct {
	sync.Once
	ctx context.Context
	err error
}

func browserPath() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no chromium, chromium-browser or google-chrome on PATH: install chromium " +
		"(apt-get install -y chromium; go tool task test does it when run as root)")
}

// browserDataDir makes the shared browser's profile folder. The browser
// outlives every single test, so no test's TempDir can hold it; folders
// left by earlier test binaries that are no longer running are removed.
func browserDataDir() (string, error) {
	root := filepath.Join(os.TempDir(), "quire-browser-tests")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", err
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		owner, _, _ := strings.Cut(e.Name(), "-")
		pid, err := strconv.Atoi(owner)
		if err == nil && pid != os.Getpid() && errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			_ = os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	dir, err := os.MkdirTemp(root, strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", err
	}
	return dir, nil
}

func startBrowser() (context.Context, error) {
	path, err := browserPath()
	if err != nil {
		return nil, err
	}
	dir, err := browserDataDir()
	if err != nil {
		return nil, err
	}
	alloc, _ := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Tabs in the background keep their timers (htmx delays) on time.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		// Back and Forward load pages again (from the HTTP cache when it
		// may) instead of restoring them whole from memory: the case where
		// a cached fragment could be shown as a page.
		chromedp.Flag("disable-back-forward-cache", true),
	)
	ctx, _ := chromedp.NewContext(alloc)
	if err := chromedp.Run(ctx); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return ctx, nil
}

// browserTab is one browser tab on the test app.
type browserTab struct {
	t    *testing.T
	a    *testApp
	ctx  context.Context // carries the test's deadline
	root context.Context // the tab itself, for diagnostics after a timeout

	browserContext cdp.BrowserContextID

	mu       sync.Mutex
	problems []string           // script errors and CSP reports
	statuses map[string][]int64 // path -> statuses of the htmx requests to it
}

// browser opens a tab in a fresh browser context: signed out, empty cache.
func (a *testApp) browser(t *testing.T) *browserTab {
	t.Helper()
	browserOnce.Do(func() { browserOnce.ctx, browserOnce.err = startBrowser() })
	if browserOnce.err != nil {
		t.Fatal(browserOnce.err)
	}
	var id cdp.BrowserContextID
	err := chromedp.Run(browserOnce.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		id, err = cdptarget.CreateBrowserContext().Do(onBrowser(ctx))
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(browserOnce.ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
			return cdptarget.DisposeBrowserContext(id).Do(onBrowser(ctx))
		}))
	})
	return a.openTab(t, id)
}

// newTab opens another tab in the same browser context: same cookies, like
// a second tab of the same browser.
func (b *browserTab) newTab() *browserTab {
	b.t.Helper()
	return b.a.openTab(b.t, b.browserContext)
}

// onBrowser sends commands to the browser rather than to a tab.
func onBrowser(ctx context.Context) context.Context {
	return cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Browser)
}

// openTab opens a tab in a browser context. (chromedp's own
// WithNewBrowserContext asks for a tab without a window, which current
// Chromium refuses in a context that has none.)
func (a *testApp) openTab(t *testing.T, browserContext cdp.BrowserContextID) *browserTab {
	t.Helper()
	var id cdptarget.ID
	err := chromedp.Run(browserOnce.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		id, err = cdptarget.CreateTarget("about:blank").WithBrowserContextID(browserContext).
			WithNewWindow(true).Do(onBrowser(ctx))
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	root, cancel := chromedp.NewContext(browserOnce.ctx, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	b := &browserTab{t: t, a: a, root: root, browserContext: browserContext, statuses: map[string][]int64{}}
	chromedp.ListenTarget(root, b.listen)
	if err := chromedp.Run(root); err != nil { // opens the tab, without the deadline
		t.Fatal(err)
	}
	deadline := time.Now().Add(browserTestTimeout)
	if d, ok := t.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	ctx, stop := context.WithDeadline(root, deadline)
	t.Cleanup(stop)
	b.ctx = ctx
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("in the browser: %s", p)
		}
	})
	return b
}

// listen records script errors, CSP violations and the status of every
// htmx request. It runs on chromedp's event loop and must not block.
func (b *browserTab) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *cdpruntime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg = d.Exception.Description
		}
		b.problems = append(b.problems, "uncaught exception: "+msg)
	case *cdpruntime.EventConsoleAPICalled:
		if ev.Type == cdpruntime.APITypeError {
			var parts []string
			for _, arg := range ev.Args {
				if arg.Description != "" {
					parts = append(parts, arg.Description)
				} else {
					parts = append(parts, string(arg.Value))
				}
			}
			b.problems = append(b.problems, "console.error: "+strings.Join(parts, " "))
		}
	case *cdplog.EventEntryAdded:
		// Network errors (a 409 or 422 the page expects) are not problems.
		if ev.Entry.Level == cdplog.LevelError && ev.Entry.Source != cdplog.SourceNetwork {
			b.problems = append(b.problems, string(ev.Entry.Source)+": "+ev.Entry.Text)
		}
	case *cdpnetwork.EventResponseReceived:
		if ev.Type == cdpnetwork.ResourceTypeXHR || ev.Type == cdpnetwork.ResourceTypeFetch {
			if u, err := url.Parse(ev.Response.URL); err == nil {
				b.statuses[u.Path] = append(b.statuses[u.Path], ev.Response.Status)
			}
		}
	}
}

// requests returns the statuses of the htmx requests made to path so far.
func (b *browserTab) requests(path string) []int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]int64(nil), b.statuses[path]...)
}

// run runs actions and fails the test, describing the page, on error or
// when they take longer than a wait may.
func (b *browserTab) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserWaitTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.describe())
	}
}

// describe says where the tab is and what it shows, for failure messages.
func (b *browserTab) describe() string {
	ctx, cancel := context.WithTimeout(b.root, 5*time.Second)
	defer cancel()
	var loc, title, text string
	err := chromedp.Run(ctx,
		chromedp.Evaluate(`location.href`, &loc),
		chromedp.Evaluate(`document.title`, &title),
		chromedp.Evaluate(`document.body ? document.body.innerText.slice(0, 1500) : ""`, &text),
	)
	if err != nil {
		return "(page not readable: " + err.Error() + ")"
	}
	return fmt.Sprintf("page %s, title %q:\n%s", loc, title, text)
}

// open loads path as a fresh page (typing the address).
func (b *browserTab) open(path string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.a.srv.URL+path))
}

// wait polls the JavaScript expression until it is true. It keeps polling
// across page loads, which destroy the page's JavaScript context.
func (b *browserTab) wait(what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(browserWaitTimeout)
	var lastErr error
	for {
		var ok bool
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		err := chromedp.Run(ctx, chromedp.Evaluate("!!("+expr+")", &ok))
		cancel()
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if b.ctx.Err() != nil || time.Now().After(deadline) {
			b.t.Fatalf("waiting until %s (%s): timed out (last error: %v)\n%s", what, expr, lastErr, b.describe())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eval evaluates a JavaScript expression into res.
func (b *browserTab) eval(expr string, res any) {
	b.t.Helper()
	b.run("evaluate "+expr, chromedp.Evaluate(expr, res))
}

func (b *browserTab) str(expr string) string {
	b.t.Helper()
	var s string
	b.eval(expr, &s)
	return s
}

func (b *browserTab) is(expr string) bool {
	b.t.Helper()
	var ok bool
	b.eval("!!("+expr+")", &ok)
	return ok
}

// text is the trimmed text of the first element matching sel, "" if none.
func (b *browserTab) text(sel string) string {
	b.t.Helper()
	return b.str(`(document.querySelector(` + jsString(sel) + `)?.textContent ?? "").trim()`)
}

// value is the current value of the form control matching sel.
func (b *browserTab) value(sel string) string {
	b.t.Helper()
	return b.str(`document.querySelector(` + jsString(sel) + `)?.value ?? ""`)
}

func (b *browserTab) count(sel string) int {
	b.t.Helper()
	var n int
	b.eval(`document.querySelectorAll(`+jsString(sel)+`).length`, &n)
	return n
}

func (b *browserTab) path() string {
	b.t.Helper()
	return b.str(`location.pathname + location.search`)
}

// click clicks the first visible element matching sel, as a user would.
func (b *browserTab) click(sel string) {
	b.t.Helper()
	b.run("click "+sel, chromedp.Click(sel, chromedp.ByQuery, chromedp.NodeVisible))
}

// typeText types into the field matching sel, replacing what it holds or
// appending at its end.
func (b *browserTab) typeText(sel, text string, replace bool) {
	b.t.Helper()
	b.run("focus "+sel, chromedp.Evaluate(`(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		el.focus();
		if (`+strconv.FormatBool(replace)+`) el.select(); else el.setSelectionRange(el.value.length, el.value.length);
		return true;
	})()`, nil))
	b.run("type into "+sel, chromedp.KeyEvent(text))
}

// back goes one step back in the tab's history, like the Back button. It
// does not wait: a step within the document fires no load event, so the
// caller waits for what the page must show.
func (b *browserTab) back() { b.t.Helper(); b.history(-1) }

// forward goes one step forward, like the Forward button; see back.
func (b *browserTab) forward() { b.t.Helper(); b.history(+1) }

func (b *browserTab) history(step int) {
	b.t.Helper()
	b.run("go "+strconv.Itoa(step)+" in history", chromedp.ActionFunc(func(ctx context.Context) error {
		cur, entries, err := page.GetNavigationHistory().Do(ctx)
		if err != nil {
			return err
		}
		i := int(cur) + step
		if i < 0 || i >= len(entries) {
			return fmt.Errorf("no history entry %d of %d", i, len(entries))
		}
		return page.NavigateToHistoryEntry(entries[i].ID).Do(ctx)
	}))
}

// mark sets a marker on window; it survives swaps, not page loads.
func (b *browserTab) mark() {
	b.t.Helper()
	b.eval(`window.__quireMarker = 1`, nil)
}

// marked reports whether no page load happened since mark.
func (b *browserTab) marked() bool {
	b.t.Helper()
	return b.is(`window.__quireMarker === 1`)
}

// fullPage waits until the document is a whole page, not a fragment: the
// site header and footer around the content, the site's title.
func (b *browserTab) fullPage(what string) {
	b.t.Helper()
	b.wait(what+" is a full page", fullPageJS)
}

const fullPageJS = `document.readyState === "complete" && !!document.querySelector("header.site-header") &&
	!!document.querySelector("footer.site-footer") && document.title.endsWith("· Quire")`

// signIn signs in through the form and waits for the next page.
func (b *browserTab) signIn(username string) {
	b.t.Helper()
	b.open("/login")
	b.typeText("#f-login", username, true)
	b.typeText("#f-password", strongPassword, true)
	b.click("#form-page button[type=submit]")
	b.wait("signed in as "+username, `location.pathname !== "/login" && document.readyState === "complete" &&
		!!document.querySelector(`+jsString(`header nav a[href="/@`+username+`"]`)+`)`)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
