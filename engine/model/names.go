package model

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ForbiddenInName reports the characters no name may hold wherever they
// stand (a profile's display name, a nickname, a group's name, an author
// name in a group): control characters, line and paragraph separators,
// every invisible character (Invisible: format characters, the other
// default-ignorable code points and variation selectors) except the
// zero-width joiner U+200D and variation selector 16 U+FE0F, which emoji
// sequences need and BadNameChar allows only there, and the fillers that
// show as blank (Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the blank
// Braille pattern U+2800). Format characters include the text-direction
// overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069,
// U+200E, U+200F, U+061C), which can make a name display as another
// ("\u202eecilA" shows as "Alice"); invisible characters and fillers (soft
// hyphen, zero-width space, word joiner, byte-order mark, tags, combining
// grapheme joiner, Mongolian and other variation selectors) make two names
// look the same.
func ForbiddenInName(r rune) bool {
	switch {
	case r == zwj, r == vs16:
		return false
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	case r == '\u115f', r == '\u1160', r == '\u3164', r == '\uffa0', r == '\u2800':
		return true
	}
	return Invisible(r)
}

const (
	zwj  = '\u200d' // zero-width joiner
	vs16 = '\ufe0f' // variation selector 16: emoji presentation
)

// BadNameChar returns the byte index of the first character name may not
// hold, or -1: one ForbiddenInName reports, a zero-width joiner that does
// not join two emoji ("👩\u200d💻" but not "A\u200dB"), or a variation
// selector 16 that does not follow an emoji or a keycap's base ("❤\ufe0f",
// "1\ufe0f\u20e3").
func BadNameChar(name string) int {
	prev := rune(-1)
	for i, r := range name {
		switch {
		case ForbiddenInName(r):
			return i
		case r == zwj:
			next, n := utf8.DecodeRuneInString(name[i+len(string(zwj)):])
			if !emojiEnd(prev) || n == 0 || !emoji(next) {
				return i
			}
		case r == vs16:
			if !emoji(prev) && !keycapBase(prev) {
				return i
			}
		}
		prev = r
	}
	return -1
}

// emoji reports, approximately, a character that can be an emoji: Go's
// tables hold no Emoji property, and nearly every emoji is a symbol
// (category So: pictographs, dingbats, regional indicators, ♀ and ♂).
func emoji(r rune) bool { return r > 0x7f && r != utf8.RuneError && unicode.Is(unicode.So, r) }

// emojiEnd reports what may stand before a joiner in an emoji sequence: an
// emoji, a skin-tone modifier or variation selector 16.
func emojiEnd(r rune) bool {
	return emoji(r) || r >= 0x1f3fb && r <= 0x1f3ff || r == vs16
}

// keycapBase reports the characters of keycap emoji ("1\ufe0f\u20e3").
func keycapBase(r rune) bool { return r >= '0' && r <= '9' || r == '#' || r == '*' }

// Invisible reports Unicode's default-ignorable code points
// (DerivedCoreProperties: Other_Default_Ignorable_Code_Point, format
// characters and variation selectors, without white space, the interlinear
// annotation characters, the Egyptian hieroglyph format controls and the
// prepended concatenation marks): characters that show as nothing, which
// chat programs, word processors and keyboards slip into text (a soft
// hyphen, a zero-width joiner, a direction mark) and nobody can see to
// remove. Invite parsing skips them; names refuse them (ForbiddenInName).
func Invisible(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r >= 0xfff9 && r <= 0xfffb, r >= 0x13430 && r <= 0x1343f:
		return false
	case unicode.Is(unicode.White_Space, r), unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	}
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// CleanName returns name without the characters BadNameChar reports, for
// a name stored by an older version of Nook, which allowed some of them.
func CleanName(name string) string {
	i := BadNameChar(name)
	if i < 0 {
		return name
	}
	var b strings.Builder
	for i >= 0 {
		b.WriteString(name[:i])
		_, n := utf8.DecodeRuneInString(name[i:])
		name = name[i+n:]
		i = BadNameChar(name)
	}
	b.WriteString(name)
	return b.String()
}
