package models

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// changesChannel is where sql/00030's triggers notify, after commit, of
// every statement that can move a reader page's stamp.
const changesChannel = "quire_changes"

// The listener's timings: how soon it tries again after losing its
// connection, and how often it asks the server whether the connection is
// still there. Memory is trusted only while an answer is at most
// changesTrustFor old: a connection that went silent (a partition, a
// server that froze) then falls back to queries within that time, before
// TCP itself would notice.
const (
	changesMinReconnect = 100 * time.Millisecond
	changesMaxReconnect = 5 * time.Second
	changesPingEvery    = time.Second
	changesTrustFor     = 3 * changesPingEvery
)

// changesMaxKept bounds the stamps kept between two changes (one a list,
// a post or page address, the settings' version); past it they start over.
const changesMaxKept = 50_000

// Changes keeps, on one replica, the stamps reader pages are validated by
// (PostModel.ChangeStamp, ResolveHead, ResolvePageHead, SettingsModel's
// version) in memory, so a page view asks PostgreSQL nothing. One LISTEN
// connection hears of every committed change (sql/00030) and forgets them
// all. While that connection is not known to be listening (starting,
// reconnecting, silent), nothing is read from or kept in memory: every
// request asks the database, as without Changes. A reconnect forgets all,
// since notices sent meanwhile are lost, so stamps are read again before
// memory is trusted. A nil *Changes keeps nothing.
//
// A read that started before a change and ends after its notice could keep
// a stale stamp: each read notes the generation it started in, and keeps
// its result only if no notice or reconnect came in between. A notice that
// comes later forgets it anyway.
type Changes struct {
	listener *pq.Listener
	log      *slog.Logger

	mu        sync.RWMutex
	gen       uint64
	connected bool // the connection is up and its LISTEN issued
	listening bool // Listen returned: the channel is in the listener's set
	kept      map[changeKey]any

	pong    atomic.Int64 // when the server last answered, in Unix nanoseconds
	notices atomic.Int64
	hits    atomic.Int64
	reads   atomic.Int64
	done    chan struct{}
}

// changeKey names one kept stamp: the query that reads it and its
// arguments.
type changeKey struct {
	query string
	id    int64
	s     string
}

// Listen starts the listening connection on dsn (the database's URL, as
// for Open) and returns at once: until it is connected, memory is not
// used. Close stops it.
func Listen(dsn string, log *slog.Logger) *Changes {
	c := &Changes{log: log, kept: map[changeKey]any{}, done: make(chan struct{})}
	// No statement timeout: the connection only listens, and a pooler
	// (PgBouncer) refuses it as a start-up parameter.
	c.listener = pq.NewDialListener(dialer{}, withDefaults(dsn, false), changesMinReconnect, changesMaxReconnect, c.event)
	go c.receive()
	go c.ping()
	go func() {
		if err := c.listener.Listen(changesChannel); err != nil {
			log.Error("listen for changes", "err", err)
			return
		}
		c.mu.Lock()
		c.listening = true
		c.forget()
		c.mu.Unlock()
	}()
	return c
}

// Close ends the listening connection.
func (c *Changes) Close() error {
	if c == nil {
		return nil
	}
	err := c.listener.Close()
	<-c.done
	return err
}

// event follows the connection: pq emits connected and reconnected only
// once the channels are listened on again.
func (c *Changes) event(ev pq.ListenerEventType, err error) {
	up := ev == pq.ListenerEventConnected || ev == pq.ListenerEventReconnected
	if up {
		c.pong.Store(time.Now().UnixNano())
	} else if ev == pq.ListenerEventDisconnected {
		// Debug: an outage of the database is logged once already (dbhealth).
		c.log.Debug("listening for changes: connection lost; pages ask the database until it is back", "err", err)
	}
	c.mu.Lock()
	c.connected = up
	c.forget()
	c.mu.Unlock()
	if ev == pq.ListenerEventReconnected {
		c.log.Debug("listening for changes again")
	}
}

// receive forgets every stamp on each notice, and on the nil pq sends
// after a reconnect (notices may have been lost).
func (c *Changes) receive() {
	defer close(c.done)
	for range c.listener.Notify {
		c.notices.Add(1)
		c.mu.Lock()
		c.forget()
		c.mu.Unlock()
	}
}

// ping asks the server regularly whether the connection is alive; memory
// is trusted only while it recently said so.
func (c *Changes) ping() {
	t := time.NewTicker(changesPingEvery)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if c.listener.Ping() == nil {
				c.pong.Store(time.Now().UnixNano())
			}
		}
	}
}

// forget drops every kept stamp and starts a generation; c.mu is held.
func (c *Changes) forget() {
	c.gen++
	clear(c.kept)
}

// trusted reports whether memory may be used; c.mu is held for reading.
func (c *Changes) trusted() bool {
	return c.connected && c.listening && time.Since(time.Unix(0, c.pong.Load())) < changesTrustFor
}

// Listening reports whether memory is in use: the connection is up,
// listening and answering.
func (c *Changes) Listening() bool {
	if c == nil {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.trusted()
}

// ChangesState is what /metrics tells of the listener.
type ChangesState struct {
	Listening bool
	// Notices heard, stamps answered from memory, and stamps read from
	// the database, since the start.
	Notices, Hits, Reads int64
}

// State reports the listener's state and counts.
func (c *Changes) State() ChangesState {
	if c == nil {
		return ChangesState{}
	}
	return ChangesState{Listening: c.Listening(), Notices: c.notices.Load(), Hits: c.hits.Load(), Reads: c.reads.Load()}
}

// remember answers key from memory when c may be trusted and holds it,
// else reads it and keeps what it read if no change came meanwhile.
func remember[T any](c *Changes, key changeKey, read func() (T, error)) (T, error) {
	if c == nil {
		return read()
	}
	c.mu.RLock()
	trusted, gen := c.trusted(), c.gen
	v, ok := c.kept[key]
	c.mu.RUnlock()
	if trusted && ok {
		c.hits.Add(1)
		return v.(T), nil
	}
	c.reads.Add(1)
	r, err := read()
	if err != nil || !trusted {
		return r, err
	}
	c.mu.Lock()
	if c.gen == gen && c.trusted() {
		if len(c.kept) >= changesMaxKept {
			clear(c.kept)
		}
		c.kept[key] = r
	}
	c.mu.Unlock()
	return r, nil
}
