package backup

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// TestArchiveRoundTrip: a dump of several chunks (and one ending exactly on
// a chunk's end) comes back whole and in order, and Verify accepts what
// the writer wrote.
func TestArchiveRoundTrip(t *testing.T) {
	defer func(n int) { dumpChunk = n }(dumpChunk)
	dumpChunk = 1000
	for _, size := range []int{0, 999, 1000, 2500, 3000} {
		dump := make([]byte, size)
		_, _ = rand.Read(dump)
		var buf bytes.Buffer
		aw, err := newArchiveWriter(&buf, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		key := strings.Repeat("a", 64) + ".png"
		if err := aw.add(mediaPrefix+key, []byte("picture")); err != nil {
			t.Fatal(err)
		}
		if err := aw.addDump(bytes.NewReader(dump)); err != nil {
			t.Fatal(err)
		}
		m := Manifest{Format: Format, FormatVersion: FormatVersion}
		if err := aw.finish(&m); err != nil {
			t.Fatal(err)
		}
		got, err := Verify(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		if want := 1 + max(1, (size+999)/1000); len(got.Members) != want {
			t.Errorf("%d bytes: %d members, want %d", size, len(got.Members), want)
		}
		ar, _ := newArchiveReader(bytes.NewReader(buf.Bytes()))
		var back []byte
		for {
			name, err := ar.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(ar)
			if strings.HasPrefix(name, dumpPrefix) {
				back = append(back, data...)
			}
		}
		ar.close()
		if !bytes.Equal(back, dump) {
			t.Errorf("%d bytes: the dump came back as %d different bytes", size, len(back))
		}
	}
}
