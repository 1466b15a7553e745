package pagecache

import (
	"bytes"
	"testing"
)

func TestMemoKeepsWithinItsLimit(t *testing.T) {
	m := NewMemo(100, func(b []byte) int { return len(b) })
	m.Put("/a", "s1", bytes.Repeat([]byte("a"), 40))
	if _, ok := m.Get("/a", "s2"); ok {
		t.Error("a value is given for another stamp")
	}
	if b, ok := m.Get("/a", "s1"); !ok || len(b) != 40 {
		t.Fatalf("get = %d bytes, %v", len(b), ok)
	}
	m.Put("/a", "s2", bytes.Repeat([]byte("b"), 30)) // replaces
	if _, ok := m.Get("/a", "s1"); ok || m.size != 30 {
		t.Errorf("after a replace: old stamp still served, or size %d, want 30", m.size)
	}
	m.Put("/big", "s", bytes.Repeat([]byte("c"), 51)) // over half the limit
	if _, ok := m.Get("/big", "s"); ok {
		t.Error("a value of more than half the limit was kept")
	}
	for i, k := range []string{"/b", "/c", "/d", "/e"} {
		m.Put(k, "s", bytes.Repeat([]byte{byte('0' + i)}, 45))
		if m.size > m.limit {
			t.Fatalf("after %s: %d bytes kept, limit %d", k, m.size, m.limit)
		}
	}
	if b, ok := m.Get("/e", "s"); !ok || b[0] != '3' {
		t.Error("the newest value was dropped")
	}
	total := 0
	for _, e := range m.entries {
		total += len(e.value)
	}
	if total != m.size {
		t.Errorf("size %d, values %d", m.size, total)
	}
}
