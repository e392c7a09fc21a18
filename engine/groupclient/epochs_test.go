package groupclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport"
)

// hasBody reports whether m's store holds a message of conv with body.
func (m *member) hasBody(conv model.ConversationID, body string) bool {
	return slices.ContainsFunc(m.messages(conv), func(x model.Message) bool { return x.Body == body })
}

// waitBody waits until m's store holds a message of conv with body.
func (m *member) waitBody(t testing.TB, conv model.ConversationID, body string) {
	t.Helper()
	m.ev.waitFor(t, m.name+" has "+body, func([]model.Event) bool { return m.hasBody(conv, body) })
}

// waitDelivered waits until every outgoing message in m's store of conv
// came back from the server.
func (m *member) waitDelivered(t testing.TB, conv model.ConversationID) {
	t.Helper()
	m.ev.waitFor(t, m.name+"'s posts delivered", func([]model.Event) bool {
		for _, x := range m.messages(conv) {
			if x.Outgoing && x.Status != model.StatusDelivered {
				return false
			}
		}
		return true
	})
}

func rekeyedTo(epoch uint32, removed identity.Address) func(model.GroupRekeyed) bool {
	return func(e model.GroupRekeyed) bool {
		return e.Epoch == epoch && slices.Equal(e.Removed, []string{string(removed)}) && e.Reason == "removal"
	}
}

