package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
	"github.com/nookchat/nook/widgets"
)

// step bounds every wait of these tests.
const step = 20 * time.Second

// harness is the UI over a real engine on the loopback transport, with
// cheap key derivation. UI work that the app would hand to fyne.Do is
// queued instead and run on the test goroutine by waitFor, so the test and
// the UI never touch widgets at the same time.
type harness struct {
	t       testing.TB
	eng     *engine.Engine
	checked *checkedEngine // eng as the UI sees it
	win     fyne.Window
	ui      *UI
	queue   chan func()
	notices []string
}

// newEngine returns a started engine on tr with cheap key derivation.
func newEngine(t testing.TB, dir string, tr transport.Transport) *engine.Engine {
	t.Helper()
	e := engine.New(engine.Config{
		DataDir:     dir,
		Transport:   tr,
		Profile:     enginetest.Profile(),
		PeerBackoff: enginetest.PeerBackoff(),
		Server:      enginetest.Server(),
	})
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// violation fails the test: the UI called an engine method on its own
// goroutine (see run.go).
func (h *harness) violation(method string) {
	h.t.Errorf("engine method %s called on the UI goroutine", method)
}

// newHarness starts the UI over eng in a test window. A test app must
// exist (test.NewTempApp).
func newHarness(t testing.TB, eng *engine.Engine) *harness {
	t.Helper()
	h := &harness{t: t, eng: eng, queue: make(chan func(), 4096)}
	// The UI runs on this goroutine: it taps and drains the queue of
	// Options.Do. The engine must never be called on it.
	h.checked = &checkedEngine{e: eng, ui: goroutineID(), report: h.violation}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1000, 700))
	h.ui = New(fyne.CurrentApp(), h.win, Options{
		Engine: h.checked,
		Do:     func(f func()) { h.queue <- f },
		Notify: func(title, content string) { h.notices = append(h.notices, title+": "+content) },
	})
	h.ui.Start()
	t.Cleanup(h.ui.Close)
	h.waitFor("the first screen", func() bool {
		_, shown := h.win.Canvas().Content().(*widgets.TooltipLayer)
		return shown
	})
	return h
}

// twoProfiles starts a test app and two harnesses on one loopback
// network, Alice's and Bob's, each past the create-profile screen. They
// are not contacts yet.
func twoProfiles(t *testing.T) (alice, bob *harness) {
	t.Helper()
	hs := profiles(t, "Alice", "Bob")
	return hs[0], hs[1]
}

// profiles starts a test app and a harness for each of names on one
// loopback network, each past the create-profile screen with a profile
// of that name (password: the name in lower case, then " password").
func profiles(t *testing.T, names ...string) []*harness {
	t.Helper()
	test.NewTempApp(t)
	net := newNet()
	hs := make([]*harness, len(names))
	for i, name := range names {
		hs[i] = newHarness(t, newEngine(t, t.TempDir(), loopback.New(net)))
		hs[i].createProfile(name, strings.ToLower(name)+" password")
	}
	return hs
}

// waitFor runs queued UI work until cond holds, failing after step.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(step)
	defer deadline.Stop()
	for !cond() {
		select {
		case f := <-h.queue:
			f()
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// settle runs the UI work queued so far.
func (h *harness) settle() {
	for {
		select {
		case f := <-h.queue:
			f()
		default:
			return
		}
	}
}

// createProfile goes through the welcome and create-profile screens.
func (h *harness) createProfile(name, password string) {
	h.t.Helper()
	h.tap(i18n.T("common.create_your_profile"))
	s := h.ui.create
	if s == nil {
		h.t.Fatal("no create-profile screen")
	}
	test.Type(s.name, name)
	test.Type(s.password, password)
	test.Type(s.confirm, password)
	h.tap(i18n.T("create.create_profile"))
	h.waitFor("the main window", func() bool { return h.ui.main != nil })
}

// self returns the unlocked profile's address.
func (h *harness) self() string {
	h.t.Helper()
	a, _, err := h.eng.Self()
	if err != nil {
		h.t.Fatal(err)
	}
	return string(a)
}

// memberID is the profile's ID in group conv, as Members gives it (its
// key in that group, not its onion address).
func (h *harness) memberID(conv model.ConversationID) string {
	h.t.Helper()
	ms, err := h.eng.Members(conv)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, m := range ms {
		if m.Self {
			return m.Address
		}
	}
	h.t.Fatalf("the profile is not among the members of %s: %+v", conv, ms)
	return ""
}

// tap taps the visible, enabled button labelled text in the window or its
// dialogs.
func (h *harness) tap(text string) {
	h.t.Helper()
	b := h.button(text)
	if b == nil {
		h.t.Fatalf("no button %q on screen", text)
	}
	test.Tap(b)
}

// button finds a visible button labelled text, or nil.
func (h *harness) button(text string) *widget.Button {
	c := h.win.Canvas()
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	var found *widget.Button
	for i := len(roots) - 1; i >= 0 && found == nil; i-- {
		walk(roots[i], func(o fyne.CanvasObject) bool {
			if b := asButton(o); b != nil && b.Text == text && !b.Disabled() {
				found = b
				return true
			}
			return false
		})
	}
	return found
}

// asButton returns o's button: o itself, or the button of one of the
// app's button widgets (which embed one), or nil.
func asButton(o fyne.CanvasObject) *widget.Button {
	switch b := o.(type) {
	case *widget.Button:
		return b
	case *widgets.CopyButton:
		return &b.Button
	case *widgets.TooltipButton:
		return &b.Button
	case *formButton:
		return &b.Button
	}
	return nil
}

// radio finds a visible radio group in the window or its dialogs, or nil.
func (h *harness) radio() *widget.RadioGroup {
	c := h.win.Canvas()
	roots := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	var found *widget.RadioGroup
	for i := len(roots) - 1; i >= 0 && found == nil; i-- {
		walk(roots[i], func(o fyne.CanvasObject) bool {
			r, ok := o.(*widget.RadioGroup)
			if ok {
				found = r
			}
			return ok
		})
	}
	return found
}

// hasText reports whether a visible label contains s.
func (h *harness) hasText(s string) bool {
	c := h.win.Canvas()
	roots := []fyne.CanvasObject{c.Content()}
	roots = append(roots, c.Overlays().List()...)
	found := false
	for _, r := range roots {
		walk(r, func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, s) {
				found = true
			}
			return found
		})
	}
	return found
}

