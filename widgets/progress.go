package widgets

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// Progress is a labelled progress bar for long steps such as Tor bootstrap
// and group catch-up: a title with the percentage, a bar, and the current
// phase underneath. It can be indeterminate (a sliding segment) and can show
// an error with a hint on what to do.
type Progress struct {
	widget.BaseWidget

	title   string
	percent float64 // 0–100, or -1 when indeterminate
	phase   string
	errMsg  string
	errHint string

	r *progressRenderer // the renderer made last, for Animating
}

// NewProgress returns a bar at 0 % with the given title.
func NewProgress(title string) *Progress {
	p := &Progress{title: title}
	p.ExtendBaseWidget(p)
	return p
}

// SetTitle changes the title.
func (p *Progress) SetTitle(title string) {
	p.title = title
	p.Refresh()
}

// SetProgress shows percent (clamped to 0–100) and the phase text, and
// clears any error.
func (p *Progress) SetProgress(percent float64, phase string) {
	p.percent = min(max(percent, 0), 100)
	p.phase = phase
	p.errMsg, p.errHint = "", ""
	p.Refresh()
}

// SetIndeterminate shows that work is going on without a known end, with
// the phase text, and clears any error.
func (p *Progress) SetIndeterminate(phase string) {
	p.percent = -1
	p.phase = phase
	p.errMsg, p.errHint = "", ""
	p.Refresh()
}

// SetError shows message in the error colour and hint (what the user can do)
// under it. The bar keeps its position, in the error colour.
func (p *Progress) SetError(message, hint string) {
	p.errMsg, p.errHint = message, hint
	p.Refresh()
}

// Hide hides the bar and stops the indeterminate animation, which would
// otherwise keep redrawing the window.
func (p *Progress) Hide() {
	p.BaseWidget.Hide()
	p.Refresh()
}

// Show shows the bar again, restarting the animation when indeterminate.
func (p *Progress) Show() {
	p.BaseWidget.Show()
	p.Refresh()
}

// Percent returns the percentage shown, or -1 when indeterminate.
func (p *Progress) Percent() float64 { return p.percent }

// Phase returns the phase text shown under the bar.
func (p *Progress) Phase() string { return p.phase }

// Animating reports whether the indeterminate bar slides. While it does,
// the window is drawn again at every frame, which costs CPU and makes
// garbage, so the bar slides only while it is shown: a Progress inside a
// hidden container must be hidden itself too.
func (p *Progress) Animating() bool { return p.r != nil && p.r.running }

// Failed reports whether an error is shown.
func (p *Progress) Failed() bool { return p.errMsg != "" }

const (
	progressBarHeight = 6
	progressSegment   = 0.3 // share of the track the indeterminate segment covers
)

// CreateRenderer implements fyne.Widget.
func (p *Progress) CreateRenderer() fyne.WidgetRenderer {
	p.ExtendBaseWidget(p)
	r := &progressRenderer{
		p:       p,
		title:   canvas.NewText("", nil),
		percent: canvas.NewText("", nil),
		track:   &canvas.Rectangle{CornerRadius: progressBarHeight / 2},
		fill:    &canvas.Rectangle{CornerRadius: progressBarHeight / 2},
	}
	r.phase, r.phaseSeg = newWrappedText()
	r.hint, r.hintSeg = newWrappedText()
	r.title.TextStyle.Bold = true
	r.anim = fyne.NewAnimation(1400*time.Millisecond, func(f float32) {
		r.slide = f
		r.layoutFill(r.p.Size())
		r.fill.Refresh()
	})
	r.anim.RepeatCount = fyne.AnimationRepeatForever
	r.anim.AutoReverse = true
	r.anim.Curve = fyne.AnimationEaseInOut
	p.r = r
	r.Refresh()
	return r
}

type progressRenderer struct {
	p              *Progress
	title, percent *canvas.Text
	track, fill    *canvas.Rectangle
	phase, hint    *widget.RichText
	phaseSeg       *widget.TextSegment
	hintSeg        *widget.TextSegment

	anim    *fyne.Animation
	running bool
	slide   float32 // position of the indeterminate segment, 0–1
}

func (r *progressRenderer) Destroy() { r.stop() }

func (r *progressRenderer) stop() {
	if r.running {
		r.anim.Stop()
		r.running = false
	}
}

func (r *progressRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.title, r.percent, r.track, r.fill, r.phase, r.hint}
}

// The labels carry their own inner padding; textInset pulls them back in
// line with the title and the bar.
func (r *progressRenderer) textInset() float32 {
	return r.p.Theme().Size(theme.SizeNameInnerPadding)
}

