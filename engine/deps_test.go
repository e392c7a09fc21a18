package engine

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/nookchat/nook"

// toolkit is the import path prefix of the UI toolkit, written so that a
// grep for engine files importing it does not find this test.
const toolkit = "fyne" + ".io/"

// pkgInfo is what the import rules look at of one package, as `go list
// -json` names it: its import path, what its non-test files import, and
// what its test files import besides. TestImportRules builds the list by
// parsing the module's sources itself (rather than running `go list`) so
// that go test's cache notices every edit to an import.
type pkgInfo struct {
	ImportPath  string
	Imports     []string
	TestImports []string
}

// scope says which imports of a package a rule looks at.
type scope int

const (
	direct     scope = iota // what its non-test files import
	withTests               // that and what its test files import
	transitive              // everything its non-test files reach through the module
)

// importRule is one rule of the direction of imports: every package for
// which applies holds, looking at the imports of scope, must import
// nothing for which forbidden holds. Reason says why, for the person who
// breaks it.
type importRule struct {
	name      string
	applies   func(pkg string) bool
	scope     scope
	forbidden func(dep string) bool
	reason    string
}

// inEngine reports whether p is the engine or one of its packages.
func inEngine(p string) bool { return p == module+"/engine" || strings.HasPrefix(p, module+"/engine/") }

// under returns whether p is dir or a package below it.
func under(dir string) func(p string) bool {
	return func(p string) bool { return p == module+"/"+dir || strings.HasPrefix(p, module+"/"+dir+"/") }
}

// importRules keep Nook's layers apart (engine/doc.go describes the
// layers, and "The facade" what a frontend uses of the engine).
var importRules = []importRule{
	{
		name:      "the engine never imports Fyne",
		applies:   inEngine,
		scope:     transitive,
		forbidden: func(d string) bool { return strings.HasPrefix(d, toolkit) },
		reason:    "the engine is UI-free: it runs under any frontend and in tests without a display",
	},
	{
		name:      "widgets never import the engine",
		applies:   under("widgets"),
		scope:     transitive,
		forbidden: inEngine,
		reason:    "widgets take plain data, so that they can be tested and reused without an engine",
	},
	{
		name:    "engine/model imports only the standard library",
		applies: func(p string) bool { return p == module+"/engine/model" },
		scope:   direct,
		forbidden: func(d string) bool {
			first, _, _ := strings.Cut(d, "/")
			return strings.Contains(first, ".")
		},
		reason: "the vocabulary package is what every layer shares; it must pull in nothing",
	},
	{
		name:      "app/ui uses the engine only through its facade",
		applies:   under("app/ui"),
		scope:     direct,
		forbidden: func(d string) bool { return inEngine(d) && d != module+"/engine" && d != module+"/engine/model" },
		reason: "the facade (package engine, with engine/model's types) is the frontend's contract; the " +
			"subpackages are the engine's insides, free to change, and a UI reaching into them could skip " +
			"the checks the facade makes (an invite read with the engine's clock, a profile folder touched " +
			"while it is open)",
	},
	{
		name:    "app/ui's tests use the engine only through its facade and its test helpers",
		applies: under("app/ui"),
		scope:   withTests,
		forbidden: func(d string) bool {
			switch d {
			case module + "/engine", module + "/engine/model",
				module + "/engine/enginetest", module + "/engine/transport", module + "/engine/transport/loopback":
				return false
			}
			return inEngine(d)
		},
		reason: "tests run a real engine with the test settings (enginetest) on the in-memory network " +
			"(transport/loopback; engine.Config takes a transport.Transport), and otherwise act as the UI does",
	},
	{
		name:      "app/ui/state never imports Fyne",
		applies:   under("app/ui/state"),
		scope:     transitive,
		forbidden: func(d string) bool { return strings.HasPrefix(d, toolkit) },
		reason:    "the UI's state is table-tested without a window; only the screens render it with Fyne",
	},
}

// TestImportRules checks the module's packages against importRules.
func TestImportRules(t *testing.T) {
	pkgs := modulePackages(t, "..")
	if len(pkgs) == 0 {
		t.Fatal("found no packages")
	}
	// Every rule must apply to a package that exists (app/ui/state may
	// not exist yet), or it checks nothing.
	for _, r := range importRules {
		found := false
		for _, p := range pkgs {
			found = found || r.applies(p.ImportPath)
		}
		if !found && r.name != "app/ui/state never imports Fyne" {
			t.Errorf("rule %q applies to no package", r.name)
		}
	}
	for _, v := range checkImports(pkgs, importRules) {
		t.Error(v)
	}
}