// TestRemoveMember: Alice (the owner) removes Dave while Carol is
// offline. Bob reads the new epoch at once, Carol when she comes back;
// Dave is told, can post neither through his client nor with the old key
// (the others do not show it), and reads nothing of the new epoch: nor can
// Eve, who joins with the invite of the old key (she is told that she was
// not given the new one). Old history stays, the epochs survive a restart,
// and the roles are reported. A new invite (G2, epoch 1) lets Frank in from
// that epoch on; the next rotation revokes it for Grace.
func TestRemoveMember(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob, carol, dave := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol"), newMember(t, tr, "dave")
	info, oldInvite := allotment(t, srv, alice, bob, carol, dave)
	conv := info.Conversation
	carol.waitBody(t, conv, "hello from dave")
	carol.waitDelivered(t, conv)
	carol.stop() // offline for the rotation

	if err := bob.c.RemoveMember(info.ID, dave.as(info.ID)); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("a member removes another: %v", err)
	}
	if err := alice.c.RemoveMember(info.ID, alice.as(info.ID)); !errors.Is(err, ErrRemoveOwner) {
		t.Fatalf("the owner removes herself: %v", err)
	}
	if err := alice.c.RemoveMember(info.ID, seedIdentity(t, "stranger").Address()); !errors.Is(err, ErrNotMember) {
		t.Fatalf("removing a stranger: %v", err)
	}
	if err := alice.c.RemoveMember(info.ID, dave.as(info.ID)); err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "alice's rotation", func(evs []model.Event) bool { return count(evs, rekeyedTo(1, dave.as(info.ID))) == 1 })
	if _, err := alice.c.Post(info.ID, "epoch one", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.ev.waitFor(t, "bob's rotation", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupRekeyed) bool {
			return rekeyedTo(1, dave.as(info.ID))(e) && e.By == string(alice.as(info.ID)) && e.Name == "alice"
		}) == 1
	})
	bob.waitBody(t, conv, "epoch one")

	// Dave is told and can no longer post through his client.
	dave.ev.waitFor(t, "dave removed", func(evs []model.Event) bool {
		return count(evs, rekeyedTo(1, dave.as(info.ID))) == 1 &&
			count(evs, func(e model.GroupLeft) bool { return e.Conversation == conv && !e.HistoryDeleted }) == 1
	})
	if _, err := dave.c.Post(info.ID, "can I still post?", model.MessageID{}); !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("dave posts after his removal: %v", err)
	}
	if left, err := dave.c.LeftGroups(); err != nil || len(left) != 1 || left[0].ID != info.ID {
		t.Fatalf("dave's groups left: %+v, %v", left, err)
	}
	if !dave.hasBody(conv, "welcome") {
		t.Fatal("dave lost the history he had")
	}

	// Dave's engine posts with the old key, which it still had in the
	// invite: the server stores it, the others do not show it.
	inv, err := invite.Parse(oldInvite)
	if err != nil {
		t.Fatal(err)
	}
	old, err := group.New(inv.(*invite.GroupInvite).Key(), srv.Bundle().SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	last, err := dave.c.lastSeq(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := old.Seal(nil, dave.key(info.ID), &group.Message{Seq: last + 1, Sent: time.Now(), Kind: group.KindText, Text: "dave with the old key"})
	if err != nil {
		t.Fatal(err)
	}
	dave.c.mu.Lock()
	daveSrv := dave.c.servers[srv.Bundle().SigningKey]
	dave.c.mu.Unlock()
	if status, err := daveSrv.send(context.Background(), stale); err != nil || status != protocol.PostOK {
		t.Fatalf("dave's old-key post: %v, %v", status, err)
	}
	bob.ev.waitFor(t, "bob refuses dave's old-key post", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool { return w.Kind == "old key" && w.Author == string(dave.as(info.ID)) }) == 1
	})
	if bob.hasBody(conv, "dave with the old key") {
		t.Fatal("bob shows what dave wrote with the old key after his removal")
	}

	// Eve holds the old invite: she reads the old history, is told that
	// the invite no longer works, cannot post, and reads nothing of the
	// new epoch.
	eve := newMember(t, tr, "eve")
	eve.join(t, oldInvite)
	eve.ev.waitFor(t, "eve's invite revoked", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool {
			return w.Kind == "invite revoked" && w.Reason == "This invite no longer works: the group's key was renewed after it was made. Ask for a new invite."
		}) == 1 && count(evs, func(e model.GroupLeft) bool { return e.Conversation == conv }) == 1
	})
	eve.waitBody(t, conv, "welcome")
	if eve.hasBody(conv, "epoch one") {
		t.Fatal("eve, with the old invite, reads the new epoch")
	}
	if _, err := eve.c.Post(info.ID, "let me in", model.MessageID{}); !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("eve posts with a revoked invite: %v", err)
	}

	// Carol comes back: she catches up through the rotation and reads the
	// new epoch; what she writes now, bob reads.
	carol.start()
	carol.ev.waitFor(t, "carol's rotation", func(evs []model.Event) bool { return count(evs, rekeyedTo(1, dave.as(info.ID))) == 1 })
	carol.waitBody(t, conv, "epoch one")
	if _, err := carol.c.Post(info.ID, "back from the allotment", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "back from the allotment")
	alice.waitBody(t, conv, "back from the allotment")
	if dave.hasBody(conv, "epoch one") || dave.hasBody(conv, "back from the allotment") || eve.hasBody(conv, "back from the allotment") {
		t.Fatal("a removed member or an old invite reads the new epoch")
	}

	// After a restart Bob still writes in epoch 1, and still reads the old
	// history.
	bob.stop()
	bob.start()
	if _, err := bob.c.Post(info.ID, "after my restart", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	carol.waitBody(t, conv, "after my restart")
	if !bob.hasBody(conv, "welcome") || !bob.hasBody(conv, "hello from dave") {
		t.Fatal("bob lost the old history")
	}
	bob.waitDelivered(t, conv) // read back under the key bob holds after the restart
	old.Wipe()

	// A new invite is of epoch 1 (G2): Frank joins with it, reads the new
	// epoch and nothing older, knows the owner, and writes to the others.
	newInvite, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(newInvite, invite.PrefixGroupEpoch) {
		t.Fatalf("the invite after a rotation is %.8s…", newInvite)
	}
	frank := newMember(t, tr, "frank")
	if got := frank.join(t, newInvite); got.ID != info.ID || got.Conversation != conv {
		t.Fatalf("frank joined %+v", got)
	}
	frank.waitBody(t, conv, "after my restart")
	if frank.hasBody(conv, "welcome") || frank.hasBody(conv, "hello from dave") {
		t.Fatal("an invite of epoch 1 reads epoch 0")
	}
	if evs, _ := frank.ev.snapshot(); count(evs, func(w model.GroupWarning) bool { return true }) != 0 {
		t.Fatalf("frank, joining in epoch 1, is warned: %+v", evs)
	}
	if _, err := frank.c.Post(info.ID, "hello from frank", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "hello from frank")
	if fm, err := frank.c.Members(info.ID); err != nil || !slices.ContainsFunc(fm, func(m Member) bool {
		return m.Address == alice.as(info.ID) && m.Role == model.RoleOwner
	}) {
		t.Fatalf("frank's members: %+v, %v", fm, err)
	}

	// Removing Carol moves the group to epoch 2, which revokes the invite
	// of epoch 1: Grace, joining with it, is told so.
	if err := alice.c.RemoveMember(info.ID, carol.as(info.ID)); err != nil {
		t.Fatal(err)
	}
	frank.ev.waitFor(t, "frank's second rotation", func(evs []model.Event) bool { return count(evs, rekeyedTo(2, carol.as(info.ID))) == 1 })
	grace := newMember(t, tr, "grace")
	grace.join(t, newInvite)
	grace.ev.waitFor(t, "grace's invite revoked", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool { return w.Kind == "invite revoked" }) == 1
	})

	bob.ev.waitFor(t, "bob's second rotation", func(evs []model.Event) bool { return count(evs, rekeyedTo(2, carol.as(info.ID))) == 1 })
	ms, err := bob.c.Members(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		wantRole := model.RoleMember
		if m.Address == alice.as(info.ID) {
			wantRole = model.RoleOwner
		}
		if m.Role != wantRole || m.Removed != (m.Address == dave.as(info.ID) || m.Address == carol.as(info.ID)) {
			t.Errorf("bob sees member %s as %v, removed %v", m.Name, m.Role, m.Removed)
		}
	}
}

