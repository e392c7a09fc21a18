package i18n_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/tor"
)

// textDirs are the packages whose strings people read.
var textDirs = []string{"../ui", "../ui/state", "../../widgets", "../desktop"}

// sinks are the functions and methods whose string arguments are shown
// as they are: Fyne's widgets and dialogs, and app/ui's and widgets' own
// helpers that put a text on screen.
var sinks = map[string]bool{
	"NewLabel": true, "NewLabelWithStyle": true, "NewButton": true, "NewButtonWithIcon": true, "NewCheck": true,
	"SetText": true, "SetPlaceHolder": true, "NewMenuItem": true, "NewMenuItemWithIcon": true, "NewMenu": true,
	"NewTabItem": true, "NewTabItemWithIcon": true, "NewCustom": true, "NewCustomConfirm": true, "NewConfirm": true,
	"NewCustomWithoutButtons": true, "ShowInformation": true, "NewInformation": true, "ShowConfirm": true,
	"NewAccordionItem": true, "SetConfirmText": true, "SetDismissText": true, "NewFormItem": true,
	"NewHyperlink": true, "NewRichTextWithText": true, "NewRichTextFromMarkdown": true, "NewNotification": true,
	"SendNotification": true, "NewRadioGroup": true, "NewSelect": true, "SetTitle": true, "NewWindow": true,
	"setError": true, "setFailure": true, "failure": true, "confirm": true, "subheading": true, "muted": true,
	"newFormButton": true, "plainError": true, "showForm": true, "para": true, "profileFileError": true,
	"setBusy": true, "showInfo": true, "fileAction": true, "showMessage": true, "notify": true, "showResult": true,
	"NewTooltipButton": true, "copyButton": true, "SetPresence": true, "SetProgress": true, "NewProgress": true,
	"SetIndeterminate": true, "heading": true, "showFormActions": true, "ShowTooltip": true, "SetToolTip": true,
	"showError": true, "showBusy": true, "centredWarning": true, "centredLine": true, "linkButton": true,
	"NewStatusBadge": true, "SetError": true,
}

// allowed are the literals that may reach a sink untranslated, with why.
var allowed = map[string]string{
	"Nook": "the product's name, the same in every language (window title, notification title)",
}

// TestNoLiteralText flags a string literal with a letter in it, or a
// concatenation or fmt.Sprintf holding one, passed to a function that
// shows it, in the packages people read: it must come from i18n.T or N.
func TestNoLiteralText(t *testing.T) {
	eachFile(t, func(fset *token.FileSet, path string, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || !sinks[callee(c)] {
				return true
			}
			for _, a := range c.Args {
				if lit, ok := literalText(a); ok {
					if _, ok := allowed[lit]; !ok {
						t.Errorf("%s: %s(%q…) shows text that bypasses i18n.T", fset.Position(a.Pos()), callee(c), lit)
					}
				}
			}
			return true
		})
	})
}

// literalText returns the text of a literal with a letter, or of one in
// a + chain or a fmt.Sprintf format.
func literalText(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, _ := strconv.Unquote(x.Value)
		return s, strings.IndexFunc(s, unicode.IsLetter) >= 0
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		if s, ok := literalText(x.X); ok {
			return s, true
		}
		return literalText(x.Y)
	case *ast.ParenExpr:
		return literalText(x.X)
	case *ast.CallExpr:
		if callee(x) == "Sprintf" && len(x.Args) > 0 {
			return literalText(x.Args[0])
		}
	}
	return "", false
}

