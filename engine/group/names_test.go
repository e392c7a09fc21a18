package group

import (
	"errors"
	"testing"
)

// TestAuthorNameFormatCharacters (security L-3): an author name with a
// format character other than ZWJ (a text-direction override, isolate or
// mark, an invisible character) can make one member's name display as
// another's. Seal refuses to write one, and a message that carries one,
// properly signed by a member, is refused as malformed.
func TestAuthorNameFormatCharacters(t *testing.T) {
	g := testGroup(t, "names")
	author := testIdentity(t, "mallory")
	for _, name := range []string{"Dana 👩\u200d💻", "مريم", "Zoë"} {
		blob, err := g.Seal(newDetRand("seal"), author, &Message{Kind: KindText, Seq: 1, Sent: t0, Name: name, Text: "hi"})
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if m, err := g.Open(blob); err != nil || m.Name != name {
			t.Fatalf("%q: %v", name, err)
		}
	}
	for _, name := range []string{"\u202eecilA", "Al\u2066ice", "Alice\u200f", "Al\u00adice", "\u061cAlice", "Al\u200bice"} {
		m := &Message{Kind: KindText, Seq: 1, Sent: t0, Name: name, Text: "hi"}
		if _, err := g.Seal(newDetRand("seal"), author, m); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Seal with %q: %v, want ErrInvalid", name, err)
		}
		// What a member running other software could send: signed, sealed.
		body, err := m.body()
		if err != nil {
			t.Fatal(err)
		}
		p := appendUnsigned(make([]byte, 0, PlainSize), author.PublicKey(), m, body)
		p = append(p, author.Sign(signedBytes(g.id, p))...)
		p = p[:PlainSize]
		if _, err := g.Open(sealPlain(t, g, p)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Open with %q: %v, want ErrMalformed", name, err)
		}
	}
}
