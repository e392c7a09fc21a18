package model

import "testing"

func TestForbiddenInName(t *testing.T) {
	for _, r := range []rune{0, '\n', 0x7f, 0x85, '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c', '\u00ad', '\u200b', '\u200c', '\u2060', '\ufeff', '\U000e0041'} {
		if !ForbiddenInName(r) {
			t.Errorf("%U allowed", r)
		}
	}
	for _, r := range []rune{'A', ' ', '\u200d', 'é', '\u0301', 'م', 'ד', '李', '👩', '\ufe0f'} {
		if ForbiddenInName(r) {
			t.Errorf("%U forbidden", r)
		}
	}
}

// TestContactNameClean: a name stored by an older version with a
// text-direction override is shown without it.
func TestContactNameClean(t *testing.T) {
	for _, tc := range []struct {
		c    Contact
		want string
	}{
		{Contact{DisplayName: "\u202eecilA", Address: "abcdefghij"}, "ecilA"},
		{Contact{Nickname: "\u200f", DisplayName: "Dana 👩\u200d💻"}, "Dana 👩\u200d💻"},
		{Contact{DisplayName: "\u2066\u2069", Address: "abcdefghij"}, "abcdefgh"},
	} {
		if got := tc.c.Name(); got != tc.want {
			t.Errorf("%+v: Name() = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// TestNamesRefuseIgnorableAndFillers (security review 2, L-C): the
// characters that passed the first rule (only category Cf) and show as
// nothing or as blank are refused, and a zero-width joiner or variation
// selector 16 is allowed only inside an emoji sequence.
func TestNamesRefuseIgnorableAndFillers(t *testing.T) {
	for _, name := range []string{
		"Al\u3164ice", "Al\uffa0ice", "\u115fAlice", "Al\u034fice", "Alice\ufe0f", "Al\u180bice",
		"Al\u17b4ice", "Alice\u2800", "Al\u200dice", "\u200d👩", "👩\u200d", "1\u200d2", "Al\u1160ice",
	} {
		if BadNameChar(name) < 0 {
			t.Errorf("%+q allowed", name)
		}
		if got := CleanName(name); BadNameChar(got) >= 0 || got == name {
			t.Errorf("CleanName(%+q) = %+q", name, got)
		}
	}
	for _, name := range []string{
		"Dana 👩\u200d💻", "❤\ufe0f", "❤\ufe0f\u200d🔥", "👩🏽\u200d💻", "1\ufe0f\u20e3", "🏳\ufe0f\u200d🌈", "Alice", "李 م ד é",
	} {
		if i := BadNameChar(name); i >= 0 {
			t.Errorf("%+q refused at %d", name, i)
		}
		if got := CleanName(name); got != name {
			t.Errorf("CleanName(%+q) = %+q", name, got)
		}
	}
	if got := CleanName("Al\u3164i\u200dce"); got != "Alice" {
		t.Errorf("CleanName = %+q, want Alice", got)
	}
}
