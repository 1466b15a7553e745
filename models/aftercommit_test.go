package models_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"quire/models"
	"quire/models/dbtest"
)

// TestJanitorRemovesFilesOnlyAfterCommit: the sweep whose purge rolls back
// removes no file, so the post it failed to purge keeps its cover; the
// sweep that commits removes it.
func TestJanitorRemovesFilesOnlyAfterCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	dir := t.TempDir()
	j := &models.Janitor{DB: db, Media: models.LocalStore{Dir: dir}}
	cover := fmt.Sprintf("%064x.jpg", 42)
	ada := newUser(t, db, "ada", "")
	pm := &models.PostModel{DB: db}
	p := publishedPost(t, pm, ada, models.PostInput{Title: "Covered", Body: "text", CoverKey: cover})
	if err := pm.SoftDelete(ctx, asAuthor(p), p.ID); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE posts SET deleted_at = now() - interval '31 days' WHERE id = $1`, p.ID)
	if err := os.WriteFile(filepath.Join(dir, cover), []byte("img"), 0o600); err != nil {
		t.Fatal(err)
	}
	age(t, dir, cover, 2*time.Hour)

	undo := dbtest.FailAtCommit(t, db, "posts", "DELETE")
	if _, err := j.Sweep(ctx); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("sweep = %v, want the injected failure at commit", err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM posts WHERE id = $1`, p.ID); n != 1 {
		t.Fatalf("the failed sweep purged the post (%d rows)", n)
	}
	if _, err := os.Stat(filepath.Join(dir, cover)); err != nil {
		t.Errorf("the failed sweep removed the cover of the post it left: %v", err)
	}

	undo()
	if r := sweep(t, j); r.Posts != 1 || r.MediaFiles != 1 {
		t.Errorf("sweep = %+v, want the post and its cover removed", r)
	}
	if _, err := os.Stat(filepath.Join(dir, cover)); !os.IsNotExist(err) {
		t.Errorf("the cover is still stored after the sweep committed: %v", err)
	}
}
