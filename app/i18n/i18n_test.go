package i18n

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

var update = flag.Bool("update", false, "write catalogs/"+Pseudo+".json from en.json")

func source(t *testing.T) Catalog {
	t.Helper()
	c, err := Embedded(Source)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLoadedOnDemand: at start only the source catalog and the system's
// language are read (each catalog costs about 1 MB of heap parsed), and a
// catalog is read when its language is chosen. It runs first.
func TestLoadedOnDemand(t *testing.T) {
	defer SetLanguage(Source)
	mu.RLock()
	n := len(loaded)
	pseudo := loaded[Pseudo]
	mu.RUnlock()
	if n > 2 || pseudo && Language() != Pseudo {
		t.Fatalf("at start %d catalogs are read (pseudo-locale: %v), the language is %s", n, pseudo, Language())
	}
	SetLanguage(Pseudo)
	mu.RLock()
	defer mu.RUnlock()
	if !loaded[Pseudo] {
		t.Fatal("choosing the pseudo-locale did not read it")
	}
}

// TestPseudo: the pseudo-locale catalog is what PseudoCatalog makes of
// en.json (go test ./app/i18n -run TestPseudo -update writes it).
func TestPseudo(t *testing.T) {
	want := PseudoCatalog(source(t)).Encode()
	path := filepath.Join("catalogs", Pseudo+".json")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not generated from en.json: run go test ./app/i18n -run TestPseudo -update", path)
	}
}

// TestPseudoText: every text is marked, accented, a third longer, and
// keeps its placeholders.
func TestPseudoText(t *testing.T) {
	for in, want := range map[string]string{
		"Open":                          "[!! Öþéñ ~~ !!]",
		"Remove {{.Name}} from a group": "[!! Ŕéɱöṽé {{.Name}} ƒŕöɱ á ĝŕöûþ ~~~~~~ !!]",
		", ":                            ", ",
		"{{.Number}} MB":                "[!! {{.Number}} ṀƁ ~ !!]",
	} {
		if got := PseudoText(in); got != want {
			t.Errorf("PseudoText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCatalogs: every catalog has exactly the keys of en.json, each with
// the placeholders of its English text and the plural forms its
// language's CLDR rules need, and every text is a template that runs.
func TestCatalogs(t *testing.T) {
	en := source(t)
	if len(en) < 100 {
		t.Fatalf("en.json has only %d keys", len(en))
	}
	for _, tag := range Tags() {
		c, err := Embedded(tag)
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		need := neededForms(t, tag)
		for k, m := range en {
			tm, ok := c[k]
			if !ok {
				t.Errorf("%s: key %s is missing", tag, k)
				continue
			}
			want := placeholdersOf(m)
			for _, f := range tm.Forms() {
				if got := Placeholders(tm[f]); !slices.Equal(got, want) && !(len(m.Forms()) > 1 && subset(got, want)) {
					t.Errorf("%s: %s (%s) has placeholders %v, English %v", tag, k, f, got, want)
				}
				if _, err := template.New(k).Parse(tm[f]); err != nil {
					t.Errorf("%s: %s (%s): %v", tag, k, f, err)
				}
			}
			if len(m.Forms()) > 1 { // a plural in English: every form the language needs
				for _, f := range need {
					if _, ok := tm[f]; !ok {
						t.Errorf("%s: %s lacks the plural form %q", tag, k, f)
					}
				}
			}
		}
		for k := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: key %s is not in en.json", tag, k)
			}
		}
	}
}

// placeholdersOf are the placeholders of all of m's forms. A plural's
// "one" may leave out {{.Count}} ("a file"), so forms are compared to the
// union.
func placeholdersOf(m Message) []string {
	var all []string
	for _, f := range m.Forms() {
		all = append(all, Placeholders(m[f])...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// neededForms are the CLDR plural forms whole numbers take in tag's
// language, and "other".
func neededForms(t *testing.T, tag string) []string {
	lt, err := language.Parse(tag)
	if err != nil {
		t.Fatal(err)
	}
	names := map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}
	seen := map[string]bool{"other": true} // go-i18n requires it, and fractions take it
	for i := 0; i <= 1000; i++ {
		seen[names[plural.Cardinal.MatchPlural(lt, i, 0, 0, 0, 0)]] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// TestNeededForms: the rules are CLDR's: Russian and Ukrainian need
// one, few and many; Chinese only other.
func TestNeededForms(t *testing.T) {
	for tag, want := range map[string][]string{
		"en": {"one", "other"}, "ru": {"few", "many", "one", "other"}, "uk": {"few", "many", "one", "other"},
		"zh-Hans": {"other"}, "fr": {"one", "other"}, "ar": {"few", "many", "one", "other", "two", "zero"},
	} {
		if got := neededForms(t, tag); !slices.Equal(got, want) {
			t.Errorf("%s needs %v, want %v", tag, got, want)
		}
	}
}

// TestLocalize: T fills placeholders; N chooses the plural form; a key
// missing from every catalog gives the key; the pseudo-locale marks.
func TestLocalize(t *testing.T) {
	defer SetLanguage(Source)
	if got := SetLanguage(Source); got != Source {
		t.Fatalf("SetLanguage(en) = %q", got)
	}
	if got := T("common.quoted", "Text", "Newsroom"); got != "“Newsroom”" {
		t.Errorf("T(common.quoted) = %q", got)
	}
	if got := N("groupchat.group_members", 1); got != "Group · 1 member" {
		t.Errorf("N(1) = %q", got)
	}
	if got := N("groupchat.group_members", 5); got != "Group · 5 members" {
		t.Errorf("N(5) = %q", got)
	}
	if got := T("no.such_key"); got != "no.such_key" {
		t.Errorf("a missing key gives %q", got)
	}
	if got := Decimal(4.25, 1); got != "4.2" && got != "4.3" {
		t.Errorf("Decimal(4.25, 1) = %q in English", got)
	}
	if SetLanguage(Pseudo) != Pseudo || Language() != Pseudo {
		t.Fatal("the pseudo-locale cannot be chosen")
	}
	if got := N("groupchat.group_members", 5); got != "[!! Ĝŕöûþ · 5 ɱéɱƀéŕš ~~~~ !!]" {
		t.Errorf("N(5) in the pseudo-locale = %q", got)
	}
}

// TestMatch: system locales in POSIX and BCP 47 forms choose the closest
// catalog; unknown ones choose English; the pseudo-locale only by its tag.
func TestMatch(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"C"}, Source},
		{[]string{"en_GB.UTF-8"}, Source},
		{[]string{"xx"}, Source},
		{[]string{"en-XA"}, Pseudo},
		{[]string{"en_US", "en-XA"}, Source},
	} {
		if got := Match(c.in...); got != c.want {
			t.Errorf("Match(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, tag := range Tags() {
		if tag == Pseudo {
			continue
		}
		if got := Match(strings.ReplaceAll(tag, "-", "_") + ".UTF-8"); got != tag {
			t.Errorf("Match(%s POSIX) = %q", tag, got)
		}
	}
	for _, l := range Languages() {
		if l.Tag == Pseudo || l.Name == "" {
			t.Errorf("Languages() offers %+v", l)
		}
	}
}
