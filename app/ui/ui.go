// Package ui builds Nook's desktop screens on Fyne: first run (welcome,
// create a profile), unlock, the main window (contacts, conversation, own
// invite), adding contacts, groups (their members and, for the owner and
// admins, removal, admins and renewing the key: members.go), and settings. It is the only place that turns
// engine state into widgets; the engine itself never sees Fyne.
//
// What the screens show is kept apart from the widgets, in a
// state.Model (package app/ui/state): the conversations, the open one and
// its loaded messages, the unread total, Tor's status. One goroutine
// drains engine.Subscribe and queues the events; the Fyne goroutine applies
// what is queued to the Model and redraws once what the merged
// state.Change names (pump.go), so a burst of events costs one render.
//
// The UI talks to the engine only through its methods (the Engine
// interface) and its event stream, and never calls it on the Fyne
// goroutine: every call goes through run or one of its variants (run.go),
// which call the engine on a goroutine of their own and apply the result
// through Options.Do (fyne.Do in the real app), unless the screen changed
// meanwhile.
//
// Showing something new of a conversation (a kind of message, a badge)
// takes three steps: the state keeps it (state.Model.Apply for an event,
// or a Set… method for a result read in the background, each returning
// the state.Change that names what to redraw); the pane draws it from the
// state in its render (chatPane.render, sidebar.render); what must be read
// from the engine is read with run, whose apply hands the result to the
// state. Widgets hold no data of their own, and no test pokes them for it:
// the tests read the state (harness item, open) and drive real widgets.
package ui

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/app/ui/state"
	"github.com/nookchat/nook/assets"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/widgets"
)

// Options configures a UI. Engine is required and must be started (or be
// starting) by the caller, who also closes it.
type Options struct {
	Engine Engine
	// Do runs f on the Fyne goroutine; nil means fyne.Do. Tests pass a
	// queue that they drain on the test goroutine.
	Do func(f func())
	// Now is the clock for time stamps; nil means time.Now.
	Now func() time.Time
	// Tray turns on the system tray icon with the unread count and Quit.
	// Set it only when a D-Bus session bus is reachable: without one Fyne
	// logs "dbus-launch not found" and panics on quit (fyne-io/fyne#6403).
	Tray bool
	// Notify shows a desktop notification; nil uses the app's
	// SendNotification. Tests record them.
	Notify func(title, content string)
	// Restart quits Nook and starts it again (to change its language,
	// lang.go); nil where that cannot be done (tests), and the new
	// language is then used from the next start.
	Restart func()
	// Shown, if set, is told on the Fyne goroutine when a screen is ready
	// for the person: "unlock" (the unlock form, once it knows the
	// profiles on disk) and "list" (the conversation list rebuilt, with
	// the number of conversations it shows). The desktop app's startup
	// trace (NOOK_TRACE) and its benchmarks use it.
	Shown func(screen string, conversations int)
}

// UI is the desktop app's window content and its link to the engine.
type UI struct {
	app   fyne.App
	win   fyne.Window
	eng   Engine
	do    func(func())
	now   func() time.Time
	times widgets.TimeFormat
	icon  fyne.Resource
	opts  Options
	// lifetime is the context of the UI's engine calls and the work it
	// started; inOrder runs the works that must keep their order (sends).
	lifetime
	inOrder serial
	// events holds the engine events not yet applied (pump.go).
	events eventQueue
	// autoLock is the pending automatic lock while the window is in the
	// background (Settings.AutoLockMinutes); autoLockUnit is one of its
	// minutes (tests shorten it).
	autoLockMu   sync.Mutex
	autoLock     *time.Timer
	autoLockGen  int
	autoLockUnit time.Duration

	// Everything below is touched only on the Fyne goroutine.
	//
	// state is what the screens show; gen the screen's generation
	// (run.go); prefs the unlocked profile's settings as last read or
	// saved; renders counts the renders of engine events (pump.go).
	state   *state.Model
	gen     uint64
	prefs   engine.Settings
	pw      passwordState
	renders int
	main    *mainView // nil while no profile is unlocked
	unlock  *unlockScreen
	create  *createScreen
	focused bool
	// lastNotify and held coalesce notifications (notify.go).
	lastNotify time.Time
	held       int
	dialogs    []dialog.Dialog // open dialogs, the top one last
	tray       *trayMenu
	settings   *settingsDialog // the open settings dialog, if any
	// theme is the look last applied (applyTheme), themed whether one was.
	theme  themeKey
	themed bool
}

