package group

import (
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/nookchat/nook/engine/identity"
)

// TestKnownTo: a member's contact tags, sealed and opened like any message,
// name the member to their contact and to nobody else: not to another
// member who knows both onion addresses, and not for another per-group key
// (a member cannot pass as someone by copying their tags).
func TestKnownTo(t *testing.T) {
	g := testGroup(t, "known")
	alice, carol, bob := testIdentity(t, "alice"), testIdentity(t, "carol"), testIdentity(t, "bob")
	pseudonym, other := testIdentity(t, "alice in the group"), testIdentity(t, "mallory in the group")
	ac, err := NewContactKey(alice, carol.Address())
	if err != nil {
		t.Fatal(err)
	}
	kt, err := NewKnownTo(rand.Reader, g.ID(), KeyOf(pseudonym.Address()), []*ContactKey{ac})
	if err != nil {
		t.Fatal(err)
	}
	if len(kt.Tags) != KnownToRound {
		t.Fatalf("%d tags, want them padded to %d", len(kt.Tags), KnownToRound)
	}
	blob, err := g.Seal(rand.Reader, pseudonym, &Message{Seq: 2, Sent: t0, Kind: KindKnownTo, KnownTo: kt})
	if err != nil {
		t.Fatal(err)
	}
	m, err := g.Open(blob)
	if err != nil || m.Kind != KindKnownTo || m.KnownTo == nil {
		t.Fatalf("open: %v %+v", err, m)
	}
	ca, err := NewContactKey(carol, alice.Address())
	if err != nil {
		t.Fatal(err)
	}
	if !m.KnownTo.Has(ca, g.ID(), KeyOf(m.Author)) {
		t.Fatal("Carol does not recognise her contact Alice")
	}
	if m.KnownTo.Has(ca, g.ID(), KeyOf(other.Address())) {
		t.Fatal("the tags name another member's key as Alice")
	}
	if m.KnownTo.Has(ca, testGroup(t, "another").ID(), KeyOf(m.Author)) {
		t.Fatal("the tags count in another group")
	}
	ba, _ := NewContactKey(bob, alice.Address())
	bc, _ := NewContactKey(bob, carol.Address())
	if m.KnownTo.Has(ba, g.ID(), KeyOf(m.Author)) || m.KnownTo.Has(bc, g.ID(), KeyOf(m.Author)) {
		t.Fatal("Bob, who is not Alice's contact, recognises her")
	}
	// More contacts than one round: two rounds of tags.
	keys := make([]*ContactKey, KnownToRound+1)
	for i := range keys {
		keys[i] = ac
	}
	if kt, err := NewKnownTo(rand.Reader, g.ID(), KeyOf(pseudonym.Address()), keys); err != nil || len(kt.Tags) != 2*KnownToRound {
		t.Fatalf("%d contacts: %v, %d tags", len(keys), err, len(kt.Tags))
	}
}

// BenchmarkKnownTo: a member with 100 contacts makes its tags at join
// (100 X25519 and HMACs); a reader with 100 contacts checks one member's
// tags (100 X25519 and HMACs; engine Members does the X25519 once per
// call for all members).
func BenchmarkKnownTo(b *testing.B) {
	g := testGroup(b, "bench")
	self, member := testIdentity(b, "self"), testIdentity(b, "member")
	contacts := make([]*identity.Identity, 100)
	for i := range contacts {
		contacts[i] = testIdentity(b, fmt.Sprint("contact ", i))
	}
	b.Run("make", func(b *testing.B) {
		for b.Loop() {
			keys := make([]*ContactKey, len(contacts))
			for i, c := range contacts {
				k, err := NewContactKey(self, c.Address())
				if err != nil {
					b.Fatal(err)
				}
				keys[i] = k
			}
			if _, err := NewKnownTo(rand.Reader, g.ID(), KeyOf(member.Address()), keys); err != nil {
				b.Fatal(err)
			}
		}
	})
	kt, _ := NewKnownTo(rand.Reader, g.ID(), KeyOf(member.Address()), nil)
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			for _, c := range contacts {
				k, err := NewContactKey(self, c.Address())
				if err != nil {
					b.Fatal(err)
				}
				kt.Has(k, g.ID(), KeyOf(member.Address()))
			}
		}
	})
}