// TestEpochFixtureV1: a group made before epochs (testdata/groups-v1,
// written by the client of commit 1008836) opens as epoch 0 owned by its
// creator for every member, the old history is there, and the owner can
// remove a member: the other reads the new epoch.
func TestEpochFixtureV1(t *testing.T) {
	ms := openFixture(t, "groups-v1", "alice", "bob", "carol")
	alice, bob, carol := ms[0], ms[1], ms[2]
	groups := alice.c.Groups()
	if len(groups) != 1 || groups[0].Name != "Allotment" {
		t.Fatalf("alice's groups: %+v", groups)
	}
	id, conv := groups[0].ID, groups[0].Conversation
	for _, m := range []*member{alice, bob, carol} {
		for _, body := range []string{"welcome to the allotment", "tomatoes are ripe", "I'll bring a basket"} {
			if !m.hasBody(conv, body) {
				t.Fatalf("%s lost %q", m.name, body)
			}
		}
		ms, err := m.c.Members(id)
		if err != nil || len(ms) != 3 {
			t.Fatalf("%s's members: %+v, %v", m.name, ms, err)
		}
		for _, x := range ms {
			if (x.Role == model.RoleOwner) != (x.Address == alice.id.Address()) || x.Role == model.RoleAdmin {
				t.Fatalf("%s sees %s as %v", m.name, x.Name, x.Role)
			}
		}
		m.c.mu.Lock()
		n := m.c.groups[id].cur().n
		m.c.mu.Unlock()
		if n != 0 {
			t.Fatalf("%s's group is in epoch %d", m.name, n)
		}
	}
	if err := bob.c.RemoveMember(id, carol.as(id)); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("bob removes carol: %v", err)
	}
	if err := alice.c.RemoveMember(id, carol.as(id)); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Post(id, "the allotment, without carol", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "the allotment, without carol")
	carol.ev.waitFor(t, "carol removed", func(evs []model.Event) bool { return count(evs, rekeyedTo(1, carol.as(id))) == 1 })
	if carol.hasBody(conv, "the allotment, without carol") {
		t.Fatal("carol reads the new epoch")
	}
}

// TestLeavingRotates: Carol leaves; Alice's client (the owner's) renews
// the key by itself, and Bob reads the new epoch. Carol's leave notice and
// the rotation name the reason; an invite of the old key no longer works
// for Eve, and what she writes with it is not shown.
func TestLeavingRotates(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice := newMemberTuned(t, tr, "alice", func(c *Config) { c.RotateWithin = -1 })
	bob, carol := newMember(t, tr, "bob"), newMember(t, tr, "carol")
	info, oldInvite := allotment(t, srv, alice, bob, carol)
	conv := info.Conversation
	_ = carol.as(info.ID) // its key, read while it is a member
	if err := carol.c.Leave(info.ID, false); err != nil {
		t.Fatal(err)
	}
	left := func(e model.GroupRekeyed) bool { return e.Epoch == 1 && e.Reason == "left" && len(e.Removed) == 0 }
	alice.ev.waitFor(t, "alice renews the key", func(evs []model.Event) bool { return count(evs, left) == 1 })
	bob.ev.waitFor(t, "bob gets the new key", func(evs []model.Event) bool { return count(evs, left) == 1 })
	if _, err := bob.c.Post(info.ID, "just us now", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitBody(t, conv, "just us now")

	eve := newMember(t, tr, "eve")
	eve.join(t, oldInvite)
	_ = eve.as(info.ID) // her key, read while she is in the group
	eve.ev.waitFor(t, "eve's invite revoked", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool { return w.Kind == "invite revoked" }) == 1
	})
	if eve.hasBody(conv, "just us now") {
		t.Fatal("an invite of the old key reads the new epoch")
	}
	// Eve writes with the old key anyway: nobody shows it.
	old, err := group.New(mustInviteKey(t, oldInvite), srv.Bundle().SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Wipe()
	blob, err := old.Seal(nil, eve.key(info.ID), &group.Message{Seq: 1, Sent: time.Now(), Kind: group.KindText, Text: "eve was here"})
	if err != nil {
		t.Fatal(err)
	}
	eve.c.mu.Lock()
	eveSrv := eve.c.servers[srv.Bundle().SigningKey]
	eve.c.mu.Unlock()
	if status, err := eveSrv.send(context.Background(), blob); err != nil || status != protocol.PostOK {
		t.Fatalf("eve's old-key post: %v, %v", status, err)
	}
	bob.ev.waitFor(t, "bob refuses eve's post", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool { return w.Kind == "old key" && w.Author == string(eve.as(info.ID)) }) == 1
	})
	if bob.hasBody(conv, "eve was here") || alice.hasBody(conv, "eve was here") {
		t.Fatal("a post with a revoked invite's key is shown")
	}
}

