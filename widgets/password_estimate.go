package widgets

import (
	"math"
	"strings"
	"unicode"

	"github.com/nookchat/nook/app/i18n"
)

// Strength is a coarse rating of a password.
type Strength int

const (
	StrengthVeryWeak Strength = iota
	StrengthWeak
	StrengthFair
	StrengthStrong
	StrengthVeryStrong
)

// String returns the rating as the meter shows it.
func (s Strength) String() string {
	switch s {
	case StrengthWeak:
		return i18n.T("password_estimate.weak")
	case StrengthFair:
		return i18n.T("password_estimate.fair")
	case StrengthStrong:
		return i18n.T("password_estimate.strong")
	case StrengthVeryStrong:
		return i18n.T("password_estimate.very_strong")
	default:
		return i18n.T("password_estimate.very_weak")
	}
}

// PasswordEstimate is the result of EstimatePassword.
type PasswordEstimate struct {
	Strength Strength
	// Bits is the rough entropy the rating is based on.
	Bits float64
	// Hint says, in a few words, how to do better; empty when there is
	// nothing to add.
	Hint string
}

// EstimatePassword rates a password for the meter.
//
// The estimate is deliberately simple and local (nothing leaves the
// machine): about log2(alphabet) bits per character, where the alphabet is
// the union of the character classes used (lower case, upper case, digits,
// symbols, anything else), with repeated characters ("aaaa"), runs
// ("abcd", "4321") and keyboard rows ("qwerty", "asdf") counting for
// little, and with any of ~100 very common passwords (also written with
// digit-for-letter swaps or a number or symbol appended) treated as one
// guess. Lengths under 10 characters are capped at Fair and under 8 at
// Weak.
//
// Its limits: it knows nothing about the person (names, dates, places),
// has no dictionary beyond the common list, so a passphrase of common words
// is rated on its characters and over-rated compared with counting words
// (four random words from a 7,776-word list are about 52 bits, not the ~130
// counted here), and it cannot tell a random string from a memorable one
// with the same classes. It is a nudge towards long passphrases, not a
// policy; the profile's Argon2id key derivation is what makes guessing
// expensive.
func EstimatePassword(pw string) PasswordEstimate {
	if pw == "" {
		return PasswordEstimate{}
	}
	if isCommonPassword(pw) {
		return PasswordEstimate{Bits: 7, Hint: i18n.T("password_estimate.this_is_one_of")}
	}

	runes := []rune(pw)
	lower := []rune(strings.ToLower(pw))

	// Alphabet size from the classes present.
	var hasLower, hasUpper, hasDigit, hasSymbol, hasOther bool
	for _, r := range runes {
		switch {
		case r >= 'a' && r <= 'z':
			hasLower = true
		case r >= 'A' && r <= 'Z':
			hasUpper = true
		case r >= '0' && r <= '9':
			hasDigit = true
		case r < 128 && unicode.IsPrint(r):
			hasSymbol = true
		default:
			hasOther = true
		}
	}
	alphabet := 0
	for _, c := range []struct {
		has  bool
		size int
	}{{hasLower, 26}, {hasUpper, 26}, {hasDigit, 10}, {hasSymbol, 33}, {hasOther, 100}} {
		if c.has {
			alphabet += c.size
		}
	}

	// Effective length: each character counts 1, or 0.2 when it repeats
	// the previous one, continues a run, or continues a keyboard row.
	eff, patterned := 0.0, 0
	for i := range lower {
		if i > 0 && (lower[i] == lower[i-1] || isRun(lower, i) || isKeyboardStep(lower, i)) {
			eff += 0.2
			patterned++
			continue
		}
		eff++
	}
	// A common password inside a longer one counts as a single character.
	if w := longestCommonInside(string(lower)); w > 0 {
		eff -= float64(w) - 1
		patterned += w
	}
	if eff < 1 {
		eff = 1
	}

	bits := eff * math.Log2(float64(alphabet))
	s := strengthFromBits(bits)
	n := len(runes)
	switch {
	case n < 8 && s > StrengthWeak:
		s = StrengthWeak
	case n < 10 && s > StrengthFair:
		s = StrengthFair
	}

	hint := ""
	switch {
	case s >= StrengthStrong:
	case patterned*3 >= n:
		hint = i18n.T("password_estimate.avoid_repeats_sequences_and")
	case n < 12:
		hint = i18n.T("password_estimate.longer_is_stronger_try")
	default:
		hint = i18n.T("password_estimate.add_another_word_or")
	}
	return PasswordEstimate{Strength: s, Bits: bits, Hint: hint}
}

