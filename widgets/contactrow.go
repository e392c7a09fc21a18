package widgets

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ContactSummary is what one row of the contact list shows.
type ContactSummary struct {
	// Address is the contact's onion address; it keys the avatar colour and
	// is passed to the callbacks.
	Address string
	// Name is the contact's display name; empty shows the address.
	Name string
	// Preview is the last message (only its first line is shown) or, for a
	// request, the greeting that came with it.
	Preview string
	// LastActivity is the time of the last message; zero shows none.
	LastActivity time.Time
	Presence     Presence
	Unread       int
	// Request marks an incoming contact request: the row shows Accept,
	// Reject and Block instead of presence and unread count.
	Request bool
}

// ContactRow is one row of the contact/conversation list: an avatar with a
// presence dot, the name and last-activity time, a one-line preview and the
// unread count. A request row adds Accept, Reject and Block buttons.
//
// Rows are made to be reused by a widget.List: create one with
// NewContactRow and call Set for each item. Request rows are taller; use
// MinSize after Set for widget.List.SetItemHeight.
type ContactRow struct {
	widget.BaseWidget

	// Times formats LastActivity; its zero value uses the local clock.
	Times TimeFormat

	// OnAccept, OnReject and OnBlock are called with the row's address when
	// the buttons of a request row are tapped.
	OnAccept func(address string)
	OnReject func(address string)
	OnBlock  func(address string)

	c ContactSummary
}

// NewContactRow returns a row showing c.
func NewContactRow(c ContactSummary) *ContactRow {
	r := &ContactRow{c: c}
	r.ExtendBaseWidget(r)
	return r
}

// Contact returns what the row shows.
func (r *ContactRow) Contact() ContactSummary { return r.c }

// Set shows c in this row.
func (r *ContactRow) Set(c ContactSummary) {
	r.c = c
	r.Refresh()
}

func (r *ContactRow) displayName() string {
	if r.c.Name != "" {
		return r.c.Name
	}
	if a := normalizeOnion(r.c.Address); a != "" {
		return groupOnion(a)[0] + "…"
	}
	return "Unknown"
}

func (r *ContactRow) preview() string {
	if p := firstLine(r.c.Preview); p != "" {
		return p
	}
	if r.c.Request {
		return "Wants to add you as a contact"
	}
	return ""
}

// call calls f, when set, with the row's address.
func (r *ContactRow) call(f func(string)) {
	if f != nil {
		f(r.c.Address)
	}
}

// CreateRenderer implements fyne.Widget.
func (r *ContactRow) CreateRenderer() fyne.WidgetRenderer {
	r.ExtendBaseWidget(r)
	cr := &contactRowRenderer{
		row:     r,
		avatar:  NewAvatar("", ""),
		badge:   NewStatusBadge(PresenceOffline, ""),
		name:    canvas.NewText("", nil),
		when:    canvas.NewText("", nil),
		preview: canvas.NewText("", nil),
		pill:    NewUnreadPill(0),
		// The callbacks are looked up at tap time: they may be set after
		// the renderer exists.
		accept: widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() { r.call(r.OnAccept) }),
		reject: widget.NewButton("Reject", func() { r.call(r.OnReject) }),
		block:  widget.NewButtonWithIcon("Block", theme.CancelIcon(), func() { r.call(r.OnBlock) }),
	}
	cr.accept.Importance = widget.HighImportance
	cr.block.Importance = widget.DangerImportance
	cr.badge.ring = true
	cr.name.TextStyle.Bold = true
	cr.Refresh()
	return cr
}

type contactRowRenderer struct {
	row                   *ContactRow
	avatar                *Avatar
	badge                 *StatusBadge
	name, when, preview   *canvas.Text
	pill                  *UnreadPill
	accept, reject, block *widget.Button
}

func (cr *contactRowRenderer) Destroy() {}

func (cr *contactRowRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{cr.avatar, cr.badge, cr.name, cr.when, cr.preview, cr.pill,
		cr.accept, cr.reject, cr.block}
}

// metrics returns the outer padding, the gap between avatar and text, and
// the vertical gap between the two text lines.
func (cr *contactRowRenderer) metrics() (pad, gap, lineGap float32) {
	p := themeSize(cr.row.Theme(), theme.SizeNamePadding)
	return 3 * p, 3 * p, p / 2
}

func (cr *contactRowRenderer) textHeight() float32 {
	nh := fyne.MeasureText("Mg", cr.name.TextSize, cr.name.TextStyle).Height
	ph := fyne.MeasureText("Mg", cr.preview.TextSize, cr.preview.TextStyle).Height
	_, _, lineGap := cr.metrics()
	return nh + lineGap + ph
}

