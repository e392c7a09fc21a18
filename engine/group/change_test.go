package group

import (
	"errors"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

// TestChangeRoundTrip: changes of a message (a known type, an unknown
// one with and without a payload) seal into ordinary blobs and open with
// their target, type and payload.
func TestChangeRoundTrip(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	for _, c := range []struct {
		typ     model.ChangeType
		payload string
	}{{model.ChangeEdit, "at one"}, {model.ChangeReaction, ""}, {0xfe, ""}, {0xfe, "later"}} {
		m := Message{Seq: 3, Sent: t0, Kind: KindChange, ReplyTo: MessageID{1, 2, 3}, Change: c.typ, Payload: []byte(c.payload), Name: "Alice"}
		blob, err := g.Seal(nil, alice, &m)
		if err != nil {
			t.Fatal(err)
		}
		out, err := g.Open(blob)
		if err != nil {
			t.Fatal(err)
		}
		if out.Kind != KindChange || out.ReplyTo != m.ReplyTo || out.Change != c.typ || string(out.Payload) != c.payload ||
			out.Text != "" || len(out.Raw) != 0 || out.Author != alice.Address() || out.ID != m.ID {
			t.Fatalf("opened %+v", out)
		}
	}
}

// TestChangeStrict: Seal refuses a change with text, without a target,
// with a payload its type's rule refuses or too long to fit; a change
// whose payload its rule refuses does not open (signed all the same), nor
// one too short to hold its type.
func TestChangeStrict(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	for name, m := range map[string]Message{
		"text":       {Seq: 1, Sent: t0, Kind: KindChange, ReplyTo: MessageID{1}, Text: "hi", Change: model.ChangeEdit, Payload: []byte("x")},
		"no target":  {Seq: 1, Sent: t0, Kind: KindChange, Change: model.ChangeEdit, Payload: []byte("x")},
		"words":      {Seq: 1, Sent: t0, Kind: KindChange, ReplyTo: MessageID{1}, Change: model.ChangeReaction, Payload: []byte("call me")},
		"empty edit": {Seq: 1, Sent: t0, Kind: KindChange, ReplyTo: MessageID{1}, Change: model.ChangeEdit},
	} {
		if _, err := g.Seal(nil, alice, &m); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	long := Message{Seq: 1, Sent: t0, Kind: KindChange, ReplyTo: MessageID{1}, Change: model.ChangeEdit, Payload: []byte(strings.Repeat("x", MaxText))}
	if _, err := g.Seal(nil, alice, &long); !errors.Is(err, ErrBodyTooLong) {
		t.Errorf("a change too long: %v, want ErrBodyTooLong", err)
	}
	// A reply re-labelled as a change and signed again: its text read as
	// a type and a payload the type refuses, or too short for a type.
	kindAt := 1 + 32 + 8 + 8 + 32 + 1
	for _, text := range []string{"\x01call me", "\x02"} {
		p := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindReply, ReplyTo: MessageID{1}, Text: text})
		p[kindAt] = byte(KindChange)
		end := kindAt + 1 + 2 + 32 + len(text)
		copy(p[end:], alice.Sign(signedBytes(g.id, p[:end])))
		if _, err := g.Open(sealPlain(t, g, p)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("a change carrying %q: %v, want ErrMalformed", text, err)
		}
	}
	p := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindLeft})
	p[kindAt] = byte(KindChange)
	copy(p[kindAt+3:], alice.Sign(signedBytes(g.id, p[:kindAt+3])))
	if _, err := g.Open(sealPlain(t, g, p)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("an empty change: %v, want ErrMalformed", err)
	}
}
