package group

import (
	"errors"
	"testing"
)

// TestLeaveNoticeRoundTrip: a leave notice seals into an ordinary blob,
// opens with its kind, author, name and sequence number and no text, and
// counts in the timeline like any message.
func TestLeaveNoticeRoundTrip(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	m := Message{Seq: 7, Sent: t0, Kind: KindLeft, Name: "Alice", Prev: MessageID{4}}
	blob, err := g.Seal(nil, alice, &m)
	if err != nil {
		t.Fatal(err)
	}
	if len(blob) != BlobSize {
		t.Fatalf("leave notice of %d bytes", len(blob))
	}
	out, err := g.Open(blob)
	if err != nil {
		t.Fatal(err)
	}
	if out.Kind != KindLeft || out.Author != alice.Address() || out.Name != "Alice" || out.Seq != 7 ||
		out.Prev != m.Prev || out.Text != "" || len(out.Raw) != 0 || out.ID != m.ID {
		t.Fatalf("opened %+v", out)
	}
	tl := NewTimeline(TimelineOptions{})
	tl.Observe(&Message{Author: alice.Address(), Seq: 6, Kind: KindText, Text: "bye", ID: MessageID{4}})
	if dup, fs := tl.Observe(out); dup || len(fs) != 0 {
		t.Fatalf("timeline: dup %v, findings %v", dup, fs)
	}
	if tl.LastSeq(alice.Address()) != 7 {
		t.Fatalf("timeline last seq %d", tl.LastSeq(alice.Address()))
	}
}

// TestLeaveNoticeStrict: a leave notice carries no text when sealed, and a
// notice with a body does not open (one encoding per message).
func TestLeaveNoticeStrict(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	for name, m := range map[string]Message{
		"text":  {Seq: 1, Sent: t0, Kind: KindLeft, Text: "bye"},
		"reply": {Seq: 1, Sent: t0, Kind: KindLeft, ReplyTo: MessageID{1}},
	} {
		if _, err := g.Seal(nil, alice, &m); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	// A text message re-labelled as a leave notice and signed again: the
	// layout parses, the body is not empty.
	p := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindText, Text: "x"})
	kindAt := 1 + 32 + 8 + 8 + 32 + 1
	p[kindAt] = byte(KindLeft)
	end := kindAt + 1 + 2 + 1
	sig := alice.Sign(signedBytes(g.id, p[:end]))
	copy(p[end:], sig)
	if _, err := g.Open(sealPlain(t, g, p)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("leave notice with a body: %v, want ErrMalformed", err)
	}
}

// TestReplayedLeaveNoticeOutsideWindow (security review L-13): a leave
// notice is not stored as a message, so once 1024 newer messages pushed
// its ID out of the timeline's window the message store cannot vouch for
// it either. The server replaying it then must count as a duplicate (it is
// the author's last message, byte for byte), never as an equivocation by
// its honest author.
func TestReplayedLeaveNoticeOutsideWindow(t *testing.T) {
	g := testGroup(t, "g")
	alice, bob := testIdentity(t, "alice"), testIdentity(t, "bob")
	notice := Message{Seq: 1, Sent: t0, Kind: KindLeft, Name: "Alice"}
	blob, err := g.Seal(nil, alice, &notice)
	if err != nil {
		t.Fatal(err)
	}
	tl := NewTimeline(TimelineOptions{Known: func(MessageID) bool { return false }}) // not stored
	open := func(b []byte) *Message {
		m, err := g.Open(b)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if dup, fs := tl.Observe(open(blob)); dup || len(fs) != 0 {
		t.Fatalf("notice: dup %v, findings %v", dup, fs)
	}
	for i := range DefaultWindow + 1 {
		m := Message{Seq: uint64(i + 1), Sent: t0, Kind: KindText, Text: "x"}
		b, err := g.Seal(nil, bob, &m)
		if err != nil {
			t.Fatal(err)
		}
		tl.Observe(open(b))
	}
	if dup, fs := tl.Observe(open(blob)); !dup || len(fs) != 0 {
		t.Fatalf("replayed notice: dup %v, findings %v; want a duplicate", dup, fs)
	}
}

// TestJoinNotice: a join notice seals and opens like a leave notice (no
// text, kind 6), and one with a text is refused either way.
func TestJoinNotice(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	m := Message{Seq: 1, Sent: t0, Kind: KindJoined, Name: "Alice"}
	blob, err := g.Seal(nil, alice, &m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := g.Open(blob)
	if err != nil {
		t.Fatal(err)
	}
	if out.Kind != KindJoined || !out.Kind.Notice() || out.Author != alice.Address() || out.Name != "Alice" ||
		out.Text != "" || len(out.Raw) != 0 || out.ID != m.ID {
		t.Fatalf("opened %+v", out)
	}
	if _, err := g.Seal(nil, alice, &Message{Seq: 2, Sent: t0, Kind: KindJoined, Text: "hi"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a join notice with a text: %v, want ErrInvalid", err)
	}
	p := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindText, Text: "x"})
	kindAt := 1 + 32 + 8 + 8 + 32 + 1
	p[kindAt] = byte(KindJoined)
	end := kindAt + 1 + 2 + 1
	copy(p[end:], alice.Sign(signedBytes(g.id, p[:end])))
	if _, err := g.Open(sealPlain(t, g, p)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("join notice with a body: %v, want ErrMalformed", err)
	}
}
