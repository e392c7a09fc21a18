package ui

import (
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine"
)

// TestAutoLock: chosen in Settings → Privacy, the automatic lock locks the
// profile once the window has been in the background that long, and not
// if the window comes back first.
func TestAutoLock(t *testing.T) {
	h := newProfile(t, "Alice", "alice password")
	h.ui.autoLockUnit = 100 * time.Millisecond // a "minute"

	h.openSettings()
	sd := h.ui.settings
	if sd == nil || sd.autoLock == nil || sd.autoLock.Selected != "Never" {
		t.Fatal("no automatic lock setting, or it is not off by default")
	}
	sd.autoLock.SetSelected("After 5 minutes in the background")
	h.waitFor("the setting stored", func() bool {
		s, err := h.eng.Settings()
		return err == nil && s.AutoLockMinutes == 5
	})
	sd.d.Hide()

	// Back before the time is up: nothing happens.
	h.ui.setFocused(false)
	time.Sleep(200 * time.Millisecond)
	h.ui.setFocused(true)
	deadline := time.Now().Add(700 * time.Millisecond)
	for time.Now().Before(deadline) {
		select {
		case f := <-h.queue:
			f()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if h.ui.main == nil {
		t.Fatal("locked although the window came back in time")
	}

	// Away for longer: locked, and the engine too.
	h.ui.setFocused(false)
	h.waitFor("the automatic lock", func() bool { return h.ui.main == nil && h.ui.unlock != nil })
	h.waitFor("the engine locked", func() bool {
		_, _, err := h.eng.Self()
		return errors.Is(err, engine.ErrLocked)
	})
}