// walk visits the visible objects under o until visit returns true.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	found := false
	visitVisible(o, func(o fyne.CanvasObject) bool {
		if !found {
			found = visit(o)
		}
		return !found
	})
	return found
}

// visitVisible calls visit with o and the visible objects under it, depth
// first and in order, going below an object (a container's objects, a
// widget's renderer's) only when visit returns true for it.
func visitVisible(o fyne.CanvasObject, visit func(fyne.CanvasObject) (descend bool)) {
	if o == nil || !o.Visible() || !visit(o) {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			visitVisible(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			visitVisible(c, visit)
		}
	}
}

// randomAddress returns the address of a fresh identity.
func randomAddress(t *testing.T) model.ConversationID {
	t.Helper()
	return model.ConversationID(enginetest.Address())
}

func newNet() *loopback.MemoryDirectory { return loopback.NewMemoryDirectory() }

// listItem is what the list knows of a conversation, for the tests.
type listItem struct {
	c       model.Contact // zero for a group
	group   *model.Group  // nil for a contact
	preview string        // as the list shows it
	unread  int
}

// item returns what the list knows of conversation id, or nil.
func (h *harness) item(id string) *listItem {
	cv, ok := h.ui.state.Conversation(model.ConversationID(id))
	if !ok {
		return nil
	}
	r, _ := h.ui.state.Row(cv.ID)
	it := &listItem{group: cv.Group, preview: r.Preview, unread: cv.Unread}
	if cv.Contact != nil {
		it.c = *cv.Contact
	}
	return it
}

// open opens conversation id and waits until it shows its newest
// messages.
func (h *harness) open(id string) *chatPane {
	h.t.Helper()
	h.ui.main.openChat(model.ConversationID(id))
	h.waitFor("the conversation loaded", func() bool {
		cp := h.ui.main.chat
		o := h.ui.state.Open()
		return cp != nil && string(cp.conv) == id && o != nil && o.Loaded && cp.list != nil
	})
	return h.ui.main.chat
}

// event applies an engine event to the state and renders what it
// changed, as the event pump does, ahead of what the engine queued.
func (h *harness) event(ev model.Event) {
	h.ui.apply(h.ui.state.Apply(ev))
}

// openSettings opens the settings dialog and waits until it is shown.
func (h *harness) openSettings() *settingsDialog {
	h.t.Helper()
	h.ui.showSettings()
	h.waitFor("the settings", func() bool { return h.ui.settings != nil })
	return h.ui.settings
}

// invite waits until the home page shows the profile's invite, and
// returns it.
func (h *harness) invite() string {
	h.t.Helper()
	h.waitFor("the invite", func() bool { return h.ui.main.home.invite() != "" })
	return h.ui.main.home.invite()
}

// memberNamed returns the member ID (their key in the group) under which
// h's engine knows the member of conv carrying name, or "" (members sign
// with per-group keys: docs/groups.md, "Per-group identities").
func (h *harness) memberNamed(conv model.ConversationID, name string) string {
	ms, _ := h.eng.Members(conv)
	for _, m := range ms {
		if m.Name == name {
			return m.Address
		}
	}
	return ""
}
