package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// MediaStore keeps uploaded files under content-derived names. The local
// folder is the default; object storage can implement the same interface.
type MediaStore interface {
	// Put stores data under key; storing the same key twice is harmless.
	Put(ctx context.Context, key string, data []byte) error
	// Open returns the file for key, or ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	Delete(ctx context.Context, key string) error
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

// Put writes atomically: a temporary file renamed into place, so a reader
// never sees half a file and a crash leaves no partial one under a real name.
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
	tmp, err := os.CreateTemp(s.Dir, ".upload-*")
	if err != nil {
		return fmt.Errorf("models: media temp file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close() // the write error is the one to report
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
	return nil
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
