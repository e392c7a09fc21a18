package model

import (
	"strings"
	"unicode"
)

// ForbiddenInName reports the characters no name may hold (a profile's
// display name, a nickname, a group's name, an author name in a group):
// control characters, line and paragraph separators, and every format
// character (Unicode category Cf) except the zero-width joiner U+200D,
// which emoji sequences need. Format characters include the
// text-direction overrides, embeddings, isolates and marks (U+202A–U+202E,
// U+2066–U+2069, U+200E, U+200F, U+061C), which can make a name display as
// another ("\u202eecilA" shows as "Alice"), and invisible characters (soft
// hyphen, zero-width space, word joiner, byte-order mark, tags), which make
// two names look the same.
func ForbiddenInName(r rune) bool {
	switch {
	case r == '\u200d':
		return false
	case unicode.IsControl(r), r == '\u2028', r == '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// CleanName returns name without the characters ForbiddenInName reports,
// for a name stored by an older version of Nook, which allowed some of them.
func CleanName(name string) string {
	if strings.IndexFunc(name, ForbiddenInName) < 0 {
		return name
	}
	return strings.Map(func(r rune) rune {
		if ForbiddenInName(r) {
			return -1
		}
		return r
	}, name)
}
