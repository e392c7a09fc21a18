// Package i18n is Nook's one translation layer: every sentence, label,
// tooltip, plural, time and size a person sees goes through T or N here.
//
// # Catalogs
//
// The catalogs are the go-i18n v2 JSON files in catalogs/ (one per
// language, named by its BCP 47 tag: en.json, de.json, pt-BR.json,
// zh-Hans.json), embedded in the program. Weblate and other translation
// platforms read and write them as "go-i18n v2 JSON". en.json is the source:
// it has every key, and every other catalog must have exactly its keys, with
// the same placeholders and the plural forms its language needs
// (TestCatalogs). en-XA.json is the pseudo-locale generated from en.json
// (go test ./app/i18n -run TestPseudo -update): every string marked
// "[!! … !!]", accented and lengthened, so that the UI tests catch text that
// bypasses the layer or does not fit.
//
// # Keys
//
// A key names where a string is shown and what it is, never its English
// text: "<screen>.<what>", all lower case, words joined by "_". The screen is
// the Go file that shows it (unlock.title for app/ui/unlock.go, bubble.edited
// for widgets/bubble.go, state.* for app/ui/state, explain.<error> for
// engine.Explain's sentences, common.* for words used on many screens: OK,
// Cancel, Close). A new string written plainly in app/ui gets a key by the
// same rule: i18n.T("chat.edit") for an "Edit" action in chat.go. A string
// that could be read two ways carries a "description" for translators in
// en.json.
//
// A sentence is one key, with placeholders for what varies, never glued
// from two keys; the person reading, when acting or affected, and an
// unnamed subject ("your contact") get sentences of their own, as the
// words around them change case or agreement (docs/translations.md).
//
// Placeholders are Go templates with capitalised names: {{.Name}},
// {{.Count}}. N passes its count as {{.Count}} and chooses the CLDR plural
// form ("one", "few", "many", "other"…) of the language.
//
// The package does not import Fyne: app/ui/state and widgets use it, and so
// can any code that produces text for people.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jeandeaual/go-locale"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

//go:embed catalogs/*.json
var catalogs embed.FS

// Pseudo is the tag of the pseudo-locale (the UI tests' "language"): not
// offered in Settings.
const Pseudo = "en-XA"

// Source is the tag of the source catalog.
const Source = "en"

var (
	bundle  *goi18n.Bundle
	tags    []language.Tag // every catalog's tag, Source first
	current atomic.Pointer[state]
	// mu guards the bundle, tags, loaded and extra: localizing reads
	// them, loading a catalog and AddCatalog write them.
	mu sync.RWMutex
	// loaded are the tags of the catalogs in the bundle: only the source
	// and the languages used are read (a catalog costs about 1 MB of
	// heap parsed).
	loaded = map[string]bool{}
	// extra are the catalogs added by AddCatalog, by tag.
	extra = map[string][]byte{}
)

// state is the language in use.
type state struct {
	tag       string // the catalog chosen ("en", "de", "pt-BR"…)
	localizer *goi18n.Localizer
}

func init() {
	bundle = goi18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := catalogs.ReadDir("catalogs")
	if err != nil {
		panic(err) // embedded: cannot happen unless the build is broken
	}
	for _, f := range files {
		t, err := language.Parse(strings.TrimSuffix(f.Name(), ".json"))
		if err != nil {
			panic(fmt.Sprintf("i18n: catalog %s is not named by a language tag: %v", f.Name(), err))
		}
		tags = append(tags, t)
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].String() == Source && tags[j].String() != Source })
	load(Source)
	setLanguage("")
}

// load reads the catalog of tag into the bundle, once. mu is held for
// writing (or init runs).
func load(tag string) {
	if loaded[tag] {
		return
	}
	loaded[tag] = true
	if _, ok := extra[tag]; ok {
		return // AddCatalog parsed it
	}
	name := tag + ".json"
	if _, err := bundle.ParseMessageFileBytes(mustRead(name), name); err != nil {
		panic(fmt.Sprintf("i18n: catalog %s: %v", name, err)) // TestCatalogs reads every one
	}
}

func mustRead(name string) []byte {
	b, err := catalogs.ReadFile(path.Join("catalogs", name))
	if err != nil {
		panic(err)
	}
	return b
}

// SetLanguage chooses the language of every string from now on: a tag of
// one of the catalogs ("de", "pt-BR", "zh-Hans", Pseudo), or "" for the
// system's language (the first of the system's preferred languages Nook
// has, else English). A tag Nook has no catalog for chooses the closest one
// it has. It returns the tag chosen.
func SetLanguage(tag string) string {
	mu.Lock()
	defer mu.Unlock()
	return setLanguage(tag)
}

// setLanguage is SetLanguage with mu held for writing.

func setLanguage(tag string) string {
	var want []string
	if tag != "" {
		want = []string{tag}
	} else {
		want = systemLanguages()
	}
	chosen := match(want...)
	load(chosen)
	current.Store(&state{tag: chosen, localizer: goi18n.NewLocalizer(bundle, chosen, Source)})
	return chosen
}

// systemLanguages are the system's preferred languages, best first.
func systemLanguages() []string {
	all, err := locale.GetLocales()
	if err != nil || len(all) == 0 {
		return []string{Source}
	}
	return all
}

// System is the tag of the catalog the system's language chooses.
func System() string { return Match(systemLanguages()...) }

