package groupclient

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// withContacts restarts m with join notices (and so contact tags) and the
// given accepted contacts.
func (m *member) withContacts(contacts ...*member) *member {
	m.stop()
	m.tune = func(c *Config) {
		c.NoJoinNotice = false
		c.Contacts = func() []identity.Address {
			var out []identity.Address
			for _, x := range contacts {
				out = append(out, x.id.Address())
			}
			return out
		}
	}
	m.start()
	return m
}

// TestNoOnionAddressInTheGroup is issue 16's test of per-group identities.
// Alice and Bob are contacts; Carol is a contact of neither. In a group of
// the three, every kind of group message goes round: join notices and
// contact tags, texts, a reply, a reaction, a renewal of the key (a
// rotation with its wraps), a post in the new epoch and a leave notice.
// Then every blob the server handed out is opened with every key Carol
// holds, and with her events and every byte of her store (a plaintext
// backup of the whole database), searched for Alice's and Bob's onion
// addresses and public keys in every encoding the code uses: none is
// there. Bob's the same for Carol's; Bob does find Alice as his contact
// (Member.Contact), Carol finds neither, and Alice's and Bob's per-group
// keys are found in Carol's data (the search sees what it searches).
func TestNoOnionAddressInTheGroup(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	var (
		blobsMu sync.Mutex
		blobs   [][]byte
	)
	px.setMangle(func(b *protocol.Blob) []*protocol.Blob {
		blobsMu.Lock()
		blobs = append(blobs, bytes.Clone(b.Blob[:]))
		blobsMu.Unlock()
		return []*protocol.Blob{b}
	})
	alice, bob, carol := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol")
	alice.withContacts(bob)
	bob.withContacts(alice)
	carol.withContacts()

	info, err := alice.c.CreateGroup("Allotment", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	id, conv := info.ID, info.Conversation
	// The creator's join notice first: a G1 invite does not name the
	// owner, whom the others take to be the first author.
	alice.waitDelivered(t, conv)
	text, err := alice.c.Invite(id)
	if err != nil {
		t.Fatal(err)
	}
	bob.join(t, text)
	carol.join(t, text)
	welcome, err := alice.c.Post(id, "welcome to the allotment", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	carol.waitBody(t, conv, welcome.Body)
	bob.waitBody(t, conv, welcome.Body)
	if _, err := bob.c.Post(id, "tomatoes are ripe", welcome.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.c.React(id, welcome.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.c.Post(id, "I'll bring a basket", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitBody(t, conv, "I'll bring a basket")
	alice.waitBody(t, conv, "tomatoes are ripe")
	if err := alice.c.RevokeInvites(id); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*member{bob, carol} {
		m.ev.waitFor(t, m.name+" in epoch 1", func(evs []model.Event) bool {
			return count(evs, func(e model.GroupRekeyed) bool { return e.Epoch == 1 }) == 1
		})
	}
	if _, err := alice.c.Post(id, "in the new epoch", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	carol.waitBody(t, conv, "in the new epoch")
	bob.waitBody(t, conv, "in the new epoch")

	// Who sees whom. Bob and Alice know each other; Carol knows nobody.
	a, b, c := alice.as(id), bob.as(id), carol.as(id)
	for _, x := range []identity.Address{a, b, c} {
		if slices.Contains([]identity.Address{alice.id.Address(), bob.id.Address(), carol.id.Address()}, x) {
			t.Fatal("a member signs with their onion key")
		}
	}
	want := map[*member]map[identity.Address]identity.Address{
		alice: {b: bob.id.Address(), c: ""},
		bob:   {a: alice.id.Address(), c: ""},
		carol: {a: "", b: ""},
	}
	for m, contacts := range want {
		m.ev.waitFor(t, m.name+"'s members", func([]model.Event) bool {
			ms, err := m.c.Members(id)
			return err == nil && len(ms) == 3
		})
		ms, _ := m.c.Members(id)
		for _, x := range ms {
			if x.Self != (x.Address == m.as(id)) {
				t.Errorf("%s: %s marked self %v", m.name, x.Name, x.Self)
			}
			if x.Self {
				continue
			}
			if wantContact, ok := contacts[x.Address]; !ok || x.Contact != wantContact {
				t.Errorf("%s sees %s (%s) as contact %q, want %q", m.name, x.Name, x.Address, x.Contact, wantContact)
			}
		}
	}

	scan := func(m *member, others ...*member) {
		t.Helper()
		// What the server handed out, opened with every key m holds.
		m.c.mu.Lock()
		var epochs []*group.Group
		if gs, ok := m.c.groups[id]; ok {
			for _, ep := range gs.epochs {
				epochs = append(epochs, ep.g)
			}
		}
		m.c.mu.Unlock()
		var received [][]byte
		blobsMu.Lock()
		all := slices.Clone(blobs)
		blobsMu.Unlock()
		opened := map[group.Kind]int{}
		for _, blob := range all {
			for _, g := range epochs {
				if msg, err := g.Open(blob); err == nil {
					opened[msg.Kind]++
					received = append(received, []byte(fmt.Sprintf("%+v", *msg)), []byte(msg.Author))
					if msg.KnownTo != nil {
						for _, tag := range msg.KnownTo.Tags {
							received = append(received, tag[:])
						}
					}
					if msg.Rotation != nil {
						received = append(received, []byte(fmt.Sprintf("%+v", *msg.Rotation)))
						for _, k := range append(append([]group.PublicKey{msg.Rotation.Owner}, msg.Rotation.Admins...), msg.Rotation.Removed...) {
							received = append(received, k[:])
						}
					}
					received = append(received, []byte(msg.Name), []byte(msg.Text), msg.Raw)
				}
			}
		}
		for _, k := range []group.Kind{group.KindJoined, group.KindKnownTo, group.KindText, group.KindReply, group.KindReaction, group.KindRotate} {
			if opened[k] == 0 {
				t.Fatalf("%s opened no message of kind %d: %v", m.name, k, opened)
			}
		}
		evs, _ := m.ev.snapshot()
		for _, ev := range evs {
			received = append(received, []byte(fmt.Sprintf("%+v", ev)))
		}
		var stored bytes.Buffer
		if err := m.st.Backup(&stored); err != nil {
			t.Fatal(err)
		}
		haystacks := append(received, stored.Bytes())
		found := func(n needle) bool {
			return slices.ContainsFunc(haystacks, func(h []byte) bool { return bytes.Contains(h, n.b) })
		}
		for _, o := range others {
			needles := append(forms(o.name+"'s onion key", o.id.PublicKey()),
				needle{o.name + "'s onion address", []byte(o.id.Address())},
				needle{o.name + "'s onion address (start)", []byte(o.id.Address())[:16]})
			for _, n := range needles {
				if found(n) {
					t.Errorf("%s received or stored %s", m.name, n.what)
				}
			}
			// The search sees the members: their group keys are there.
			if !found(needle{o.name + "'s group key", []byte(o.as(id))}) {
				t.Errorf("%s's data does not hold %s's key in the group: the search proves nothing", m.name, o.name)
			}
		}
	}
	scan(bob, carol)
	// Bob leaves: Carol reads his notice.
	_ = bob.as(id)
	if err := bob.c.Leave(id, false); err != nil {
		t.Fatal(err)
	}
	carol.ev.waitFor(t, "bob's leave notice", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupMemberLeft) bool { return e.Author == string(b) }) == 1
	})

	scan(carol, alice, bob)
}

// TestContactAcceptedLater: Carol joins a group before she and Alice are
// contacts, so her first tags name nobody; once she accepts Alice
// (ContactAccepted), her client posts tags again and Alice recognises
// her; accepting Alice a second time posts nothing more.
func TestContactAcceptedLater(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, carol := newMember(t, tr, "alice"), newMember(t, tr, "carol")
	var (
		mu          sync.Mutex
		carolKnows  []identity.Address
		carolsPosts int
	)
	alice.withContacts(carol)
	carol.stop()
	carol.tune = func(c *Config) {
		c.NoJoinNotice = false
		c.Contacts = func() []identity.Address {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(carolKnows)
		}
	}
	carol.start()
	info, err := alice.c.CreateGroup("Allotment", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	alice.waitDelivered(t, info.Conversation)
	text, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	carol.join(t, text)
	c := carol.as(info.ID)
	recognised := func() identity.Address {
		ms, _ := alice.c.Members(info.ID)
		for _, m := range ms {
			if m.Address == c {
				return m.Contact
			}
		}
		return ""
	}
	alice.ev.waitFor(t, "carol's first tags", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupMemberKnown) bool { return e.Author == string(c) }) == 1
	})
	if who := recognised(); who != "" {
		t.Fatalf("carol recognised as %s before she tagged anyone", who)
	}
	mu.Lock()
	carolKnows = []identity.Address{alice.id.Address()}
	mu.Unlock()
	posts := func() int {
		q, err := carol.st.Outbox(info.Conversation)
		if err != nil {
			t.Fatal(err)
		}
		return len(q)
	}
	if err := carol.c.ContactAccepted(alice.id.Address()); err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "carol's second tags", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupMemberKnown) bool { return e.Author == string(c) }) == 2
	})
	if who := recognised(); who != carol.id.Address() {
		t.Fatalf("carol recognised as %q after her new tags", who)
	}
	before := posts()
	if err := carol.c.ContactAccepted(alice.id.Address()); err != nil {
		t.Fatal(err)
	}
	if carolsPosts = posts(); carolsPosts > before {
		t.Fatalf("accepting Alice again queued %d more posts", carolsPosts-before)
	}
}
