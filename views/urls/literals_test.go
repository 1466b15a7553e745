package urls_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pathInText finds a site path in a string: a slash and a letter or @ at
// its start or after a quote, space, =, ( or comma ("/posts/", "'/@' ||").
var pathInText = regexp.MustCompile(`(^|[\s'"=(,])/[A-Za-z@]`)

// notLinks are path-like strings that are content, not links, by file:
// seeded posts' Markdown is stored as text, like an author's own (and models
// do not import views).
var notLinks = map[string][]string{
	"models/seed_posts.go": {`hx-post="/like"`, "](/media/"},
}

// TestNoPathLiterals keeps every address in this package: a string in the
// handlers, models or views that holds a site path fails here. Build it with
// a function of views/urls instead (routes.go alone registers patterns).
func TestNoPathLiterals(t *testing.T) {
	root := filepath.Join("..", "..")
	var found []string
	report := func(file string, line int, text string) {
		rel, _ := filepath.Rel(root, file)
		rel = filepath.ToSlash(rel)
		for _, ok := range notLinks[rel] {
			if strings.Contains(text, ok) {
				return
			}
		}
		found = append(found, rel+":"+strconv.Itoa(line)+": "+text)
	}
	for _, dir := range []string{"handlers", "models", "views"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir():
				if path == filepath.Join(root, "views", "urls") || filepath.Dir(path) == filepath.Join(root, "models") {
					return filepath.SkipDir // this package; models' subpackages hold file paths, not links
				}
				return nil
			case strings.HasSuffix(path, "_test.go"), strings.HasSuffix(path, "_templ.go"),
				filepath.ToSlash(path) == filepath.ToSlash(filepath.Join(root, "handlers", "routes.go")):
				return nil
			case strings.HasSuffix(path, ".go"):
				return goStrings(path, report)
			case strings.HasSuffix(path, ".templ"):
				return templLines(path, report)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(found) > 0 {
		t.Errorf("path literals outside views/urls and handlers/routes.go (build them with views/urls):\n%s",
			strings.Join(found, "\n"))
	}
}

// goStrings reports every string literal of a Go file that holds a path.
func goStrings(path string, report func(string, int, string)) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil && pathInText.MatchString(s) {
				report(path, fset.Position(lit.Pos()).Line, s)
			}
		}
		return true
	})
	return nil
}

// templLines reports every line of a templ file with a quoted path, in
// markup (href="/x") or in a Go expression ("/x" + slug).
func templLines(path string, report func(string, int, string)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	quoted := regexp.MustCompile("[\"'`]/[A-Za-z@]")
	for i, line := range strings.Split(string(b), "\n") {
		if quoted.MatchString(line) {
			report(path, i+1, strings.TrimSpace(line))
		}
	}
	return nil
}
