package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestGroupHidesOnionAddresses is issue 16's scan through the facade:
// Alice hosts a group, Bob (her contact) and Carol (nobody's contact)
// join; texts, a reaction and a renewal of the key go round. Then Carol's
// whole store (a plaintext backup) and every event her engine emitted
// hold neither Alice's nor Bob's onion address or public key in any
// encoding, and her members list shows neither as a contact, while
// Alice's shows Bob as hers.
func TestGroupHidesOnionAddresses(t *testing.T) {
	ctx := t.Context()
	dirNet := loopback.NewMemoryDirectory()
	alice := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	alice.cfg.Server = groupserver.Config{PoWBits: groupserver.NoPoW, NoSync: true}
	bob := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	carol := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	for te, name := range map[*testEngine]string{alice: "Alice", bob: "Bob", carol: "Carol"} {
		if _, err := te.CreateProfile(ctx, name, "pw "+name); err != nil {
			t.Fatal(err)
		}
	}
	bob.acceptInviteOf(alice)
	alice.waitContact(bob.self(), model.ContactAccepted)
	bob.waitContact(alice.self(), model.ContactAccepted)
	g := alice.hostGroup(ctx, "Newsroom")
	conv := g.Conversation()
	alice.waitUntil("Alice's join notice delivered", step, func() bool {
		h, _ := alice.History(conv, 0, 10)
		return len(h) == 1 && h[0].Status == model.StatusDelivered
	})
	inv, err := alice.GroupInvite(conv)
	if err != nil {
		t.Fatal(err)
	}
	for _, te := range []*testEngine{bob, carol} {
		if _, err := te.AcceptInvite(inv); err != nil {
			t.Fatal(err)
		}
	}
	first, err := alice.PostToGroup(conv, "editorial meeting at noon", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	for _, te := range []*testEngine{bob, carol} {
		te.waitUntil("Alice's post", step, func() bool { _, err := te.Message(conv, first.ID); return err == nil })
	}
	if _, err := bob.PostToGroup(conv, "I'll be there", first.ID); err != nil {
		t.Fatal(err)
	}
	if err := bob.React(conv, first.ID, "👍"); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.PostToGroup(conv, "me too", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("Carol's post", step, func() bool { return alice.hasBody(conv, "me too") })
	if err := alice.RevokeInvites(conv); err != nil {
		t.Fatal(err)
	}
	last, err := alice.PostToGroup(conv, "in the new epoch", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	carol.waitUntil("everything at Carol", step, func() bool {
		m, err := carol.Message(conv, first.ID)
		return err == nil && len(m.Reactions) == 1 && carol.hasBody(conv, "I'll be there") && carol.hasBody(conv, last.Body)
	})
	alice.waitUntil("Alice recognises Bob", step, func() bool {
		ms, _ := alice.Members(conv)
		for _, m := range ms {
			if m.Contact == string(bob.self()) {
				return m.IsContact
			}
		}
		return false
	})
	ms, err := carol.Members(conv)
	if err != nil || len(ms) != 3 {
		t.Fatalf("Carol's members: %+v, %v", ms, err)
	}
	for _, m := range ms {
		if m.IsContact || m.Contact != "" {
			t.Fatalf("Carol sees a contact: %+v", m)
		}
	}

	op, err := carol.current()
	if err != nil {
		t.Fatal(err)
	}
	var stored bytes.Buffer
	if err := op.st.Backup(&stored); err != nil {
		t.Fatal(err)
	}
	var events bytes.Buffer
	for _, ev := range carol.seen {
		fmt.Fprintf(&events, "%+v\n", ev)
	}
	for _, other := range []*testEngine{alice, bob} {
		addr := identity.Address(other.self())
		pub := addr.PublicKey()
		for what, needle := range map[string][]byte{
			"address": []byte(addr), "address (start)": []byte(addr)[:16], "key": pub, "key (first 16 bytes)": pub[:16],
			"key (hex)": []byte(hex.EncodeToString(pub)), "key (base64)": []byte(base64.StdEncoding.EncodeToString(pub))[:20],
		} {
			if bytes.Contains(stored.Bytes(), needle) || bytes.Contains(events.Bytes(), needle) {
				t.Errorf("Carol's store or events hold %s's onion %s", other.self()[:8], what)
			}
		}
	}
	// The search sees what it searches: Alice's key in the group is there.
	if !bytes.Contains(stored.Bytes(), []byte(alice.in(conv))) {
		t.Fatal("Carol's store does not hold Alice's group key: the search proves nothing")
	}
}