// TestCheckImports: the checker finds each kind of violation in a made-up
// module, and none in a module that keeps the rules.
func TestCheckImports(t *testing.T) {
	m := func(p string) string { return module + "/" + p }
	fyne := toolkit + "fyne/v2"
	clean := []pkgInfo{
		{ImportPath: m("engine"), Imports: []string{m("engine/model"), m("engine/invite")}},
		{ImportPath: m("engine/model"), Imports: []string{"time"}},
		{ImportPath: m("engine/invite"), Imports: []string{m("engine/model"), "golang.org/x/crypto/sha3"}},
		{ImportPath: m("widgets"), Imports: []string{fyne}},
		{ImportPath: m("app/ui"), Imports: []string{m("engine"), m("engine/model"), m("widgets"), fyne},
			TestImports: []string{m("engine/enginetest"), m("engine/transport/loopback")}},
		{ImportPath: m("app/ui/state"), Imports: []string{m("engine"), m("engine/model")}},
	}
	if v := checkImports(clean, importRules); len(v) != 0 {
		t.Errorf("a module that keeps the rules: %q", v)
	}
	broken := []pkgInfo{
		// The engine reaches Fyne through a package of its own.
		{ImportPath: m("engine"), Imports: []string{m("engine/model"), m("engine/invite")}},
		{ImportPath: m("engine/invite"), Imports: []string{m("engine/qrview")}},
		{ImportPath: m("engine/qrview"), Imports: []string{fyne}},
		// The model imports a module outside the standard library.
		{ImportPath: m("engine/model"), Imports: []string{"golang.org/x/text/unicode/norm"}},
		// A widget reaches the engine through another package.
		{ImportPath: m("widgets"), Imports: []string{m("widgets/util")}},
		{ImportPath: m("widgets/util"), Imports: []string{m("engine/model")}},
		// The UI imports an engine subpackage, and its test another.
		{ImportPath: m("app/ui"), Imports: []string{m("engine"), m("engine/invite")},
			TestImports: []string{m("engine/enginetest"), m("engine/profile")}},
		// The state package imports Fyne through the UI's theme.
		{ImportPath: m("app/ui/state"), Imports: []string{m("app/ui/theme")}},
		{ImportPath: m("app/ui/theme"), Imports: []string{fyne}},
	}
	want := []string{
		"engine imports " + fyne + ": the engine never imports Fyne",
		"engine/invite imports " + fyne + ": the engine never imports Fyne",
		"engine/qrview imports " + fyne + ": the engine never imports Fyne",
		"engine/model imports golang.org/x/text/unicode/norm: engine/model imports only the standard library",
		"widgets imports engine/model: widgets never import the engine",
		"widgets/util imports engine/model: widgets never import the engine",
		"app/ui imports engine/invite: app/ui uses the engine only through its facade",
		"app/ui imports engine/invite: app/ui's tests use the engine only through its facade and its test helpers",
		"app/ui imports engine/profile: app/ui's tests use the engine only through its facade and its test helpers",
		// (app/ui/theme itself may import Fyne: only the state package may not.)
		"app/ui/state imports " + fyne + ": app/ui/state never imports Fyne",
	}
	got := checkImports(broken, importRules)
	for _, w := range want {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w+" (") }) {
			t.Errorf("the checker misses %q", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the checker reports %d violations, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// checkImports returns one line for each import of pkgs that breaks one of
// rules: the package, the import, the rule and its reason.
func checkImports(pkgs []pkgInfo, rules []importRule) []string {
	graph := map[string][]string{}
	tests := map[string][]string{}
	var names []string
	for _, p := range pkgs {
		graph[p.ImportPath] = p.Imports
		tests[p.ImportPath] = p.TestImports
		names = append(names, p.ImportPath)
	}
	sort.Strings(names)
	var out []string
	for _, p := range names {
		for _, r := range rules {
			if !r.applies(p) {
				continue
			}
			var deps []string
			switch r.scope {
			case direct:
				deps = graph[p]
			case withTests:
				deps = append(slices.Clone(graph[p]), tests[p]...)
			case transitive:
				deps = closure(graph, p)
			}
			for _, d := range deps {
				if r.forbidden(d) {
					out = append(out, fmt.Sprintf("%s imports %s: %s (%s)", short(p), short(d), r.name, r.reason))
				}
			}
		}
	}
	return out
}

// short is an import path without the module's prefix.
func short(p string) string { return strings.TrimPrefix(p, module+"/") }

// modulePackages returns every package directory of the module below
// root with what its non-test and its test Go files import.
func modulePackages(t *testing.T, root string) []pkgInfo {
	t.Helper()
	byPath := map[string]*pkgInfo{}
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
		if !strings.HasSuffix(path, ".go") {
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
		info := byPath[pkg]
		if info == nil {
			info = &pkgInfo{ImportPath: pkg}
			byPath[pkg] = info
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return err
			}
			if strings.HasSuffix(path, "_test.go") {
				info.TestImports = append(info.TestImports, p)
			} else {
				info.Imports = append(info.Imports, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []pkgInfo
	for _, p := range byPath {
		out = append(out, *p)
	}
	return out
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