// Match returns the tag of the catalog that best fits the preferred
// languages (BCP 47 or POSIX "pt_BR.UTF-8" forms), Source when none does.
// The pseudo-locale is only chosen by its exact tag, first.
func Match(preferred ...string) string {
	mu.RLock()
	defer mu.RUnlock()
	return match(preferred...)
}

func match(preferred ...string) string {
	var want []language.Tag
	for i, p := range preferred {
		p, _, _ = strings.Cut(p, ".") // POSIX: pt_BR.UTF-8
		p = strings.ReplaceAll(p, "_", "-")
		if strings.EqualFold(p, Pseudo) && i == 0 {
			return Pseudo
		}
		if t, err := language.Parse(p); err == nil {
			want = append(want, t)
		}
	}
	var offered []language.Tag
	for _, t := range tags {
		if t.String() != Pseudo {
			offered = append(offered, t)
		}
	}
	_, i, conf := language.NewMatcher(offered).Match(want...)
	if conf == language.No {
		return Source
	}
	return offered[i].String()
}

// Language is the tag of the language in use.
func Language() string { return current.Load().tag }

// Lang is one language Nook speaks.
type Lang struct {
	Tag  string // "pt-BR"
	Name string // in the language itself: "português (Brasil)"
}

// Languages are the languages of the catalogs, each named in itself,
// sorted by that name; the pseudo-locale is left out.
func Languages() []Lang {
	mu.RLock()
	defer mu.RUnlock()
	var out []Lang
	for _, t := range tags {
		if t.String() == Pseudo {
			continue
		}
		out = append(out, Lang{Tag: t.String(), Name: SelfName(t.String())})
	}
	slices.SortFunc(out, func(a, b Lang) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// SelfName is the name of a language in that language ("Deutsch",
// "русский", "简体中文").
func SelfName(tag string) string {
	t, err := language.Parse(tag)
	if err != nil {
		return tag
	}
	if n := display.Self.Name(t); n != "" {
		return n
	}
	return tag
}

// NeedsCJKFont reports whether the language in use is written in Chinese,
// Japanese or Korean characters, which Fyne's own font lacks.
func NeedsCJKFont() bool {
	t, err := language.Parse(Language())
	if err != nil {
		return false
	}
	base, _ := t.Base()
	switch base.String() {
	case "zh", "ja", "ko":
		return true
	}
	return false
}

// RTL reports whether the language in use is written right to left.
func RTL() bool {
	t, err := language.Parse(Language())
	if err != nil {
		return false
	}
	base, _ := t.Base()
	switch base.String() {
	case "ar", "fa", "he", "ur", "ps":
		return true
	}
	return false
}

// T returns the string of key id in the language in use, its placeholders
// filled from args: pairs of a name and a value (T("chat.from", "Name",
// name)). A key missing from the catalogs gives the key itself, which the
// tests catch.
func T(id string, args ...any) string {
	return localize(id, nil, args)
}

// N is T for a string with plural forms: count chooses the form and is
// {{.Count}} in it.
func N(id string, count int, args ...any) string {
	return localize(id, count, args)
}

func localize(id string, count any, args []any) string {
	data := pairs(args, count)
	mu.RLock()
	defer mu.RUnlock()
	s, err := current.Load().localizer.Localize(&goi18n.LocalizeConfig{
		MessageID:    id,
		TemplateData: data,
		PluralCount:  count,
	})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Decimal writes v with the given number of digits after the decimal
// mark, the way the language in use writes numbers ("4.2", "4,2"),
// without separators between thousands.
func Decimal(v float64, digits int) string {
	t, err := language.Parse(Language())
	if err != nil || Language() == Pseudo {
		t = language.English
	}
	return message.NewPrinter(t).Sprint(number.Decimal(v, number.NoSeparator(), number.MaxFractionDigits(digits), number.MinFractionDigits(digits)))
}

// TIn is T in the language of tag (a catalog's, or "" for the system's),
// whatever the language in use: what a choice of language says in the
// language chosen.
func TIn(tag, id string, args ...any) string {
	if tag == "" {
		tag = System()
	}
	mu.Lock()
	chosen := match(tag)
	load(chosen)
	mu.Unlock()
	l := goi18n.NewLocalizer(bundle, chosen, Source)
	mu.RLock()
	defer mu.RUnlock()
	s, err := l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: pairs(args, nil)})
	if err != nil && s == "" {
		return id
	}
	return s
}

// pairs makes template data of name and value pairs, with count as
// {{.Count}} unless a pair names it.
func pairs(args []any, count any) map[string]any {
	data := make(map[string]any, len(args)/2+1)
	for i := 0; i+1 < len(args); i += 2 {
		k, _ := args[i].(string)
		data[k] = args[i+1]
	}
	if count != nil {
		if _, ok := data["Count"]; !ok {
			data["Count"] = count
		}
	}
	return data
}

// AddCatalog adds (or replaces) the catalog of tag from go-i18n v2 JSON,
// beside the embedded ones: for tests, and for trying a catalog out
// before it is built in.
func AddCatalog(tag string, data []byte) error {
	mu.Lock()
	defer mu.Unlock()
	if _, err := ReadCatalog(data); err != nil {
		return err
	}
	mf, err := bundle.ParseMessageFileBytes(data, tag+".json")
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(tags, func(t language.Tag) bool { return t == mf.Tag }) {
		tags = append(tags, mf.Tag)
	}
	extra[mf.Tag.String()] = data
	loaded[mf.Tag.String()] = true
	return nil
}