// allotment is the start of the governance tests: alice creates the group
// "Allotment" on srv, posts "welcome" and waits for it on the server (the
// creator writes first); each of members then joins with her invite and
// posts "hello from <name>", and alice reads each. It returns the group
// and the invite text.
func allotment(t testing.TB, srv *groupserver.Server, alice *member, members ...*member) (GroupInfo, string) {
	t.Helper()
	info, err := alice.c.CreateGroup("Allotment", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Post(info.ID, "welcome", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitDelivered(t, info.Conversation)
	for _, m := range members {
		m.join(t, text)
		if _, err := m.c.Post(info.ID, "hello from "+m.name, model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range members {
		alice.waitBody(t, info.Conversation, "hello from "+m.name)
	}
	return info, text
}

func mustInviteKey(t testing.TB, text string) [group.KeySize]byte {
	t.Helper()
	inv, err := invite.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return inv.(*invite.GroupInvite).Key()
}

// newMemberTuned is newMember with its configuration adjusted by tune.
func newMemberTuned(t testing.TB, tr transport.Transport, name string, tune func(*Config)) *member {
	t.Helper()
	key := sha256.Sum256([]byte("store " + name))
	st, err := store.Open(t.TempDir(), store.Options{Key: key[:], Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{t: t, name: name, id: seedIdentity(t, name), st: st, tr: tr, tune: tune}
	t.Cleanup(func() { m.stop(); st.Close() })
	m.start()
	return m
}

// TestRotationFindings: what the others see when (a) the server withheld
// a rotation from Carol and she wrote under the old key afterwards: her
// message is shown, with the finding "old key" naming her, so that the
// group learns she did not get the key; and (b) Bob, who is not an admin,
// makes a rotation of his own: it is refused ("rotation") and nobody moves
// to his epoch.
func TestRotationFindings(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob, carol, dave := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol"), newMember(t, tr, "dave")
	info, text := allotment(t, srv, alice, bob, carol, dave)
	conv := info.Conversation
	carol.waitDelivered(t, conv)
	carol.stop()
	if err := alice.c.RemoveMember(info.ID, dave.as(info.ID)); err != nil {
		t.Fatal(err)
	}
	bob.ev.waitFor(t, "bob's rotation", func(evs []model.Event) bool { return count(evs, rekeyedTo(1, dave.as(info.ID))) == 1 })
	old, err := group.New(mustInviteKey(t, text), srv.Bundle().SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Wipe()
	bob.c.mu.Lock()
	bobSrv := bob.c.servers[srv.Bundle().SigningKey]
	bob.c.mu.Unlock()
	post := func(blob []byte) {
		t.Helper()
		if status, err := bobSrv.send(context.Background(), blob); err != nil || status != protocol.PostOK {
			t.Fatalf("post: %v, %v", status, err)
		}
	}

	// (a) What Carol's client writes without the rotation: her next
	// message (she wrote one), under the old key.
	withheld, err := old.Seal(nil, carol.key(info.ID), &group.Message{Seq: 2, Sent: time.Now(), Kind: group.KindText, Text: "anyone there?"})
	if err != nil {
		t.Fatal(err)
	}
	post(withheld)
	for _, m := range []*member{alice, bob} {
		m.ev.waitFor(t, m.name+" sees carol on the old key", func(evs []model.Event) bool {
			return count(evs, func(w model.GroupWarning) bool { return w.Kind == "old key" && w.Author == string(carol.as(info.ID)) }) == 1
		})
		m.waitBody(t, conv, "anyone there?")
	}

	// (b) Bob's own rotation to epoch 2, naming alice as the owner,
	// sealed under the key he holds: alice refuses it and stays in epoch 1.
	bob.c.mu.Lock()
	cur := bob.c.groups[info.ID].cur().g
	bob.c.mu.Unlock()
	_, parts, err := group.NewRotation(nil, info.ID, bob.key(info.ID), 2, group.ReasonRemoval, group.KeyOf(alice.as(info.ID)), nil,
		[]group.PublicKey{group.KeyOf(carol.as(info.ID))}, nil)
	if err != nil {
		t.Fatal(err)
	}
	last, err := bob.c.lastSeq(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	coup, err := cur.Seal(nil, bob.key(info.ID), &group.Message{Seq: last + 1, Sent: time.Now(), Kind: group.KindRotate, Rotation: parts[0]})
	if err != nil {
		t.Fatal(err)
	}
	post(coup)
	alice.ev.waitFor(t, "alice refuses bob's rotation", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool { return w.Kind == "rotation" && w.Author == string(bob.as(info.ID)) }) == 1
	})
	alice.c.mu.Lock()
	n := alice.c.groups[info.ID].cur().n
	alice.c.mu.Unlock()
	if n != 1 {
		t.Fatalf("alice is in epoch %d after bob's rotation", n)
	}
	if evs, _ := alice.ev.snapshot(); count(evs, func(e model.GroupRekeyed) bool { return e.Epoch == 2 }) != 0 {
		t.Fatal("alice reported bob's rotation")
	}
}

// TestAdminsAndConcurrentRotations: Alice (the owner) names Bob an admin;
// only the owner names admins. Then, while Alice is cut off from the
// server, she removes Dave and Bob removes Carol: both rotate into epoch 2.
// Bob's reaches the server first and counts; when Alice is back her client
// takes Bob's key, drops her own rotation and removes Dave again, into
// epoch 3, which Bob reads. Dave and Carol read nothing of epochs 3 and 2.
func TestAdminsAndConcurrentRotations(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob, carol, dave := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol"), newMember(t, tr, "dave")
	info, _ := allotment(t, srv, alice, bob, carol, dave)
	conv := info.Conversation
	for _, o := range []*member{carol, dave} {
		bob.waitBody(t, conv, "hello from "+o.name)
	}

	if err := bob.c.RemoveMember(info.ID, dave.as(info.ID)); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("bob removes before he is an admin: %v", err)
	}
	if err := alice.c.SetAdmin(info.ID, bob.as(info.ID), true); err != nil {
		t.Fatal(err)
	}
	renewed := func(e model.GroupRekeyed) bool { return e.Epoch == 1 && e.Reason == "renewal" && len(e.Removed) == 0 }
	bob.ev.waitFor(t, "bob named admin", func(evs []model.Event) bool { return count(evs, renewed) == 1 })
	if ms, _ := bob.c.Members(info.ID); !slices.ContainsFunc(ms, func(m Member) bool { return m.Address == bob.as(info.ID) && m.Role == model.RoleAdmin }) {
		t.Fatalf("bob's members after he was named: %+v", ms)
	}
	if err := bob.c.SetAdmin(info.ID, carol.as(info.ID), true); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("an admin names an admin: %v", err)
	}
	if err := bob.c.RemoveMember(info.ID, alice.as(info.ID)); !errors.Is(err, ErrRemoveOwner) {
		t.Fatalf("an admin removes the owner: %v", err)
	}
	alice.waitDelivered(t, conv)
	dave.ev.waitFor(t, "dave in epoch 1", func(evs []model.Event) bool { return count(evs, renewed) == 1 })

	// Alice, cut off, removes Dave; Bob, online, removes Carol.
	alice.stop()
	alice.tr = network()
	alice.start()
	if err := alice.c.RemoveMember(info.ID, dave.as(info.ID)); err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "alice's own rotation into epoch 2", func(evs []model.Event) bool { return count(evs, rekeyedTo(2, dave.as(info.ID))) == 1 })
	alice.stop()
	if err := bob.c.RemoveMember(info.ID, carol.as(info.ID)); err != nil {
		t.Fatal(err)
	}
	dave.ev.waitFor(t, "dave sees bob's rotation", func(evs []model.Event) bool { return count(evs, rekeyedTo(2, carol.as(info.ID))) == 1 })

	alice.tr = tr
	alice.start()
	alice.ev.waitFor(t, "alice takes bob's rotation", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupRekeyed) bool {
			return rekeyedTo(2, carol.as(info.ID))(e) && e.By == string(bob.as(info.ID))
		}) == 1
	})
	byAlice := func(e model.GroupRekeyed) bool {
		return rekeyedTo(3, dave.as(info.ID))(e) && e.By == string(alice.as(info.ID))
	}
	bob.ev.waitFor(t, "bob gets alice's rotation again, into epoch 3", func(evs []model.Event) bool { return count(evs, byAlice) == 1 })
	dave.ev.waitFor(t, "dave removed in epoch 3", func(evs []model.Event) bool { return count(evs, byAlice) == 1 })
	if _, err := alice.c.Post(info.ID, "after the dust settles", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "after the dust settles")
	alice.waitDelivered(t, conv)
	if carol.hasBody(conv, "after the dust settles") || dave.hasBody(conv, "after the dust settles") {
		t.Fatal("a removed member reads the newest epoch")
	}
	for _, m := range []*member{alice, bob} {
		m.c.mu.Lock()
		n := m.c.groups[info.ID].cur().n
		m.c.mu.Unlock()
		if n != 3 {
			t.Fatalf("%s is in epoch %d", m.name, n)
		}
	}

	// Bob, an admin but not the owner, makes a rotation that names another
	// admin: Alice refuses it.
	bob.c.mu.Lock()
	cur := bob.c.groups[info.ID].cur().g
	bob.c.mu.Unlock()
	_, parts, err := group.NewRotation(nil, info.ID, bob.key(info.ID), 4, group.ReasonRenewal, group.KeyOf(alice.as(info.ID)),
		[]group.PublicKey{group.KeyOf(bob.as(info.ID)), group.KeyOf(seedIdentity(t, "mallory").Address())}, nil,
		[]group.PublicKey{group.KeyOf(alice.as(info.ID))})
	if err != nil {
		t.Fatal(err)
	}
	last, err := bob.c.lastSeq(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := cur.Seal(nil, bob.key(info.ID), &group.Message{Seq: last + 1, Sent: time.Now(), Kind: group.KindRotate, Rotation: parts[0]})
	if err != nil {
		t.Fatal(err)
	}
	bob.c.mu.Lock()
	bobSrv := bob.c.servers[srv.Bundle().SigningKey]
	bob.c.mu.Unlock()
	if status, err := bobSrv.send(context.Background(), blob); err != nil || status != protocol.PostOK {
		t.Fatalf("bob's rotation: %v, %v", status, err)
	}
	alice.ev.waitFor(t, "alice refuses an admin naming admins", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool {
			return w.Kind == "rotation" && w.Why.Key == "groupwarning.rotation_admins" && w.Reason == "An admin who is not the group's owner tried to change its admins. It is ignored."
		}) == 1
	})
}