func strengthFromBits(bits float64) Strength {
	switch {
	case bits < 30:
		return StrengthVeryWeak
	case bits < 45:
		return StrengthWeak
	case bits < 60:
		return StrengthFair
	case bits < 80:
		return StrengthStrong
	default:
		return StrengthVeryStrong
	}
}

// isRun reports whether s[i] continues an ascending or descending run of
// letters or digits ("abc", "987").
func isRun(s []rune, i int) bool {
	if i < 1 || !(unicode.IsLetter(s[i]) || unicode.IsDigit(s[i])) {
		return false
	}
	d := s[i] - s[i-1]
	return d == 1 || d == -1
}

var keyboardRows = []string{"`1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./", "qwertzuiop", "azertyuiop", "yxcvbnm"}

// isKeyboardStep reports whether s[i-1]s[i] are neighbours on a keyboard row.
func isKeyboardStep(s []rune, i int) bool {
	if i < 1 {
		return false
	}
	pair := string(s[i-1 : i+1])
	rev := string([]rune{s[i], s[i-1]})
	for _, row := range keyboardRows {
		if strings.Contains(row, pair) || strings.Contains(row, rev) {
			return true
		}
	}
	return false
}

// leet undoes common digit-for-letter swaps.
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

// isCommonPassword reports whether pw is on the common list, also after
// lower-casing, undoing letter swaps or dropping a trailing number or
// symbols ("Summer2024!").
func isCommonPassword(pw string) bool {
	l := strings.ToLower(pw)
	trimmed := strings.TrimRightFunc(l, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, c := range []string{l, leet.Replace(l), trimmed, leet.Replace(trimmed)} {
		if _, ok := commonPasswords[c]; ok {
			return true
		}
	}
	return false
}

// longestCommonInside returns the length of the longest common password of
// at least 5 characters found inside s, 0 if none.
func longestCommonInside(s string) int {
	best := 0
	for c := range commonPasswords {
		if n := len(c); n >= 5 && n > best && strings.Contains(s, c) {
			best = n
		}
	}
	return best
}

// commonPasswords holds about 100 of the most used passwords (from public
// breach-corpus top lists), lower case.
var commonPasswords = setOf(
	"123456", "123456789", "12345678", "12345", "1234567", "1234567890", "123123", "111111",
	"000000", "654321", "666666", "121212", "112233", "123321", "7777777", "987654321", "1q2w3e4r",
	"1q2w3e", "qwerty", "qwerty123", "qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm", "1qaz2wsx",
	"qazwsx", "password", "password1", "password123", "passw0rd", "pass", "passwort", "motdepasse",
	"contraseña", "senha", "admin", "administrator", "root", "login", "welcome", "letmein",
	"iloveyou", "monkey", "dragon", "football", "baseball", "soccer", "hockey", "master",
	"shadow", "sunshine", "princess", "superman", "batman", "trustno1", "starwars", "pokemon",
	"michael", "jennifer", "jordan", "daniel", "charlie", "thomas", "hunter", "hunter2",
	"killer", "freedom", "whatever", "secret", "summer", "winter", "spring", "autumn",
	"flower", "cookie", "cheese", "chocolate", "butterfly", "lovely", "love", "loveme",
	"hello", "hello123", "abc123", "abcdef", "abcd1234", "access", "mustang", "ginger",
	"computer", "internet", "google", "samsung", "azerty", "matrix", "nothing", "ninja",
	"zaq12wsx", "changeme", "default", "test", "test123", "guest", "orange", "banana",
)

func setOf(ss ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		m[s] = struct{}{}
	}
	return m
}
