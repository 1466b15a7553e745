package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"quire/models"
	"quire/models/importer"
)

func wordPressFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../models/importer/testdata/wordpress-small.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importJob waits for the import at the job page path to end and returns
// the page it ended on.
func (c *client) importJob(t *testing.T, path string) *response {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := c.get(path, "HX-Request", "true")
		wantStatus(t, r, http.StatusOK)
		status, _ := r.doc.Find(`[data-testid="import-job"]`).Attr("data-status")
		if status != importer.JobRunning {
			return c.get(path)
		}
		if _, ok := r.doc.Find(`[data-testid="import-job"]`).Attr("hx-trigger"); !ok {
			t.Fatal("a running import's state does not ask for itself again")
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import at %s still runs after a minute", path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func counts(r *response) map[string]string {
	m := map[string]string{}
	r.doc.Find(`[data-testid="import-counts"] div`).Each(func(_ int, s *goquery.Selection) {
		m[strings.TrimSpace(s.Find("dt").Text())] = strings.TrimSpace(s.Find("dd").Text())
	})
	return m
}

func TestAdminImport(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.createUser("boss", models.RoleAdmin)
	c := a.client()
	c.login("boss", strongPassword)
	wp := wordPressFixture(t)

	page := c.get("/admin/import")
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find(`form[data-testid="import-form"] select[name="format"] option[value="ghost"]`).Length() != 1 {
		t.Fatal("the form does not offer Ghost")
	}

	// Bad input: the form again, saying what is missing.
	bad := c.postFiles("/admin/import", url.Values{"format": {"blogger"}}, nil)
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if bad.fieldError("format") == "" || bad.fieldError("file") == "" {
		t.Fatalf("errors: format %q, file %q", bad.fieldError("format"), bad.fieldError("file"))
	}

	// A dry run reports and writes nothing.
	res := c.postFiles("/admin/import", url.Values{"format": {"wordpress"}, "dry_run": {"1"}},
		map[string]upload{"file": {"blog.WordPress.xml", wp}})
	wantStatus(t, res, http.StatusSeeOther)
	done := c.importJob(t, res.Header.Get("Location"))
	if got := counts(done)["Posts and pages created"]; got != "17" {
		t.Errorf("dry run: created %q, want 17\n%s", got, done.doc.Find(`[data-testid="import-job"]`).Text())
	}
	var n int
	if err := a.db.Get(&n, `SELECT count(*) FROM posts`); err != nil || n != 0 {
		t.Fatalf("a dry run wrote %d posts (%v)", n, err)
	}

	res = c.postFiles("/admin/import", url.Values{"format": {"wordpress"}}, map[string]upload{"file": {"blog.WordPress.xml", wp}})
	wantStatus(t, res, http.StatusSeeOther)
	done = c.importJob(t, res.Header.Get("Location"))
	if st, _ := done.doc.Find(`[data-testid="import-job"]`).Attr("data-status"); st != importer.JobDone {
		t.Fatalf("status %q: %s", st, done.doc.Find(`[data-testid="import-job"]`).Text())
	}
	if got := counts(done); got["Posts and pages created"] != "17" || got["Authors created"] != "7" {
		t.Errorf("counts %v", got)
	}
	if done.doc.Find(`[data-testid="import-notes"] li`).Length() == 0 {
		t.Error("no notes: the file has private and scheduled posts, which are noted")
	}
	if err := a.db.Get(&n, `SELECT count(*) FROM posts`); err != nil || n != 17 {
		t.Fatalf("posts = %d (%v), want 17", n, err)
	}
	// Readers see the imported posts.
	wantStatus(t, a.client().get("/posts/a-post-with-a-conversation"), http.StatusOK)

	// The same file again changes nothing.
	res = c.postFiles("/admin/import", url.Values{"format": {"wordpress"}}, map[string]upload{"file": {"blog.WordPress.xml", wp}})
	done = c.importJob(t, res.Header.Get("Location"))
	if got := counts(done); got["Posts and pages created"] != "0" || got["Unchanged since the last import"] != "17" {
		t.Errorf("second import: %v", got)
	}

	// A file of another format fails with the importer's own words.
	res = c.postFiles("/admin/import", url.Values{"format": {"ghost"}}, map[string]upload{"file": {"blog.WordPress.xml", wp}})
	done = c.importJob(t, res.Header.Get("Location"))
	if st, _ := done.doc.Find(`[data-testid="import-job"]`).Attr("data-status"); st != importer.JobFailed ||
		strings.TrimSpace(done.doc.Find(`[data-testid="import-error"]`).Text()) == "" {
		t.Errorf("a WordPress file imported as Ghost: status %q, error %q", st, done.doc.Find(`[data-testid="import-error"]`).Text())
	}

	// The list names every import.
	if rows := c.get("/admin/import").doc.Find(`[data-testid="imports"] tbody tr`).Length(); rows != 4 {
		t.Errorf("%d imports listed, want 4", rows)
	}
}

// One import at a time, across replicas; a job whose replica died is taken
// for interrupted by the next start.
func TestAdminImportOneAtATime(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	c := a.client()
	c.login("boss", strongPassword)
	jobs := &importer.Jobs{DB: a.db}
	ctx := context.Background()
	id, err := jobs.Start(ctx, "wordpress", "other.xml", 10, false, boss.ID)
	if err != nil {
		t.Fatal(err)
	}

	res := c.postFiles("/admin/import", url.Values{"format": {"wordpress"}}, map[string]upload{"file": {"blog.xml", wordPressFixture(t)}})
	wantStatus(t, res, http.StatusConflict)
	if !strings.Contains(res.formError(), "Another import is running") {
		t.Errorf("form error %q", res.formError())
	}
	if href, _ := res.doc.Find(`[data-testid="running-import"]`).Attr("href"); href != "/admin/import/"+strconv.FormatInt(id, 10) {
		t.Errorf("running import link %q", href)
	}

	// Its replica stopped: no heartbeat for longer than JobStale.
	if _, err := a.db.Exec(`UPDATE import_jobs SET heartbeat_at = now() - interval '1 hour' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	res = c.postFiles("/admin/import", url.Values{"format": {"wordpress"}}, map[string]upload{"file": {"blog.xml", wordPressFixture(t)}})
	wantStatus(t, res, http.StatusSeeOther)
	c.importJob(t, res.Header.Get("Location"))
	old := c.get("/admin/import/" + strconv.FormatInt(id, 10))
	if st, _ := old.doc.Find(`[data-testid="import-job"]`).Attr("data-status"); st != importer.JobInterrupted ||
		!strings.Contains(old.doc.Find(`[data-testid="import-error"]`).Text(), "Run it again") {
		t.Errorf("the dead import: status %q, error %q", st, old.doc.Find(`[data-testid="import-error"]`).Text())
	}
	wantStatus(t, c.get("/admin/import/999999"), http.StatusNotFound)
}

// TestBrowserImportProgress: an import's page follows the running import
// by itself (htmx asks every second), moving its bar, and shows the summary
// when it ends, without a reload.
func TestBrowserImportProgress(t *testing.T) {
	a := newApp(t)
	boss := a.createUser("boss", models.RoleAdmin)
	jobs := &importer.Jobs{DB: a.db}
	ctx := context.Background()
	id, err := jobs.Start(ctx, "wordpress", "blog.xml", 1000, false, boss.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := a.browser(t)
	b.signIn("boss")
	b.open("/admin/import/" + strconv.FormatInt(id, 10))
	b.mark()
	if got := b.str(`String(document.querySelector("progress").value)`); got != "0" {
		t.Errorf("progress %s at the start", got)
	}
	if err := jobs.Progress(ctx, id, 500); err != nil {
		t.Fatal(err)
	}
	b.wait("the bar moves to half", `document.querySelector("progress")?.value === 50`)
	sum := importer.Summary{Posts: importer.Counts{Created: 3}, Notes: []importer.Note{{Item: "post 9", Text: "kept as a draft"}}}
	if err := jobs.Finish(ctx, id, sum, nil); err != nil {
		t.Fatal(err)
	}
	b.wait("the summary", `document.querySelector('[data-testid="import-job"]').dataset.status === "done"`)
	if !b.marked() {
		t.Error("the page was reloaded: the state should swap in place")
	}
	if got := b.text(`[data-testid="import-notes"] li`); !strings.Contains(got, "kept as a draft") {
		t.Errorf("notes %q", got)
	}
	if b.count("progress") != 0 {
		t.Error("a finished import still shows its bar")
	}
}
