package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// MediaStore keeps uploaded files under content-derived names. The local
// folder is the default; object storage can implement the same interface.
type MediaStore interface {
	// Put stores data under key; storing the same key twice is harmless,
	// and marks the file as just written (see Stale).
	Put(ctx context.Context, key string, data []byte) error
	// Open returns the file for key, or ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
	// Stale calls fn with each key last written before cutoff, and clears
	// away what crashed writes left behind that long ago.
	Stale(ctx context.Context, cutoff time.Time, fn func(key string) error) error
	// DeleteStale removes key unless it was written at or after cutoff
	// (by a Put racing with the janitor), and reports whether it did.
	DeleteStale(ctx context.Context, key string, cutoff time.Time) (bool, error)
}

// MediaRedirector is a MediaStore whose files readers can fetch without
// Quire (a public bucket or a CDN): /media/KEY redirects to target when ok.
type MediaRedirector interface {
	Redirect(key string) (target string, ok bool)
}

// MediaContentType is the type of a stored file, from its key's extension.
func MediaContentType(key string) string {
	switch strings.ToLower(path.Ext(key)) {
	case ".jpg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	}
	return "application/octet-stream"
}

// ContentKey names a file by its SHA-256, so identical uploads share one
// file and a name can be cached forever.
func ContentKey(data []byte, ext string) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + ext
}

var keyRE = regexp.MustCompile(`^[a-f0-9]{64}(-w[0-9]{2,4})?\.(jpg|png|gif)$`)

// ValidKey reports whether key has the shape ContentKey makes; anything else
// (a path, "..", a different extension) is refused before touching disk.
func ValidKey(key string) bool { return keyRE.MatchString(key) }

// LocalStore keeps media in a folder.
type LocalStore struct {
	Dir string
}

// Temporary names in the folder: files being written, and files the janitor
// has set aside to remove. Neither is a valid key.
const (
	uploadPrefix = ".upload-"
	stalePrefix  = ".stale-"
)

// syncFile flushes a file (or a folder's entries) to disk; tests replace it
// to see what is flushed when.
var syncFile = (*os.File).Sync

// Put writes atomically: a temporary file renamed into place, so a reader
// never sees half a file and a crash leaves no partial one under a real name.
// The file's data is flushed before the rename and the folder after it, so
// once Put returns, and the upload's row is committed, a power cut cannot
// leave the name pointing at an empty or lost file.
func (s LocalStore) Put(_ context.Context, key string, data []byte) error {
	if !ValidKey(key) {
		return fmt.Errorf("models: media key %q: %w", key, ErrNotFound)
	}
	// Uploads are public (anyone may GET /media/KEY): the folder and files
	// are world-readable like any static files, for a front proxy or backup
	// running as another account.
	if err := os.MkdirAll(s.Dir, 0o755); err != nil { // #nosec G301 -- public files, see above
		return fmt.Errorf("models: media dir: %w", err)
	}
	tmp, err := os.CreateTemp(s.Dir, uploadPrefix+"*")
	if err != nil {
		return fmt.Errorf("models: media temp file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return fmt.Errorf("models: write media: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("models: write media: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("models: write media: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // #nosec G302 -- public files, see above
		return fmt.Errorf("models: media permissions: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.Dir, key)); err != nil {
		return fmt.Errorf("models: store media: %w", err)
	}
	if err := s.syncDir(); err != nil {
		return fmt.Errorf("models: store media: %w", err)
	}
	return nil
}

// syncDir makes the folder's entries (a rename) durable.
func (s LocalStore) syncDir() error {
	d, err := os.Open(s.Dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return syncFile(d)
}

// Open returns the stored file.
func (s LocalStore) Open(_ context.Context, key string) (io.ReadSeekCloser, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	f, err := os.Open(filepath.Join(s.Dir, key)) // #nosec G304 -- key passed ValidKey: a content hash and an image extension, no path
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("models: open media: %w", err)
	}
	return f, nil
}

// Stale lists the keys whose files were last written before cutoff. A
// temporary file that old is a write a crash interrupted, and is removed;
// a file the janitor set aside and a crash left there goes back under its
// name (DeleteStale decides again next time).
func (s LocalStore) Stale(ctx context.Context, cutoff time.Time, fn func(key string) error) error {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("models: list media: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil || !e.Type().IsRegular() || !info.ModTime().Before(cutoff) {
			continue // gone meanwhile, not a file, or recent
		}
		name := e.Name()
		switch {
		case ValidKey(name):
			if err := fn(name); err != nil {
				return err
			}
		case strings.HasPrefix(name, uploadPrefix):
			if err := os.Remove(filepath.Join(s.Dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("models: remove unfinished upload: %w", err)
			}
		case strings.HasPrefix(name, stalePrefix) && ValidKey(strings.TrimPrefix(name, stalePrefix)):
			if err := s.restore(strings.TrimPrefix(name, stalePrefix)); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteStale removes key's file unless it was written at or after cutoff.
// The file is first renamed aside and the file so taken is then examined:
// an upload that wrote the key again after the janitor looked made a new
// file, which goes back, so a file about to be used is never removed.
func (s LocalStore) DeleteStale(_ context.Context, key string, cutoff time.Time) (bool, error) {
	if !ValidKey(key) {
		return false, ErrNotFound
	}
	aside := filepath.Join(s.Dir, stalePrefix+key)
	if err := os.Rename(filepath.Join(s.Dir, key), aside); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("models: delete stale media: %w", err)
	}
	info, err := os.Stat(aside)
	if err != nil || !info.ModTime().Before(cutoff) {
		return false, s.restore(key)
	}
	if err := os.Remove(aside); err != nil {
		return false, fmt.Errorf("models: delete stale media: %w", err)
	}
	return true, nil
}

// restore puts a file set aside back under its key. If the key has been
// written again meanwhile, the copy set aside is the same content (names are
// content hashes) and is dropped.
func (s LocalStore) restore(key string) error {
	aside, path := filepath.Join(s.Dir, stalePrefix+key), filepath.Join(s.Dir, key)
	if _, err := os.Lstat(path); err == nil {
		err = os.Remove(aside)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("models: restore media: %w", err)
		}
		return nil
	}
	if err := os.Rename(aside, path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("models: restore media: %w", err)
	}
	return nil
}

// Delete removes the file; a missing file is not an error.
func (s LocalStore) Delete(_ context.Context, key string) error {
	if !ValidKey(key) {
		return ErrNotFound
	}
	err := os.Remove(filepath.Join(s.Dir, key))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("models: delete media: %w", err)
	}
	return nil
}
