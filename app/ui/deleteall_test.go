package ui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/model"
)

// TestDeleteForEveryoneUI: Alice deletes her message for everyone from
// its bubble's menu: the dialog says plainly what it cannot reach (a
// modified app, a screenshot, someone who already read it); after
// Delete, both screens show a note in its place ("You deleted this
// message", "Alice deleted this message") and Bob's reply quoting it
// says it was deleted; Bob's bubble of her message offers no Delete for
// everyone, and the deletion notifies nobody. With NOOK_SCREENSHOTS set,
// Alice's dialog is written as delete-for-everyone.png and Bob's
// conversation after it as deleted-for-everyone.png.
func TestDeleteForEveryoneUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	ac := alice.open(bob.self())
	bc := bob.open(alice.self())

	test.Type(ac.entry, "The flat is at 12 Elm Street")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("the message on Bob's screen", func() bool { return len(bc.msgs()) == 1 })
	id := bc.msgs()[0].ID
	bc.setReply(id.String())
	test.Type(bc.entry, "Got it")
	bc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("Bob's reply on his screen", func() bool { return len(bc.msgs()) == 2 })
	reply := bc.msgs()[1].ID
	alice.waitFor("Bob's reply on Alice's screen", func() bool { return alice.bubbleOf(reply) != nil })
	bob.ui.focused = false // a notification would show
	notices := len(bob.notices)

	if bb := bob.bubbleOf(id); bb == nil || bb.Message().Editable {
		t.Fatal("Bob's bubble of Alice's message offers Delete for everyone")
	}
	if bb := alice.bubbleOf(reply); bb == nil || bb.Message().Editable {
		t.Fatal("Alice's bubble of Bob's reply offers Delete for everyone")
	}
	ab := alice.bubbleOf(id)
	if ab == nil || ab.OnDeleteForEveryone == nil || !ab.Message().Editable {
		t.Fatal("Alice's bubble offers no Delete for everyone")
	}
	ab.OnDeleteForEveryone(ab.Message())
	for _, s := range []string{"Delete for everyone?", "modified app", "screenshot", "already read it"} {
		if !alice.hasText(s) {
			t.Fatalf("the dialog does not say %q", s)
		}
	}
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		alice.win.Resize(fyne.NewSize(820, 560))
		alice.shoot(dir, "delete-for-everyone.png")
	}
	alice.tap("Delete")
	for _, c := range []struct {
		h    *harness
		note string
	}{{alice, "You deleted this message"}, {bob, "Alice deleted this message"}} {
		h := c.h
		h.waitFor("the note in place of the message", func() bool { return h.bubbleOf(id) == nil && h.hasText(c.note) })
		h.waitFor("the reply quoting the note", func() bool {
			b := h.bubbleOf(reply)
			return b != nil && b.Message().Quote != nil && b.Message().Quote.Text == c.note
		})
		if h.hasText("12 Elm Street") {
			t.Fatalf("%s's screen still shows the deleted text", c.note)
		}
	}
	if len(bc.msgs()) != 2 || bc.msgs()[0].Kind != model.KindNote {
		t.Fatalf("Bob's conversation after the deletion: %+v", bc.msgs())
	}
	if len(bob.notices) != notices {
		t.Fatalf("the deletion notified Bob: %v", bob.notices[notices:])
	}
	if dir := os.Getenv("NOOK_SCREENSHOTS"); dir != "" {
		bob.win.Resize(fyne.NewSize(820, 560))
		bob.shoot(dir, "deleted-for-everyone.png")
	}
}

// TestGroupDeleteForEveryoneUI: in a group, Bob deletes his post for
// everyone; Alice's screen shows "Bob deleted this message" in its
// place, and her bubble of his post never offered the deletion.
func TestGroupDeleteForEveryoneUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	gc := alice.createHostedGroup("Newsroom")
	conv := gc.conv
	bob.acceptInvite(alice.groupInvite(conv))
	post, err := bob.eng.SendMessage(conv, "The source is Dana")
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFor("Bob's post on Alice's screen", func() bool { return alice.bubbleOf(post.ID) != nil })
	if ab := alice.bubbleOf(post.ID); ab.Message().Editable {
		t.Fatal("Alice's bubble of Bob's post offers Delete for everyone")
	}
	bob.open(string(conv))
	bob.waitFor("Bob's post on his screen", func() bool { return bob.bubbleOf(post.ID) != nil })
	bb := bob.bubbleOf(post.ID)
	if bb.OnDeleteForEveryone == nil || !bb.Message().Editable {
		t.Fatal("Bob's bubble of his post offers no Delete for everyone")
	}
	bb.OnDeleteForEveryone(bb.Message())
	bob.tap("Delete")
	bob.waitFor("Bob's note", func() bool { return bob.bubbleOf(post.ID) == nil && bob.hasText("You deleted this message") })
	alice.waitFor("Alice's note", func() bool { return alice.bubbleOf(post.ID) == nil && alice.hasText("Bob deleted this message") })
}