func (cr *contactRowRenderer) MinSize() fyne.Size {
	pad, gap, _ := cr.metrics()
	h := fyne.Max(DefaultAvatarSize, cr.textHeight())
	w := 2*pad + DefaultAvatarSize + gap + 120
	if cr.row.c.Request {
		bh := cr.accept.MinSize().Height
		h += pad + bh
		bw := cr.accept.MinSize().Width + cr.reject.MinSize().Width + cr.block.MinSize().Width + 2*pad
		w = fyne.Max(w, 2*pad+DefaultAvatarSize+gap+bw)
	}
	return fyne.NewSize(w, h+2*pad)
}

func (cr *contactRowRenderer) Layout(s fyne.Size) {
	pad, gap, lineGap := cr.metrics()
	th := cr.row.Theme()
	p := themeSize(th, theme.SizeNamePadding)

	topH := fyne.Max(DefaultAvatarSize, cr.textHeight())
	cr.avatar.Resize(fyne.NewSquareSize(DefaultAvatarSize))
	cr.avatar.Move(fyne.NewPos(pad, pad+(topH-DefaultAvatarSize)/2))
	bs := cr.badge.MinSize()
	cr.badge.Resize(bs)
	cr.badge.Move(fyne.NewPos(pad+DefaultAvatarSize-bs.Width+1, pad+(topH+DefaultAvatarSize)/2-bs.Height+1))

	x := pad + DefaultAvatarSize + gap
	right := s.Width - pad
	y := pad + (topH-cr.textHeight())/2

	// First line: name on the left, time on the right.
	ws := cr.when.MinSize()
	cr.when.Resize(ws)
	nameH := fyne.MeasureText("Mg", cr.name.TextSize, cr.name.TextStyle).Height
	cr.when.Move(fyne.NewPos(right-ws.Width, y+(nameH-ws.Height)/2))
	nameMax := right - x
	if ws.Width > 0 {
		nameMax -= ws.Width + 2*p
	}
	cr.name.Text = ellipsize(cr.row.displayName(), cr.name.TextSize, cr.name.TextStyle, nameMax)
	cr.name.Resize(fyne.NewSize(nameMax, nameH))
	cr.name.Move(fyne.NewPos(x, y))

	// Second line: preview, unread pill on the right.
	y += nameH + lineGap
	prevH := fyne.MeasureText("Mg", cr.preview.TextSize, cr.preview.TextStyle).Height
	prevMax := right - x
	if !cr.pill.Hidden {
		ps := cr.pill.MinSize()
		cr.pill.Resize(ps)
		cr.pill.Move(fyne.NewPos(right-ps.Width, y+(prevH-ps.Height)/2))
		prevMax -= ps.Width + 2*p
	}
	cr.preview.Text = ellipsize(cr.row.preview(), cr.preview.TextSize, cr.preview.TextStyle, prevMax)
	cr.preview.Resize(fyne.NewSize(prevMax, prevH))
	cr.preview.Move(fyne.NewPos(x, y))

	// Request buttons under the text.
	if cr.row.c.Request {
		by := pad + topH + pad
		bx := x
		for _, b := range []*widget.Button{cr.accept, cr.reject, cr.block} {
			bs := b.MinSize()
			b.Resize(bs)
			b.Move(fyne.NewPos(bx, by))
			bx += bs.Width + p*2
		}
	}
}

func (cr *contactRowRenderer) Refresh() {
	row := cr.row
	th := row.Theme()
	c := row.c

	cr.avatar.SetIdentity(c.Name, c.Address)
	cr.badge.Presence = c.Presence
	cr.badge.Hidden = c.Request
	cr.badge.Refresh()

	cr.name.TextSize = themeSize(th, theme.SizeNameText)
	cr.name.Color = themeColor(th, theme.ColorNameForeground)

	cr.when.Text = row.Times.Short(c.LastActivity)
	cr.when.TextSize = themeSize(th, theme.SizeNameCaptionText)
	cr.when.TextStyle.Bold = c.Unread > 0 && !c.Request
	if cr.when.TextStyle.Bold {
		cr.when.Color = themeColor(th, theme.ColorNameForeground)
	} else {
		cr.when.Color = themeColor(th, ColorNameMuted)
	}

	cr.preview.TextSize = themeSize(th, theme.SizeNameText) * 0.93
	cr.preview.Color = themeColor(th, ColorNameMuted)
	cr.preview.TextStyle.Italic = c.Request && firstLine(c.Preview) == ""

	if c.Request {
		cr.pill.SetCount(0)
	} else {
		cr.pill.SetCount(c.Unread)
	}
	for _, b := range []*widget.Button{cr.accept, cr.reject, cr.block} {
		b.Hidden = !c.Request
	}

	cr.Layout(row.Size())
	for _, o := range []fyne.CanvasObject{cr.name, cr.when, cr.preview} {
		o.Refresh()
	}
}
