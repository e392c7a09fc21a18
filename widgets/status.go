package widgets

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// Presence is whether a contact can be reached right now.
type Presence int

const (
	// PresenceOffline: no connection and none being attempted.
	PresenceOffline Presence = iota
	// PresenceConnecting: a connection is being set up (Tor circuits take
	// seconds).
	PresenceConnecting
	// PresenceOnline: connected; messages go out now.
	PresenceOnline
)

// String returns the word the UI uses for p.
func (p Presence) String() string {
	switch p {
	case PresenceOnline:
		return i18n.T("status.online")
	case PresenceConnecting:
		return i18n.T("status.connecting")
	default:
		return i18n.T("status.offline")
	}
}

func (p Presence) colorName() fyne.ThemeColorName {
	switch p {
	case PresenceOnline:
		return ColorNameOnline
	case PresenceConnecting:
		return ColorNameConnecting
	default:
		return ColorNameOffline
	}
}

// dotSize is the diameter of the presence dot.
const dotSize = 10

// StatusBadge is a small coloured dot for a Presence, optionally followed by
// a label. Colour is never the only signal: give a Label wherever there is
// room (the dot alone is for places like the corner of an avatar).
type StatusBadge struct {
	widget.BaseWidget

	Presence Presence
	// Label is shown after the dot; empty shows the dot alone.
	Label string

	// ring draws a background-coloured ring around the dot, so it stands
	// out where it overlaps an avatar.
	ring bool
}

// NewStatusBadge returns a badge for p with the given label ("" for none;
// p.String() is a good default).
func NewStatusBadge(p Presence, label string) *StatusBadge {
	b := &StatusBadge{Presence: p, Label: label}
	b.ExtendBaseWidget(b)
	return b
}

// SetPresence changes the presence and the label together.
func (b *StatusBadge) SetPresence(p Presence, label string) {
	if b.Presence == p && b.Label == label {
		return
	}
	b.Presence, b.Label = p, label
	b.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (b *StatusBadge) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	r := &statusBadgeRenderer{
		b:     b,
		ringC: &canvas.Circle{},
		dot:   &canvas.Circle{},
		label: canvas.NewText("", nil),
	}
	r.Refresh()
	return r
}

type statusBadgeRenderer struct {
	b     *StatusBadge
	ringC *canvas.Circle
	dot   *canvas.Circle
	label *canvas.Text
	objs  []fyne.CanvasObject // Objects, made once
}

func (r *statusBadgeRenderer) Destroy() {}

func (r *statusBadgeRenderer) Objects() []fyne.CanvasObject {
	if r.objs == nil {
		r.objs = []fyne.CanvasObject{r.ringC, r.dot, r.label}
	}
	return r.objs
}

func (r *statusBadgeRenderer) ringWidth() float32 {
	if r.b.ring {
		return 2
	}
	return 0
}

func (r *statusBadgeRenderer) MinSize() fyne.Size {
	d := dotSize + 2*r.ringWidth()
	if r.b.Label == "" {
		return fyne.NewSquareSize(d)
	}
	ls := r.label.MinSize()
	th := r.b.Theme()
	return fyne.NewSize(d+themeSize(th, theme.SizeNamePadding)*1.5+ls.Width, fyne.Max(d, ls.Height))
}

func (r *statusBadgeRenderer) Layout(s fyne.Size) {
	rw := r.ringWidth()
	d := float32(dotSize) + 2*rw
	y := (s.Height - d) / 2
	r.ringC.Resize(fyne.NewSquareSize(d))
	r.ringC.Move(fyne.NewPos(0, y))
	r.dot.Resize(fyne.NewSquareSize(dotSize))
	r.dot.Move(fyne.NewPos(rw, y+rw))
	ls := r.label.MinSize()
	th := r.b.Theme()
	r.label.Resize(ls)
	r.label.Move(fyne.NewPos(d+themeSize(th, theme.SizeNamePadding)*1.5, (s.Height-ls.Height)/2))
}

