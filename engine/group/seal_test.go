package group

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

func TestSealOpenRoundTrip(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	cases := []Message{
		{Seq: 1, Sent: t0, Kind: KindText, Text: "hello"},
		{Seq: 2, Sent: t0.Add(time.Second + 1234567), Kind: KindText, Text: "ünïcode ✓", Name: "Alice",
			Prev: MessageID{1, 2, 3}},
		{Seq: 3, Sent: t0, Kind: KindReply, ReplyTo: MessageID{9}, Text: "yes"},
		{Seq: 1 << 60, Sent: time.UnixMilli(0), Kind: KindText, Text: strings.Repeat("x", MaxText)},
		{Seq: 4, Sent: t0, Kind: KindReply, ReplyTo: MessageID{9}, Name: longName,
			Text: strings.Repeat("y", MaxTextFor(longName, true))},
	}
	for i, m := range cases {
		in := m
		blob, err := g.Seal(nil, alice, &in)
		if err != nil {
			t.Fatalf("case %d: Seal: %v", i, err)
		}
		if len(blob) != BlobSize {
			t.Fatalf("case %d: blob of %d bytes", i, len(blob))
		}
		out, err := g.Open(blob)
		if err != nil {
			t.Fatalf("case %d: Open: %v", i, err)
		}
		want := m
		want.Author, want.ID = alice.Address(), in.ID
		want.Sent = m.Sent.Truncate(time.Millisecond).UTC()
		if out.Author != want.Author || out.Seq != want.Seq || !out.Sent.Equal(want.Sent) || out.Prev != want.Prev ||
			out.Kind != want.Kind || out.ReplyTo != want.ReplyTo || out.Text != want.Text || out.Name != want.Name ||
			out.ID != want.ID || out.ID.IsZero() {
			t.Errorf("case %d: opened %+v, want %+v", i, out, want)
		}
		// The same message sealed again (new nonce) is another blob but the
		// same message.
		again := m
		blob2, err := g.Seal(nil, alice, &again)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(blob, blob2) || again.ID != in.ID {
			t.Errorf("case %d: resealing: same blob %v, ids %v %v", i, bytes.Equal(blob, blob2), again.ID, in.ID)
		}
	}
}

// longName is a display name of MaxNameBytes bytes and MaxNameRunes characters.
var longName = strings.Repeat("😀", 63) + "€"

func TestSealDeterministicWithInjectedRand(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	m1 := Message{Seq: 1, Sent: t0, Kind: KindText, Text: "a"}
	m2 := m1
	b1, _ := g.Seal(newDetRand("x"), alice, &m1)
	b2, _ := g.Seal(newDetRand("x"), alice, &m2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("same randomness gave different blobs")
	}
}

// TestBlobSizeConstant seals 1,000 messages of wildly different lengths:
// every blob has exactly BlobSize bytes.
func TestBlobSizeConstant(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 1000 {
		var n int
		switch i % 4 {
		case 0:
			n = 1 + r.IntN(10)
		case 1:
			n = 1 + r.IntN(MaxText)
		case 2:
			n = MaxText - r.IntN(5)
		default:
			n = 1 + r.IntN(300)
		}
		name := strings.Repeat("é", r.IntN(MaxNameRunes+1))
		kind := KindText
		if i%3 == 0 {
			kind = KindReply
		}
		if max := MaxTextFor(name, kind == KindReply); n > max {
			n = max
		}
		m := Message{Seq: uint64(i + 1), Sent: t0, Kind: kind, ReplyTo: MessageID{1}, Name: name, Text: strings.Repeat("z", n)}
		blob, err := g.Seal(nil, alice, &m)
		if err != nil {
			t.Fatalf("message %d (%d bytes): %v", i, n, err)
		}
		if len(blob) != BlobSize {
			t.Fatalf("message %d (%d bytes): blob of %d bytes", i, n, len(blob))
		}
	}
}