func callee(c *ast.CallExpr) string {
	switch fn := c.Fun.(type) {
	case *ast.Ident:
		return fn.Name
	case *ast.SelectorExpr:
		return fn.Sel.Name
	case *ast.IndexExpr: // a generic function
		if id, ok := fn.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

func eachFile(t *testing.T, do func(*token.FileSet, string, *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	for _, dir := range textDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			do(fset, path, f)
		}
	}
}

// TestKeys: every key the code names (the first argument of i18n.T and
// N, or a literal that is a key: the names of months, the ways to
// connect) is in en.json, with a plural when N asks for one; every key of
// en.json is named by the code or is one of engine.Explained's.
func TestKeys(t *testing.T) {
	en, err := i18n.Embedded(i18n.Source)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	eachFile(t, func(fset *token.FileSet, path string, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && (callee(c) == "T" || callee(c) == "N") && len(c.Args) > 0 {
				if sel, ok := c.Fun.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "i18n" {
						return true
					}
				}
				lit, ok := c.Args[0].(*ast.BasicLit)
				if !ok {
					return true // a key from a variable: its literal is counted below
				}
				key, _ := strconv.Unquote(lit.Value)
				m, ok := en[key]
				switch {
				case !ok:
					t.Errorf("%s: key %q is not in en.json", fset.Position(lit.Pos()), key)
				case callee(c) == "N" && len(m.Forms()) < 2:
					t.Errorf("%s: N(%q) but en.json has no plural forms for it", fset.Position(lit.Pos()), key)
				case c.Ellipsis == token.NoPos:
					checkArgs(t, fset, c, key, m)
				}
			}
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				used[s] = true
			}
			return true
		})
	})
	explained := map[string]bool{}
	for _, x := range engine.Explanations() {
		explained[x.Key] = true
		if x.HintKey != "" {
			explained[x.HintKey] = true
		}
		// The catalog's English is the engine's: one source of truth.
		if m, ok := en[x.Key]; !ok || m["other"] != x.Message {
			t.Errorf("en.json %s = %q, engine says %q", x.Key, m["other"], x.Message)
		}
		if m, ok := en[x.HintKey]; x.HintKey != "" && (!ok || m["other"] != x.Hint) {
			t.Errorf("en.json %s = %q, engine says %q", x.HintKey, m["other"], x.Hint)
		}
	}
	for k, h := range tor.HintKeys {
		explained["explain."+k] = true
		if en["explain."+k]["other"] != h {
			t.Errorf("en.json explain.%s = %q, tor says %q", k, en["explain."+k]["other"], h)
		}
	}
	// The import warning app/ui shows in the person's language is the
	// engine's ImportResult.Warning.
	if en["profilefiles.use_this_profile_on"]["other"] != engine.ImportWarning {
		t.Errorf("en.json profilefiles.use_this_profile_on = %q, engine says %q", en["profilefiles.use_this_profile_on"]["other"], engine.ImportWarning)
	}
	// So are a file transfer's problem sentences.
	for k, p := range map[string]string{"chat.file_problem_disk_full": model.ProblemDiskFull, "chat.file_problem_mismatch": model.ProblemMismatch} {
		if en[k]["other"] != p {
			t.Errorf("en.json %s = %q, engine says %q", k, en[k]["other"], p)
		}
	}
	// The engine's sentences named for translation (model.Text): what the
	// automatic connection tries and why, why Tor failed, group warnings.
	for k, x := range model.Texts {
		explained[k] = true
		m, ok := en[k]
		if !ok || m["other"] != x.Other || m["one"] != x.One {
			t.Errorf("en.json %s = %q, engine says %q", k, m, x)
		}
	}
	// The bridge line parser's reasons.
	for r, x := range engine.BridgeReasons {
		k := "network.bridge_reason_" + r
		explained[k] = true
		if en[k]["other"] != x {
			t.Errorf("en.json %s = %q, engine says %q", k, en[k]["other"], x)
		}
	}
	for _, k := range engine.SpaceKeys() {
		explained[k] = true
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %s", k)
		}
	}
	// The packages' words (package.*, installer.*) are read by the packaging
	// scripts.
	var scripts strings.Builder
	for _, p := range []string{"../../packaging/linux/package.sh", "../../packaging/linux/common.sh", "../../packaging/windows/package.sh", "../../packaging/windows/nook.nsi"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		scripts.Write(b)
	}
	for k := range en {
		if (strings.HasPrefix(k, "package.") || strings.HasPrefix(k, "installer.")) && strings.Contains(scripts.String(), k) {
			continue
		}
		if !used[k] && !explained[k] {
			t.Errorf("en.json key %s is used nowhere", k)
		}
	}
}

// checkArgs fails when call c of i18n.T or N (or state's T and N) does not
// give each placeholder of key's English text, or gives one it lacks.
func checkArgs(t *testing.T, fset *token.FileSet, c *ast.CallExpr, key string, m i18n.Message) {
	t.Helper()
	first := 1 // T(key, name, value, …)
	given := map[string]bool{}
	if callee(c) == "N" {
		first = 2 // N(key, count, name, value, …)
		given["Count"] = true
	}
	for i := first; i < len(c.Args); i += 2 {
		lit, ok := c.Args[i].(*ast.BasicLit)
		if !ok {
			return // names made at run time: nothing to check here
		}
		name, _ := strconv.Unquote(lit.Value)
		given[name] = true
	}
	want := map[string]bool{}
	for _, f := range m.Forms() {
		for _, p := range i18n.Placeholders(m[f]) {
			want[p] = true
		}
	}
	for p := range want {
		if !given[p] {
			t.Errorf("%s: %s needs {{.%s}}, which the call does not give", fset.Position(c.Pos()), key, p)
		}
	}
	for p := range given {
		if !want[p] && p != "Count" {
			t.Errorf("%s: the call gives %s a %q it does not use", fset.Position(c.Pos()), key, p)
		}
	}
}
