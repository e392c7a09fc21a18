package files

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSafeName is the longest name SafeName returns, in bytes: below the
// 255 bytes most file systems allow, leaving room for " (99)" and a
// temporary suffix.
const MaxSafeName = 200

// fallbackName is what SafeName returns for a name with nothing usable.
const fallbackName = "file"

// SafeName returns a name for saving a received file into a folder: a
// single path element that cannot climb out of the folder, name a
// device, or display as something it is not. It
//
//   - keeps only the last element of a path (after the last / or \),
//   - replaces invalid UTF-8 and the characters Windows forbids
//     (< > : " | ? * and / \) with "_",
//   - removes control characters (C0, DEL, C1), text-direction controls
//     (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069) and every
//     other default-ignorable or format character (zero-width spaces and
//     joiners, the byte-order mark, tags),
//   - trims spaces and dots at both ends (Windows drops trailing ones,
//     and a leading dot hides a file on Linux and macOS),
//   - prefixes "_" to Windows' reserved device names (CON, PRN, AUX, NUL,
//     COM0–COM9, LPT0–LPT9, also with superscript digits, with any
//     extension, in any case),
//   - cuts the name to MaxSafeName bytes, keeping a short extension,
//   - and returns "file" if nothing is left (".", "..", "", "\u202e").
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(name); i += w {
		r, size := utf8.DecodeRuneInString(name[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteByte('_')
		case strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		case removed(r):
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Trim(b.String(), " .")
	if reserved(s) {
		s = "_" + s
	}
	s = cut(s, MaxSafeName)
	s = strings.TrimRight(s, " .")
	if s == "" {
		return fallbackName
	}
	return s
}

// removed reports whether r is dropped from a saved name: control,
// format (bidi controls, zero-width characters, tags) and other invisible
// characters, and line and paragraph separators.
func removed(r rune) bool {
	switch {
	case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		return true
	case r == '\u2028' || r == '\u2029' || r == '\u034f' || r == '\u115f' || r == '\u1160' || r == '\u3164' || r == '\uffa0':
		return true
	case unicode.Is(unicode.Variation_Selector, r):
		return true
	}
	return false
}

// reserved reports whether s, or the part of s before its first dot, is a
// device name Windows reserves, in any case and with trailing spaces.
func reserved(s string) bool {
	base, _, _ := strings.Cut(s, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) >= 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// cut shortens s to at most n bytes on a character boundary, keeping an
// extension of up to 16 bytes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	ext := ""
	if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 16 {
		ext = s[i:]
		s = s[:i]
	}
	s = s[:n-len(ext)]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + ext
}
