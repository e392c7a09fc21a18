package group

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

var update = flag.Bool("update", false, "rewrite the seed corpora in testdata/fuzz")

// fuzzGroup is the group whose blobs the seed corpus holds.
func fuzzGroup(t testing.TB) *Group { return testGroup(t, "fuzz") }

// seedMessages are the valid messages of the seed corpora.
func seedMessages() []Message {
	return []Message{
		{Seq: 1, Sent: t0, Kind: KindText, Text: "hello"},
		{Seq: 2, Sent: t0, Kind: KindReply, ReplyTo: MessageID{7}, Prev: MessageID{8}, Name: "Alice", Text: "yes ✓"},
		{Seq: 3, Sent: t0, Kind: KindText, Text: strings.Repeat("x", MaxText)},
		{Seq: 5, Sent: t0, Kind: KindLeft, Prev: MessageID{9}, Name: "Alice"},
		{Seq: 6, Sent: t0, Kind: KindReaction, ReplyTo: MessageID{7}, Emoji: "👍🏽"},
		{Seq: 7, Sent: t0, Kind: KindReaction, ReplyTo: MessageID{7}},
		{Seq: 8, Sent: t0, Kind: KindJoined, Name: "Alice"},
		{Seq: 9, Sent: t0, Kind: KindEdit, ReplyTo: MessageID{7}, Name: "Alice", Text: "yes, at noon"},
		{Seq: 10, Sent: t0, Kind: KindChange, ReplyTo: MessageID{7}, Name: "Alice", Change: model.ChangeEdit, Payload: []byte("yes, at one")},
		{Seq: 11, Sent: t0, Kind: KindChange, ReplyTo: MessageID{7}, Change: 0xfe, Payload: []byte{}},
	}
}

// seedPlaintexts returns padded plaintexts: valid ones and a few broken.
func seedPlaintexts(t testing.TB) [][]byte {
	g := fuzzGroup(t)
	alice := testIdentity(t, "alice")
	var out [][]byte
	for _, m := range seedMessages() {
		out = append(out, plaintextOf(t, g, alice, &m))
	}
	unknown := plaintextOf(t, g, alice, &Message{Seq: 4, Sent: t0, Kind: KindText, Text: "future"})
	unknown[1+32+8+8+32+1] = 0xf0 // an unknown kind: signature no longer verifies, layout still parses
	out = append(out, unknown, truncatedName(), make([]byte, PlainSize))
	tags := &KnownTo{Tags: make([][KnownToTagSize]byte, KnownToRound)}
	for i := range tags.Tags {
		tags.Tags[i][0] = byte(i)
	}
	out = append(out, plaintextOf(t, g, alice, &Message{Seq: 9, Sent: t0, Kind: KindKnownTo, KnownTo: tags}))
	return out
}

// sealedSeeds returns blobs of fuzzGroup: the plaintexts sealed, and some
// tampered.
func sealedSeeds(t testing.TB) [][]byte {
	g := fuzzGroup(t)
	var out [][]byte
	for _, p := range seedPlaintexts(t) {
		out = append(out, sealPlain(t, g, p))
	}
	flipped := bytes.Clone(out[0])
	flipped[200] ^= 0x80
	out = append(out, flipped, out[0][:100], append(bytes.Clone(out[0]), 1))
	return out
}

// TestWriteSeedCorpora rewrites testdata/fuzz with -update; otherwise it
// checks the stored corpora still match the code.
func TestWriteSeedCorpora(t *testing.T) {
	for target, seeds := range map[string][][]byte{
		"FuzzOpen":            sealedSeeds(t),
		"FuzzDecodePlaintext": seedPlaintexts(t),
	} {
		dir := filepath.Join("testdata", "fuzz", target)
		for i, s := range seeds {
			path := filepath.Join(dir, fmt.Sprintf("seed%d", i))
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != content {
				t.Errorf("%s is missing or stale (go test ./engine/group -run TestWriteSeedCorpora -update)", path)
			}
		}
	}
}

// FuzzOpen: Open never panics, returns one of its sentinels, and what it
// accepts re-encodes to the same plaintext.
func FuzzOpen(f *testing.F) {
	g := fuzzGroup(f)
	f.Fuzz(func(t *testing.T, blob []byte) {
		m, err := g.Open(blob)
		if err != nil {
			for _, s := range []error{ErrBlobSize, ErrNotOurs, ErrTampered, ErrVersion, ErrMalformed, ErrBadSignature} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("Open returned an error without a sentinel: %v", err)
		}
		if m.ID.IsZero() || m.Seq == 0 || m.Author == "" {
			t.Fatalf("accepted message without id, seq or author: %+v", m)
		}
	})
}

// FuzzDecodePlaintext: the decoder never panics, and what it accepts is the
// canonical encoding of what it returns (one encoding per message).
func FuzzDecodePlaintext(f *testing.F) {
	g := fuzzGroup(f)
	f.Fuzz(func(t *testing.T, p []byte) {
		m, err := decodePlaintext(g.id, p)
		if err != nil {
			if !errors.Is(err, ErrVersion) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		body := m.Raw
		switch m.Kind {
		case KindText:
			body = []byte(m.Text)
		case KindReply, KindEdit:
			body = append(m.ReplyTo[:], m.Text...)
		case KindReaction:
			body = append(m.ReplyTo[:], m.Emoji...)
		case KindChange:
			body = append(append(m.ReplyTo[:], byte(m.Change)), m.Payload...)
		case KindKnownTo:
			var err error
			if body, err = m.KnownTo.Encode(); err != nil {
				t.Fatalf("accepted contact tags that do not encode: %v", err)
			}
		case KindFileOffer:
			var err error
			if body, err = m.File.Encode(); err != nil {
				t.Fatalf("accepted a file announcement that does not encode: %v", err)
			}
		}
		enc := appendUnsigned(nil, m.Author.PublicKey(), m, body)
		if !bytes.HasPrefix(p, enc) {
			t.Fatalf("decoded message does not re-encode to its input")
		}
		rest := p[len(enc)+64:]
		if !bytes.Equal(rest, make([]byte, len(rest))) {
			t.Fatal("accepted non-zero padding")
		}
		if messageID(p[:len(enc)+64]) != m.ID {
			t.Fatal("id is not the hash of the signed plaintext")
		}
	})
}

// FuzzKnownTo: the contact tags' decoder never panics, and what it accepts
// encodes back to its input.
func FuzzKnownTo(f *testing.F) {
	f.Add([]byte{1})
	f.Add(append([]byte{1}, make([]byte, KnownToRound*KnownToTagSize)...))
	f.Add(append([]byte{2}, make([]byte, 8)...))
	f.Add(append([]byte{1}, make([]byte, 9)...))
	f.Add(append([]byte{1}, make([]byte, (MaxKnownTo+1)*KnownToTagSize)...))
	f.Fuzz(func(t *testing.T, body []byte) {
		k, err := ParseKnownTo(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		enc, err := k.Encode()
		if err != nil || !bytes.Equal(enc, body) {
			t.Fatalf("accepted contact tags do not encode back: %v", err)
		}
	})
}
