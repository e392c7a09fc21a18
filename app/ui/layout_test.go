package ui

import (
	"time"

	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/widgets"
)

// request makes Bob send Alice a contact request and waits for it on her
// side.
func request(t *testing.T, alice, bob *harness) {
	t.Helper()
	bob.pasteInvite(alice.invite())
	alice.waitFor("Bob's request", func() bool {
		it := alice.item(bob.self())
		return it != nil && it.c.State == model.ContactRequest
	})
}

// TestRequestButtonsFit: at an 800 px wide window, a request's Accept,
// Reject and Block buttons are inside its row of the list.
func TestRequestButtonsFit(t *testing.T) {
	alice, bob := twoProfiles(t)
	request(t, alice, bob)
	alice.win.Resize(fyne.NewSize(800, 600))
	alice.settle()
	var row *widgets.ContactRow
	walk(alice.win.Canvas().Content(), func(o fyne.CanvasObject) bool {
		row, _ = o.(*widgets.ContactRow)
		return row != nil
	})
	if row == nil {
		t.Fatal("no contact row on screen")
	}
	rowEnd := row.Size().Width // the buttons are laid out in the row's coordinates
	found := 0
	walk(row, func(o fyne.CanvasObject) bool {
		b, ok := o.(*widget.Button)
		if !ok {
			return false
		}
		found++
		if end := b.Position().X + b.Size().Width; end > rowEnd {
			t.Errorf("%q ends at %v, the row at %v", b.Text, end, rowEnd)
		}
		return false
	})
	if found != 3 {
		t.Fatalf("%d buttons in the request's row", found)
	}
}

// TestNarrowWindowWithBadges: a conversation whose header shows every
// badge (presence, verified in person, a disappearing-messages timer)
// still lets the window be made about 512 px wide.
func TestNarrowWindowWithBadges(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	cp := h.ui.main.chat
	cv, _ := h.ui.state.Conversation(cp.conv)
	c := *cv.Contact
	c.Verified = true
	c.Disappear = 7 * 24 * time.Hour
	cv.Contact, cv.Presence = &c, model.Connecting
	h.event(model.ConversationChanged{Conversation: cv})
	const usable = 530
	if w := h.win.Canvas().Content().MinSize().Width; w > usable {
		t.Errorf("the window cannot be narrower than %v px, want at most %v", w, usable)
	}
	h.win.Resize(fyne.NewSize(512, 600))
	h.settle()
	if !cp.name.Visible() || cp.name.Size().Width < 60 {
		t.Errorf("at 512 px the contact's name is %v wide", cp.name.Size().Width)
	}
}
