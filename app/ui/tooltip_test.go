package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/widgets"
)

// tooltipButtons returns the visible icon buttons with a tooltip on the
// window (not its dialogs).
func (h *harness) tooltipButtons() []*widgets.TooltipButton {
	var out []*widgets.TooltipButton
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widgets.TooltipButton); ok {
			out = append(out, b)
		}
		return false
	})
	return out
}

// TestIconButtonsHaveTooltips: every icon-only button of the main window
// and of a conversation names what it does when pointed at; the lock
// button is a padlock that says "Lock Nook now (Ctrl+L)" and locks.
func TestIconButtonsHaveTooltips(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	layer, ok := h.win.Canvas().Content().(*widgets.TooltipLayer)
	if !ok {
		t.Fatalf("the window's content is a %T, not a tooltip layer", h.win.Canvas().Content())
	}
	walk(layer.Content(), func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok && b.Text == "" && b.Icon != nil {
			t.Errorf("the %s button has no text and no tooltip", b.Icon.Name())
		}
		return false
	})
	iconOnly := 0
	var lock *widgets.TooltipButton
	for _, b := range h.tooltipButtons() {
		iconOnly++
		b.MouseIn(&desktop.MouseEvent{})
		if layer.Tooltip() == "" || layer.Tooltip() != b.Tooltip {
			t.Errorf("pointing at the %s button shows %q", b.Icon.Name(), layer.Tooltip())
		}
		b.MouseOut()
		if strings.HasPrefix(b.Tooltip, "Lock Nook now") {
			lock = b
		}
	}
	if iconOnly < 4 { // settings, lock, details, more, send
		t.Fatalf("only %d icon buttons with a tooltip", iconOnly)
	}
	if lock == nil || lock.Tooltip != "Lock Nook now (Ctrl+L)" {
		t.Fatal(`no button says "Lock Nook now (Ctrl+L)"`)
	}
	if lock.Icon.Name() != widgets.LockIcon().Name() {
		t.Errorf("the lock button shows %s, not a padlock", lock.Icon.Name())
	}
	test.Tap(lock)
	h.waitFor("the lock screen", func() bool { return h.ui.main == nil && h.ui.unlock != nil })
}

// TestTooltipGoesWithItsPane: a tooltip shown by the conversation's
// header is hidden when another pane replaces it.
func TestTooltipGoesWithItsPane(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	layer := h.win.Canvas().Content().(*widgets.TooltipLayer)
	for _, b := range h.tooltipButtons() {
		if b.Tooltip == "Contact details" {
			h.win.Canvas().Focus(b)
		}
	}
	if layer.Tooltip() != "Contact details" {
		t.Fatalf("focusing the details button shows %q", layer.Tooltip())
	}
	h.ui.main.showHome()
	if layer.Tooltip() != "" {
		t.Errorf("the tooltip %q stayed after its pane was replaced", layer.Tooltip())
	}
}

// TestCopyMessageSaysCopied: Copy text on a message says "Copied" under
// it for a moment.
func TestCopyMessageSaysCopied(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	cp := h.ui.main.chat
	test.Type(cp.entry, "the address is in the drawer")
	cp.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.waitFor("the message", func() bool { return len(cp.msgs()) == 1 })
	h.settle()
	var bubble *widgets.MessageBubble
	walk(h.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
		bubble, _ = o.(*widgets.MessageBubble)
		return bubble != nil && bubble.Message().Body != ""
	})
	if bubble == nil || bubble.OnCopy == nil {
		t.Fatal("no message bubble with a Copy action on screen")
	}
	bubble.OnCopy(bubble.Message().Body) // what its menu's Copy text does
	layer := h.win.Canvas().Content().(*widgets.TooltipLayer)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "the address is in the drawer" {
		t.Errorf("clipboard holds %q", got)
	}
	if layer.Tooltip() != "Copied" {
		t.Fatalf("after copying a message the window shows %q", layer.Tooltip())
	}
	h.waitFor("the feedback to end", func() bool { return layer.Tooltip() == "" })
}
