package handlers_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"quire/models"
	"quire/models/dbhealth"
	"quire/models/dbtest"
)

// TestHealthChecks: /healthz answers 503 only when the supervisor has given
// up on the database (so a process supervisor restarts Quire); /readyz
// answers 503 while the database is given up on, its disk is full, or its
// schema is not the version this build expects, or it does not answer (then
// saying it restarts when it does), and says which.
func TestHealthChecks(t *testing.T) {
	t.Parallel()
	health := dbhealth.New(slog.New(slog.DiscardHandler))
	a := startApp(t, dbtest.New(t), appOptions{health: health})
	c := a.client()
	check := func(state string, path string, status int, body string) {
		t.Helper()
		res := c.get(path)
		if res.StatusCode != status || !strings.Contains(res.body, body) {
			t.Errorf("%s: %s = %d %q, want %d %q", state, path, res.StatusCode, res.body, status, body)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: %s Cache-Control %q", state, path, cc)
		}
	}
	check("up", "/healthz", http.StatusOK, "ok")
	check("up", "/readyz", http.StatusOK, "ready")

	for _, c := range []struct {
		state         dbhealth.State
		healthz       int
		readyz, words string
	}{
		{dbhealth.DiskFull, http.StatusOK, "disk full", "the database's disk is full"},
		{dbhealth.Failed, http.StatusServiceUnavailable, "failed", "could not be restarted"},
	} {
		health.Set(dbhealth.Supervisor, dbhealth.Status{State: c.state, Reason: "the test"})
		check(c.readyz, "/healthz", c.healthz, "")
		check(c.readyz, "/readyz", http.StatusServiceUnavailable, c.words)
	}
	health.Set(dbhealth.Supervisor, dbhealth.Status{State: dbhealth.Up})
	check("up again", "/readyz", http.StatusOK, "ready")

	// A rollback under the running site (quire migrate down --force).
	want := models.SchemaVersion()
	a.db.MustExec(`DELETE FROM goose_db_version WHERE version_id = $1`, want)
	check("schema rolled back", "/readyz", http.StatusServiceUnavailable, "this build expects")
	check("schema rolled back", "/healthz", http.StatusOK, "ok")
	a.db.MustExec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, want)
	check("schema migrated again", "/readyz", http.StatusOK, "ready")

	// While the database restarts, /readyz asks it afresh: ready the moment
	// it answers, and saying it restarts until then.
	health.Set(dbhealth.Supervisor, dbhealth.Status{State: dbhealth.Restarting, Reason: "the test"})
	check("restarting, answering", "/readyz", http.StatusOK, "ready")
	a.db.Close()
	check("restarting", "/readyz", http.StatusServiceUnavailable, "the database is restarting")
	check("restarting", "/healthz", http.StatusOK, "ok")
}
