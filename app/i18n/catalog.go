package i18n

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Message is one entry of a catalog as stored: a description for
// translators and the text of each CLDR plural form ("other" alone for a
// string without plurals).
type Message map[string]string

// Catalog is a catalog file: keys to messages.
type Catalog map[string]Message

// pluralForms are the CLDR plural categories, in CLDR's order.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// Forms are the plural forms m has, in CLDR order.
func (m Message) Forms() []string {
	var out []string
	for _, f := range pluralForms {
		if _, ok := m[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// ReadCatalog parses a catalog file's bytes.
func ReadCatalog(b []byte) (Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	for k, m := range c {
		for f := range m {
			if f != "description" && f != "hash" && !slices.Contains(pluralForms, f) {
				return nil, fmt.Errorf("%s: %q is not a plural form", k, f)
			}
		}
		if _, ok := m["other"]; !ok {
			return nil, fmt.Errorf("%s: no \"other\" form", k)
		}
	}
	return c, nil
}

// Embedded returns the catalog of tag as embedded in the program (or
// added by AddCatalog).
func Embedded(tag string) (Catalog, error) {
	mu.RLock()
	b, ok := extra[tag]
	mu.RUnlock()
	if ok {
		return ReadCatalog(b)
	}
	b, err := catalogs.ReadFile("catalogs/" + tag + ".json")
	if err != nil {
		return nil, err
	}
	return ReadCatalog(b)
}

// Tags are the tags of the embedded catalogs, Source first.
func Tags() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.String()
	}
	return out
}

// Encode writes c the way the catalogs are stored: sorted keys, two
// spaces, no HTML escaping, a final newline.
func (c Catalog) Encode() []byte {
	var b strings.Builder
	b.WriteString("{\n")
	keys := slices.Sorted(maps.Keys(c))
	for i, k := range keys {
		fmt.Fprintf(&b, "  %s: {", quote(k))
		m := c[k]
		var fields []string
		if d, ok := m["description"]; ok {
			fields = append(fields, "\n    \"description\": "+quote(d))
		}
		for _, f := range m.Forms() {
			fields = append(fields, "\n    "+quote(f)+": "+quote(m[f]))
		}
		b.WriteString(strings.Join(fields, ","))
		b.WriteString("\n  }")
		if i < len(keys)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

func quote(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z0-9_]+)\s*\}\}`)

// Placeholders are the names of the placeholders of s ({{.Name}} gives
// "Name"), sorted, each once.
func Placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PseudoCatalog makes the pseudo-locale catalog from the source catalog: every
// text marked "[!! … !!]", its letters accented and lengthened by about a
// third, placeholders left as they are. Text shown in the UI under it is
// recognisably translated, and longer than English, as German and
// Russian often are.
func PseudoCatalog(src Catalog) Catalog {
	out := Catalog{}
	for k, m := range src {
		p := Message{}
		for _, f := range m.Forms() {
			p[f] = PseudoText(m[f])
		}
		out[k] = p
	}
	return out
}

// PseudoMark and PseudoEnd open and close every pseudo-locale text.
const (
	PseudoMark = "[!! "
	PseudoEnd  = " !!]"
)

var accents = map[rune]rune{
	'a': 'á', 'b': 'ƀ', 'c': 'ç', 'd': 'ð', 'e': 'é', 'f': 'ƒ', 'g': 'ĝ', 'h': 'ĥ', 'i': 'í', 'j': 'ĵ', 'k': 'ķ',
	'l': 'ļ', 'm': 'ɱ', 'n': 'ñ', 'o': 'ö', 'p': 'þ', 'q': 'ǫ', 'r': 'ŕ', 's': 'š', 't': 'ţ', 'u': 'û', 'v': 'ṽ',
	'w': 'ŵ', 'x': 'ẋ', 'y': 'ý', 'z': 'ž',
	'A': 'Å', 'B': 'Ɓ', 'C': 'Ç', 'D': 'Ð', 'E': 'É', 'F': 'Ƒ', 'G': 'Ĝ', 'H': 'Ĥ', 'I': 'Î', 'J': 'Ĵ', 'K': 'Ķ',
	'L': 'Ļ', 'M': 'Ṁ', 'N': 'Ñ', 'O': 'Ö', 'P': 'Þ', 'Q': 'Ǫ', 'R': 'Ŕ', 'S': 'Š', 'T': 'Ţ', 'U': 'Û', 'V': 'Ṽ',
	'W': 'Ŵ', 'X': 'Ẋ', 'Y': 'Ý', 'Z': 'Ž',
}

// PseudoText is one text of the pseudo-locale.
func PseudoText(s string) string {
	var b strings.Builder
	letters := 0
	last := 0
	for _, loc := range placeholder.FindAllStringIndex(s, -1) {
		letters += accent(&b, s[last:loc[0]])
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	letters += accent(&b, s[last:])
	body := b.String()
	if strings.TrimSpace(s) == "" || letters == 0 {
		return s // separators (", ") and punctuation stay as they are
	}
	pad := (letters + 2) / 3 // about a third longer
	return PseudoMark + body + " " + strings.Repeat("~", pad) + PseudoEnd
}

func accent(b *strings.Builder, s string) int {
	n := 0
	for _, r := range s {
		if a, ok := accents[r]; ok {
			b.WriteRune(a)
			n++
		} else {
			b.WriteRune(r)
		}
	}
	return n
}
