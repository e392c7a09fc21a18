package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TooltipLayer holds a window's content and draws the tooltip of a
// TooltipButton above it. Fyne 2.7 has no tooltips, and a pop-up would not
// do: an overlay takes the keyboard focus and the next click. The layer
// takes neither: make it the window's content (Window.SetContent) and the
// buttons under it find it through their canvas.
type TooltipLayer struct {
	widget.BaseWidget
	content fyne.CanvasObject
	text    string
	anchor  fyne.CanvasObject
}

// NewTooltipLayer returns a layer over content.
func NewTooltipLayer(content fyne.CanvasObject) *TooltipLayer {
	l := &TooltipLayer{content: content}
	l.ExtendBaseWidget(l)
	return l
}

// Content returns the content under the layer.
func (l *TooltipLayer) Content() fyne.CanvasObject { return l.content }

// Tooltip returns the text of the tooltip shown, or "".
func (l *TooltipLayer) Tooltip() string { return l.text }

// ShowTooltip shows text under anchor (above it when there is no room
// below), kept inside the window.
func (l *TooltipLayer) ShowTooltip(text string, anchor fyne.CanvasObject) {
	l.text, l.anchor = text, anchor
	l.Refresh()
}

// HideTooltip hides the tooltip of anchor (nil: any tooltip).
func (l *TooltipLayer) HideTooltip(anchor fyne.CanvasObject) {
	if l.text == "" || (anchor != nil && anchor != l.anchor) {
		return
	}
	l.text, l.anchor = "", nil
	l.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (l *TooltipLayer) CreateRenderer() fyne.WidgetRenderer {
	r := &tooltipRenderer{l: l, bg: canvas.NewRectangle(color.Transparent), label: canvas.NewText("", color.Black)}
	r.Refresh()
	return r
}

type tooltipRenderer struct {
	l     *TooltipLayer
	bg    *canvas.Rectangle
	label *canvas.Text
}

func (r *tooltipRenderer) Destroy() {}

func (r *tooltipRenderer) MinSize() fyne.Size { return r.l.content.MinSize() }

func (r *tooltipRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.l.content, r.bg, r.label}
}

func (r *tooltipRenderer) Layout(size fyne.Size) {
	r.l.content.Resize(size)
	if r.l.text == "" || r.l.anchor == nil {
		return
	}
	pad := theme.InnerPadding() / 2
	ts := r.label.MinSize()
	box := fyne.NewSize(ts.Width+2*pad, ts.Height+pad)
	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(r.l.anchor).Subtract(d.AbsolutePositionForObject(r.l.content))
	as := r.l.anchor.Size()
	x := at.X + (as.Width-box.Width)/2
	y := at.Y + as.Height + 2
	if y+box.Height > size.Height {
		y = at.Y - box.Height - 2
	}
	x = max(0, min(x, size.Width-box.Width))
	y = max(0, y)
	r.bg.Move(fyne.NewPos(x, y))
	r.bg.Resize(box)
	r.label.Move(fyne.NewPos(x+pad, y+pad/2))
	r.label.Resize(ts)
}

func (r *tooltipRenderer) Refresh() {
	th := r.l.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.label.Text = r.l.text
	r.label.TextSize = th.Size(theme.SizeNameCaptionText)
	// Dark on light and light on dark, whatever the theme: the colours of
	// the text and the background swapped.
	r.label.Color = th.Color(theme.ColorNameBackground, v)
	r.bg.FillColor = th.Color(theme.ColorNameForeground, v)
	r.bg.CornerRadius = th.Size(theme.SizeNameSelectionRadius)
	show := r.l.text != ""
	r.bg.Hidden, r.label.Hidden = !show, !show
	r.Layout(r.l.Size())
	r.bg.Refresh()
	r.label.Refresh()
}

// TooltipButton is a button (usually an icon alone) that names what it
// does in a tooltip while the pointer rests on it or it has the keyboard
// focus. The tooltip is drawn by the TooltipLayer that holds the window's
// content; without one there is none.
type TooltipButton struct {
	widget.Button
	// Tooltip is the text shown; it should name the action and its
	// shortcut, e.g. "Lock Nook now (Ctrl+L)".
	Tooltip string
}

var _ desktop.Hoverable = (*TooltipButton)(nil)

// NewTooltipButton returns a low-importance icon button with a tooltip.
func NewTooltipButton(icon fyne.Resource, tooltip string, tapped func()) *TooltipButton {
	b := &TooltipButton{Tooltip: tooltip}
	b.Icon = icon
	b.OnTapped = tapped
	b.Importance = widget.LowImportance
	b.ExtendBaseWidget(b)
	return b
}

// layer returns the tooltip layer of the button's window, or nil.
func (b *TooltipButton) layer() *TooltipLayer {
	c := fyne.CurrentApp().Driver().CanvasForObject(b)
	if c == nil {
		return nil
	}
	l, _ := c.Content().(*TooltipLayer)
	return l
}

func (b *TooltipButton) showTip() {
	if l := b.layer(); l != nil && b.Tooltip != "" {
		l.ShowTooltip(b.Tooltip, b)
	}
}

func (b *TooltipButton) hideTip() {
	if l := b.layer(); l != nil {
		l.HideTooltip(b)
	}
}

// MouseIn shows the tooltip.
func (b *TooltipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	b.showTip()
}

// MouseOut hides it.
func (b *TooltipButton) MouseOut() {
	b.Button.MouseOut()
	b.hideTip()
}

// Tapped hides the tooltip and runs the action.
func (b *TooltipButton) Tapped(e *fyne.PointEvent) {
	b.hideTip()
	b.Button.Tapped(e)
}

// FocusGained shows the tooltip to someone moving with the keyboard.
func (b *TooltipButton) FocusGained() {
	b.Button.FocusGained()
	b.showTip()
}

// FocusLost hides it.
func (b *TooltipButton) FocusLost() {
	b.Button.FocusLost()
	b.hideTip()
}

// Hide hides the button and its tooltip.
func (b *TooltipButton) Hide() {
	b.hideTip()
	b.Button.Hide()
}
