package handlers

import (
	"bytes"
	"testing"
)

func TestDocCacheKeepsWithinItsLimit(t *testing.T) {
	d := newDocCache(100)
	d.put("/a", "e1", bytes.Repeat([]byte("a"), 40))
	if _, ok := d.get("/a", "e2"); ok {
		t.Error("a document is given for another ETag")
	}
	if b, ok := d.get("/a", "e1"); !ok || len(b) != 40 {
		t.Fatalf("get = %d bytes, %v", len(b), ok)
	}
	d.put("/a", "e2", bytes.Repeat([]byte("b"), 30)) // replaces
	if _, ok := d.get("/a", "e1"); ok || d.size != 30 {
		t.Errorf("after a replace: old ETag still served, or size %d, want 30", d.size)
	}
	d.put("/big", "e", bytes.Repeat([]byte("c"), 51)) // over half the limit
	if _, ok := d.get("/big", "e"); ok {
		t.Error("a document of more than half the limit was kept")
	}
	for i, p := range []string{"/b", "/c", "/d", "/e"} {
		d.put(p, "e", bytes.Repeat([]byte{byte('0' + i)}, 45))
		if d.size > d.limit {
			t.Fatalf("after %s: %d bytes kept, limit %d", p, d.size, d.limit)
		}
	}
	if b, ok := d.get("/e", "e"); !ok || b[0] != '3' {
		t.Error("the newest document was dropped")
	}
	total := 0
	for _, e := range d.entries {
		total += len(e.body)
	}
	if total != d.size {
		t.Errorf("size %d, bodies %d", d.size, total)
	}
}