// New returns the UI for window w of app a. It shows nothing until Start.
func New(a fyne.App, w fyne.Window, o Options) *UI {
	u := &UI{app: a, win: w, eng: o.Engine, do: o.Do, now: o.Now, opts: o, focused: true, state: state.New()}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	if u.do == nil {
		u.do = fyne.Do
	}
	if u.now == nil {
		u.now = time.Now
	}
	u.times = widgets.TimeFormat{Now: u.now}
	u.icon = fyne.NewStaticResource("nook.png", assets.Icon)
	u.applyLanguage()
	return u
}

// Start subscribes to the engine, sets up the window (shortcuts, drops,
// focus, tray) and shows the first screen: the welcome screen when this
// computer has no profile yet, else the unlock screen.
func (u *UI) Start() {
	go u.pump()
	u.installShortcuts()
	u.win.SetOnDropped(u.dropped)
	u.app.Lifecycle().SetOnEnteredForeground(func() { u.setFocused(true) })
	u.app.Lifecycle().SetOnExitedForeground(func() { u.setFocused(false) })
	if u.opts.Tray {
		u.setupTray()
	}
	u.applyTheme(engine.DefaultSettings())
	u.showFirstScreen()
}

// Close ends the event subscription and cancels the engine calls under
// way; the caller closes the engine.
func (u *UI) Close() {
	u.stopAutoLock()
	u.cancel()
}

// showFirstScreen shows welcome or unlock, depending on the profiles on
// disk.
func (u *UI) showFirstScreen() {
	run(u, func(_ context.Context, e Engine) ([]engine.ProfileInfo, error) { return e.Profiles() },
		func(infos []engine.ProfileInfo, err error) {
			if err != nil || len(infos) == 0 {
				u.showWelcome()
				return
			}
			u.showUnlock(true)
		})
}

// show replaces the window's content with one screen, under the layer
// that draws tooltips.
func (u *UI) show(screen fyne.CanvasObject) {
	u.newGeneration()
	u.closeDialogs()
	// What had the focus goes with the screen it was on. Fyne moves the
	// focus to the new content only if the object is in it, and otherwise
	// leaves it focused: the unlock screen's password field went on
	// blinking its cursor unseen, and every blink drew the window again
	// (about 1 MB of garbage a second at the list, docs/performance.md).
	u.win.Canvas().Unfocus()
	u.win.SetContent(widgets.NewTooltipLayer(screen))
}

// unfocusPane takes the focus from the open conversation's entry before
// its pane is replaced, as show does for a screen.
func (mv *mainView) unfocusPane() {
	c := mv.u.win.Canvas()
	if mv.chat != nil && c.Focused() == fyne.Focusable(mv.chat.entry) {
		c.Unfocus()
	}
}

// copiedFor is how long "Copied" stays under what was copied.
const copiedFor = 2 * time.Second

// copyWithFeedback copies text and says "Copied" under anchor for a
// moment, in the tooltip layer (a message's Copy text gave no sign).
func (u *UI) copyWithFeedback(text string, anchor fyne.CanvasObject) {
	u.app.Clipboard().SetContent(text)
	l, ok := u.win.Canvas().Content().(*widgets.TooltipLayer)
	if !ok {
		return
	}
	l.ShowTooltip(i18n.T("common.copied"), anchor)
	time.AfterFunc(copiedFor, func() {
		u.do(func() {
			if l.Tooltip() == "Copied" {
				l.HideTooltip(anchor)
			}
		})
	})
}

// copyButton is widgets.NewCopyButton whose feedback ends through
// Options.Do.
func (u *UI) copyButton(label string, text func() string) *widgets.CopyButton {
	b := widgets.NewCopyButton(label, text)
	b.Do = u.do
	return b
}

// onionAddress is widgets.NewOnionAddress whose feedback ends through
// Options.Do.
func (u *UI) onionAddress(addr string) *widgets.OnionAddress {
	o := widgets.NewOnionAddress(addr)
	o.Do = u.do
	return o
}

// hideTooltip hides the tooltip shown, before the part of the window its
// button is in is replaced (the button then gets no MouseOut or FocusLost).
func (u *UI) hideTooltip() {
	if l, ok := u.win.Canvas().Content().(*widgets.TooltipLayer); ok {
		l.HideTooltip(nil)
	}
}

// shortcutText names the shortcut of key with the platform's modifier, as
// tooltips show it: "Ctrl+L", "⌘L" on a Mac.
func shortcutText(key string) string {
	if runtime.GOOS == "darwin" {
		return "⌘" + key
	}
	return i18n.T("ui.ctrl", "Key", key)
}

