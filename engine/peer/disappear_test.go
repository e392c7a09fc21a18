package peer

import (
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestDisappearingTimer: a timer one side sets reaches the other, every
// message written under it carries it (the author's copy has its deletion
// time, the recipient's waits for being read), and when both change it
// while apart the later change wins on both sides.
func TestDisappearingTimer(t *testing.T) {
	nw := loopbackNet(t)
	a := newNode(t, "ana", 51, nw.new(t))
	b := newNode(t, "ben", 52, nw.new(t))
	befriend(t, a, b, nw.timeout)

	if _, err := a.m.SetDisappear(b.addr(), 1500*time.Millisecond); err == nil {
		t.Error("a timer of 1.5 s was accepted (whole seconds only)")
	}
	if _, err := a.m.SetDisappear(b.addr(), time.Hour); err != nil {
		t.Fatal(err)
	}
	b.ev.waitFor(t, "ben to adopt ana's timer", nw.timeout, func(ev model.Event) bool {
		d, ok := ev.(model.DisappearChanged)
		return ok && d.ByContact && d.Address == string(a.addr()) && d.Disappear == time.Hour
	})
	if c := b.contact(a); c.Disappear != time.Hour {
		t.Fatalf("ben's contact timer = %v, want 1h", c.Disappear)
	}
	sent, err := a.m.Send(b.addr(), "gone in an hour", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Disappear != time.Hour || !sent.ExpiresAt.Equal(sent.Sent.Add(time.Hour)) {
		t.Errorf("ana's copy: timer %v, expires %v (sent %v)", sent.Disappear, sent.ExpiresAt, sent.Sent)
	}
	a.ev.waitUntil(t, "delivery", nw.timeout, delivered(a, b))
	got, err := b.st.GetMessage(model.ConversationID(a.addr()), sent.ID)
	if err != nil || got.Disappear != time.Hour || !got.ExpiresAt.IsZero() {
		t.Errorf("ben's copy = timer %v, expires %v, %v; want 1h, not started until read", got.Disappear, got.ExpiresAt, err)
	}

	// Apart, ana sets a day, then ben five minutes: ben's is later.
	b.stop()
	if _, err := a.m.SetDisappear(b.addr(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	a.stop()
	b.start()
	time.Sleep(5 * time.Millisecond) // the protocol carries milliseconds
	if _, err := b.m.SetDisappear(a.addr(), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	a.start()
	for _, n := range []*node{a, b} {
		other := a
		if n == a {
			other = b
		}
		n.ev.waitUntil(t, n.name+" to settle on the later change", nw.timeout, func() bool {
			return n.contact(other).Disappear == 5*time.Minute
		})
	}
	// A message written with the timer off carries none.
	if _, err := a.m.SetDisappear(b.addr(), 0); err != nil {
		t.Fatal(err)
	}
	b.ev.waitUntil(t, "ben to see the timer off", nw.timeout, func() bool { return b.contact(a).Disappear == 0 })
	kept, err := a.m.Send(b.addr(), "kept", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	a.ev.waitUntil(t, "delivery", nw.timeout, delivered(a, b))
	if got, err := b.st.GetMessage(model.ConversationID(a.addr()), kept.ID); err != nil || got.Disappear != 0 {
		t.Errorf("message written with the timer off: %v, %v", got.Disappear, err)
	}
}
