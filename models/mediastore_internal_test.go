package models

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestPutSyncsBeforeRename: the file's data reaches the disk before it
// takes its name, and the folder (the rename) after: a power cut never
// leaves a name pointing at an empty or missing file. Not parallel: it
// replaces syncFile.
func TestPutSyncsBeforeRename(t *testing.T) {
	dir := t.TempDir()
	key := "0000000000000000000000000000000000000000000000000000000000000001.png"
	final := filepath.Join(dir, key)
	type call struct {
		name       string
		size       int64
		finalExist bool
	}
	var calls []call
	syncFile = func(f *os.File) error {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		_, ferr := os.Stat(final)
		calls = append(calls, call{f.Name(), fi.Size(), ferr == nil})
		return f.Sync()
	}
	t.Cleanup(func() { syncFile = (*os.File).Sync })

	if err := (LocalStore{Dir: dir}).Put(context.Background(), key, []byte("image bytes")); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("synced %d times (%+v), want the file then the folder", len(calls), calls)
	}
	if f := calls[0]; filepath.Dir(f.name) != dir || f.name == final || f.size != int64(len("image bytes")) || f.finalExist {
		t.Errorf("first sync %+v: want the whole temporary file, before the rename", f)
	}
	if d := calls[1]; d.name != dir || !d.finalExist {
		t.Errorf("second sync %+v: want the folder, after the rename", d)
	}
}
