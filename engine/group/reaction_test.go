package group

import (
	"errors"
	"testing"
)

// TestReactionRoundTrip: a reaction, and the removal of one, seal into
// ordinary blobs and open with their target and emoji.
func TestReactionRoundTrip(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	for _, emoji := range []string{"👍", "👩\u200d💻", ""} {
		m := Message{Seq: 3, Sent: t0, Kind: KindReaction, ReplyTo: MessageID{1, 2, 3}, Emoji: emoji, Name: "Alice"}
		blob, err := g.Seal(nil, alice, &m)
		if err != nil {
			t.Fatal(err)
		}
		if len(blob) != BlobSize {
			t.Fatalf("reaction of %d bytes", len(blob))
		}
		out, err := g.Open(blob)
		if err != nil {
			t.Fatal(err)
		}
		if out.Kind != KindReaction || out.ReplyTo != m.ReplyTo || out.Emoji != emoji || out.Text != "" ||
			len(out.Raw) != 0 || out.Author != alice.Address() || out.ID != m.ID {
			t.Fatalf("opened %+v", out)
		}
	}
}

// TestReactionStrict: Seal refuses a reaction with text, without a target
// or with something other than one emoji, and a reaction whose body holds
// text does not open (signed by its author all the same).
func TestReactionStrict(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	for name, m := range map[string]Message{
		"text":      {Seq: 1, Sent: t0, Kind: KindReaction, ReplyTo: MessageID{1}, Text: "hi", Emoji: "👍"},
		"no target": {Seq: 1, Sent: t0, Kind: KindReaction, Emoji: "👍"},
		"two emoji": {Seq: 1, Sent: t0, Kind: KindReaction, ReplyTo: MessageID{1}, Emoji: "👍👍"},
		"words":     {Seq: 1, Sent: t0, Kind: KindReaction, ReplyTo: MessageID{1}, Emoji: "call me"},
	} {
		if _, err := g.Seal(nil, alice, &m); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// A reply re-labelled as a reaction and signed again: its body is a
	// message ID and text.
	for _, text := range []string{"hidden words", "👍\u202e"} {
		p := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindReply, ReplyTo: MessageID{1}, Text: text})
		kindAt := 1 + 32 + 8 + 8 + 32 + 1
		p[kindAt] = byte(KindReaction)
		end := kindAt + 1 + 2 + 32 + len(text)
		copy(p[end:], alice.Sign(signedBytes(g.id, p[:end])))
		if _, err := g.Open(sealPlain(t, g, p)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("a reaction carrying %q: %v, want ErrMalformed", text, err)
		}
	}
}
