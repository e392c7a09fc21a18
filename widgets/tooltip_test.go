package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// tooltipText returns the tooltip's text object as drawn by the layer.
func tooltipText(l *TooltipLayer) *canvas.Text {
	return test.WidgetRenderer(l).Objects()[2].(*canvas.Text)
}

// TestTooltip: pointing at a TooltipButton or giving it the keyboard focus
// shows its tooltip next to it, inside the window, without taking the
// focus from the field being typed in; leaving, losing the focus or
// tapping hides it.
func TestTooltip(t *testing.T) {
	newTestApp(t, VariantLight)
	tapped := 0
	lock := NewTooltipButton(LockIcon(), "Lock Nook now (Ctrl+L)", func() { tapped++ })
	low := NewTooltipButton(LockIcon(), "Near the bottom", nil)
	entry := widget.NewEntry()
	l := NewTooltipLayer(container.NewBorder(container.NewHBox(entry, lock), container.NewHBox(low), nil, nil))
	w := showIn(t, l, fyne.NewSize(300, 200))
	w.Canvas().Focus(entry)

	lock.MouseIn(&desktop.MouseEvent{})
	text := tooltipText(l)
	if l.Tooltip() != "Lock Nook now (Ctrl+L)" || !text.Visible() || text.Text != l.Tooltip() {
		t.Fatalf("pointing at the button shows %q (visible %v)", text.Text, text.Visible())
	}
	bp, bs := lock.Position(), lock.Size()
	tp, ts := text.Position(), text.Size()
	if tp.Y < bp.Y+bs.Height || tp.X < 0 || tp.X+ts.Width > 300 {
		t.Errorf("tooltip at %v size %v, button at %v size %v in a 300 px window", tp, ts, bp, bs)
	}
	if w.Canvas().Focused() != entry {
		t.Error("the tooltip took the keyboard focus")
	}
	lock.MouseOut()
	if l.Tooltip() != "" || text.Visible() {
		t.Error("the tooltip stayed after the pointer left")
	}

	low.MouseIn(&desktop.MouseEvent{})
	lowAt := fyne.CurrentApp().Driver().AbsolutePositionForObject(low)
	if tp := text.Position(); tp.Y+text.Size().Height > lowAt.Y || tp.Y < 0 {
		t.Errorf("the tooltip of a button at the bottom edge (at %v) is drawn at %v, not above it", lowAt, tp)
	}
	low.MouseOut()

	w.Canvas().Focus(lock)
	if l.Tooltip() != "Lock Nook now (Ctrl+L)" {
		t.Error("keyboard focus does not show the tooltip")
	}
	w.Canvas().Unfocus()
	if l.Tooltip() != "" {
		t.Error("the tooltip stayed after the focus left")
	}
	lock.MouseIn(&desktop.MouseEvent{})
	test.Tap(lock)
	if tapped != 1 || l.Tooltip() != "" {
		t.Errorf("tap: action run %d times, tooltip %q", tapped, l.Tooltip())
	}
}

// TestDeliveryIconTooltip: the pointer on a message's delivery icon (the
// clock of a queued message) shows what it means; off it, nothing.
func TestDeliveryIconTooltip(t *testing.T) {
	newTestApp(t, VariantLight)
	b := NewMessageBubble(Message{ID: "1", Body: "meet at six", Outgoing: true, State: DeliveryQueued,
		StateTip: "Waiting on this computer: it goes out when you are both online"})
	l := NewTooltipLayer(b)
	showIn(t, l, fyne.NewSize(400, 120))
	g := b.r.geometry(b.Size().Width)
	on := g.statePos.AddXY(2, 2)
	b.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: on}})
	if l.Tooltip() != "Waiting on this computer: it goes out when you are both online" {
		t.Fatalf("the pointer on the clock shows %q", l.Tooltip())
	}
	b.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: g.bubblePos.AddXY(4, 4)}})
	if l.Tooltip() != "" {
		t.Fatalf("off the icon the tooltip stays: %q", l.Tooltip())
	}
	b.SetMessage(Message{ID: "1", Body: "meet at six", Outgoing: true, State: DeliveryDelivered})
	b.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: on}})
	if l.Tooltip() != DeliveryDelivered.Tip() {
		t.Fatalf("a delivered message's icon shows %q", l.Tooltip())
	}
	b.MouseOut()
	if l.Tooltip() != "" {
		t.Fatal("the tooltip stayed after the pointer left")
	}
}
