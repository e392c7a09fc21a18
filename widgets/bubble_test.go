package widgets

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

func conversation() []Message {
	return []Message{
		{ID: "1", Body: "Are you safe to talk?", Time: testNow.Add(-26 * time.Hour)},
		{ID: "2", Body: "Yes. I'm on the new laptop now.", Outgoing: true, State: DeliveryDelivered,
			Time: testNow.Add(-25 * time.Hour)},
		{ID: "3", Body: "Good. I've read the draft. The second section names the warehouse — " +
			"that narrows it down to three people. Can we cut it, or describe it more loosely?",
			Author: "Alice Moreau", AuthorKey: addrAlice, Time: testNow.Add(-3 * time.Hour)},
		{ID: "4", Body: "Agreed, I'll rewrite it tonight.\nI'll send the new version here.", Outgoing: true,
			State: DeliverySent, Time: testNow.Add(-2 * time.Hour),
			Quote: &Quote{ID: "3", Author: "Alice Moreau", Text: "Good. I've read the draft. The second section names the warehouse"}},
		{ID: "5", Body: "ok", Outgoing: true, State: DeliveryQueued, Time: testNow.Add(-1 * time.Minute)},
		{ID: "6", Body: "Meeting moved to Thursday.", Outgoing: true, State: DeliveryFailed,
			FailReason: "Not sent: contact unreachable for 7 days", Time: testNow.Add(-40 * time.Minute)},
		{ID: "7", Body: "Delete this after reading.", Time: testNow.Add(-10 * time.Minute), Disappears: true},
		{ID: "8", Body: "Done.", Outgoing: true, State: DeliveryDelivered, Time: testNow.Add(-5 * time.Minute),
			Disappears: true},
	}
}

func newConversation(ms []Message) (*fyne.Container, []*MessageBubble) {
	box := container.NewVBox()
	var bs []*MessageBubble
	for _, m := range ms {
		b := NewMessageBubble(m)
		b.Times = testTimes
		bs = append(bs, b)
		box.Add(b)
	}
	return box, bs
}

func TestMessageBubble_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			box, _ := newConversation(conversation())
			w := showIn(t, box, fyne.NewSize(560, 100))
			w.Resize(fyne.NewSize(560, box.MinSize().Height+8))
			test.AssertRendersToMarkup(t, "bubble_"+v.name+".xml", w.Canvas())
			test.AssertRendersToImage(t, "bubble_"+v.name+".png", w.Canvas())
		})
	}
}

func TestMessageBubble_Menu(t *testing.T) {
	a := newTestApp(t, VariantLight)
	m := conversation()[5] // failed outgoing
	b := NewMessageBubble(m)
	b.Times = testTimes
	w := showIn(t, container.NewVBox(b), fyne.NewSize(500, 200))

	var replied, retried Message
	b.OnReply = func(m Message) { replied = m }
	b.OnRetry = func(m Message) { retried = m }

	// A secondary tap on the bubble opens its menu; outside it, nothing.
	test.TapSecondaryAt(b, fyne.NewPos(10, 10))
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("secondary tap beside the bubble opened a menu")
	}
	test.TapSecondaryAt(b, fyne.NewPos(480, 10))
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("secondary tap on the bubble opened no menu")
	}

	menu := b.menu()
	labels := []string{}
	for _, it := range menu.Items {
		labels = append(labels, it.Label)
	}
	if want := []string{"Reply", "Copy text", "Retry sending"}; !equalStrings(labels, want) {
		t.Fatalf("menu = %q, want %q", labels, want)
	}
	menu.Items[0].Action()
	if replied.ID != m.ID {
		t.Errorf("OnReply got %q, want %q", replied.ID, m.ID)
	}
	menu.Items[1].Action()
	if got := a.Clipboard().Content(); got != m.Body {
		t.Errorf("clipboard = %q, want %q", got, m.Body)
	}
	menu.Items[2].Action()
	if retried.ID != m.ID {
		t.Errorf("OnRetry got %q, want %q", retried.ID, m.ID)
	}

	var copied string
	b.OnCopy = func(s string) { copied = s }
	b.menu().Items[1].Action()
	if copied != m.Body {
		t.Errorf("OnCopy got %q, want %q", copied, m.Body)
	}

	// No retry for messages that did not fail, nor without OnRetry.
	b.SetMessage(conversation()[1])
	if n := len(b.menu().Items); n != 2 {
		t.Errorf("delivered message menu has %d items, want 2", n)
	}
	b.SetMessage(m)
	b.OnRetry = nil
	if n := len(b.menu().Items); n != 2 {
		t.Errorf("menu without OnRetry has %d items, want 2", n)
	}
}

