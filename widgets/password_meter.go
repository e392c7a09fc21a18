package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// PasswordStrength is a meter to put under a password entry: five segments
// that fill and change colour with the rating, the rating in words and a
// short hint. Feed it from the entry:
//
//	meter := widgets.NewPasswordStrength()
//	entry.OnChanged = meter.SetPassword
//
// With an empty password it shows an empty track and no words. See
// EstimatePassword for how the rating is made and its limits.
type PasswordStrength struct {
	widget.BaseWidget

	est   PasswordEstimate
	empty bool
}

// NewPasswordStrength returns a meter for an empty password.
func NewPasswordStrength() *PasswordStrength {
	p := &PasswordStrength{empty: true}
	p.ExtendBaseWidget(p)
	return p
}

// SetPassword rates pw and shows the result. The password itself is not
// kept.
func (p *PasswordStrength) SetPassword(pw string) {
	p.est = EstimatePassword(pw)
	p.empty = pw == ""
	p.Refresh()
}

// Estimate returns the current rating.
func (p *PasswordStrength) Estimate() PasswordEstimate { return p.est }

const (
	meterSegments  = 5
	meterBarHeight = 4
	meterGap       = 4
)

// CreateRenderer implements fyne.Widget.
func (p *PasswordStrength) CreateRenderer() fyne.WidgetRenderer {
	p.ExtendBaseWidget(p)
	r := &meterRenderer{p: p, label: canvas.NewText("", nil), hint: canvas.NewText("", nil)}
	for i := range r.segs {
		r.segs[i] = &canvas.Rectangle{CornerRadius: meterBarHeight / 2}
	}
	r.label.TextStyle.Bold = true
	r.Refresh()
	return r
}

type meterRenderer struct {
	p           *PasswordStrength
	segs        [meterSegments]*canvas.Rectangle
	label, hint *canvas.Text
	hintFull    string
}

func (r *meterRenderer) Destroy() {}

func (r *meterRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, meterSegments+2)
	for _, s := range r.segs {
		objs = append(objs, s)
	}
	return append(objs, r.label, r.hint)
}

func (r *meterRenderer) textHeight() float32 {
	return fyne.MeasureText("M", r.label.TextSize, r.label.TextStyle).Height
}

func (r *meterRenderer) MinSize() fyne.Size {
	gap := r.p.Theme().Size(theme.SizeNamePadding)
	return fyne.NewSize(meterSegments*(meterGap+12), meterBarHeight+gap+r.textHeight())
}

func (r *meterRenderer) Layout(s fyne.Size) {
	segW := (s.Width - (meterSegments-1)*meterGap) / meterSegments
	for i, seg := range r.segs {
		seg.Move(fyne.NewPos(float32(i)*(segW+meterGap), 0))
		seg.Resize(fyne.NewSize(segW, meterBarHeight))
	}
	y := meterBarHeight + r.p.Theme().Size(theme.SizeNamePadding)
	ls := r.label.MinSize()
	r.label.Move(fyne.NewPos(0, y))
	r.label.Resize(ls)
	x := ls.Width + 8
	r.hint.Text = ellipsize(r.hintFull, r.hint.TextSize, r.hint.TextStyle, s.Width-x)
	r.hint.Move(fyne.NewPos(x, y+(ls.Height-r.hint.MinSize().Height)/2))
	r.hint.Resize(r.hint.MinSize())
}

// strengthColor is the colour of the filled segments for s.
func strengthColor(th fyne.Theme, s Strength) color.Color {
	switch s {
	case StrengthVeryWeak, StrengthWeak:
		return themeColor(th, theme.ColorNameError)
	case StrengthFair:
		return themeColor(th, theme.ColorNameWarning)
	default:
		return themeColor(th, theme.ColorNameSuccess)
	}
}

func (r *meterRenderer) Refresh() {
	p := r.p
	th := p.Theme()
	filled := 0
	if !p.empty {
		filled = int(p.est.Strength) + 1
	}
	on := strengthColor(th, p.est.Strength)
	off := themeColor(th, theme.ColorNameInputBorder)
	for i, seg := range r.segs {
		if i < filled {
			seg.FillColor = on
		} else {
			seg.FillColor = off
		}
		seg.Refresh()
	}
	r.label.Text, r.hintFull = "", ""
	if !p.empty {
		r.label.Text = p.est.Strength.String()
		r.hintFull = p.est.Hint
	}
	r.label.Color = on
	r.label.TextSize = th.Size(theme.SizeNameCaptionText)
	r.hint.Color = themeColor(th, ColorNameMuted)
	r.hint.TextSize = th.Size(theme.SizeNameCaptionText)
	r.Layout(p.Size())
	r.label.Refresh()
	r.hint.Refresh()
}
