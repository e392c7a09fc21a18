package protocol

import (
	"bytes"
	"errors"
	"testing"
)

// badNames hold format characters that can make a name display as another:
// text-direction overrides, isolates and marks, and invisible characters.
var badNames = []string{
	"\u202eecilA",  // right-to-left override: shows as "Alice"
	"Al\u2066ice",  // left-to-right isolate
	"Alice\u200f",  // right-to-left mark
	"Al\u200eice",  // left-to-right mark
	"\u061cAlice",  // Arabic letter mark
	"Al\u00adice",  // soft hyphen (invisible)
	"Al\u200bice",  // zero-width space
	"Ali\u2060ce",  // word joiner
	"Alice\ufeff",  // byte-order mark
	"A\U000e0041",  // tag letter
	"Alice\u2028x", // line separator
}

// goodNames are names people have, including emoji joined with ZWJ.
var goodNames = []string{"Alice", "👩\u200d💻 Dana", "مريم", "דוד", "Zoë", "José", "李小龙", ""}

// TestDisplayNameFormatCharacters (security L-3): a display name with a
// format character other than ZWJ is refused where it is checked (the
// profile name and nicknames in the engine, the app's forms) and in every
// record that carries one, sent or received.
func TestDisplayNameFormatCharacters(t *testing.T) {
	for _, name := range goodNames {
		if err := CheckDisplayName(name); err != nil {
			t.Errorf("%q refused: %v", name, err)
		}
		for _, r := range []Record{&ContactRequest{DisplayName: name}, &ContactAccept{DisplayName: name}} {
			b := mustEncode(t, r)
			if _, err := Decode(b); err != nil {
				t.Errorf("%q: %v", name, err)
			}
		}
	}
	for _, name := range badNames {
		if err := CheckDisplayName(name); err == nil {
			t.Errorf("%q accepted", name)
		}
		checkRefused(t, []Record{
			&ContactRequest{DisplayName: name},
			&ContactAccept{DisplayName: name},
			&ProfileAttr{Attr: AttrDisplayName, Value: []byte(name)},
		})
		// The same records received: made with a same-length name, then
		// the name's bytes swapped in.
		stand := bytes.Repeat([]byte("x"), len(name))
		for _, r := range []Record{
			&ContactRequest{DisplayName: string(stand)},
			&ContactAccept{DisplayName: string(stand)},
			&ProfileAttr{Attr: AttrDisplayName, Value: stand},
		} {
			b := mustEncode(t, r)
			i := bytes.Index(b, stand)
			if i < 0 {
				t.Fatal("name not found in the record")
			}
			copy(b[i:], name)
			if _, err := Decode(b); !errors.Is(err, ErrMalformed) {
				t.Errorf("%T with %q received: error %v, want ErrMalformed", r, name, err)
			}
		}
	}
}