// setFocused records whether the window has the keyboard focus; when it
// comes back, the shown conversation counts as read.
func (u *UI) setFocused(f bool) {
	u.focused = f
	u.armAutoLock()
	if f && u.main != nil {
		u.main.markShownRead()
	}
}

// armAutoLock starts the automatic lock when the window has gone to the
// background with a profile open and the setting asks for it, and cancels
// it otherwise (the window came back, the profile was locked, the setting
// changed). Runs on the Fyne goroutine.
func (u *UI) armAutoLock() {
	gen := u.stopAutoLock()
	if u.focused || u.main == nil {
		return
	}
	s := u.prefs
	if s.AutoLockMinutes <= 0 {
		return
	}
	unit := u.autoLockUnit
	if unit <= 0 {
		unit = time.Minute
	}
	t := time.AfterFunc(time.Duration(s.AutoLockMinutes)*unit, func() {
		u.do(func() {
			u.autoLockMu.Lock()
			current := u.autoLockGen == gen
			u.autoLockMu.Unlock()
			if current && !u.focused && u.main != nil {
				u.lock()
			}
		})
	})
	u.autoLockMu.Lock()
	if u.autoLockGen == gen {
		u.autoLock = t
	} else {
		t.Stop()
	}
	u.autoLockMu.Unlock()
}

// stopAutoLock cancels a pending automatic lock and returns the new
// generation (a timer of an older one does nothing).
func (u *UI) stopAutoLock() int {
	u.autoLockMu.Lock()
	defer u.autoLockMu.Unlock()
	u.autoLockGen++
	if u.autoLock != nil {
		u.autoLock.Stop()
		u.autoLock = nil
	}
	return u.autoLockGen
}

// opened is what the main window needs of a profile just unlocked or
// created, read in the background with it (openedProfile).
type opened struct {
	self, name string
	settings   engine.Settings
	pw         passwordState
}

// openedProfile reads what the main window needs of the unlocked profile.
func openedProfile(e Engine) (opened, error) {
	addr, name, err := e.Self()
	if err != nil {
		return opened{}, err
	}
	s, err := e.Settings()
	if err != nil {
		return opened{}, err
	}
	return opened{self: addr, name: name, settings: s, pw: readPassword(e)}, nil
}

// lockDropped locks the engine again when a profile was opened for a
// screen that is gone (the person moved on meanwhile): what the engine
// has open stays what is shown.
func (u *UI) lockDropped(_ opened, err error) {
	if err == nil && u.main == nil {
		fire(u, func(_ context.Context, e Engine) error { return e.Lock() })
	}
}

// onUnlocked shows the main window of the profile that was just unlocked
// or created; firstRun shows the user's invite first.
func (u *UI) onUnlocked(p opened, firstRun bool) {
	u.prefs, u.pw = p.settings, p.pw
	u.applyTheme(p.settings)
	u.state.SetSelf(p.self)
	mv := newMainView(u, p)
	u.main = mv
	u.unlock, u.create = nil, nil
	u.show(mv.root)
	mv.home.refreshInvite()
	if firstRun {
		mv.showHome()
	}
	u.updateTray()
}

// lock locks the profile and returns to the unlock screen. The engine is
// locked after the writes asked for before (runInOrder): a setting changed
// just before locking is saved, not refused by a locked engine.
func (u *UI) lock() {
	if u.main == nil {
		return
	}
	u.main = nil
	u.showUnlock(false)
	s := u.unlock
	s.setBusy(true, i18n.T("ui.locking"))
	u.updateTray()
	runInOrder(u, func(_ context.Context, e Engine) (struct{}, error) { return struct{}{}, e.Lock() },
		func(struct{}, error) {
			if u.unlock == s {
				s.setBusy(false, "")
			}
		})
}

// showDialog shows d and keeps track of it so that Escape and screen
// changes close it.
func (u *UI) showDialog(d dialog.Dialog) { u.showDialogOnClosed(d, nil) }

// showDialogOnClosed is showDialog, calling onClosed (if not nil) once d
// is closed. (A dialog has one OnClosed callback: setting another after
// showDialog would leave d in the list of open dialogs.)
func (u *UI) showDialogOnClosed(d dialog.Dialog, onClosed func()) {
	u.dialogs = append(u.dialogs, d)
	d.SetOnClosed(func() {
		for i, x := range u.dialogs {
			if x == d {
				u.dialogs = append(u.dialogs[:i], u.dialogs[i+1:]...)
				break
			}
		}
		if onClosed != nil {
			onClosed()
		}
	})
	d.Show()
}

