package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/model"
)

// TestDisappearingMessagesUI: Alice turns on disappearing messages from
// the conversation menu's dialog; both headers say so and Bob is told who
// changed it. With a one-second timer, her message leaves her screen a
// second after she sent it, and Bob's a second after he saw it.
func TestDisappearingMessagesUI(t *testing.T) {
	alice, bob := twoProfiles(t)
	befriend(t, alice, bob)
	aliceAddr, bobAddr := alice.self(), bob.self()
	alice.open(bobAddr)
	bob.open(aliceAddr)
	ac, bc := alice.ui.main.chat, bob.ui.main.chat
	if ac.timer.Visible() {
		t.Fatal("the header shows a timer that is off")
	}

	// The dialog: choose one day and save.
	ac.showDisappear()
	r := alice.radio()
	if r == nil || r.Selected != "Off" {
		t.Fatalf("the dialog's choices: %+v", r)
	}
	r.SetSelected("1 day")
	alice.tap("Save")
	alice.waitFor("the timer in Alice's header", func() bool {
		return ac.timer.Visible() && strings.Contains(ac.timer.Tooltip, "after 1 day")
	})
	bob.waitFor("the timer in Bob's header", func() bool {
		return bc.timer.Visible() && strings.Contains(bc.timer.Tooltip, "after 1 day")
	})
	bob.waitFor("Bob to be told that Alice changed the timer", func() bool {
		return bob.hasText("Alice set new messages to disappear after 1 day.")
	})

	// One second, so that the test sees messages go.
	if _, err := alice.eng.SetConversationTimer(model.ConversationID(bobAddr), time.Second); err != nil {
		t.Fatal(err)
	}
	bob.waitFor("Bob's timer at one second", func() bool { return bc.contact().Disappear == time.Second })
	alice.win.Canvas().Focus(ac.entry)
	test.Type(ac.entry, "this will vanish")
	ac.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	bob.waitFor("the message on Bob's screen", func() bool { return len(bc.msgs()) == 1 })
	alice.waitFor("the message gone from Alice's screen", func() bool { return len(ac.msgs()) == 0 })
	if !alice.hasText("No messages yet") {
		t.Error("Alice's empty conversation does not show its empty state")
	}
	if it := alice.item(bobAddr); it.preview != "" {
		t.Errorf("Alice's list still previews %q", it.preview)
	}
	// Bob has the conversation open, so he has seen it: it goes too.
	bob.waitFor("the message gone from Bob's screen", func() bool { return len(bc.msgs()) == 0 })
	if m, err := bob.eng.History(model.ConversationID(aliceAddr), 0, 10); err != nil || len(m) != 0 {
		t.Fatalf("Bob's stored history: %d messages, %v", len(m), err)
	}
}
