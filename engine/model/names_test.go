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