func (r *statusBadgeRenderer) Refresh() {
	th := r.b.Theme()
	r.dot.FillColor = themeColor(th, r.b.Presence.colorName())
	r.ringC.FillColor = themeColor(th, theme.ColorNameBackground)
	r.ringC.Hidden = !r.b.ring
	r.label.Text = r.b.Label
	r.label.Hidden = r.b.Label == ""
	r.label.TextSize = themeSize(th, theme.SizeNameCaptionText)
	r.label.Color = themeColor(th, ColorNameMuted)
	r.Layout(r.b.Size())
	r.dot.Refresh()
	r.ringC.Refresh()
	r.label.Refresh()
}

// UnreadPill shows how many messages are unread: an amber pill with the
// count, "99+" above 99, and nothing at all at 0.
type UnreadPill struct {
	widget.BaseWidget

	count int
}

// NewUnreadPill returns a pill showing n.
func NewUnreadPill(n int) *UnreadPill {
	p := &UnreadPill{}
	p.ExtendBaseWidget(p)
	p.SetCount(n)
	return p
}

// Count returns the number shown.
func (p *UnreadPill) Count() int { return p.count }

// SetCount changes the number; 0 (or less) hides the pill.
func (p *UnreadPill) SetCount(n int) {
	if n < 0 {
		n = 0
	}
	p.count = n
	if n == 0 {
		p.Hide()
	} else {
		p.Show()
	}
	p.Refresh()
}

// unreadText is what the pill shows for n.
func unreadText(n int) string {
	switch {
	case n <= 0:
		return ""
	case n > 99:
		return "99+"
	default:
		return strconv.Itoa(n)
	}
}

// CreateRenderer implements fyne.Widget.
func (p *UnreadPill) CreateRenderer() fyne.WidgetRenderer {
	p.ExtendBaseWidget(p)
	r := &unreadPillRenderer{p: p, bg: &canvas.Rectangle{}, text: canvas.NewText("", nil)}
	r.text.TextStyle.Bold = true
	r.text.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type unreadPillRenderer struct {
	p    *UnreadPill
	bg   *canvas.Rectangle
	text *canvas.Text
	objs []fyne.CanvasObject // Objects, made once
}

func (r *unreadPillRenderer) Destroy() {}

func (r *unreadPillRenderer) Objects() []fyne.CanvasObject {
	if r.objs == nil {
		r.objs = []fyne.CanvasObject{r.bg, r.text}
	}
	return r.objs
}

func (r *unreadPillRenderer) MinSize() fyne.Size {
	if r.p.count <= 0 {
		return fyne.Size{}
	}
	ts := r.text.MinSize()
	h := ts.Height + 2
	return fyne.NewSize(fyne.Max(h, ts.Width+h*0.6), h)
}

func (r *unreadPillRenderer) Layout(s fyne.Size) {
	ms := r.MinSize()
	// Keep the pill's own size even when stretched, centred vertically
	// and aligned to the trailing edge.
	w := ms.Width
	pos := fyne.NewPos(s.Width-w, (s.Height-ms.Height)/2)
	r.bg.Resize(fyne.NewSize(w, ms.Height))
	r.bg.Move(pos)
	r.bg.CornerRadius = ms.Height / 2
	r.text.Resize(fyne.NewSize(w, ms.Height))
	r.text.Move(pos)
}

func (r *unreadPillRenderer) Refresh() {
	th := r.p.Theme()
	r.bg.FillColor = themeColor(th, ColorNameAccent)
	r.text.Text = unreadText(r.p.count)
	r.text.Color = themeColor(th, ColorNameForegroundOnAccent)
	r.text.TextSize = themeSize(th, theme.SizeNameCaptionText)
	r.Layout(r.p.Size())
	r.bg.Refresh()
	r.text.Refresh()
}
