package widgets

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// copiedFeedback is how long the Copy button says "Copied".
const copiedFeedback = 2 * time.Second

// OnionAddress shows an onion address in monospace, in blocks of eight
// characters so that two people can read it aloud and compare it, with a
// Copy button that briefly confirms the copy. The text is selectable.
type OnionAddress struct {
	widget.BaseWidget

	// OnCopy is called with the full address (with ".onion") when Copy is
	// tapped; nil copies it to the clipboard.
	OnCopy func(address string)
	// Do runs the end of the "Copied" feedback on the Fyne goroutine; nil
	// means fyne.Do. (Tests that run the UI on their own goroutine set
	// theirs.)
	Do func(f func())

	addr string // normalised, without ".onion"

	// timer ends the "Copied" feedback; gen increases with each copy, so
	// that a timer that already fired cannot end newer feedback. Like the
	// widgets, both are only touched on the Fyne goroutine.
	timer *time.Timer
	gen   int

	label  *widget.Label
	button *widget.Button
}

// NewOnionAddress returns a view of addr, given with or without ".onion".
func NewOnionAddress(addr string) *OnionAddress {
	o := &OnionAddress{addr: normalizeOnion(addr)}
	o.ExtendBaseWidget(o)
	return o
}

// Address returns the full address, with ".onion"; "" when there is none.
func (o *OnionAddress) Address() string {
	if o.addr == "" {
		return ""
	}
	return o.addr + ".onion"
}

// SetAddress shows another address.
func (o *OnionAddress) SetAddress(addr string) {
	o.addr = normalizeOnion(addr)
	o.Refresh()
}

// GroupedAddress returns addr as shown: lowercase, in blocks of eight
// characters separated by spaces, with ".onion" after the last block.
func GroupedAddress(addr string) string {
	a := normalizeOnion(addr)
	if a == "" {
		return ""
	}
	return strings.Join(groupOnion(a), " ") + ".onion"
}

// Copy copies the address (through OnCopy or to the clipboard) and shows
// "Copied" on the button for a moment. It is what tapping the button does.
func (o *OnionAddress) Copy() {
	full := o.Address()
	if o.OnCopy != nil {
		o.OnCopy(full)
	} else {
		fyne.CurrentApp().Clipboard().SetContent(full)
	}
	if o.button == nil {
		return
	}
	o.setCopied(true)
	if o.timer != nil {
		o.timer.Stop()
	}
	o.gen++
	gen := o.gen
	do := o.Do
	if do == nil {
		do = fyne.Do
	}
	o.timer = time.AfterFunc(copiedFeedback, func() {
		do(func() {
			if o.gen == gen {
				o.setCopied(false)
			}
		})
	})
}

// endFeedback ends the "Copied" feedback now and stops its timer.
func (o *OnionAddress) endFeedback() {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	o.gen++
	if o.button != nil {
		o.setCopied(false)
	}
}

func (o *OnionAddress) setCopied(copied bool) {
	if copied {
		o.button.SetText(i18n.T("common.copied"))
		o.button.SetIcon(theme.ConfirmIcon())
		o.button.Importance = widget.SuccessImportance
	} else {
		o.button.SetText(i18n.T("onion.copy"))
		o.button.SetIcon(theme.ContentCopyIcon())
		o.button.Importance = widget.MediumImportance
	}
	o.button.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (o *OnionAddress) CreateRenderer() fyne.WidgetRenderer {
	o.ExtendBaseWidget(o)
	o.label = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	o.label.Selectable = true
	o.button = widget.NewButtonWithIcon(i18n.T("onion.copy"), theme.ContentCopyIcon(), o.Copy)
	bg := &canvas.Rectangle{CornerRadius: 8}
	content := container.NewBorder(nil, nil, nil,
		container.NewVBox(layout.NewSpacer(), o.button, layout.NewSpacer()),
		container.NewVBox(layout.NewSpacer(), o.label, layout.NewSpacer()))
	r := &onionRenderer{o: o, bg: bg, content: content}
	r.Refresh()
	return r
}

type onionRenderer struct {
	o       *OnionAddress
	bg      *canvas.Rectangle
	content *fyne.Container
}

func (r *onionRenderer) Destroy() {
	if r.o.timer != nil {
		r.o.timer.Stop()
	}
}

func (r *onionRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.content}
}

func (r *onionRenderer) pad() float32 { return r.o.Theme().Size(theme.SizeNamePadding) }

func (r *onionRenderer) MinSize() fyne.Size {
	p := r.pad()
	// The narrowest layout: the address on two lines.
	r.setLines(r.o.Size().Width)
	return r.content.MinSize().AddWidthHeight(2*p, 2*p)
}

// setLines breaks the address into one line when it fits in width w next
// to the button, or into two (four blocks, then the rest) when it does not.
// Lines are chosen here, not by word wrapping, so that the minimum size does
// not depend on a width the widget has not been given yet.
func (r *onionRenderer) setLines(w float32) {
	a := r.o.addr
	if a == "" {
		r.o.label.Text = ""
		return
	}
	one := GroupedAddress(a)
	th := r.o.Theme()
	textW := fyne.MeasureText(one, th.Size(theme.SizeNameText), fyne.TextStyle{Monospace: true}).Width
	avail := w - 2*r.pad() - r.o.button.MinSize().Width - 2*th.Size(theme.SizeNameInnerPadding) - th.Size(theme.SizeNamePadding)
	text := one
	if blocks := groupOnion(a); textW > avail && len(blocks) > 4 {
		text = strings.Join(blocks[:4], " ") + "\n" + strings.Join(blocks[4:], " ") + ".onion"
	}
	if r.o.label.Text != text {
		r.o.label.Text = text
		r.o.label.Refresh()
	}
}

func (r *onionRenderer) Layout(s fyne.Size) {
	p := r.pad()
	r.setLines(s.Width)
	r.bg.Resize(s)
	r.content.Move(fyne.NewPos(p, p))
	r.content.Resize(s.SubtractWidthHeight(2*p, 2*p))
}

func (r *onionRenderer) Refresh() {
	th := r.o.Theme()
	r.bg.FillColor = themeColor(th, ColorNameCard)
	r.bg.StrokeColor = themeColor(th, theme.ColorNameSeparator)
	r.bg.StrokeWidth = 1
	r.setLines(r.o.Size().Width)
	r.bg.Refresh()
	r.Layout(r.o.Size())
}
