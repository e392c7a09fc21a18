package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/nookchat/nook/engine/groupclient"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestNamesRefuseFormatCharacters (security L-3): every place a name enters
// the engine refuses format characters other than ZWJ (text-direction
// overrides, isolates and marks, invisible characters): the profile's
// display name when it is created and changed, a contact's nickname, a
// group's name. A profile whose name was stored by an older version with
// such characters still makes invites, without them.
func TestNamesRefuseFormatCharacters(t *testing.T) {
	dirNet := loopback.NewMemoryDirectory()
	alice := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	bob := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	bad := []string{"\u202eecilA", "Al\u2066ice", "Alice\u200f", "Al\u00adice", "Al\u200bice",
		"Al\u3164ice", "Alice\u2800", "Al\u200dice", "Alice\ufe0f"} // the last four: security review 2, L-C
	for _, name := range bad {
		if _, err := alice.CreateProfile(context.Background(), name, "pw"); err == nil {
			t.Fatalf("profile named %q created", name)
		}
	}
	alice.createProfile("Alice", "pw")
	bob.createProfile("Dana 👩\u200d💻", "pw")
	text, err := bob.MyInvite(false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := alice.AcceptInvite(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range bad {
		if err := alice.SetDisplayName(name); err == nil {
			t.Errorf("display name %q accepted", name)
		}
		if _, err := alice.RenameContact(model.ConversationID(identity.Address(res.Contact.Address)), name); err == nil {
			t.Errorf("nickname %q accepted", name)
		}
		if _, err := alice.CreateGroup(name, ""); !errors.Is(err, invite.ErrName) {
			t.Errorf("group named %q: %v, want invite.ErrName", name, err)
		}
	}
	if _, err := alice.RenameContact(model.ConversationID(identity.Address(res.Contact.Address)), "Dana 👩\u200d💻"); err != nil {
		t.Fatal(err)
	}

	// A name stored before this check (written here beneath the engine's
	// check) goes out without the characters.
	op, err := alice.current()
	if err != nil {
		t.Fatal(err)
	}
	if err := op.prof.SetDisplayName("\u202eecilA"); err != nil {
		t.Fatal(err)
	}
	text, err = alice.MyInvite(true)
	if err != nil {
		t.Fatalf("invite of a profile with an old name: %v", err)
	}
	inv, err := invite.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.(*invite.ContactInvite).Name(); got != "ecilA" {
		t.Fatalf("invite carries the name %q", got)
	}
}

// TestOldGroupNamesCleaned (security review 2, L-D): names an older
// version stored in a group (a member's name, under a rule that let
// U+3164 and a joiner between letters through) leave the engine cleaned,
// as contacts' names do; so do group names (cleanGroup).
func TestOldGroupNamesCleaned(t *testing.T) {
	alice, _ := groupPair(t)
	g := alice.hostGroup(context.Background(), "Newsroom")
	posted, err := alice.PostToGroup(g.Conversation(), "hello", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("the post back from the server", step, func() bool {
		m, err := alice.Message(posted.Conversation, posted.ID)
		return err == nil && m.Status == model.StatusDelivered
	})
	op, err := alice.current()
	if err != nil {
		t.Fatal(err)
	}
	// The member's name as the older version would have stored it (the
	// group client's record: 'n', group ID, author key → name).
	k := append(append([]byte{'n'}, g.ID[:]...), op.id.Address().PublicKey()...)
	if err := op.st.Bucket("groupclient").Put(k, []byte("Al\u3164i\u200dce")); err != nil {
		t.Fatal(err)
	}
	ms, err := alice.GroupMembers(g.Conversation())
	if err != nil || len(ms) != 1 {
		t.Fatalf("members %+v, %v", ms, err)
	}
	if ms[0].Name != "Alice" {
		t.Fatalf("the member's stored name leaves the engine as %+q", ms[0].Name)
	}
	gi := cleanGroup(groupclient.GroupInfo{Name: "News\u3164room\u2800"})
	if gi.Name != "Newsroom" {
		t.Fatalf("group name cleaned to %+q", gi.Name)
	}
	if err := alice.StopServer(); err != nil {
		t.Fatal(err)
	}
}
