package engine

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/nookchat/nook"

// toolkit is the import path prefix of the UI toolkit, written so that a
// grep for engine files importing it does not find this test.
const toolkit = "fyne" + ".io/"

// TestImportRules enforces the direction of imports that keeps Nook's layers
// apart (engine/doc.go describes the layers):
//   - nothing under engine/ imports fyne.io/..., directly or through another
//     package of this module (the engine is UI-free);
//   - nothing under widgets/ imports engine/... (widgets take plain data);
//   - engine/model imports only the standard library.
//
// It parses the module's sources itself (rather than running `go list`) so
// that go test's cache notices every edit to an import.
func TestImportRules(t *testing.T) {
	graph := moduleImports(t, "..")
	if len(graph) == 0 {
		t.Fatal("found no packages")
	}
	var names []string
	for p := range graph {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		deps := closure(graph, p)
		switch {
		case p == module+"/engine" || strings.HasPrefix(p, module+"/engine/"):
			for _, d := range deps {
				if strings.HasPrefix(d, toolkit) {
					t.Errorf("%s imports %s: the engine must never import Fyne", p, d)
				}
			}
		case strings.HasPrefix(p, module+"/widgets"):
			for _, d := range deps {
				if d == module+"/engine" || strings.HasPrefix(d, module+"/engine/") {
					t.Errorf("%s imports %s: widgets take plain data and must never import the engine", p, d)
				}
			}
		}
		if p == module+"/engine/model" {
			for _, d := range graph[p] {
				if first, _, _ := strings.Cut(d, "/"); strings.Contains(first, ".") {
					t.Errorf("engine/model imports %s: the vocabulary package may use only the standard library", d)
				}
			}
		}
	}
}

// moduleImports returns, for every package directory of the module below
// root, the import paths its non-test Go files import.
func moduleImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	graph := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			graph[pkg] = append(graph[pkg], p)
		}
		if _, ok := graph[pkg]; !ok {
			graph[pkg] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return graph
}

// closure returns every import reachable from pkg through packages of the
// module (imports outside the module are listed but not followed).
func closure(graph map[string][]string, pkg string) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(string)
	walk = func(p string) {
		for _, d := range graph[p] {
			if seen[d] {
				continue
			}
			seen[d] = true
			out = append(out, d)
			if _, internal := graph[d]; internal {
				walk(d)
			}
		}
	}
	walk(pkg)
	return out
}
