package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The PostgreSQL ceiling runs the very SQL the app runs. The models keep
// their SQL in unexported constants, and this tool may not widen the
// models' API, so it reads the constants from models/*.go source instead of
// keeping copies: a copy could drift, the source cannot. Only string
// literals, other constants of the package, + and parentheses are
// understood, which is all the models use; anything else is an error.

// sqlConsts are the string constants of one Go package, by name.
type sqlConsts struct {
	dir   string
	exprs map[string]ast.Expr
	cache map[string]string
}

// loadSQLConsts parses the package in dir (tests excluded).
func loadSQLConsts(dir string) (*sqlConsts, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	c := &sqlConsts{dir: dir, exprs: map[string]ast.Expr{}, cache: map[string]string{}}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name) // #nosec G304 -- a models/*.go file of this module, from the Glob above
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("read SQL from %s: %w", name, err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if i < len(vs.Values) {
						c.exprs[id.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	if len(c.exprs) == 0 {
		return nil, fmt.Errorf("no constants found in %s", dir)
	}
	return c, nil
}

// Has reports whether the package declares a constant called name.
func (c *sqlConsts) Has(name string) bool {
	_, ok := c.exprs[name]
	return ok
}

// Get returns the value of the string constant name.
func (c *sqlConsts) Get(name string) (string, error) {
	return c.get(name, 0)
}

func (c *sqlConsts) get(name string, depth int) (string, error) {
	if s, ok := c.cache[name]; ok {
		return s, nil
	}
	e, ok := c.exprs[name]
	if !ok {
		return "", fmt.Errorf("no constant %s in %s", name, c.dir)
	}
	if depth > 20 {
		return "", fmt.Errorf("constant %s: definitions nest too deeply", name)
	}
	s, err := c.eval(e, depth)
	if err != nil {
		return "", fmt.Errorf("constant %s: %w", name, err)
	}
	c.cache[name] = s
	return s, nil
}

func (c *sqlConsts) eval(e ast.Expr, depth int) (string, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", fmt.Errorf("not a string: %s", e.Value)
		}
		return strconv.Unquote(e.Value)
	case *ast.Ident:
		return c.get(e.Name, depth+1)
	case *ast.ParenExpr:
		return c.eval(e.X, depth)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", fmt.Errorf("operator %s is not understood", e.Op)
		}
		x, err := c.eval(e.X, depth)
		if err != nil {
			return "", err
		}
		y, err := c.eval(e.Y, depth)
		if err != nil {
			return "", err
		}
		return x + y, nil
	}
	return "", fmt.Errorf("expression %T is not understood", e)
}