// TestRemovedAndInvitedAgain: Alice removes Dave, then invites him again
// with an invite of the new epoch. Once he writes, he is a member again:
// not marked removed, and the next rotation gives him its key.
func TestRemovedAndInvitedAgain(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob, dave := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "dave")
	info, _ := allotment(t, srv, alice, bob, dave)
	conv := info.Conversation
	if err := alice.c.RemoveMember(info.ID, dave.as(info.ID)); err != nil {
		t.Fatal(err)
	}
	dave.ev.waitFor(t, "dave removed", func(evs []model.Event) bool { return count(evs, rekeyedTo(1, dave.as(info.ID))) == 1 })
	again, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	dave.join(t, again)
	if _, err := dave.c.Post(info.ID, "I'm back", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitBody(t, conv, "I'm back")
	bob.waitBody(t, conv, "I'm back")
	if ms, _ := alice.c.Members(info.ID); !slices.ContainsFunc(ms, func(m Member) bool { return m.Address == dave.as(info.ID) && !m.Removed }) {
		t.Fatalf("alice's members after dave came back: %+v", ms)
	}
	if err := alice.c.SetAdmin(info.ID, bob.as(info.ID), true); err != nil {
		t.Fatal(err)
	}
	dave.ev.waitFor(t, "dave gets epoch 2", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupRekeyed) bool { return e.Epoch == 2 && e.Reason == "renewal" }) == 1
	})
	if _, err := alice.c.Post(info.ID, "in epoch 2", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	dave.waitBody(t, conv, "in epoch 2")
	// After a restart alice still counts him in.
	alice.stop()
	alice.start()
	if ms, _ := alice.c.Members(info.ID); !slices.ContainsFunc(ms, func(m Member) bool { return m.Address == dave.as(info.ID) && !m.Removed }) {
		t.Fatalf("alice's members after a restart: %+v", ms)
	}
}

