package backup

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"quire/models"
)

// dumpChunk is the size of one database.dump.NNNNNN member: the dump
// streams through memory one chunk at a time. A variable for tests.
var dumpChunk = 16 << 20

// maxManifest bounds the manifest read into memory.
const maxManifest = 64 << 20

// archiveWriter writes members into a zstd-compressed tar, noting each
// member's size and SHA-256 for the manifest.
type archiveWriter struct {
	zw      *zstd.Encoder
	tw      *tar.Writer
	at      time.Time
	members []Member
}

func newArchiveWriter(w io.Writer, at time.Time) (*archiveWriter, error) {
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	return &archiveWriter{zw: zw, tw: tar.NewWriter(zw), at: at}, nil
}

func (a *archiveWriter) add(name string, data []byte) error {
	hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: a.at, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := a.tw.Write(data); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	a.members = append(a.members, Member{Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// addDump writes r as numbered chunks of at most dumpChunk bytes.
func (a *archiveWriter) addDump(r io.Reader) error {
	buf := make([]byte, dumpChunk)
	for i := 0; ; i++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 || i == 0 {
			if err := a.add(dumpName(i), buf[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func dumpName(i int) string { return fmt.Sprintf("%s%06d", dumpPrefix, i) }

// finish writes the manifest, listing every member written before it, and
// ends the tar and the compressed stream.
func (a *archiveWriter) finish(m *Manifest) error {
	m.Members = a.members
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	hdr := &tar.Header{Name: manifestName, Mode: 0o644, Size: int64(len(data)), ModTime: a.at, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := a.tw.Write(data); err != nil {
		return err
	}
	if err := a.tw.Close(); err != nil {
		return err
	}
	return a.zw.Close()
}

// archiveReader walks an archive's members in order.
type archiveReader struct {
	zr *zstd.Decoder
	tr *tar.Reader
}

func newArchiveReader(r io.Reader) (*archiveReader, error) {
	zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, err
	}
	return &archiveReader{zr: zr, tr: tar.NewReader(zr)}, nil
}

func (a *archiveReader) close() { a.zr.Close() }

// next returns the next member's name, or io.EOF after the last. Read
// errors come back as the archive's faults (readErr).
func (a *archiveReader) next() (string, error) {
	hdr, err := a.tr.Next()
	if err != nil {
		return "", readErr(err)
	}
	if hdr.Typeflag != tar.TypeReg || !validMember(hdr.Name) {
		return "", fmt.Errorf("%w: it holds %q, which no Quire backup has", ErrNotBackup, hdr.Name)
	}
	return hdr.Name, nil
}

// Read reads the current member's data.
func (a *archiveReader) Read(p []byte) (int, error) {
	n, err := a.tr.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = readErr(err)
	}
	return n, err
}

// readErr says what a failure to read the archive means for its owner:
// the file's own read errors stay as they are; anything the decompressor
// or tar reader stumbles on is damage.
func readErr(err error) error {
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: it ends in the middle (was it copied completely?)", ErrTruncated)
	case errors.Is(err, zstd.ErrMagicMismatch):
		return fmt.Errorf("%w: it is not a zstd-compressed archive", ErrNotBackup)
	case errors.As(err, &pathErr):
		return err
	}
	return fmt.Errorf("%w: %v", ErrDamaged, err)
}

// validMember reports whether name is one a backup writes: a media key, a
// numbered dump chunk or the manifest.
func validMember(name string) bool {
	switch {
	case name == manifestName:
		return true
	case strings.HasPrefix(name, mediaPrefix):
		return models.ValidKey(path.Base(name)) && path.Dir(name)+"/" == mediaPrefix
	case strings.HasPrefix(name, dumpPrefix):
		n, err := strconv.Atoi(strings.TrimPrefix(name, dumpPrefix))
		return err == nil && dumpName(n) == name
	}
	return false
}

// Verify reads a whole archive and checks it against its manifest: every
// member listed, in order, of the size and SHA-256 listed, and nothing else.
// It returns the manifest only when all of it holds.
func Verify(r io.Reader) (Manifest, error) {
	ar, err := newArchiveReader(r)
	if err != nil {
		return Manifest{}, err
	}
	defer ar.close()
	var seen []Member
	var m Manifest
	for {
		name, err := ar.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Manifest{}, err
		}
		if m.Format != "" {
			return Manifest{}, fmt.Errorf("%w: %s follows the manifest", ErrDamaged, name)
		}
		if name == manifestName {
			if m, err = readManifest(ar); err != nil {
				return Manifest{}, err
			}
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, ar)
		if err != nil {
			return Manifest{}, err
		}
		seen = append(seen, Member{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	if m.Format == "" {
		if len(seen) == 0 {
			return Manifest{}, fmt.Errorf("%w: it holds nothing", ErrNotBackup)
		}
		return Manifest{}, fmt.Errorf("%w: its manifest is missing (was it copied completely?)", ErrTruncated)
	}
	if err := m.check(models.SchemaVersion()); err != nil {
		return Manifest{}, err
	}
	return m, compareMembers(m.Members, seen)
}

func readManifest(r io.Reader) (Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifest))
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("%w: its manifest cannot be read: %v", ErrNotBackup, err)
	}
	if m.Format != Format {
		return Manifest{}, fmt.Errorf("%w: its manifest names the format %q", ErrNotBackup, m.Format)
	}
	return m, nil
}

// compareMembers names the first member that differs from what the
// manifest lists.
func compareMembers(want, got []Member) error {
	for i, w := range want {
		switch {
		case i >= len(got):
			return fmt.Errorf("%w: %s is listed in the manifest but missing", ErrDamaged, w.Name)
		case got[i].Name != w.Name:
			return fmt.Errorf("%w: %s stands where the manifest lists %s", ErrDamaged, got[i].Name, w.Name)
		case got[i].Size != w.Size || got[i].SHA256 != w.SHA256:
			return fmt.Errorf("%w: %s does not match its checksum", ErrDamaged, w.Name)
		}
	}
	if len(got) > len(want) {
		return fmt.Errorf("%w: %s is not listed in the manifest", ErrDamaged, got[len(want)].Name)
	}
	return nil
}

// checkedReader hashes what it reads and, at the end, fails unless the
// data is the member the manifest lists: the file could have changed since
// Verify read it.
type checkedReader struct {
	r    io.Reader
	want Member
	h    hash.Hash
	n    int64
}

func newCheckedReader(r io.Reader, want Member) *checkedReader {
	return &checkedReader{r: r, want: want, h: sha256.New()}
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if errors.Is(err, io.EOF) && (c.n != c.want.Size || hex.EncodeToString(c.h.Sum(nil)) != c.want.SHA256) {
		return n, fmt.Errorf("%w: %s changed while it was being restored", ErrDamaged, c.want.Name)
	}
	return n, err
}

// readAllChecked reads a whole member that must match want.
func readAllChecked(r io.Reader, want Member) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(int(min(want.Size, 64<<20)))
	_, err := io.Copy(&buf, newCheckedReader(io.LimitReader(r, want.Size+1), want))
	return buf.Bytes(), err
}
