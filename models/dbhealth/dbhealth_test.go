package dbhealth

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestMonitorLogsOncePerChange feeds the monitor what an outage looks like
// (a restart seen by the supervisor, the probe and hundreds of requests),
// then a full disk seen by requests: the worst source wins, each change is
// logged once, and observations expire unless renewed.
func TestMonitorLogsOncePerChange(t *testing.T) {
	var buf bytes.Buffer
	m := New(slog.New(slog.NewTextHandler(&buf, nil)))
	now := time.Unix(1000, 0)
	m.now = func() time.Time { return now }
	step := func(d time.Duration) { now = now.Add(d) }

	m.Set(Supervisor, Status{State: Up})
	for range 100 {
		m.Observe(Lost, errLost)
		step(10 * time.Millisecond)
	}
	if got := m.Status().State; got != Unreachable {
		t.Fatalf("after lost connections: %v", got)
	}
	m.Set(Supervisor, Status{State: Restarting, Reason: "died", Until: now.Add(time.Second)})
	for i := range 300 {
		m.Observe(Lost, errLost)
		m.Set(Probe, Status{State: Unreachable, Reason: "refused"})
		m.Set(Supervisor, Status{State: Restarting, Reason: "died", Until: now.Add(time.Duration(i) * time.Millisecond)})
		step(10 * time.Millisecond)
	}
	if st := m.Status(); st.State != Restarting || st.Until.IsZero() {
		t.Fatalf("during the restart: %+v", st)
	}
	m.Set(Supervisor, Status{State: Up})
	if st := m.Status(); st.State != Up {
		t.Fatalf("after the restart the others' unreachable should clear: %+v", st)
	}
	m.Observe(Lost, errLost)                                                   // a stale pooled connection, just after
	m.Set(Probe, Status{State: Unreachable, Reason: "driver: bad connection"}) // the probe's, too
	if st := m.Status(); st.State != Up || !m.Outage() {
		t.Fatalf("a lost connection just after a recovery: %+v (outage %v)", st, m.Outage())
	}
	step(settleFor)
	if m.Outage() {
		t.Fatal("still settling after settleFor")
	}
	for range 50 {
		m.Observe(NoSpace, errNoSpace)
		m.Observe(Busy, errors.New("timeout"))
		step(100 * time.Millisecond)
	}
	if st := m.Status(); st.State != DiskFull {
		t.Fatalf("after disk_full errors: %+v", st)
	}
	step(noSpaceHold)
	if st := m.Status(); st.State != Up {
		t.Fatalf("a full disk no request has seen for %v: %+v", noSpaceHold, st)
	}

	if !strings.Contains(buf.String(), "No space left on device (53100)") {
		t.Errorf("the log does not say which write failed:\n%s", buf.String())
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{"database: unreachable", "database: restarting", "database: available again",
		"database: disk full", "database: available again"}
	if len(lines) != len(want) {
		t.Fatalf("logged %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %s, want %q", i+1, lines[i], w)
		}
	}
}

var (
	errLost    = errors.New("dial unix /run/.s.PGSQL.5432: connect: connection refused")
	errNoSpace = errors.New(`pq: could not extend file "base/16384/16402": No space left on device (53100)`)
)
