// Package pagecache holds the pure parts of Quire's cached pages, with no
// application in them: a bounded memo of values under change stamps, the
// validators and preconditions that answer 304 Not Modified, and the store
// of pages shared by everyone who may share them, gzipped once. The
// handlers decide what a key, a stamp and an ETag cover, and who may share
// a page; this package keeps and serves what they decide.
package pagecache

import "sync"

// Memo keeps one value per key together with the stamp it was made under,
// and gives it back only for that stamp. The stamps the handlers use are
// read from PostgreSQL on every request and change whenever what the value
// shows does, so a kept value is never staler than a fresh query, on any
// replica. Size is bounded: values of more than half the limit are not
// kept, and to make room other entries go in no particular order.
type Memo[V any] struct {
	mu      sync.Mutex
	entries map[string]memoEntry[V]
	size    int // of all values, as sizeOf counts
	limit   int
	sizeOf  func(V) int
}

type memoEntry[V any] struct {
	stamp string
	value V
	size  int
}

// NewMemo makes a memo of at most limit bytes, as sizeOf counts a value.
func NewMemo[V any](limit int, sizeOf func(V) int) *Memo[V] {
	return &Memo[V]{entries: map[string]memoEntry[V]{}, limit: limit, sizeOf: sizeOf}
}

// Get returns the value kept for key, if it was kept under stamp.
func (m *Memo[V]) Get(key, stamp string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || e.stamp != stamp {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put keeps v for key under stamp, replacing what was there.
func (m *Memo[V]) Put(key, stamp string, v V) {
	n := m.sizeOf(v)
	if n > m.limit/2 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[key]; ok {
		m.size -= old.size
		delete(m.entries, key)
	}
	for k, e := range m.entries {
		if m.size+n <= m.limit {
			break
		}
		m.size -= e.size
		delete(m.entries, k)
	}
	m.entries[key] = memoEntry[V]{stamp: stamp, value: v, size: n}
	m.size += n
}
