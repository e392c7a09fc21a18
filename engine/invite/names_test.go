package invite

import (
	"errors"
	"testing"
)

// TestNameFormatCharacters (security L-3): names in invites refuse every
// format character except ZWJ (text-direction marks as well as overrides
// and isolates, and invisible characters), when an invite is made and when
// one is read.
func TestNameFormatCharacters(t *testing.T) {
	alice := testID(t, 0x01).Address()
	var key [GroupKeySize]byte
	key[0] = 1
	for _, name := range []string{"Dana 👩\u200d💻", "مريم", "דוד"} {
		if _, err := NewContactInvite(alice, name, ContactOptions{}); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
	}
	for _, name := range []string{"Alice\u200f", "Al\u200eice", "\u061cAlice", "Al\u00adice", "Al\u200bice", "Ali\u2060ce", "\u202eecilA", "Al\u2066ice", "A\U000e0041"} {
		if _, err := NewContactInvite(alice, name, ContactOptions{}); !errors.Is(err, ErrName) || Hint(err) == "" {
			t.Errorf("contact invite named %q: %v, want ErrName", name, err)
		}
		if _, err := NewGroupInvite(name, key, testBundle(t)); !errors.Is(err, ErrName) {
			t.Errorf("group invite named %q: %v, want ErrName", name, err)
		}
		text := frame(PrefixContact, contactPayload(0, alice.PublicKey(), nil, []byte(name)))
		if _, err := ParseAt(text, testNow); !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrName) {
			t.Errorf("received contact invite named %q: %v, want ErrMalformed", name, err)
		}
		b := mustMarshal(testBundle(t), key[:])
		text = frame(PrefixGroup, appendName(b, name))
		if _, err := ParseAt(text, testNow); !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrName) {
			t.Errorf("received group invite named %q: %v, want ErrMalformed", name, err)
		}
	}
}