func TestMessageBubble_QuoteTapped(t *testing.T) {
	newTestApp(t, VariantLight)
	m := conversation()[3]
	b := NewMessageBubble(m)
	showIn(t, b, fyne.NewSize(500, 200))
	var got string
	b.OnQuoteTapped = func(id string) { got = id }
	test.Tap(b.r.quote)
	if got != "3" {
		t.Errorf("OnQuoteTapped got %q, want %q", got, "3")
	}
}

// TestMessageBubble_Reuse checks that a bubble reused for another message
// (as widget.List does) renders exactly like a fresh one.
func TestMessageBubble_Reuse(t *testing.T) {
	newTestApp(t, VariantLight)
	ms := conversation()
	reused := NewMessageBubble(ms[3])
	reused.Times = testTimes
	showIn(t, reused, fyne.NewSize(500, 300))
	for _, m := range ms {
		reused.SetMessage(m)
		fresh := NewMessageBubble(m)
		fresh.Times = testTimes
		showIn(t, fresh, fyne.NewSize(500, 300))
		for _, w := range []float32{500, 320} {
			if a, b := reused.HeightForWidth(w), fresh.HeightForWidth(w); a != b {
				t.Errorf("message %s at width %v: reused height %v, fresh %v", m.ID, w, a, b)
			}
		}
		if a, b := test.RenderObjectToMarkup(reused), test.RenderObjectToMarkup(fresh); a != b {
			t.Errorf("message %s: reused bubble renders differently:\n%s\nfresh:\n%s", m.ID, a, b)
		}
	}
}

