package invite

import (
	"encoding/binary"
	"errors"
	"testing"
)

// TestGroupEpochInvite: a G2 invite carries its epoch, group ID and owner
// and reads back with them; a G1 invite has none; an epoch 0, a key of
// zeros or an owner key that cannot sign are refused when made and when
// read.
func TestGroupEpochInvite(t *testing.T) {
	invs := testInvites(t)
	g2 := invs["group-epoch"].(*GroupInvite)
	text := g2.Encode()
	if text[:len(PrefixGroupEpoch)] != PrefixGroupEpoch {
		t.Fatalf("a renewed group's invite is %.8s…", text)
	}
	got, err := ParseAt(text, testNow)
	if err != nil {
		t.Fatal(err)
	}
	g := got.(*GroupInvite)
	id, okID := g.GroupID()
	owner, okOwner := g.Owner()
	if g.Epoch() != 3 || !okID || !okOwner || id != g2.id || owner != [32]byte(testID(t, 0x01).PublicKey()) || g.Name() != "Book club" {
		t.Fatalf("read back epoch %d, id %x (%v), owner %x (%v)", g.Epoch(), id, okID, owner, okOwner)
	}
	g1 := invs["group"].(*GroupInvite)
	if _, ok := g1.GroupID(); ok || g1.Epoch() != 0 {
		t.Fatal("a G1 invite claims a group ID or an epoch")
	}
	if _, ok := g1.Owner(); ok {
		t.Fatal("a G1 invite claims an owner")
	}

	b := testBundle(t)
	if _, err := NewGroupInviteEpoch("x", 0, g2.key, g2.id, g2.owner, b); !errors.Is(err, ErrKey) {
		t.Errorf("epoch 0: %v", err)
	}
	if _, err := NewGroupInviteEpoch("x", 1, [32]byte{}, g2.id, g2.owner, b); !errors.Is(err, ErrKey) {
		t.Errorf("a key of zeros: %v", err)
	}
	if _, err := NewGroupInviteEpoch("x", 1, g2.key, g2.id, [32]byte{}, b); !errors.Is(err, ErrKey) {
		t.Errorf("an owner key of zeros: %v", err)
	}
	payload, err := decodePayload(text)
	if err != nil {
		t.Fatal(err)
	}
	zeroEpoch := append([]byte{}, payload...)
	binary.BigEndian.PutUint32(zeroEpoch, 0)
	if _, err := ParseAt(frame(PrefixGroupEpoch, zeroEpoch), testNow); !errors.Is(err, ErrMalformed) {
		t.Errorf("a G2 invite of epoch 0: %v", err)
	}
	badOwner := append([]byte{}, payload...)
	clear(badOwner[4+64 : 4+96])
	if _, err := ParseAt(frame(PrefixGroupEpoch, badOwner), testNow); !errors.Is(err, ErrKey) {
		t.Errorf("a G2 invite whose owner key is zeros: %v", err)
	}
}
