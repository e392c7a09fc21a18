package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestBurstRendersOnce: a burst of events that arrives before the UI
// goroutine runs is applied to the state in order and rendered once: the
// list shows the last state, the open conversation every message.
func TestBurstRendersOnce(t *testing.T) {
	h := newProfile(t, "Ana", "pw for ana")
	h.invite()
	h.settle()
	pat := model.ConversationID(randomAddress(t))
	c := model.Contact{Address: string(pat), Nickname: "Pat", State: model.ContactAccepted}
	cv := model.Conversation{ID: pat, Kind: model.KindContact, Title: "Pat", Contact: &c}
	h.event(model.ConversationChanged{Conversation: cv})
	h.open(string(pat))
	h.settle()

	before := h.ui.renders
	const n = 300
	for i := 1; i <= n; i++ {
		m := model.Message{ID: model.NewMessageID(), Conversation: pat, Seq: uint64(i), Author: string(pat),
			Body: fmt.Sprintf("message %d", i), Status: model.StatusReceived}
		cv.Last, cv.Messages = m, uint64(i)
		h.ui.queueEvent(model.MessageAdded{Message: m})
		h.ui.queueEvent(model.ConversationChanged{Conversation: cv})
	}
	h.settle()
	if got := h.ui.renders - before; got != 1 {
		t.Fatalf("%d events rendered %d times, want once", 2*n, got)
	}
	if ms := h.ui.main.chat.msgs(); len(ms) != n || ms[n-1].Body != fmt.Sprintf("message %d", n) {
		t.Fatalf("the conversation shows %d messages", len(ms))
	}
	if it := h.item(string(pat)); it.preview != fmt.Sprintf("message %d", n) {
		t.Fatalf("the list shows %q", it.preview)
	}
}

// TestUnlockLeftBehind: a profile that finishes opening after the person
// left the unlock screen (to create another profile) is locked again, for
// a typed password as for none: what the engine has open is what is
// shown.
func TestUnlockLeftBehind(t *testing.T) {
	test.NewTempApp(t)
	eng := newEngine(t, t.TempDir(), loopback.New(newNet()))
	if _, err := eng.CreateProfile(context.Background(), "Sam", "sam password"); err != nil {
		t.Fatal(err)
	}
	if err := eng.Lock(); err != nil {
		t.Fatal(err)
	}
	events, cancel := eng.Subscribe()
	defer cancel()
	<-events // the locked snapshot
	h := newHarness(t, eng)
	s := h.ui.unlock
	h.waitFor("the unlock screen ready", func() bool { return !s.button.Disabled() })
	test.Type(s.password, "sam password")
	h.tap("Unlock")
	// The person moves on before the unlock is applied.
	h.tap("Create another profile")
	if h.ui.create == nil {
		t.Fatal("no create-profile screen")
	}
	// Run the UI's work while watching the engine's snapshots: the
	// unlock's, then the lock's.
	opened, locked := false, false
	deadline := time.NewTimer(step)
	defer deadline.Stop()
	for !locked {
		select {
		case f := <-h.queue:
			f()
		case ev := <-events:
			if snap, ok := ev.(model.Snapshot); ok {
				opened = opened || snap.Unlocked
				locked = opened && !snap.Unlocked
			}
		case <-deadline.C:
			t.Fatalf("timed out waiting for the profile to open, then lock again (opened: %v)", opened)
		}
	}
	if _, _, err := eng.Self(); err == nil {
		t.Fatal("the engine has a profile open that is not shown")
	}
	if h.ui.main != nil || h.ui.create == nil {
		t.Fatal("the main window replaced the create-profile screen")
	}
}
