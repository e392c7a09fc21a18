package engine

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nookchat/nook/engine/model"
)

var writeFixture = flag.Bool("write-fixture", false, "write testdata/profile-v1 with this version of the engine")

// TestWriteFixture writes testdata/profile-v1: Bob's profile (password
// "bob pw") after Alice sent him a text and, as this version of the engine
// does, a group invite as an ordinary Text; both unread, their counts in
// the engine's "unread" bucket.
func TestWriteFixture(t *testing.T) {
	if !*writeFixture {
		t.Skip("run with -write-fixture to write the fixture")
	}
	alice, bob := groupPair(t)
	serverInvite, err := alice.HostServer(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	g, err := alice.CreateGroup("Newsroom", serverInvite)
	if err != nil {
		t.Fatal(err)
	}
	bob.acceptInviteOf(alice)
	alice.waitUntil("bob accepted", step, func() bool {
		c, err := alice.Contact(bob.self())
		return err == nil && c.State == model.ContactAccepted
	})
	alice.sendDelivered(bob.self(), "an invite follows", step)
	inv, err := alice.InviteToGroup(bob.self(), g.Conversation)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("invite delivered", step, func() bool {
		m, err := alice.Message(inv.ID)
		return err == nil && m.Status == model.StatusDelivered
	})
	conv := model.ConversationID(alice.self())
	bob.waitUntil("two unread", step, func() bool {
		n, _ := bob.Unread(conv)
		return n == 2
	})
	alice.StopServer()
	bob.Close()
	alice.Close()
	out := filepath.Join("testdata", "profile-v1")
	os.RemoveAll(out)
	if b, err := exec.Command("cp", "-r", filepath.Join(bob.dir, "profiles"), out).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v: %s", err, b)
	}
}
