package widgets

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
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

	c       ContactSummary
	set     bool   // Set was called: c is what the row shows
	when    string // c.LastActivity as Set saw it shown
	focused bool
}

// NewContactRow returns a row showing c.
func NewContactRow(c ContactSummary) *ContactRow {
	r := &ContactRow{c: c}
	r.ExtendBaseWidget(r)
	return r
}

// Contact returns what the row shows.
func (r *ContactRow) Contact() ContactSummary { return r.c }

// Set shows c in this row. A row already showing c is not drawn again:
// the list sets every row it refreshes, and a group's catch-up refreshes
// its row at each step, most of them changing nothing it shows (each
// refresh measured and cut the texts again: 12 MB of garbage in a
// 100 000-blob catch-up, docs/performance.md).
// The time is compared as shown ("14:05" becomes "Yesterday 14:05").
func (r *ContactRow) Set(c ContactSummary) {
	when := r.Times.Short(c.LastActivity)
	if r.set && c == r.c && when == r.when {
		return
	}
	r.c, r.set, r.when = c, true, when
	r.Refresh()
}

// SetFocused draws or removes the ring that shows the keyboard focus on the
// row (a widget.List shows it only as the faint hover tint).
func (r *ContactRow) SetFocused(f bool) {
	if r.focused == f {
		return
	}
	r.focused = f
	r.Refresh()
}

// Focused reports whether the row shows the focus ring.
func (r *ContactRow) Focused() bool { return r.focused }

func (r *ContactRow) displayName() string {
	if r.c.Name != "" {
		return r.c.Name
	}
	if a := normalizeOnion(r.c.Address); a != "" {
		return groupOnion(a)[0] + "…"
	}
	return i18n.T("common.unknown")
}

func (r *ContactRow) preview() string {
	if p := firstLine(r.c.Preview); p != "" {
		return p
	}
	if r.c.Request {
		return i18n.T("contactrow.wants_to_add_you")
	}
	return ""
}

// MinSize implements fyne.Widget. A row that is not a request is measured
// from the theme alone, without making its renderer: widget.List makes a
// throwaway row to ask its size each time it is refreshed, and Fyne keeps
// the renderer of every widget it has rendered for a minute.
func (r *ContactRow) MinSize() fyne.Size {
	r.ExtendBaseWidget(r)
	if r.c.Request {
		return r.BaseWidget.MinSize() // the buttons' sizes come from the renderer
	}
	return contactRowSize(r.Theme(), false)
}

// contactRowSize is the minimum size of a row without request buttons;
// italic is whether the preview is set in italics.
func contactRowSize(th fyne.Theme, italic bool) fyne.Size {
	pad, gap, _ := contactRowMetrics(th)
	h := fyne.Max(DefaultAvatarSize, contactRowTextHeight(th, italic))
	return fyne.NewSize(2*pad+DefaultAvatarSize+gap+120, h+2*pad)
}

// contactRowMetrics returns the outer padding, the gap between avatar and
// text, and the vertical gap between the two text lines.
func contactRowMetrics(th fyne.Theme) (pad, gap, lineGap float32) {
	p := themeSize(th, theme.SizeNamePadding)
	return 3 * p, 3 * p, p / 2
}

// The two lines of text: the name in bold, the preview a little smaller.
func nameTextSize(th fyne.Theme) float32    { return themeSize(th, theme.SizeNameText) }
func previewTextSize(th fyne.Theme) float32 { return themeSize(th, theme.SizeNameText) * 0.93 }

// lineHeight is the height of one line of text.
func lineHeight(size float32, style fyne.TextStyle) float32 {
	return fyne.MeasureText("Mg", size, style).Height
}

// contactRowTextHeight is the height of the name and preview lines.
func contactRowTextHeight(th fyne.Theme, italic bool) float32 {
	_, _, lineGap := contactRowMetrics(th)
	return lineHeight(nameTextSize(th), fyne.TextStyle{Bold: true}) + lineGap +
		lineHeight(previewTextSize(th), fyne.TextStyle{Italic: italic})
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
		accept: widget.NewButtonWithIcon(i18n.T("common.accept"), theme.ConfirmIcon(), func() { r.call(r.OnAccept) }),
		reject: widget.NewButton(i18n.T("common.reject"), func() { r.call(r.OnReject) }),
		block:  widget.NewButtonWithIcon(i18n.T("common.block"), theme.CancelIcon(), func() { r.call(r.OnBlock) }),
		ring:   canvas.NewRectangle(color.Transparent),
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
	ring                  *canvas.Rectangle // the keyboard focus
	objs                  []fyne.CanvasObject
}

func (cr *contactRowRenderer) Destroy() {}

// Objects implements fyne.WidgetRenderer. The slice is made once: Fyne
// asks for it at every frame it draws, for every row.
func (cr *contactRowRenderer) Objects() []fyne.CanvasObject {
	if cr.objs == nil {
		cr.objs = []fyne.CanvasObject{cr.avatar, cr.badge, cr.name, cr.when, cr.preview, cr.pill,
			cr.accept, cr.reject, cr.block, cr.ring}
	}
	return cr.objs
}

