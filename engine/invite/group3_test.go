package invite

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"
)

// TestGroupOwnedInvite: a G3 invite names the owner in epoch 0 (where G1
// could not) and every server of a group; it reads back with them, the
// group's own server first. Made or read, an invite without a server,
// with more than MaxGroupServers or with one server twice is refused, and
// so is a G3 text that G2 would express (epoch ≥ 1, one server).
func TestGroupOwnedInvite(t *testing.T) {
	invs := testInvites(t)
	owned := invs["group-owned"].(*GroupInvite)
	text := owned.Encode()
	if text[:len(PrefixGroupOwned)] != PrefixGroupOwned {
		t.Fatalf("an invite of epoch 0 naming the owner is %.8s…", text)
	}
	got, err := ParseAt(text, testNow)
	if err != nil {
		t.Fatal(err)
	}
	g := got.(*GroupInvite)
	owner, ok := g.Owner()
	if !ok || owner != [32]byte(testID(t, 0x01).PublicKey()) || g.Epoch() != 0 || len(g.Bundles()) != 1 {
		t.Fatalf("read back owner %x (%v), epoch %d, %d servers", owner, ok, g.Epoch(), len(g.Bundles()))
	}
	if _, ok := g.GroupID(); ok {
		t.Fatal("an invite of epoch 0 carries a group ID (the key and the first server give it)")
	}

	servers := invs["group-servers"].(*GroupInvite)
	got, err = ParseAt(servers.Encode(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	bs := got.(*GroupInvite).Bundles()
	want := []*Bundle{testBundle(t), testBundleOf(t, 0x22, 0x23), testBundleOf(t, 0x24, 0x25)}
	if !slices.EqualFunc(bs, want, func(a, b *Bundle) bool { return a.Equal(b) }) {
		t.Fatal("the servers read back differ, or in another order")
	}

	var key, id [32]byte
	key[0], id[0] = 1, 2
	own := [32]byte(testID(t, 0x01).PublicKey())
	b1, b2 := testBundle(t), testBundleOf(t, 0x22, 0x23)
	for name, bundles := range map[string][]*Bundle{
		"no server":   nil,
		"four":        {b1, b2, testBundleOf(t, 0x24, 0x25), testBundleOf(t, 0x26, 0x27)},
		"one twice":   {b1, b2, b1},
		"first again": {b1, b1},
	} {
		if _, err := NewGroupInviteOwned("x", 0, key, id, own, bundles); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := NewGroupInviteOwned("x", 0, key, id, [32]byte{}, []*Bundle{b1}); !errors.Is(err, ErrKey) {
		t.Errorf("an owner key of zeros: %v", err)
	}

	// Read: the count of servers changed in the payload.
	payload, err := decodePayload(servers.Encode())
	if err != nil {
		t.Fatal(err)
	}
	const countAt = 4 + 3*32
	for _, n := range []byte{0, 4, 255} {
		p := slices.Clone(payload)
		p[countAt] = n
		if _, err := ParseAt(frame(PrefixGroupOwned, p), testNow); err == nil {
			t.Errorf("a G3 payload saying %d servers parsed", n)
		}
	}
	// Epoch 3 on one server is G2's to say.
	one, err := NewGroupInviteOwned("Book club", 3, key, id, own, []*Bundle{b1})
	if err != nil {
		t.Fatal(err)
	}
	if s := one.Encode(); s[:len(PrefixGroupEpoch)] != PrefixGroupEpoch {
		t.Fatalf("epoch 3 on one server is written %.8s…", s)
	}
	p, err := decodePayload(one.Encode())
	if err != nil {
		t.Fatal(err)
	}
	// The G2 payload is the G3 one without the server count: add it.
	g3 := append(append(slices.Clone(p[:countAt]), 1), p[countAt:]...)
	if _, err := ParseAt(frame(PrefixGroupOwned, g3), testNow); !errors.Is(err, ErrMalformed) {
		t.Errorf("a G3 invite G2 expresses: %v", err)
	}
	// Two servers with the same key, read.
	p, err = decodePayload(servers.Encode())
	if err != nil {
		t.Fatal(err)
	}
	dup := slices.Clone(p)
	copy(dup[countAt+1+2*BundleSize:countAt+1+3*BundleSize], p[countAt+1:countAt+1+BundleSize])
	if _, err := ParseAt(frame(PrefixGroupOwned, dup), testNow); !errors.Is(err, ErrMalformed) {
		t.Errorf("a server named twice: %v", err)
	}
	if binary.BigEndian.Uint32(p) != 3 {
		t.Fatal("the epoch is not first")
	}
}
