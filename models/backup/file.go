package backup

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrDiskFull means the backup did not fit where it was being written.
var ErrDiskFull = errors.New("the disk is full")

// WriteFile writes a backup to path under a temporary name in the same
// folder and renames it into place once complete and on disk, so path is
// either the previous backup or the new one, never half of one. A path that
// is not a regular file (a pipe, /dev/stdout, a tape) is written straight
// through.
func WriteFile(ctx context.Context, path string, src Source) (Manifest, error) {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0) // #nosec G304 -- the operator names where the backup goes
		if err != nil {
			return Manifest{}, err
		}
		m, err := writeBuffered(ctx, f, src)
		return m, diskFull(errors.Join(err, f.Close()))
	}
	m, err := writeTemp(ctx, path, src)
	return m, diskFull(err)
}

func writeTemp(ctx context.Context, path string, src Source) (Manifest, error) {
	dir := filepath.Dir(path)
	// CreateTemp makes the file readable by its owner alone: the archive
	// holds password hashes and email addresses.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, fmt.Errorf("backup: there is no folder %s", dir)
	}
	if err != nil {
		return Manifest{}, err
	}
	defer os.Remove(tmp.Name()) // #nosec G104 -- gone already once renamed
	m, err := writeBuffered(ctx, tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Manifest{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return Manifest{}, err
	}
	d, err := os.Open(dir) // #nosec G304 -- the folder the backup was just written to
	if err != nil {
		return Manifest{}, err
	}
	defer d.Close()
	return m, d.Sync()
}

func writeBuffered(ctx context.Context, f *os.File, src Source) (Manifest, error) {
	bw := bufio.NewWriterSize(f, 1<<20)
	m, err := Write(ctx, bw, src)
	if err != nil {
		return Manifest{}, err
	}
	return m, bw.Flush()
}

// diskFull names a full disk as such, since the system's words ("no space
// left on device") come wrapped in the archive's layers.
func diskFull(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
