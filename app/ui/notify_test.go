package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestNotificationsCoalesce: a burst of arrivals (a group catching up)
// gives one notification, and the next one says how many were held back;
// nothing is shown while the window has focus.
func TestNotificationsCoalesce(t *testing.T) {
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory())))
	h.createProfile("Dana", "pw")
	clock := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	h.ui.now = func() time.Time { return clock }

	h.ui.focused = true
	h.ui.notify("Eve", "hello", "You have a new message")
	if len(h.notices) != 0 {
		t.Fatalf("notified while focused: %v", h.notices)
	}
	h.ui.focused = false
	for i := 0; i < 30; i++ {
		h.ui.notify("Eve", "hello", "You have a new message")
		clock = clock.Add(100 * time.Millisecond)
	}
	if len(h.notices) != 1 {
		t.Fatalf("a burst of 30 gave %d notifications, want 1: %v", len(h.notices), h.notices)
	}
	if strings.Contains(h.notices[0], "hello") || strings.Contains(h.notices[0], "Eve") {
		t.Fatalf("the text or sender showed without the setting: %q", h.notices[0])
	}
	clock = clock.Add(notifyEvery)
	h.ui.notify("Eve", "hello", "You have a new message")
	if len(h.notices) != 2 || !strings.Contains(h.notices[1], "29 more") {
		t.Fatalf("after the burst: %v, want a notification that counts the 29 held back", h.notices)
	}
}
