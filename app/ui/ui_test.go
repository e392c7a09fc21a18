package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// TestFirstRunShowsInvite: a new person creates a profile and sees their
// own invite, as a QR code and as text, and can switch to an in-person one.
func TestFirstRunShowsInvite(t *testing.T) {
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	if !h.hasText("Nook lets you talk privately") {
		t.Fatal("the welcome screen does not say what Nook is")
	}
	h.createProfile("Alice", "correct horse battery")
	h.invite()
	home := h.ui.main.home
	if inv, err := engine.ParseInvite(home.invite()); err != nil || inv.Kind != model.InviteContact || inv.Name != "Alice" {
		t.Fatalf("own invite shown: %q (%+v, %v)", home.invite(), inv, err)
	}
	if home.qr.Image() == nil {
		t.Fatal("no QR code shown")
	}
	if h.button("Copy invite text") == nil || h.button("Save as PNG…") == nil {
		t.Fatal("the invite has no Copy or Save button")
	}
	if !h.hasText("No contacts yet") {
		t.Fatal("the empty contact list does not explain what to do")
	}
	ordinary := home.invite()
	test.Tap(home.inPerson)
	h.waitFor("an in-person invite", func() bool { return home.invite() != ordinary })
	if !strings.Contains(home.qr.Caption, "One-time") {
		t.Fatalf("in-person caption: %q", home.qr.Caption)
	}
}

// TestConversation: Bob adds Alice by her invite text; Alice accepts the
// request; she sends a message with Enter; Bob sees it and Alice sees it
// delivered.
func TestConversation(t *testing.T) {
	alice, bob := twoProfiles(t)
	aliceAddr, bobAddr := alice.self(), bob.self()

	// Bob pastes Alice's invite into the Add contact dialog.
	bob.ui.main.showAddContact()
	add := bob.ui.main.add
	add.text.SetText(alice.invite())
	bob.tap("Add from invite")
	bob.waitFor("Alice's conversation on Bob's side", func() bool {
		return bob.ui.main.chat != nil && string(bob.ui.main.chat.conv) == aliceAddr
	})
	if bob.ui.main.add != nil {
		t.Fatal("the Add contact dialog stayed open after success")
	}

	// Alice sees the request on top of her list and accepts it from the
	// conversation's banner.
	alice.waitFor("Bob's request", func() bool {
		it := alice.item(bobAddr)
		return it != nil && it.c.State == model.ContactRequest
	})
	if s := alice.ui.state.Shown(); len(s) == 0 || string(s[0]) != bobAddr {
		t.Fatal("the request is not at the top of the list")
	}
	alice.open(bobAddr)
	if !alice.ui.main.chat.entry.Disabled() {
		t.Fatal("one can write to someone whose request is not accepted")
	}
	alice.tap("Accept")
	alice.waitFor("Bob accepted", func() bool {
		return alice.ui.main.chat.contact().State == model.ContactAccepted && !alice.ui.main.chat.entry.Disabled()
	})
	bob.waitFor("Alice accepted on Bob's side", func() bool {
		return bob.ui.main.chat.contact().State == model.ContactAccepted
	})

	// Alice writes and presses Enter.
	cp := alice.ui.main.chat
	alice.win.Canvas().Focus(cp.entry)
	test.Type(cp.entry, "Hello Bob")
	cp.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if cp.entry.Text != "" {
		t.Fatalf("the entry still holds %q after Enter", cp.entry.Text)
	}
	alice.waitFor("the message delivered", func() bool {
		return len(cp.msgs()) == 1 && cp.msgs()[0].Body == "Hello Bob" && cp.msgs()[0].Status == model.StatusDelivered
	})
	bob.waitFor("the message on Bob's side", func() bool {
		c := bob.ui.main.chat
		return len(c.msgs()) == 1 && c.msgs()[0].Body == "Hello Bob" && !c.msgs()[0].Outgoing
	})
	// The list follows with the conversation's change, after the message.
	bob.waitFor("Bob's list preview", func() bool { return bob.item(aliceAddr).preview == "Hello Bob" })

	// Bob replies quoting her message; Alice sees the quote.
	bc := bob.ui.main.chat
	bc.setReply(bc.msgs()[0].ID.String())
	if !bc.quoteBar.Visible() {
		t.Fatal("no quote bar after Reply")
	}
	test.Type(bc.entry, "Hi!")
	bc.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnter})
	alice.waitFor("Bob's reply", func() bool { return len(cp.msgs()) == 2 })
	if cp.msgs()[1].ReplyTo != cp.msgs()[0].ID {
		t.Fatal("the reply does not quote the message")
	}
	if q := cp.bubble(cp.msgs()[1]).Quote; q == nil || q.Text != "Hello Bob" || q.Author != "You" {
		t.Fatalf("quote shown: %+v", q)
	}
}

