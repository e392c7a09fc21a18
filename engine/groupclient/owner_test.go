package groupclient

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestG1InviteOwnerUnknown: a group whose invite is a G1 one (made by an
// older Nook: it does not name the owner). Mallory joins first and posts
// first; Bob, joining after her, does not take her for the owner: nobody
// is, to him, and he hands on a G1 invite (what he has). Mallory cannot
// govern through her client, and her forged renewal naming herself the
// owner, with a key wrapped for Bob, does not move Bob into her epoch: he
// is told that the renewal cannot be checked and to ask for a new
// invite, and the group ends for him (ErrUnknownGroup, a left group with
// the note NoteOwnerUnknown). A group created by this version is invited
// to with a G3 invite naming Alice, whom Carol sees as the owner though
// Mallory wrote before her.
func TestG1InviteOwnerUnknown(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	var key [group.KeySize]byte
	if _, err := rand.Read(key[:]); err != nil {
		t.Fatal(err)
	}
	g1, err := invite.NewGroupInvite("Old club", key, srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	mallory, bob := newMember(t, tr, "mallory"), newMember(t, tr, "bob")
	info := mallory.join(t, g1.Encode())
	conv := info.Conversation
	if _, err := mallory.c.Post(info.ID, "I am the owner here", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	mallory.waitDelivered(t, conv)
	bob.join(t, g1.Encode())
	bob.waitBody(t, conv, "I am the owner here")
	ms, err := bob.c.Members(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || slices.ContainsFunc(ms, func(m Member) bool { return m.Role != model.RoleMember }) {
		t.Fatalf("bob's members of a G1 group: %+v", ms)
	}
	if text, err := bob.c.Invite(info.ID); err != nil || !strings.HasPrefix(text, invite.PrefixGroup) {
		t.Fatalf("bob's invite to a G1 group: %.8s, %v", text, err)
	}
	if err := mallory.c.RevokeInvites(info.ID); !errors.Is(err, ErrNotAdmin) {
		t.Fatalf("mallory renews the key: %v", err)
	}

	// Mallory's forged renewal: she names herself the owner and wraps
	// the new key for Bob.
	_, parts, err := group.NewRotation(nil, info.ID, mallory.key(info.ID), 1, group.ReasonRenewal,
		group.KeyOf(mallory.as(info.ID)), nil, nil, []group.PublicKey{group.KeyOf(bob.as(info.ID))})
	if err != nil {
		t.Fatal(err)
	}
	first, err := group.New(key, srv.Bundle().SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Wipe()
	last, err := mallory.c.lastSeq(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := first.Seal(nil, mallory.key(info.ID), &group.Message{Seq: last + 1, Sent: time.Now(), Kind: group.KindRotate, Rotation: parts[0]})
	if err != nil {
		t.Fatal(err)
	}
	mallory.c.mu.Lock()
	mSrv := mallory.c.servers[srv.Bundle().SigningKey]
	mallory.c.mu.Unlock()
	if status, err := mSrv.send(context.Background(), blob); err != nil || status != protocol.PostOK {
		t.Fatalf("mallory's renewal: %v, %v", status, err)
	}
	bob.ev.waitFor(t, "bob cannot check the renewal", func(evs []model.Event) bool {
		return count(evs, func(w model.GroupWarning) bool {
			return w.Kind == "owner unknown" && w.Author == string(mallory.as(info.ID))
		}) == 1 && count(evs, func(e model.GroupLeft) bool { return e.Conversation == conv && !e.HistoryDeleted }) == 1
	})
	if _, err := bob.c.Post(info.ID, "still here?", model.MessageID{}); !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("bob posts after a renewal he could not check: %v", err)
	}
	if !slices.ContainsFunc(bob.messages(conv), func(m model.Message) bool {
		return m.Kind == model.KindNote && m.Body == model.NoteOwnerUnknown && m.Author == string(mallory.as(info.ID))
	}) {
		t.Fatal("bob's history has no note of the renewal he could not check")
	}
	if left, err := bob.c.LeftGroups(); err != nil || len(left) != 1 || left[0].ID != info.ID {
		t.Fatalf("bob's groups left: %+v, %v", left, err)
	}
	// Restarted, Bob holds no key of Mallory's epoch.
	bob.stop()
	bob.start()
	if _, err := bob.c.Invite(info.ID); !errors.Is(err, ErrUnknownGroup) {
		t.Fatalf("bob's group after a restart: %v", err)
	}

	// A group of this version: its invite names Alice.
	alice, carol := newMember(t, tr, "alice"), newMember(t, tr, "carol")
	made, err := alice.c.CreateGroup("Allotment", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, err := alice.c.Invite(made.ID)
	if err != nil || !strings.HasPrefix(text, invite.PrefixGroupOwned) {
		t.Fatalf("a new group's invite: %.8s, %v", text, err)
	}
	mallory.join(t, text)
	if _, err := mallory.c.Post(made.ID, "first!", model.MessageID{}); err != nil {
		t.Fatal(err)
	}
	mallory.waitDelivered(t, made.Conversation)
	carol.join(t, text)
	carol.waitBody(t, made.Conversation, "first!")
	ms, err = carol.c.Members(made.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ms, func(m Member) bool { return m.Address == mallory.as(made.ID) && m.Role == model.RoleMember }) {
		t.Fatalf("carol's members: %+v", ms)
	}
	carol.c.mu.Lock()
	owner := carol.c.groups[made.ID].rec.owner
	carol.c.mu.Unlock()
	if owner != group.KeyOf(alice.as(made.ID)) {
		t.Fatal("carol does not know alice as the owner of her group")
	}
}