func (cr *contactRowRenderer) italic() bool { return cr.preview.TextStyle.Italic }

func (cr *contactRowRenderer) MinSize() fyne.Size {
	th := cr.row.Theme()
	s := contactRowSize(th, cr.italic())
	if cr.row.c.Request {
		pad, _, _ := contactRowMetrics(th)
		s.Height += pad + cr.accept.MinSize().Height
		// The narrowest layout: the buttons under the avatar, without
		// the icons of Accept and Block.
		p := themeSize(th, theme.SizeNamePadding)
		icon := themeSize(th, theme.SizeNameInlineIcon) + p
		if cr.accept.Icon == nil {
			icon = 0
		}
		s.Width = fyne.Max(s.Width, 2*pad+cr.buttonsWidth(p)-2*icon)
	}
	return s
}

func (cr *contactRowRenderer) Layout(s fyne.Size) {
	th := cr.row.Theme()
	pad, gap, lineGap := contactRowMetrics(th)
	p := themeSize(th, theme.SizeNamePadding)
	textH := contactRowTextHeight(th, cr.italic())

	cr.ring.Move(fyne.NewPos(1, 1))
	cr.ring.Resize(fyne.NewSize(s.Width-2, s.Height-2))

	topH := fyne.Max(DefaultAvatarSize, textH)
	cr.avatar.Resize(fyne.NewSquareSize(DefaultAvatarSize))
	cr.avatar.Move(fyne.NewPos(pad, pad+(topH-DefaultAvatarSize)/2))
	bs := cr.badge.MinSize()
	cr.badge.Resize(bs)
	cr.badge.Move(fyne.NewPos(pad+DefaultAvatarSize-bs.Width+1, pad+(topH+DefaultAvatarSize)/2-bs.Height+1))

	x := pad + DefaultAvatarSize + gap
	right := s.Width - pad
	y := pad + (topH-textH)/2

	// First line: name on the left, time on the right.
	ws := cr.when.MinSize()
	cr.when.Resize(ws)
	nameH := lineHeight(cr.name.TextSize, cr.name.TextStyle)
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
	prevH := lineHeight(cr.preview.TextSize, cr.preview.TextStyle)
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

	// Request buttons under the text; in a narrow list under the avatar
	// too, and without their icons when even that is too narrow.
	if cr.row.c.Request {
		by := pad + topH + pad
		buttons := []*widget.Button{cr.accept, cr.reject, cr.block}
		cr.setButtonIcons(true)
		bx := x
		if bx+cr.buttonsWidth(p) > right {
			bx = pad
		}
		if bx+cr.buttonsWidth(p) > right {
			cr.setButtonIcons(false)
		}
		for _, b := range buttons {
			bs := b.MinSize()
			b.Resize(bs)
			b.Move(fyne.NewPos(bx, by))
			bx += bs.Width + p*2
		}
	}
}

// buttonsWidth is the width of the request buttons side by side, p*2
// apart.
func (cr *contactRowRenderer) buttonsWidth(p float32) float32 {
	return cr.accept.MinSize().Width + cr.reject.MinSize().Width + cr.block.MinSize().Width + 4*p
}

// setButtonIcons shows or leaves out the icons of Accept and Block.
func (cr *contactRowRenderer) setButtonIcons(on bool) {
	accept, block := theme.ConfirmIcon(), theme.CancelIcon()
	if !on {
		accept, block = nil, nil
	}
	if cr.accept.Icon != accept {
		cr.accept.SetIcon(accept)
	}
	if cr.block.Icon != block {
		cr.block.SetIcon(block)
	}
}

func (cr *contactRowRenderer) Refresh() {
	row := cr.row
	th := row.Theme()
	c := row.c

	cr.ring.Hidden = !row.focused
	cr.ring.StrokeColor = themeColor(th, theme.ColorNamePrimary)
	cr.ring.StrokeWidth = 2
	cr.ring.CornerRadius = themeSize(th, theme.SizeNameSelectionRadius)
	cr.ring.Refresh()

	cr.avatar.SetIdentity(c.Name, c.Address)
	cr.badge.Presence = c.Presence
	cr.badge.Hidden = c.Request
	cr.badge.Refresh()

	cr.name.TextSize = nameTextSize(th)
	cr.name.Color = themeColor(th, theme.ColorNameForeground)

	cr.when.Text = row.Times.Short(c.LastActivity)
	cr.when.TextSize = themeSize(th, theme.SizeNameCaptionText)
	cr.when.TextStyle.Bold = c.Unread > 0 && !c.Request
	if cr.when.TextStyle.Bold {
		cr.when.Color = themeColor(th, theme.ColorNameForeground)
	} else {
		cr.when.Color = themeColor(th, ColorNameMuted)
	}

	cr.preview.TextSize = previewTextSize(th)
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