// TestUnlock: a wrong password shows the one error and opens nothing; the
// right one opens the profile; a password-less profile opens by itself.
func TestUnlock(t *testing.T) {
	test.NewTempApp(t)
	dir := t.TempDir()
	eng := newEngine(t, dir, loopback.New(newNet()))
	if _, err := eng.CreateProfile(context.Background(), "Sam", "the right one"); err != nil {
		t.Fatal(err)
	}
	eng.Lock()
	h := newHarness(t, eng)
	s := h.ui.unlock
	if s == nil {
		t.Fatal("no unlock screen")
	}
	h.waitFor("the empty-password attempt", func() bool { return !s.button.Disabled() })
	if h.ui.main != nil {
		t.Fatal("a password-protected profile opened without its password")
	}
	test.Type(s.password, "the wrong one")
	s.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits
	h.waitFor("the error", func() bool { return s.errLabel.Visible() })
	if s.errLabel.Text != wrongPassword() {
		t.Fatalf("error shown: %q", s.errLabel.Text)
	}
	if _, _, err := eng.Self(); err != engine.ErrLocked || h.ui.main != nil {
		t.Fatal("a wrong password opened something")
	}
	test.Type(s.password, "the right one")
	h.tap("Unlock")
	h.waitFor("the main window", func() bool { return h.ui.main != nil })

	// Ctrl+L locks.
	h.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{
		KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if h.ui.main != nil || h.ui.unlock == nil {
		t.Fatal("Ctrl+L did not return to the unlock screen")
	}
	h.waitFor("the engine locked", func() bool { _, _, err := eng.Self(); return err == engine.ErrLocked })
}

func TestUnlockWithoutPassword(t *testing.T) {
	test.NewTempApp(t)
	eng := newEngine(t, t.TempDir(), loopback.New(newNet()))
	if _, err := eng.CreateProfile(context.Background(), "Kim", ""); err != nil {
		t.Fatal(err)
	}
	eng.Lock()
	h := newHarness(t, eng)
	h.waitFor("the profile to open by itself", func() bool { return h.ui.main != nil })
}

// TestEntryKeys: Enter sends, Shift+Enter inserts a newline, also when the
// driver reports Shift+Enter as a shortcut.
func TestEntryKeys(t *testing.T) {
	test.NewTempApp(t)
	e := newChatEntry()
	var sent []string
	e.OnSend = func(s string) { sent = append(sent, s) }
	w := test.NewTempWindow(t, e)
	w.Canvas().Focus(e)
	shift := &fyne.KeyEvent{Name: desktop.KeyShiftLeft}

	test.Type(e, "line one")
	e.KeyDown(shift)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	e.KeyUp(shift)
	test.Type(e, "line two")
	if e.Text != "line one\nline two" || len(sent) != 0 {
		t.Fatalf("after Shift+Enter: text %q, sent %q", e.Text, sent)
	}
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShift})
	test.Type(e, "three")
	if e.Text != "line one\nline two\nthree" {
		t.Fatalf("after the Shift+Enter shortcut: %q", e.Text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(sent) != 1 || sent[0] != "line one\nline two\nthree" || e.Text != "" {
		t.Fatalf("after Enter: sent %q, left %q", sent, e.Text)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // nothing to send
	test.Type(e, "   ")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(sent) != 1 {
		t.Fatalf("empty text was sent: %q", sent)
	}
}

// TestSettingsPersist: settings changed in the dialog are there after
// locking and unlocking.
func TestSettingsPersist(t *testing.T) {
	test.NewTempApp(t)
	eng := newEngine(t, t.TempDir(), loopback.New(newNet()))
	h := newHarness(t, eng)
	h.createProfile("Ana", "pw for ana")
	h.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{
		KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault})
	h.waitFor("the settings (Ctrl+,)", func() bool { return h.ui.settings != nil })
	sd := h.ui.settings
	if sd.notifyText.Checked {
		t.Fatal("message text in notifications is on by default")
	}
	test.Tap(sd.blockUnk)
	test.Tap(sd.notifyText)
	sd.themeChoice.SetSelected("Dark")
	sd.textSize.SetValue(1.2)
	sd.textSize.OnChangeEnded(1.2)
	if h.ui.app.Settings().Theme().Size("text") <= 14 {
		t.Fatal("the text size did not apply at once")
	}
	h.ui.closeTopDialog()
	h.ui.lock()
	h.waitFor("locked", func() bool { return !h.ui.unlock.button.Disabled() })
	test.Type(h.ui.unlock.password, "pw for ana")
	h.tap("Unlock")
	h.waitFor("unlocked", func() bool { return h.ui.main != nil })
	s, err := eng.Settings()
	if err != nil {
		t.Fatal(err)
	}
	// What the dialog changed, over a new profile's defaults (which it
	// keeps, such as the pictures accepted without asking).
	want := engine.DefaultSettings()
	want.BlockUnknown, want.NotificationText, want.Theme, want.TextScale = true, true, "dark", 1.2
	if !want.Notifications {
		t.Fatal("notifications are off by default")
	}
	if s != want {
		t.Fatalf("settings after unlock: %+v, want %+v", s, want)
	}
}

// TestHistoryPaging: a long conversation opens at its latest page and
// loads older pages when scrolled to the top.
func TestHistoryPaging(t *testing.T) {
	test.NewTempApp(t)
	eng := newEngine(t, t.TempDir(), loopback.New(newNet()))
	h := newHarness(t, eng)
	h.createProfile("Lee", "pw for lee")
	other := randomAddress(t)
	if _, err := eng.AddContact(string(other), "Far away"); err != nil {
		t.Fatal(err)
	}
	const n = 2*pageSize + 20
	for i := 1; i <= n; i++ {
		if _, err := eng.Reply(model.ConversationID(other), fmt.Sprintf("message %d", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor("the conversation in the list", func() bool {
		it := h.item(string(other))
		return it != nil && it.preview == fmt.Sprintf("You: message %d", n)
	})
	h.open(string(other))
	cp := h.ui.main.chat
	h.settle()
	if len(cp.msgs()) != pageSize || cp.msgs()[pageSize-1].Body != fmt.Sprintf("message %d", n) {
		t.Fatalf("opened with %d messages", len(cp.msgs()))
	}
	for _, want := range []int{2 * pageSize, n} {
		cp.list.ScrollToTop()
		h.waitFor(fmt.Sprintf("%d messages loaded", want), func() bool { return len(cp.msgs()) == want })
	}
	if cp.msgs()[0].Body != "message 1" || cp.open().HasMore {
		t.Fatalf("oldest loaded %q, more: %v", cp.msgs()[0].Body, cp.open().HasMore)
	}
	// The first of the previously loaded messages stays in view.
	if off := cp.list.GetScrollOffset(); off <= 0 {
		t.Fatalf("scroll offset after loading older messages: %v", off)
	}
}

// TestShortcutsFromEntry: the window's shortcuts work while the message
// field has the focus.
func TestShortcutsFromEntry(t *testing.T) {
	h, pat := withContact(t)
	h.open(pat)
	e := h.ui.main.chat.entry
	if h.win.Canvas().Focused() != e {
		t.Fatal("the message field is not focused when a conversation opens")
	}
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault})
	if h.ui.main.add == nil {
		t.Fatal("Ctrl+N in the message field did not open Add contact")
	}
	if !h.ui.closeTopDialog() || h.ui.main.add != nil {
		t.Fatal("Escape did not close the dialog")
	}
}

// TestThemeNotAppliedTwice: unlocking a profile whose look is the one
// already shown sets no theme (Fyne would drop and parse again every font
// face), and a changed look still applies at once.
func TestThemeNotAppliedTwice(t *testing.T) {
	test.NewTempApp(t)
	eng := newEngine(t, t.TempDir(), loopback.New(newNet()))
	h := newHarness(t, eng)
	h.createProfile("Ana", "pw for ana")
	before := h.ui.app.Settings().Theme()
	h.ui.lock()
	h.waitFor("locked", func() bool { return h.ui.unlock != nil && !h.ui.unlock.button.Disabled() })
	test.Type(h.ui.unlock.password, "pw for ana")
	h.tap("Unlock")
	h.waitFor("unlocked", func() bool { return h.ui.main != nil })
	if h.ui.app.Settings().Theme() != before {
		t.Fatal("unlocking with the default look set the theme again")
	}
	s, err := eng.Settings()
	if err != nil {
		t.Fatal(err)
	}
	s.TextScale = 1.2
	h.ui.applyTheme(s)
	if th := h.ui.app.Settings().Theme(); th == before || th.Size("text") <= 14 {
		t.Fatal("a larger text size did not apply")
	}
}

// TestTorReadyStopsProgress: once Tor is ready the home panel's Tor card
// is hidden and so is its bar, whose indeterminate animation (shown while
// Tor starts) stops: it went on in the hidden card, drawing the window
// again at every frame while the app was idle. Tor restarting shows and
// animates it again.
func TestTorReadyStopsProgress(t *testing.T) {
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	h.createProfile("Alice", "correct horse battery")
	h.invite()
	home := h.ui.main.home
	h.ui.main.setTorStatus(model.TorStatus{})
	if !home.progress.Animating() || !home.torCard.Visible() {
		t.Fatalf("Tor starting: bar animating %v, card shown %v", home.progress.Animating(), home.torCard.Visible())
	}
	h.ui.main.setTorStatus(model.TorStatus{State: model.TorReady, Percent: 100})
	if home.torCard.Visible() || home.progress.Visible() || home.progress.Animating() {
		t.Fatalf("Tor ready: card shown %v, bar shown %v, animating %v", home.torCard.Visible(), home.progress.Visible(), home.progress.Animating())
	}
	h.ui.main.setTorStatus(model.TorStatus{State: model.TorRestarting})
	if !home.torCard.Visible() || !home.progress.Visible() || !home.progress.Animating() {
		t.Fatalf("Tor restarting: card shown %v, bar shown %v, animating %v", home.torCard.Visible(), home.progress.Visible(), home.progress.Animating())
	}
}

// focusProbe is an entry that counts the focus it lost.
type focusProbe struct {
	widget.Entry
	lost int
}

func (p *focusProbe) FocusLost() {
	p.lost++
	p.Entry.FocusLost()
}

// TestReplacedScreenLosesFocus: what has the focus loses it when its
// screen or its conversation's pane is replaced. Fyne left it focused (a
// password field's or the message field's cursor blinking unseen, the
// window drawn again at every blink while the app was idle).
func TestReplacedScreenLosesFocus(t *testing.T) {
	h, pat := withContact(t)
	c := h.ui.win.Canvas()
	cp := h.open(pat)
	if c.Focused() != fyne.Focusable(cp.entry) {
		t.Fatalf("conversation opened: focus on %T, want its message field", c.Focused())
	}
	h.ui.main.showHome()
	if c.Focused() != nil {
		t.Fatalf("conversation closed: focus still on %T", c.Focused())
	}

	probe := &focusProbe{}
	probe.ExtendBaseWidget(probe)
	h.ui.show(probe)
	c.Focus(probe)
	if probe.lost != 0 || c.Focused() != fyne.Focusable(probe) {
		t.Fatalf("probe focused: %T, lost %d", c.Focused(), probe.lost)
	}
	h.ui.show(widget.NewLabel("another screen"))
	if probe.lost != 1 {
		t.Fatalf("screen replaced: the field of the old one lost the focus %d times, want 1", probe.lost)
	}
}

// TestUnlockStopsActivity: the unlock screen's busy indicator, shown
// while the profile opens, stops and hides once the list replaces the
// screen. It went on animating unseen (the screen's form is re-enabled
// only when unlocking fails), drawing the window again at every frame for
// as long as the profile stayed open.
func TestUnlockStopsActivity(t *testing.T) {
	test.NewTempApp(t)
	h := newHarness(t, newEngine(t, t.TempDir(), loopback.New(newNet())))
	h.createProfile("Lee", "pw for lee")
	h.ui.lock()
	h.waitFor("locked", func() bool { return h.ui.unlock != nil && !h.ui.unlock.button.Disabled() })
	s := h.ui.unlock
	test.Type(s.password, "pw for lee")
	h.tap("Unlock")
	h.waitFor("unlocked", func() bool { return h.ui.main != nil })
	if s.busy.Visible() {
		t.Fatal("the unlock screen's activity indicator is still shown (and animating) behind the list")
	}
}
