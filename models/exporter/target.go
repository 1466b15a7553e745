package exporter

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

var (
	// ErrExists means the target already holds something: an export never
	// writes over or into another.
	ErrExists = errors.New("exporter: the target already exists")
	// ErrDiskFull means the disk ran out of room while writing; nothing
	// was left behind.
	ErrDiskFull = errors.New("the disk is full")
)

// existsError says what is in the way, in words for the operator.
type existsError struct{ msg string }

func (e *existsError) Error() string        { return e.msg }
func (e *existsError) Is(target error) bool { return target == ErrExists }

// sink receives the export's files one after another.
type sink interface {
	// create starts the file name (slash-separated); its writer is valid
	// until the next create or close. compress is false for files that
	// are compressed already (images).
	create(name string, modified time.Time, compress bool) (io.Writer, error)
	close() error
}

// zipSink writes a zip archive as it goes.
type zipSink struct {
	buf *bufio.Writer
	zw  *zip.Writer
}

func newZipSink(w io.Writer) *zipSink {
	buf := bufio.NewWriterSize(w, 256<<10)
	return &zipSink{buf: buf, zw: zip.NewWriter(buf)}
}

func (z *zipSink) create(name string, modified time.Time, compress bool) (io.Writer, error) {
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	return z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
}

func (z *zipSink) close() error {
	if err := z.zw.Close(); err != nil {
		return err
	}
	return z.buf.Flush()
}

// dirSink writes files into a folder.
type dirSink struct {
	root string
	cur  *os.File
	buf  *bufio.Writer
}

func (d *dirSink) create(name string, modified time.Time, _ bool) (io.Writer, error) {
	if err := d.finish(); err != nil {
		return nil, err
	}
	p := filepath.Join(d.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- names the export makes under its own folder
	if err != nil {
		return nil, err
	}
	d.cur, d.buf = f, bufio.NewWriterSize(f, 64<<10)
	return d.buf, nil
}

// finish flushes and closes the file being written; a full disk shows
// in the flush or the close.
func (d *dirSink) finish() error {
	if d.cur == nil {
		return nil
	}
	f := d.cur
	d.cur = nil
	err := d.buf.Flush()
	return errors.Join(err, f.Close())
}

func (d *dirSink) close() error { return d.finish() }

// target is where an export goes: a sink, then commit (the finished export
// under its name) or abort (nothing left).
type target struct {
	sink
	commit func() error
	abort  func()
}

// openTarget prepares name: a zip file when it ends in .zip, the zip
// written straight to a device (/dev/stdout), a folder otherwise. A zip or
// folder is written under a temporary name beside it and renamed when
// complete, so a failed export leaves nothing half-written; a file that
// exists, or a folder with anything in it, is refused.
func openTarget(name string) (*target, error) {
	st, err := os.Stat(name)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(name))
	if exists && st.Mode()&fs.ModeDevice != 0 {
		f, err := os.OpenFile(name, os.O_WRONLY, 0) // #nosec G304 -- the device the operator named
		if err != nil {
			return nil, err
		}
		z := newZipSink(f)
		return &target{sink: z,
			commit: func() error { return errors.Join(z.close(), f.Close()) },
			abort:  func() { _ = f.Close() }}, nil
	}
	if p, err := os.Stat(parent); err != nil || !p.IsDir() {
		return nil, fmt.Errorf("there is no folder %s to write %s in", parent, filepath.Base(name))
	}
	if strings.EqualFold(filepath.Ext(name), ".zip") {
		if exists {
			return nil, &existsError{fmt.Sprintf("%s is there already; name a new file", name)}
		}
		f, err := os.CreateTemp(parent, "."+filepath.Base(name)+".tmp-*")
		if err != nil {
			return nil, err
		}
		z := newZipSink(f)
		return &target{sink: z,
			commit: func() error {
				err := errors.Join(z.close(), f.Sync(), f.Close())
				if err == nil {
					err = os.Rename(f.Name(), name)
				}
				if err != nil {
					_ = os.Remove(f.Name())
				}
				return err
			},
			abort: func() { _ = f.Close(); _ = os.Remove(f.Name()) }}, nil
	}
	if exists {
		if !st.IsDir() {
			return nil, &existsError{fmt.Sprintf("%s is a file; name a new folder, or a new file ending in .zip", name)}
		}
		if entries, err := os.ReadDir(name); err != nil || len(entries) > 0 {
			return nil, &existsError{fmt.Sprintf("the folder %s is not empty; name a new or empty one", name)}
		}
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return nil, err
	}
	d := &dirSink{root: tmp}
	return &target{sink: d,
		commit: func() error {
			err := d.close()
			if err == nil && exists {
				err = os.Remove(name) // empty, checked above: a rename cannot replace a folder
			}
			if err == nil {
				err = os.Rename(tmp, name)
			}
			if err != nil {
				_ = os.RemoveAll(tmp)
			}
			return err
		},
		abort: func() { _ = d.close(); _ = os.RemoveAll(tmp) }}, nil
}

// plainly says a full disk in so many words.
func plainly(err error) error {
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
