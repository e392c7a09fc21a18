package group

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/invite"
)

// testBundle returns the signed bundle of a server whose identities are
// made from name.
func testBundle(t testing.TB, name string) invite.Bundle {
	t.Helper()
	// The token key: the ristretto255 generator (RFC 9496 A.1).
	tk := [32]byte{0xe2, 0xf2, 0xae, 0x0a, 0x6a, 0xbc, 0x4e, 0x71, 0xa8, 0x84, 0xa9, 0x61, 0xc5, 0x00, 0x51, 0x5f,
		0x58, 0xe3, 0x0b, 0x6a, 0xa5, 0x82, 0xdd, 0x8d, 0xb6, 0xa6, 0x59, 0x45, 0xe0, 0x8d, 0x2d, 0x76}
	b := invite.Bundle{Address: testIdentity(t, "onion "+name).Address(), TokenKey: tk, Created: t0.Add(-time.Hour)}
	if err := b.Sign(testIdentity(t, "signer "+name)); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServersMessage: a list of servers seals, opens and reads back in its
// order; an empty list, more than invite.MaxGroupServers, a server twice or
// a body with text cannot be written, and a body with a wrong version or
// length, or a bundle whose signature fails, is refused when read.
func TestServersMessage(t *testing.T) {
	g := testGroup(t, "servers")
	alice := testIdentity(t, "alice")
	a, b, c, d := testBundle(t, "a"), testBundle(t, "b"), testBundle(t, "c"), testBundle(t, "d")
	m := Message{Seq: 1, Sent: t0, Kind: KindServers, Servers: &Servers{Bundles: []invite.Bundle{a, b}}}
	blob, err := g.Seal(nil, alice, &m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Open(blob)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != KindServers || len(got.Servers.Bundles) != 2 || !got.Servers.Bundles[0].Equal(&a) || !got.Servers.Bundles[1].Equal(&b) {
		t.Fatalf("read back %+v", got.Servers)
	}
	for name, list := range map[string][]invite.Bundle{"none": nil, "four": {a, b, c, d}, "twice": {a, b, a}} {
		m := Message{Seq: 1, Sent: t0, Kind: KindServers, Servers: &Servers{Bundles: list}}
		if _, err := g.Seal(nil, alice, &m); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := g.Seal(nil, alice, &Message{Seq: 1, Sent: t0, Kind: KindServers, Servers: &Servers{Bundles: []invite.Bundle{a}}, Text: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("with text: %v", err)
	}
	body, err := (&Servers{Bundles: []invite.Bundle{a, b, c}}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"version":   append([]byte{2}, body[1:]...),
		"count":     append([]byte{1, 2}, body[2:]...),
		"none":      {1, 0},
		"truncated": body[:len(body)-1],
		"signature": func() []byte { x := bytes.Clone(body); x[len(x)-1] ^= 1; return x }(),
		"twice":     append(append([]byte{1, 2}, body[2:2+invite.BundleSize]...), body[2:2+invite.BundleSize]...),
	} {
		if _, err := ParseServers(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzServers(f *testing.F) {
	a, b := testBundle(f, "a"), testBundle(f, "b")
	for _, list := range [][]invite.Bundle{{a}, {a, b}} {
		body, err := (&Servers{Bundles: list}).Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
		f.Add(body[:len(body)-3])
	}
	f.Add([]byte{1, 0})
	f.Add([]byte{2, 1})
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseServers(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		enc, err := s.Encode()
		if err != nil || !bytes.Equal(enc, body) {
			t.Fatalf("an accepted list does not encode back: %v", err)
		}
	})
}
