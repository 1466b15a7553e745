// Package dbhealth holds what the site knows about its database's health:
// one value, fed by the private cluster's supervisor, a periodic probe and
// the errors requests meet, and read by the handlers for /healthz, /readyz
// and the text and Retry-After of a 503. It logs once per change of state,
// never per request.
package dbhealth

import (
	"log/slog"
	"sync"
	"time"
)

// State is what the database is doing, worst last.
type State int

const (
	Up          State = iota
	Unreachable       // it does not answer; the cause is unknown (an external server, the network)
	Restarting        // the private server died and is being restarted
	DiskFull          // its disk is full: nothing can be written
	Failed            // restarts keep failing: the site cannot recover by itself
)

func (s State) String() string {
	switch s {
	case Up:
		return "up"
	case Unreachable:
		return "unreachable"
	case Restarting:
		return "restarting"
	case DiskFull:
		return "disk full"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Status is the database's health at one moment.
type Status struct {
	State  State
	Since  time.Time // when State began
	Until  time.Time // when it is expected to end (a restart's next attempt); zero: unknown
	Reason string    // what caused it, for the log
}

// Source is who tells a status; each keeps its own, and the worst wins.
type Source int

const (
	Supervisor Source = iota // the private cluster's supervisor
	Probe                    // the periodic check of a connection
	Requests                 // errors met by requests
	sources
)

// Fault is what an error from the database says about its health.
type Fault int

const (
	NoFault    Fault = iota // not about availability
	Busy                    // a timeout: slow, not down
	Lost                    // a connection refused, reset or ended by a shutdown
	NoSpace                 // disk_full (SQLSTATE 53100)
	Recovering              // the server says it restarts after a crash or is starting (57P02, 57P03)
)

// How long a request's observation stands unless renewed: long enough that
// an outage is one state, short enough that a passing fault clears.
const (
	lostHold    = 2 * time.Second
	noSpaceHold = 30 * time.Second
)

// settleFor is how long after a recovery requests' lost connections are
// put down to the outage just ended (pooled connections to the old server)
// rather than taken for a new one.
const settleFor = 2 * time.Second

// part is one source's status; a zero expires never ends.
type part struct {
	st      Status
	expires time.Time
}

// Monitor is the one health value. The zero Monitor is not usable: call New.
type Monitor struct {
	log *slog.Logger
	now func() time.Time

	mu     sync.Mutex
	parts  [sources]part
	cur    Status
	settle time.Time // the end of settleFor after the last recovery
}

// New returns a monitor that says Up until told otherwise.
func New(log *slog.Logger) *Monitor {
	if log == nil {
		log = slog.Default()
	}
	m := &Monitor{log: log, now: time.Now}
	m.cur = Status{State: Up, Since: m.now()}
	return m
}

// Set replaces src's status (an Up status clears it) and logs if the
// merged status changed. A source's recovery from a restart or worse also
// clears the others' "unreachable": it was the restart they saw; and for
// settleFor after a recovery, a source that finds its connection lost (the
// probe's, pooled before the restart) is not taken for a new outage.
func (m *Monitor) Set(src Source, st Status) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if st.State == Unreachable && m.now().Before(m.settle) {
		return
	}
	if st.Since.IsZero() {
		st.Since = m.now()
	}
	if st.State == Up && m.parts[src].st.State > Unreachable {
		for i := range m.parts {
			if m.parts[i].st.State == Unreachable {
				m.parts[i] = part{}
			}
		}
	}
	m.parts[src] = part{st: st}
	m.mergeLocked()
}

// Observe records what a request's error err says (f is what models.Fault
// made of it). A lost connection stands for a few seconds and a full disk
// for half a minute, each renewed by the next request that meets it; so an
// outage is logged once, with the first error, not per request.
func (m *Monitor) Observe(f Fault, err error) {
	var st Status
	var hold time.Duration
	switch f {
	case Lost:
		st, hold = Status{State: Unreachable, Reason: "a request lost its connection: " + errText(err)}, lostHold
	case NoSpace:
		st, hold = Status{State: DiskFull, Reason: "a write failed: " + errText(err)}, noSpaceHold
	case Recovering:
		st, hold = Status{State: Restarting, Reason: "the server is recovering: " + errText(err)}, lostHold
	default:
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if f != NoSpace && now.Before(m.settle) {
		return
	}
	p := &m.parts[Requests]
	if p.st.State == st.State && now.Before(p.expires) {
		st.Since, st.Reason = p.st.Since, p.st.Reason
	} else {
		st.Since = now
	}
	st.Until = now.Add(hold)
	*p = part{st: st, expires: now.Add(hold)}
	m.mergeLocked()
}

// Status returns the merged status: the worst any source tells.
func (m *Monitor) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mergeLocked()
	return m.cur
}

// Outage reports whether the database is down, or came back so lately
// that errors from the outage may still arrive: those are not news to log.
func (m *Monitor) Outage() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mergeLocked()
	return m.cur.State != Up || m.now().Before(m.settle)
}

// mergeLocked drops expired observations, recomputes the status and logs
// a change of state.
func (m *Monitor) mergeLocked() {
	now := m.now()
	worst := Status{State: Up}
	for i := range m.parts {
		p := &m.parts[i]
		if !p.expires.IsZero() && !now.Before(p.expires) {
			*p = part{}
		}
		if p.st.State > worst.State {
			worst = p.st
		}
	}
	prev := m.cur
	if worst.State == prev.State {
		if worst.State != Up { // a new reason or attempt time is no news to log
			worst.Since = prev.Since
			m.cur = worst
		}
		return
	}
	if worst.State == Up {
		worst.Since = now
		m.settle = now.Add(settleFor)
	}
	m.cur = worst
	switch {
	case worst.State == Up:
		m.log.Info("database: available again", "was", prev.State.String(),
			"down_ms", now.Sub(prev.Since).Milliseconds())
	case worst.State == Failed:
		m.log.Error("database: "+worst.State.String(), "reason", worst.Reason, "was", prev.State.String())
	default:
		m.log.Warn("database: "+worst.State.String(), "reason", worst.Reason, "was", prev.State.String())
	}
}

func errText(err error) string {
	if err == nil {
		return "no error given"
	}
	return err.Error()
}
