package state

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports: the package imports only the standard library and
// engine/model, so that the state of the screens can be tested (and
// reasoned about) without a window, Fyne or a running engine.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if !allowedImport(path) {
				t.Errorf("%s imports %s: only the standard library and engine/model are allowed", f, path)
			}
		}
	}
}

func allowedImport(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".") || path == "github.com/nookchat/nook/engine/model"
}

func TestAllowedImport(t *testing.T) {
	for path, want := range map[string]bool{
		"slices":                                 true,
		"github.com/nookchat/nook/engine/model":  true,
		"github.com/nookchat/nook/engine":        false,
		"fyne.io/fyne/v2":                        false,
		"github.com/nookchat/nook/engine/invite": false,
	} {
		if allowedImport(path) != want {
			t.Errorf("allowedImport(%q) = %v", path, !want)
		}
	}
}
