package models_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayers keeps the map of docs/architecture.md true: the database
// driver is imported by models alone (everyone else sees sentinel errors),
// views import neither handlers nor models, and models import neither
// handlers nor views.
func TestLayers(t *testing.T) {
	rules := []struct {
		dir, forbidden, why string
	}{
		{"cmd", "github.com/lib/pq", "only models speak to the driver"},
		{"handlers", "github.com/lib/pq", "only models speak to the driver"},
		{"views", "github.com/lib/pq", "only models speak to the driver"},
		{"views", "quire/models", "views render view models"},
		{"views", "quire/handlers", "views render view models"},
		{"models", "quire/handlers", "models know nothing of HTTP"},
		{"models", "quire/views", "models know nothing of pages"},
	}
	fset := token.NewFileSet()
	for _, r := range rules {
		err := filepath.WalkDir(filepath.Join("..", r.dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == r.forbidden || strings.HasPrefix(p, r.forbidden+"/") {
					t.Errorf("%s imports %s: %s", path, p, r.why)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