// showForm shows a dialog of width w with the objects above a row of
// Cancel and the action button, and puts the focus in focus. It returns the
// dialog, for the action to close.
func (u *UI) showForm(title string, w float32, action *formButton, focus fyne.Focusable, objects ...fyne.CanvasObject) *dialog.CustomDialog {
	return u.showFormActions(title, w, []*formButton{action}, focus, objects...)
}

// showFormActions is showForm with several actions after Cancel, the main
// one last; focus may be nil (nothing to type). The actions are form
// buttons: Escape closes the dialog while one has the focus, as it does
// from Cancel.
func (u *UI) showFormActions(title string, w float32, actions []*formButton, focus fyne.Focusable, objects ...fyne.CanvasObject) *dialog.CustomDialog {
	var d *dialog.CustomDialog
	cancel := newFormButton(i18n.T("common.cancel"), func() { d.Hide() })
	buttons := container.NewHBox(layoutSpacer(), cancel)
	for _, a := range actions {
		buttons.Add(a)
	}
	content := container.NewVBox(slices.Concat(objects, []fyne.CanvasObject{buttons})...)
	if len(actions) > 0 {
		submitOnEnter(&actions[len(actions)-1].Button, objects...)
	}
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.Resize(fyne.NewSize(w, 0))
	u.showDialog(d)
	if focus != nil {
		u.win.Canvas().Focus(focus)
	}
	return d
}

// confirm asks before an action: the objects (the question in words, any
// choices) above Cancel and the action's button, as every form of the app
// (showForm). A destructive action is in the danger colour; no button has
// an icon. Tapping the action closes the dialog and runs do; Escape closes
// it while either button has the focus.
func (u *UI) confirm(title string, w float32, action string, destructive bool, do func(), objects ...fyne.CanvasObject) *dialog.CustomDialog {
	var d *dialog.CustomDialog
	b := newFormButton(action, func() {
		d.Hide()
		do()
	})
	b.Importance = widget.HighImportance
	if destructive {
		b.Importance = widget.DangerImportance
	}
	cancel := newFormButton(i18n.T("common.cancel"), func() { d.Hide() })
	submitOnEnter(&b.Button, objects...)
	content := container.NewVBox(slices.Concat(objects,
		[]fyne.CanvasObject{container.NewHBox(layoutSpacer(), cancel, b)})...)
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.Resize(fyne.NewSize(w, 0))
	u.showDialog(d)
	return d
}

// submitOnEnter makes Enter in each single-line field among objects (and
// in the containers under them) tap action, unless the field already does
// something on Enter.
func submitOnEnter(action *widget.Button, objects ...fyne.CanvasObject) {
	for _, o := range objects {
		switch x := o.(type) {
		case *fyne.Container:
			submitOnEnter(action, x.Objects...)
		case *field:
			if !x.MultiLine && x.OnSubmitted == nil {
				x.OnSubmitted = func(string) {
					if !action.Disabled() && action.OnTapped != nil {
						action.OnTapped()
					}
				}
			}
		}
	}
}

// newPasswordFields returns the entry for a new password, the one that
// confirms it, and the box a form shows: both, with a strength meter
// and the second one's label ("Type it again") between them.
func newPasswordFields() (pw, confirm *field, box *fyne.Container) {
	pw = newPasswordField()
	confirm = newPasswordField()
	meter := widgets.NewPasswordStrength()
	pw.OnChanged = meter.SetPassword
	return pw, confirm, container.NewVBox(pw, meter, widget.NewLabel(i18n.T("common.type_it_again")), confirm)
}

// closeTopDialog closes the most recent dialog; it reports whether there
// was one.
func (u *UI) closeTopDialog() bool {
	if len(u.dialogs) == 0 {
		return false
	}
	u.dialogs[len(u.dialogs)-1].Hide()
	return true
}

func (u *UI) closeDialogs() {
	for len(u.dialogs) > 0 {
		n := len(u.dialogs)
		u.dialogs[n-1].Hide()
		if len(u.dialogs) == n { // Hide did not run OnClosed
			u.dialogs = u.dialogs[:n-1]
		}
	}
}