func (r *progressRenderer) heights(w float32) (head, phase, hint float32) {
	head = fyne.Max(r.title.MinSize().Height, r.percent.MinSize().Height)
	in := r.textInset()
	measure := func(l *widget.RichText) float32 {
		if l.Hidden {
			return 0
		}
		l.Resize(fyne.NewSize(w+2*in, l.Size().Height))
		return l.MinSize().Height - 2*in
	}
	return head, measure(r.phase), measure(r.hint)
}

func (r *progressRenderer) MinSize() fyne.Size {
	w := fyne.Max(r.p.Size().Width, 200)
	head, ph, hi := r.heights(w)
	gap := r.p.Theme().Size(theme.SizeNamePadding)
	h := head + gap + progressBarHeight
	if ph > 0 {
		h += gap + ph
	}
	if hi > 0 {
		h += gap/2 + hi
	}
	tw := r.title.MinSize().Width + r.percent.MinSize().Width + 2*gap
	return fyne.NewSize(fyne.Max(tw, 120), h)
}

func (r *progressRenderer) Layout(s fyne.Size) {
	head, ph, hi := r.heights(s.Width)
	gap := r.p.Theme().Size(theme.SizeNamePadding)
	in := r.textInset()

	r.title.Move(fyne.NewPos(0, 0))
	r.title.Resize(fyne.NewSize(s.Width, head))
	ps := r.percent.MinSize()
	r.percent.Move(fyne.NewPos(s.Width-ps.Width, (head-ps.Height)/2))
	r.percent.Resize(ps)

	y := head + gap
	r.track.Move(fyne.NewPos(0, y))
	r.track.Resize(fyne.NewSize(s.Width, progressBarHeight))
	r.layoutFill(s)
	y += progressBarHeight + gap
	r.phase.Move(fyne.NewPos(-in, y-in))
	r.phase.Resize(fyne.NewSize(s.Width+2*in, ph+2*in))
	y += ph + gap/2
	r.hint.Move(fyne.NewPos(-in, y-in))
	r.hint.Resize(fyne.NewSize(s.Width+2*in, hi+2*in))
}

// layoutFill places the filled part of the bar.
func (r *progressRenderer) layoutFill(s fyne.Size) {
	head := fyne.Max(r.title.MinSize().Height, r.percent.MinSize().Height)
	y := head + r.p.Theme().Size(theme.SizeNamePadding)
	if r.p.percent < 0 {
		seg := s.Width * progressSegment
		r.fill.Move(fyne.NewPos((s.Width-seg)*r.slide, y))
		r.fill.Resize(fyne.NewSize(seg, progressBarHeight))
		return
	}
	w := s.Width * float32(r.p.percent) / 100
	if w > 0 && w < progressBarHeight {
		w = progressBarHeight // a visible dot rather than a sliver
	}
	r.fill.Move(fyne.NewPos(0, y))
	r.fill.Resize(fyne.NewSize(w, progressBarHeight))
}

func (r *progressRenderer) Refresh() {
	p := r.p
	th := p.Theme()
	failed := p.errMsg != ""

	r.title.Text = p.title
	r.title.TextSize = th.Size(theme.SizeNameText)
	r.title.Color = themeColor(th, theme.ColorNameForeground)

	r.percent.Text = ""
	if p.percent >= 0 && !failed {
		r.percent.Text = i18n.T("progress.percent", "Percent", i18n.Decimal(p.percent, 0))
	}
	r.percent.TextSize = th.Size(theme.SizeNameText)
	r.percent.Color = themeColor(th, ColorNameMuted)

	r.track.FillColor = themeColor(th, theme.ColorNameInputBorder)
	switch {
	case failed:
		r.fill.FillColor = themeColor(th, theme.ColorNameError)
	case p.percent >= 100:
		r.fill.FillColor = themeColor(th, theme.ColorNameSuccess)
	default:
		r.fill.FillColor = themeColor(th, theme.ColorNamePrimary)
	}

	if failed {
		r.phaseSeg.Text = p.errMsg
		r.phaseSeg.Style.ColorName = theme.ColorNameError
		r.phaseSeg.Style.TextStyle.Bold = true
		r.hintSeg.Text = p.errHint
	} else {
		r.phaseSeg.Text = p.phase
		r.phaseSeg.Style.ColorName = definedName(th, ColorNameMuted)
		r.phaseSeg.Style.TextStyle.Bold = false
		r.hintSeg.Text = ""
	}
	r.hintSeg.Style.ColorName = theme.ColorNameForeground
	r.phase.Hidden = r.phaseSeg.Text == ""
	r.hint.Hidden = r.hintSeg.Text == ""

	if p.percent < 0 && !failed && p.Visible() {
		if !r.running {
			r.running = true
			r.anim.Start()
		}
	} else {
		r.stop()
	}

	r.phase.Refresh()
	r.hint.Refresh()
	r.Layout(p.Size())
	for _, o := range []fyne.CanvasObject{r.title, r.percent, r.track, r.fill} {
		o.Refresh()
	}
}
