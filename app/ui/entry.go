package ui

import (
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chatEntry is the message field: multi-line and wrapping, Enter sends,
// Shift+Enter inserts a newline, Escape cancels a reply (or goes to the
// window), Tab and Shift+Tab move the focus. It grows with its text up to
// composerMaxRows lines and scrolls after that.
//
// Fyne's multi-line Entry inserts a newline on Enter. This type tracks the
// Shift key itself (KeyDown/KeyUp) and sends on a plain Enter. OnSubmitted
// of the embedded Entry stays nil: with it set, the Entry would submit on
// Shift+Enter instead.
type chatEntry struct {
	widget.Entry

	// OnSend is called with the text when Enter is pressed on a field that
	// holds more than white space.
	OnSend func(text string)
	// OnEscape is called when Escape is pressed; it reports whether it
	// handled the key.
	OnEscape func() bool
	// OnShortcut is offered every shortcut the entry does not use itself
	// (the window's shortcuts do not reach the canvas while an entry has
	// the focus); it reports whether it handled it.
	OnShortcut func(fyne.Shortcut) bool
	// OnRowsChanged is called when the entry grew or shrank, for the
	// container above it to lay it out again.
	OnRowsChanged func()

	shift bool // a Shift key is held down
	rows  int  // the rows currently shown (composerMinRows…composerMaxRows)
}

// The composer shows two lines when empty and grows to six.
const (
	composerMinRows = 2
	composerMaxRows = 6
)

func newChatEntry() *chatEntry {
	e := &chatEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	e.rows = composerMinRows
	e.SetMinRowsVisible(composerMinRows)
	e.OnChanged = func(string) { e.grow() }
	return e
}

// AcceptsTab is false: Tab and Shift+Tab move the focus instead of typing
// a tab character (Fyne's multi-line entries keep Tab).
func (e *chatEntry) AcceptsTab() bool { return false }

// grow shows as many rows as the text needs, between composerMinRows and
// composerMaxRows. Fyne's entry keeps the height it was given; the
// container above it is laid out again when the row count changes.
func (e *chatEntry) grow() {
	n := min(max(composerMinRows, visualRows(e.Text, e.Size().Width-4*theme.Padding())), composerMaxRows)
	if n == e.rows {
		return
	}
	e.rows = n
	e.SetMinRowsVisible(n)
	if e.OnRowsChanged != nil {
		e.OnRowsChanged()
	}
}

// visualRows estimates the rows text takes when wrapped at width (each
// line counted alone; a width of 0 or less counts the lines).
func visualRows(text string, width float32) int {
	size := theme.TextSize()
	rows := 0
	for _, line := range strings.Split(text, "\n") {
		w := fyne.MeasureText(line, size, fyne.TextStyle{}).Width
		if width <= 0 || w <= width {
			rows++
			continue
		}
		rows += int(math.Ceil(float64(w / width)))
	}
	return rows
}

func isShift(k fyne.KeyName) bool { return k == desktop.KeyShiftLeft || k == desktop.KeyShiftRight }

func isReturn(k fyne.KeyName) bool { return k == fyne.KeyReturn || k == fyne.KeyEnter }

// KeyDown tracks the Shift key.
func (e *chatEntry) KeyDown(k *fyne.KeyEvent) {
	if isShift(k.Name) {
		e.shift = true
	}
	e.Entry.KeyDown(k)
}

// KeyUp tracks the Shift key.
func (e *chatEntry) KeyUp(k *fyne.KeyEvent) {
	if isShift(k.Name) {
		e.shift = false
	}
	e.Entry.KeyUp(k)
}

// FocusLost forgets a Shift held while the focus left.
func (e *chatEntry) FocusLost() {
	e.shift = false
	e.Entry.FocusLost()
}

// TypedKey sends on Enter and passes everything else to the Entry.
func (e *chatEntry) TypedKey(k *fyne.KeyEvent) {
	switch {
	case isReturn(k.Name) && e.shift:
		e.Entry.TypedKey(k) // a newline
		return
	case isReturn(k.Name):
		e.send()
		return
	case k.Name == fyne.KeyEscape && e.OnEscape != nil && e.OnEscape():
		return
	case k.Name == fyne.KeyEscape:
		forwardKey(e, k)
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut handles Enter with modifiers where a driver reports them
// as a shortcut: Shift+Enter inserts a newline, Ctrl+Enter sends.
func (e *chatEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && isReturn(cs.KeyName) {
		if cs.Modifier == fyne.KeyModifierShift {
			e.Entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		} else {
			e.send()
		}
		return
	}
	if e.OnShortcut != nil && e.OnShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// shortcutEntry is a single-line entry that passes the window's shortcuts
// on (see chatEntry.OnShortcut).
type shortcutEntry struct {
	widget.Entry
	onShortcut func(fyne.Shortcut) bool
}

func newShortcutEntry(onShortcut func(fyne.Shortcut) bool) *shortcutEntry {
	e := &shortcutEntry{onShortcut: onShortcut}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut offers s to the window before the entry.
func (e *shortcutEntry) TypedShortcut(s fyne.Shortcut) {
	if e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// TypedKey hands Escape to the window.
func (e *shortcutEntry) TypedKey(k *fyne.KeyEvent) { escapeToWindow(e, k, e.Entry.TypedKey) }

// field is the entry of a form. A focused widget gets the keys instead of
// the window, and Fyne's entry drops Escape and types Tab into multi-line
// text: a field hands Escape to the window (which closes the top dialog),
// and Tab and Shift+Tab move the focus out of it, multi-line or not.
type field struct {
	widget.Entry
}

// newField returns a single-line field.
func newField() *field { return makeField(false, false) }

// newPasswordField returns a field whose text is hidden, with the button
// that shows it.
func newPasswordField() *field { return makeField(true, false) }

// newMultiLineField returns a multi-line field.
func newMultiLineField() *field { return makeField(false, true) }

// makeField returns a field, its text hidden or multi-line as asked,
// clipped rather than wrapped.
func makeField(password, multiLine bool) *field {
	f := &field{}
	f.Password = password
	f.MultiLine = multiLine
	f.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	f.ExtendBaseWidget(f)
	return f
}

// AcceptsTab is false: Tab moves the focus.
func (f *field) AcceptsTab() bool { return false }

// TypedKey hands Escape to the window.
func (f *field) TypedKey(k *fyne.KeyEvent) { escapeToWindow(f, k, f.Entry.TypedKey) }

// formButton is a dialog's button that hands Escape to the window, as a
// field does (Fyne's button drops it): Escape closes the dialog while the
// button has the focus.
type formButton struct {
	widget.Button
}

func newFormButton(text string, tapped func()) *formButton {
	b := &formButton{}
	b.Text = text
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey hands Escape to the window.
func (b *formButton) TypedKey(k *fyne.KeyEvent) { escapeToWindow(b, k, b.Button.TypedKey) }

// focusList is a widget.List that knows which row has the keyboard focus
// (Fyne keeps it to itself and shows it only as the hover tint), so that
// the row can draw a ring: it follows the list's own moves (Up, Down, a tap
// or a selection). updateFocus is called with the row that gains or loses
// the ring.
type focusList struct {
	widget.List
	focused bool
	current widget.ListItemID
}

func newFocusList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *focusList {
	l := &focusList{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

// hasFocus reports whether row id shows the keyboard focus.
func (l *focusList) hasFocus(id widget.ListItemID) bool { return l.focused && id == l.current }

// setCurrent records the row a tap or a selection moved the focus to.
func (l *focusList) setCurrent(id widget.ListItemID) {
	if id == l.current {
		return
	}
	old := l.current
	l.current = id
	l.RefreshItem(old)
	l.RefreshItem(id)
}

// FocusGained shows the ring.
func (l *focusList) FocusGained() {
	l.focused = true
	l.List.FocusGained()
}

// FocusLost hides it.
func (l *focusList) FocusLost() {
	l.focused = false
	l.List.FocusLost()
}

// TypedKey moves the ring with Up and Down, as the list moves its focus,
// and hands Escape to the window.
func (l *focusList) TypedKey(k *fyne.KeyEvent) {
	n := 0
	if l.Length != nil {
		n = l.Length()
	}
	switch {
	case k.Name == fyne.KeyEscape:
		forwardKey(l, k)
		return
	case k.Name == fyne.KeyDown && l.current < n-1:
		l.current++
	case k.Name == fyne.KeyUp && l.current > 0:
		l.current--
	}
	l.List.TypedKey(k) // refreshes the rows it moved between
}

// escapeToWindow hands Escape to the window (forwardKey) and any other key
// to next, the widget's own TypedKey.
func escapeToWindow(o fyne.CanvasObject, k *fyne.KeyEvent, next func(*fyne.KeyEvent)) {
	if k.Name == fyne.KeyEscape {
		forwardKey(o, k)
		return
	}
	next(k)
}

// forwardKey hands a key that a focused widget does not use to the window's
// key handler (installShortcuts), as if nothing had the focus.
func forwardKey(o fyne.CanvasObject, k *fyne.KeyEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(o)
	if c == nil || c.OnTypedKey() == nil {
		return
	}
	c.OnTypedKey()(k)
}

// send hands the text to OnSend and clears the field.
func (e *chatEntry) send() {
	text := strings.TrimSpace(e.Text)
	if text == "" || e.Disabled() {
		return
	}
	if e.OnSend != nil {
		e.OnSend(text)
	}
	e.SetText("")
}
