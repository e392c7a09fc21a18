package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// chatEntry is the message field: multi-line and wrapping, Enter sends,
// Shift+Enter inserts a newline, Escape cancels a reply.
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

	shift bool // a Shift key is held down
}

func newChatEntry() *chatEntry {
	e := &chatEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	e.SetMinRowsVisible(2)
	return e
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