func TestMessageBubble_HeightForWidth(t *testing.T) {
	newTestApp(t, VariantLight)
	b := NewMessageBubble(conversation()[2]) // a long message
	wide, narrow := b.HeightForWidth(700), b.HeightForWidth(260)
	if !(narrow > wide) {
		t.Errorf("height at 260 = %v, at 700 = %v: narrower should be taller", narrow, wide)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMessageBubble_DisappearTimer: a message that will disappear shows a
// small timer inside its bubble, before its time (and its tick); others
// show none.
func TestMessageBubble_DisappearTimer(t *testing.T) {
	newTestApp(t, VariantLight)
	box, bs := newConversation(conversation())
	showIn(t, box, fyne.NewSize(560, box.MinSize().Height+8))
	for _, b := range bs {
		r := test.TempWidgetRenderer(t, b).(*bubbleRenderer)
		if r.timer.Visible() != b.msg.Disappears {
			t.Errorf("message %s: timer shown %v, disappears %v", b.msg.ID, r.timer.Visible(), b.msg.Disappears)
			continue
		}
		if !b.msg.Disappears {
			continue
		}
		tp, ts := r.timer.Position(), r.timer.Size()
		bp, bsz := r.bg.Position(), r.bg.Size()
		if tp.X < bp.X || tp.Y < bp.Y || tp.X+ts.Width > bp.X+bsz.Width || tp.Y+ts.Height > bp.Y+bsz.Height {
			t.Errorf("message %s: timer at %v %v outside its bubble at %v %v", b.msg.ID, tp, ts, bp, bsz)
		}
		if tp.X+ts.Width > r.when.Position().X {
			t.Errorf("message %s: timer at %v overlaps the time at %v", b.msg.ID, tp, r.when.Position())
		}
	}
}

// TestBubbleDeleteForMe: the menu offers "Delete for me" only when the
// bubble has OnDelete, and picking it hands over the message.
func TestBubbleDeleteForMe(t *testing.T) {
	b := NewMessageBubble(Message{ID: "7", Body: "sent to the wrong person", Outgoing: true, State: DeliveryQueued})
	has := func() *fyne.MenuItem {
		for _, it := range b.menu().Items {
			if it.Label == "Delete for me" {
				return it
			}
		}
		return nil
	}
	if has() != nil {
		t.Fatal("Delete for me offered without OnDelete")
	}
	var got Message
	b.OnDelete = func(m Message) { got = m }
	it := has()
	if it == nil {
		t.Fatal("no Delete for me with OnDelete set")
	}
	it.Action()
	if got.ID != "7" {
		t.Fatalf("OnDelete got %+v", got)
	}
}

// TestBubbleDeleteForEveryone: the menu offers "Delete for everyone"
// beside "Delete for me" only for a message marked Editable (the person's
// own recent text) on a bubble with OnDeleteForEveryone, and picking it
// hands over the message.
func TestBubbleDeleteForEveryone(t *testing.T) {
	b := NewMessageBubble(Message{ID: "7", Body: "sent to the wrong person", Outgoing: true})
	has := func() *fyne.MenuItem {
		for _, it := range b.menu().Items {
			if it.Label == "Delete for everyone" {
				return it
			}
		}
		return nil
	}
	var got Message
	b.OnDeleteForEveryone = func(m Message) { got = m }
	if has() != nil {
		t.Fatal("Delete for everyone offered for a message not marked Editable")
	}
	b.SetMessage(Message{ID: "7", Body: "sent to the wrong person", Outgoing: true, Editable: true})
	b.OnDeleteForEveryone = nil
	if has() != nil {
		t.Fatal("Delete for everyone offered without OnDeleteForEveryone")
	}
	b.OnDeleteForEveryone = func(m Message) { got = m }
	it := has()
	if it == nil {
		t.Fatal("no Delete for everyone on the person's own recent text")
	}
	it.Action()
	if got.ID != "7" {
		t.Fatalf("OnDeleteForEveryone got %+v", got)
	}
}

// TestBubbleEdit: the menu offers Edit only for a message marked Editable
// on a bubble with OnEdit, and picking it hands over the message; an
// edited message says so beside its time.
func TestBubbleEdit(t *testing.T) {
	newTestApp(t, VariantLight)
	b := NewMessageBubble(Message{ID: "9", Body: "see you at noom", Outgoing: true, State: DeliveryDelivered, Time: testNow})
	b.Times = testTimes
	edit := func() *fyne.MenuItem {
		for _, it := range b.menu().Items {
			if it.Label == "Edit" {
				return it
			}
		}
		return nil
	}
	var got Message
	b.OnEdit = func(m Message) { got = m }
	if edit() != nil {
		t.Fatal("Edit offered for a message not editable")
	}
	m := b.Message()
	m.Editable = true
	b.SetMessage(m)
	it := edit()
	if it == nil {
		t.Fatal("no Edit for an editable message")
	}
	it.Action()
	if got.ID != "9" {
		t.Fatalf("OnEdit got %+v", got)
	}
	b.OnEdit = nil
	if edit() != nil {
		t.Fatal("Edit offered without OnEdit")
	}
	showIn(t, b, fyne.NewSize(400, 80))
	r := test.TempWidgetRenderer(t, b).(*bubbleRenderer)
	if strings.Contains(r.when.Text, "edited") {
		t.Fatalf("a message never edited shows %q", r.when.Text)
	}
	m.Body, m.Edited = "see you at noon", true
	b.SetMessage(m)
	if !strings.Contains(r.when.Text, "edited") || !strings.Contains(r.when.Text, testTimes.Stamp(testNow)) {
		t.Fatalf("an edited message shows %q beside its body", r.when.Text)
	}
}