// installShortcuts adds the window's keyboard shortcuts: Ctrl+N add a
// contact, Ctrl+, settings, Ctrl+L lock, Escape closes the top dialog.
// A focused entry receives shortcuts instead of the canvas; the entries of
// the main window pass them on through appShortcut.
func (u *UI) installShortcuts() {
	c := u.win.Canvas()
	mod := fyne.KeyModifierShortcutDefault
	for _, k := range []fyne.KeyName{fyne.KeyN, fyne.KeyComma, fyne.KeyL} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: mod}, func(s fyne.Shortcut) { u.appShortcut(s) })
	}
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			u.closeTopDialog()
		}
	})
}

// appShortcut runs the app's action for a shortcut and reports whether it
// was one of the app's.
func (u *UI) appShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	switch cs.KeyName {
	case fyne.KeyN:
		if u.main != nil {
			u.main.showAddContact()
		}
	case fyne.KeyComma:
		if u.main != nil {
			u.showSettings()
		}
	case fyne.KeyL:
		u.lockNow()
	default:
		return false
	}
	return true
}

// dropped handles files dropped on the window: an image of an invite opens
// the Add contact dialog with it, unless a dialog that takes one (New
// group, a group's add-server dialog) is open.
func (u *UI) dropped(_ fyne.Position, uris []fyne.URI) {
	if u.main == nil || len(uris) == 0 {
		return
	}
	if cg := u.main.createGroup; cg != nil {
		cg.readImageFile(uris[0].Path())
		return
	}
	if cp := u.main.chat; cp != nil && cp.govern != nil && cp.govern.servers.dropped(uris[0].Path()) {
		return // a server invite's QR code for a group's add-server dialog
	}
	// Onto an open conversation, with no dialog over it, a drop is a
	// file to send; elsewhere a picture of an invite's QR code.
	if cp := u.main.chat; cp != nil && len(u.dialogs) == 0 && cp.dropped(uris) {
		return
	}
	u.main.addContactFromFile(uris[0].Path())
}

// themeKey is what the theme is made of: its variant and text scale.
type themeKey struct {
	variant widgets.Variant
	scale   float32
}

// applyTheme applies the appearance settings at once. The look already
// applied is not applied again: Fyne drops and parses again every font
// face at each SetTheme (with a copy of the emoji font, about 4 MiB, for
// each text style in use), which opening a profile with the default look
// did for nothing (docs/performance.md).
func (u *UI) applyTheme(s engine.Settings) {
	key := themeKey{variantOf(s.Theme), s.TextScale}
	if key.scale == 0 {
		key.scale = 1
	}
	if u.themed && key == u.theme {
		return
	}
	u.theme, u.themed = key, true
	u.app.Settings().SetTheme(widgets.NewTheme(key.variant, key.scale))
}

func variantOf(theme string) widgets.Variant {
	switch theme {
	case "light":
		return widgets.VariantLight
	case "dark":
		return widgets.VariantDark
	}
	return widgets.VariantSystem
}

// showError shows an error in a dialog: what went wrong in words
// (engine.Explain), then what the person can do about it.
func (u *UI) showError(title string, err error) {
	text, hint := explain(err)
	if hint != "" {
		text += "\n\n" + hint
	}
	d := dialog.NewCustom(title, i18n.T("common.close"), para(text), u.win)
	d.Resize(fyne.NewSize(420, 0))
	u.showDialog(d)
}

// chooseFile shows a file dialog for files with one of exts and calls then
// with the chosen file's path (nothing when cancelled).
func (u *UI) chooseFile(exts []string, then func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		then(path)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.Resize(fyne.NewSize(760, 520))
	u.showDialog(d)
}

// idleSpinner returns the spinner of a dialog's running work, stopped
// and hidden until showBusy shows it.
func idleSpinner() *widget.ProgressBarInfinite {
	spinner := widget.NewProgressBarInfinite()
	spinner.Stop()
	spinner.Hide()
	return spinner
}

// showBusy shows or hides a dialog's running work: the spinner, a status
// line (hidden when empty), and the controls disabled while it runs.
func showBusy(b bool, status string, spinner *widget.ProgressBarInfinite, label *widget.Label, controls ...fyne.Disableable) {
	for _, w := range controls {
		if b {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if b {
		spinner.Show()
		spinner.Start()
	} else {
		spinner.Stop()
		spinner.Hide()
	}
	label.SetText(status)
	if status == "" {
		label.Hide()
	} else {
		label.Show()
	}
}

// shown tells Options.Shown that screen is ready.
func (u *UI) shown(screen string, conversations int) {
	if u.opts.Shown != nil {
		u.opts.Shown(screen, conversations)
	}
}