func TestBodyTooLong(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	for _, tc := range []struct {
		name  string
		reply bool
	}{{"", false}, {"", true}, {"Bob", false}, {longName, true}} {
		max := MaxTextFor(tc.name, tc.reply)
		kind := KindText
		if tc.reply {
			kind = KindReply
		}
		m := Message{Seq: 1, Sent: t0, Kind: kind, ReplyTo: MessageID{1}, Name: tc.name, Text: strings.Repeat("a", max+1)}
		_, err := g.Seal(nil, alice, &m)
		if !errors.Is(err, ErrBodyTooLong) || !strings.Contains(err.Error(), "at most") {
			t.Errorf("name %d bytes reply %v: %d bytes: %v, want ErrBodyTooLong with the limit", len(tc.name), tc.reply, max+1, err)
		}
		m.Text = m.Text[:max]
		if _, err := g.Seal(nil, alice, &m); err != nil {
			t.Errorf("name %d bytes reply %v: %d bytes: %v", len(tc.name), tc.reply, max, err)
		}
	}
	if MaxText < 3800 || MaxText > 3900 {
		t.Errorf("MaxText = %d, docs say about 3.8 KB", MaxText)
	}
}

func TestSealRefusesInvalid(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	for name, m := range map[string]Message{
		"seq 0":         {Seq: 0, Sent: t0, Kind: KindText, Text: "a"},
		"empty":         {Seq: 1, Sent: t0, Kind: KindText},
		"bad utf8":      {Seq: 1, Sent: t0, Kind: KindText, Text: "\xff"},
		"reply no id":   {Seq: 1, Sent: t0, Kind: KindReply, Text: "a"},
		"unknown kind":  {Seq: 1, Sent: t0, Kind: 9, Text: "a"},
		"control name":  {Seq: 1, Sent: t0, Kind: KindText, Text: "a", Name: "a\nb"},
		"long name":     {Seq: 1, Sent: t0, Kind: KindText, Text: "a", Name: strings.Repeat("n", 65)},
		"before epoch":  {Seq: 1, Sent: time.Unix(-5, 0), Kind: KindText, Text: "a"},
		"name too long": {Seq: 1, Sent: t0, Kind: KindText, Text: "a", Name: strings.Repeat("é", 128)},
	} {
		if _, err := g.Seal(nil, alice, &m); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := New([KeySize]byte{}, testServer("s")); !errors.Is(err, ErrInvalid) {
		t.Errorf("New with a zero key: %v", err)
	}
}

// TestOtherGroupIsNotOurs: a blob of one group is ErrNotOurs for another,
// also for the same key on another server.
func TestOtherGroupIsNotOurs(t *testing.T) {
	a := testGroup(t, "a")
	b := testGroup(t, "b")
	sameKeyOtherServer, err := New(testKey("a"), testServer("z"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID() == sameKeyOtherServer.ID() {
		t.Fatal("same key on two servers gave one group ID")
	}
	alice := testIdentity(t, "alice")
	m := Message{Seq: 1, Sent: t0, Kind: KindText, Text: "hi"}
	blob, err := a.Seal(nil, alice, &m)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []*Group{b, sameKeyOtherServer} {
		if _, err := other.Open(blob); !errors.Is(err, ErrNotOurs) {
			t.Errorf("Open by another group: %v, want ErrNotOurs", err)
		}
		if other.Ours(blob) {
			t.Error("Ours by another group")
		}
	}
	if !a.Ours(blob) {
		t.Error("not Ours for its own group")
	}
}

func TestOpenErrors(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	mallory := testIdentity(t, "mallory")
	m := Message{Seq: 1, Sent: t0, Kind: KindText, Text: "hello"}
	blob, err := g.Seal(nil, alice, &m)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte { b := bytes.Clone(blob); b[i] ^= 1; return b }

	// A member writing in Alice's name: a plaintext naming Alice, signed by
	// Mallory.
	forged := plaintextOf(t, g, mallory, &Message{Seq: 1, Sent: t0, Kind: KindText, Text: "it was me"})
	copy(forged[1:33], alice.PublicKey())
	// Padding that is not zeros.
	padded := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindText, Text: "x"})
	padded[PlainSize-1] = 1
	// A newer layout.
	newer := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindText, Text: "x"})
	newer[0] = 2
	// Seq 0 with a valid signature cannot be made with Seal; build it.
	zeroSeq := plaintextOf(t, g, alice, &Message{Seq: 1, Sent: t0, Kind: KindText, Text: "x"})
	copy(zeroSeq[33:41], make([]byte, 8))

	for name, tc := range map[string]struct {
		blob []byte
		want error
	}{
		"short":          {blob[:BlobSize-1], ErrBlobSize},
		"long":           {append(bytes.Clone(blob), 0), ErrBlobSize},
		"tag":            {flip(3), ErrNotOurs},
		"nonce":          {flip(TagSize + 2), ErrNotOurs},
		"ciphertext":     {flip(100), ErrTampered},
		"aead tag":       {flip(BlobSize - 1), ErrTampered},
		"forged author":  {sealPlain(t, g, forged), ErrBadSignature},
		"dirty padding":  {sealPlain(t, g, padded), ErrMalformed},
		"newer layout":   {sealPlain(t, g, newer), ErrVersion},
		"zero seq":       {sealPlain(t, g, zeroSeq), ErrMalformed},
		"all zeros":      {sealPlain(t, g, make([]byte, PlainSize)), ErrVersion},
		"version only":   {sealPlain(t, g, append([]byte{1}, make([]byte, PlainSize-1)...)), ErrMalformed},
		"truncated name": {sealPlain(t, g, truncatedName()), ErrMalformed},
	} {
		if _, err := g.Open(tc.blob); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// truncatedName is a plaintext whose name length runs past the end.
func truncatedName() []byte {
	p := make([]byte, PlainSize)
	p[0] = 1
	for i := 81; i < PlainSize; i++ {
		p[i] = 0xff
	}
	return p
}

func TestMessageIDModel(t *testing.T) {
	id := MessageID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}
	want := model.MessageID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	if id.Model() != want {
		t.Fatal(id.Model())
	}
	g := testGroup(t, "g")
	c := g.ID().Conversation()
	if got, ok := ParseConversation(c); !ok || got != g.ID() || !strings.HasPrefix(string(c), "g:") {
		t.Fatalf("ParseConversation(%q) = %v, %v", c, got, ok)
	}
	for _, bad := range []model.ConversationID{"", "g:", "g:zz", model.ConversationID("x:" + g.ID().String())} {
		if _, ok := ParseConversation(bad); ok {
			t.Errorf("ParseConversation(%q) ok", bad)
		}
	}
}