// TestRotationPartsSurviveRestart: Eve, who holds only an old invite,
// sees the first part of a two-part rotation, restarts, and sees the
// second: she is told that her invite no longer works (the parts seen are
// stored, not only held in memory).
func TestRotationPartsSurviveRestart(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, eve := newMember(t, tr, "alice"), newMember(t, tr, "eve")
	info, err := alice.c.CreateGroup("Allotment", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	conv := info.Conversation
	text, err := alice.c.Invite(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Post(info.ID, "welcome", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitDelivered(t, conv)
	eve.join(t, text)
	eve.waitBody(t, conv, "welcome")
	last, err := alice.c.lastSeq(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	alice.stop()

	// Alice's rotation for 60 others (two parts), none of them Eve.
	var others []group.PublicKey
	for i := range 60 {
		others = append(others, group.KeyOf(seedIdentity(t, fmt.Sprint("member ", i)).Address()))
	}
	_, parts, err := group.NewRotation(nil, info.ID, alice.key(info.ID), 1, group.ReasonRenewal, group.KeyOf(alice.as(info.ID)), nil, nil, others)
	if err != nil || len(parts) != 2 {
		t.Fatalf("%d parts, %v", len(parts), err)
	}
	old, err := group.New(mustInviteKey(t, text), srv.Bundle().SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Wipe()
	post := func(m *group.Message) {
		t.Helper()
		last++
		m.Seq, m.Sent = last, time.Now()
		blob, err := old.Seal(nil, alice.key(info.ID), m)
		if err != nil {
			t.Fatal(err)
		}
		eve.c.mu.Lock()
		s := eve.c.servers[srv.Bundle().SigningKey]
		eve.c.mu.Unlock()
		if status, err := s.send(context.Background(), blob); err != nil || status != protocol.PostOK {
			t.Fatalf("post: %v, %v", status, err)
		}
	}
	post(&group.Message{Kind: group.KindRotate, Rotation: parts[0]})
	post(&group.Message{Kind: group.KindText, Text: "between the parts"})
	eve.waitBody(t, conv, "between the parts") // the first part was read before it
	eve.stop()
	eve.start()
	post(&group.Message{Kind: group.KindRotate, Rotation: parts[1]})
	eve.ev.waitFor(t, "eve's invite revoked", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool { return w.Kind == "invite revoked" }) == 1
	})
}

// TestOwnRotationNotYetStored: while Alice's rotation has not reached the
// server, what the others write under the current key comes before it in
// the server's order: her client shows it as usual, without the "old key"
// finding, and does not hide what Dave (whom she is removing) wrote.
func TestOwnRotationNotYetStored(t *testing.T) {
	srv := startServer(t, serverConfig(t.TempDir(), network()))
	defer srv.Close()
	alone := network() // alice reaches no server: her rotation stays queued
	alice := newMember(t, alone, "alice")
	info, err := alice.c.CreateGroup("Allotment", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	alice.c.mu.Lock()
	first := alice.c.groups[info.ID].cur().g
	alice.c.mu.Unlock()
	seq := uint64(0)
	deliver := func(from string, text string) {
		t.Helper()
		blob, err := first.Seal(nil, seedIdentity(t, from), &group.Message{Seq: 1, Sent: time.Now(), Kind: group.KindText, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		seq++
		alice.c.mu.Lock()
		sub := &subscription{s: alice.c.servers[srv.Bundle().SigningKey], cursor: seq - 1, last: seq - 1}
		alice.c.mu.Unlock()
		if err := sub.store([]protocol.BlobRef{{Seq: seq, Blob: blob}}); err != nil {
			t.Fatal(err)
		}
	}
	deliver("bob", "hello from bob")
	deliver("dave", "hello from dave")
	if err := alice.c.RemoveMember(info.ID, seedIdentity(t, "dave").Address()); err != nil {
		t.Fatal(err)
	}
	deliver("carol", "hello from carol")
	if !alice.hasBody(info.Conversation, "hello from carol") {
		t.Fatal("a post the server stored before alice's rotation is not shown")
	}
	if evs, _ := alice.ev.snapshot(); count(evs, func(w model.GroupWarning) bool { return w.Kind == "old key" }) != 0 {
		t.Fatal("alice warns about the old key before her rotation is on the server")
	}
}

// TestTrialEpochsBounded: a blob is tried against a group's newest
// trialEpochs epochs only; one of an older epoch is not taken for the
// group's (and costs no more than that many HMACs), one of a recent epoch is.
func TestTrialEpochsBounded(t *testing.T) {
	g0, err := group.New([32]byte{1}, [32]byte(seedIdentity(t, "server").PublicKey()))
	if err != nil {
		t.Fatal(err)
	}
	gs := &groupState{g: g0, epochs: []*epochState{{g: g0}}}
	for n := uint32(1); n < trialEpochs+8; n++ {
		g, err := group.NewEpoch(g0.ID(), n, [32]byte{byte(n), 1})
		if err != nil {
			t.Fatal(err)
		}
		gs.epochs = append(gs.epochs, &epochState{n: n, g: g})
	}
	seal := func(e *epochState) []byte {
		blob, err := e.g.Seal(nil, seedIdentity(t, "alice"), &group.Message{Seq: 1, Sent: time.Now(), Kind: group.KindText, Text: "x"})
		if err != nil {
			t.Fatal(err)
		}
		return blob
	}
	if e := gs.epochOf(seal(gs.epochs[0])); e != nil {
		t.Fatalf("a blob of epoch 0 is tried %d renewals later", len(gs.epochs)-1)
	}
	oldest := gs.epochs[len(gs.epochs)-trialEpochs]
	if e := gs.epochOf(seal(oldest)); e != oldest {
		t.Fatalf("a blob of epoch %d, within the window, is not found", oldest.n)
	}
	if e := gs.epochOf(seal(gs.cur())); e != gs.cur() {
		t.Fatal("a blob of the newest epoch is not found")
	}
}

// TestOfflineThroughRotations: Carol is offline while the group's key is
// renewed three times (a removal, naming an admin, taking it back); when
// she comes back she reads the rotations in order, each with the key the
// one before gave, and then what was written in the newest epoch.
func TestOfflineThroughRotations(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob, carol, dave := newMember(t, tr, "alice"), newMember(t, tr, "bob"), newMember(t, tr, "carol"), newMember(t, tr, "dave")
	info, _ := allotment(t, srv, alice, bob, carol, dave)
	conv := info.Conversation
	carol.waitDelivered(t, conv)
	carol.stop()
	if err := alice.c.RemoveMember(info.ID, dave.as(info.ID)); err != nil {
		t.Fatal(err)
	}
	if err := alice.c.SetAdmin(info.ID, bob.as(info.ID), true); err != nil {
		t.Fatal(err)
	}
	if err := alice.c.SetAdmin(info.ID, bob.as(info.ID), false); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Post(info.ID, "in epoch 3", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "in epoch 3")
	alice.waitDelivered(t, conv)

	carol.start()
	carol.waitBody(t, conv, "in epoch 3")
	carol.c.mu.Lock()
	n := carol.c.groups[info.ID].cur().n
	carol.c.mu.Unlock()
	if n != 3 {
		t.Fatalf("carol is in epoch %d", n)
	}
	if evs, _ := carol.ev.snapshot(); count(evs, func(e model.GroupRekeyed) bool { return e.Epoch >= 1 && e.Epoch <= 3 }) != 3 {
		t.Fatalf("carol saw %d rotations, want 3", count(evs, func(e model.GroupRekeyed) bool { return true }))
	}
	if dave.hasBody(conv, "in epoch 3") {
		t.Fatal("dave reads epoch 3")
	}
}

// TestRotationLooksLikeAnyPost: what a server sees of a removal for a
// group of 60 members (two parts) is two more posts like any other: blobs
// of BlobSize, each on a connection of its own with its own token, that
// share no 8-byte run with each other or with any other blob, and carry no
// address, key or group ID in the clear.
func TestRotationLooksLikeAnyPost(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("Allotment", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Post(info.ID, "welcome", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitDelivered(t, info.Conversation)
	// 60 members seen by alice (fed to her timeline), Dave among them.
	var secrets [][]byte
	alice.c.mu.Lock()
	gs := alice.c.groups[info.ID]
	for i := range 60 {
		id := seedIdentity(t, fmt.Sprint("member ", i))
		secrets = append(secrets, id.PublicKey(), []byte(id.Address()))
		blob, err := gs.cur().g.Seal(nil, id, &group.Message{Seq: 1, Sent: time.Now(), Kind: group.KindText, Text: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := gs.cur().g.Open(blob)
		if err != nil {
			t.Fatal(err)
		}
		gs.tl.Observe(m)
	}
	alice.c.mu.Unlock()
	if err := alice.c.RemoveMember(info.ID, seedIdentity(t, "member 0").Address()); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Post(info.ID, "after the removal", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	alice.waitDelivered(t, info.Conversation)
	px.waitCount(t, protocol.TypePost, 4) // welcome, two parts, the post after
	alice.stop()

	px.mu.Lock()
	defer px.mu.Unlock()
	if len(px.posts) != 4 {
		t.Fatalf("%d posts, want 4", len(px.posts))
	}
	for i, a := range px.posts {
		if len(a) != protocol.BlobSize {
			t.Fatalf("post %d has %d bytes", i, len(a))
		}
		for j, b := range px.posts {
			if i != j && sharedRun(a, b) >= 0 {
				t.Fatalf("posts %d and %d share 8 bytes", i, j)
			}
		}
	}
	for conn, k := range px.perCon {
		if k > 1 {
			t.Fatalf("connection %d carried %d posts", conn, k)
		}
	}
	secrets = append(secrets, info.ID[:], alice.id.PublicKey(), []byte(alice.as(info.ID)))
	for _, rec := range px.seen {
		for _, s := range secrets {
			if bytes.Contains(rec, s) {
				t.Fatalf("a record sent to the server contains %x", s)
			}
		}
	}
}

// TestRevokeInvites: Alice revokes the group's invites without removing
// anyone: Bob goes on reading, Eve, joining with the invite made before,
// is told it no longer works; a member cannot revoke.
func TestRevokeInvites(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	info, text := allotment(t, srv, alice, bob)
	conv := info.Conversation
	if err := bob.c.RevokeInvites(info.ID); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("a member revokes the invites: %v", err)
	}
	if err := alice.c.RevokeInvites(info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.c.Post(info.ID, "invites revoked", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	bob.waitBody(t, conv, "invites revoked")
	bob.ev.waitFor(t, "bob told of the renewal", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupRekeyed) bool { return e.Epoch == 1 && e.Reason == "renewal" && len(e.Removed) == 0 }) == 1
	})
	eve := newMember(t, tr, "eve")
	eve.join(t, text)
	eve.ev.waitFor(t, "eve's invite revoked", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool { return w.Kind == "invite revoked" }) == 1
	})
	if eve.hasBody(conv, "invites revoked") {
		t.Fatal("a revoked invite reads the new epoch")
	}
}