// TestReseal (security review L-10): a blob sealed again opens to the same
// message (same ID), under another nonce and tag, sharing no 8-byte run
// with the first sealing; another group's blob or a modified one is
// refused.
func TestReseal(t *testing.T) {
	g := testGroup(t, "g")
	alice := testIdentity(t, "alice")
	m := Message{Seq: 1, Sent: t0, Kind: KindText, Text: "hello"}
	blob, err := g.Seal(nil, alice, &m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.Reseal(nil, blob)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != BlobSize {
		t.Fatalf("resealed blob of %d bytes", len(again))
	}
	for i := 0; i+8 <= BlobSize; i++ {
		if bytes.Contains(blob, again[i:i+8]) {
			t.Fatalf("the resealed blob shares bytes %d..%d with the first", i, i+8)
		}
	}
	out, err := g.Open(again)
	if err != nil || out.ID != m.ID || out.Text != "hello" {
		t.Fatalf("resealed blob opens to %+v, %v", out, err)
	}
	if _, err := testGroup(t, "other").Reseal(nil, blob); !errors.Is(err, ErrNotOurs) {
		t.Fatalf("another group's blob: %v", err)
	}
	bad := bytes.Clone(blob)
	bad[100] ^= 1
	if _, err := g.Reseal(nil, bad); !errors.Is(err, ErrTampered) {
		t.Fatalf("a modified blob: %v", err)
	}
}

// TestWipe: after Wipe the group's derived keys are zeros, and it neither
// seals nor opens (nor claims a blob as its own).
func TestWipe(t *testing.T) {
	g := testGroup(t, "wiped")
	author := testIdentity(t, "author")
	blob, err := g.Seal(nil, author, &Message{Seq: 1, Kind: KindText, Sent: time.Now(), Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	k := g.keys.Load()
	inner, outer := k.tag.inner, k.tag.outer
	g.Wipe()
	for _, b := range [][]byte{k.seal, inner, outer} {
		for _, x := range b {
			if x != 0 {
				t.Fatalf("key bytes left after Wipe: %x", b)
			}
		}
	}
	if g.Ours(blob) {
		t.Error("a wiped group claims a blob")
	}
	if _, err := g.Open(blob); !errors.Is(err, ErrWiped) {
		t.Errorf("Open after Wipe: %v, want ErrWiped", err)
	}
	if _, err := g.Seal(nil, author, &Message{Seq: 2, Kind: KindText, Sent: time.Now(), Text: "hi"}); !errors.Is(err, ErrWiped) {
		t.Errorf("Seal after Wipe: %v, want ErrWiped", err)
	}
	g.Wipe() // twice is fine
}
