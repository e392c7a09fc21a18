package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
	"github.com/nookchat/nook/widgets"
)

// columnLayout centres one object horizontally at no more than width, and
// vertically at its minimum height (or at the top when it is taller than
// the space).
type columnLayout struct{ width float32 }

func (l columnLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return fyne.NewSize(min(s.Width, l.width), s.Height)
}

func (l columnLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		w := min(l.width, size.Width)
		h := o.MinSize().Height
		y := max((size.Height-h)/2, 0)
		o.Resize(fyne.NewSize(w, max(h, 0)))
		o.Move(fyne.NewPos((size.Width-w)/2, y))
	}
}

// column centres content in the window at a comfortable reading width,
// scrolling when the window is too short.
func column(width float32, content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVScroll(container.New(columnLayout{width}, content))
}

// heading returns a large bold title.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// subheading returns a bold section title.
func subheading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// para returns wrapped body text.
func para(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// muted returns wrapped secondary text.
func muted(text string) *widget.Label {
	l := para(text)
	l.Importance = widget.LowImportance
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// errorLabel returns a wrapped label in the error colour, hidden until it
// has text (see setError).
func errorLabel() *widget.Label {
	l := para("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// setError shows msg (and the hint under it) in l, or hides l when msg is
// empty.
func setError(l *widget.Label, msg, hint string) {
	if hint != "" {
		msg += "\n" + hint
	}
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// detailsNote is the technical text of an error behind a "Details" link:
// the error label above it says in one plain sentence what happened and
// what to do, and whoever helps the person can still read what failed.
type detailsNote struct {
	root   *fyne.Container
	toggle *widget.Button
	text   *widget.Label
}

func newDetailsNote() *detailsNote {
	d := &detailsNote{text: muted("")}
	d.text.TextStyle.Monospace = true
	d.text.Hide()
	d.toggle = linkButton(i18n.T("layout.details"), func() {
		if d.text.Visible() {
			d.text.Hide()
			d.toggle.SetText(i18n.T("layout.details"))
		} else {
			d.text.Show()
			d.toggle.SetText(i18n.T("layout.hide_details"))
		}
	})
	d.root = container.NewVBox(container.NewHBox(d.toggle), d.text)
	d.root.Hide()
	return d
}

// set shows err's text on request, or hides the note when err is nil.
func (d *detailsNote) set(err error) {
	d.text.Hide()
	d.toggle.SetText(i18n.T("layout.details"))
	if err == nil {
		d.root.Hide()
		return
	}
	d.text.SetText(err.Error())
	d.root.Show()
}

// plainError is what is shown for err: what engine.Explain says (what
// happened and what to do) when it knows err, else failed and fallback
// (what did not happen, and what to do).
func plainError(failed string, err error, fallback string) string {
	msg, hint := explain(err)
	if unexplained(err) {
		return failed + " " + fallback
	}
	if hint != "" {
		msg += " " + hint
	}
	return msg
}

// pictureError is what is shown when no invite could be read from a
// picture (engine.ReadInviteImage, ReadInviteFile).
func pictureError(err error) (msg, hint string) {
	msg, hint = explain(err)
	if unexplained(err) {
		return i18n.T("layout.no_nook_invite_was"),
			i18n.T("layout.use_a_sharp_picture")
	}
	return msg, hint
}

// failure returns what is shown when an action failed with err: failed
// (what did not happen, a sentence) followed by engine.Explain's message,
// and its hint.
func failure(failed string, err error) (msg, hint string) {
	m, h := explain(err)
	return failed + " " + m, h
}

// setFailure shows failure(failed, err) in l.
func setFailure(l *widget.Label, failed string, err error) {
	msg, hint := failure(failed, err)
	setError(l, msg, hint)
}

// linkButton is a quiet, text-only button for secondary actions.
func linkButton(text string, tapped func()) *widget.Button {
	b := widget.NewButton(text, tapped)
	b.Importance = widget.LowImportance
	return b
}

// logo returns the app icon at size.
func (u *UI) logo(size float32) fyne.CanvasObject {
	img := canvas.NewImageFromResource(u.icon)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSquareSize(size))
	return container.NewCenter(img)
}

// card puts content on a raised surface with padding.
func card(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(newSurface(widgets.ColorNameCard, 12), container.NewPadded(container.NewPadded(content)))
}

// surface is a rounded rectangle in a theme colour that follows theme
// changes.
type surface struct {
	widget.BaseWidget
	color  fyne.ThemeColorName
	radius float32
}

func newSurface(c fyne.ThemeColorName, radius float32) *surface {
	s := &surface{color: c, radius: radius}
	s.ExtendBaseWidget(s)
	return s
}

func (s *surface) CreateRenderer() fyne.WidgetRenderer {
	r := &surfaceRenderer{s: s, rect: canvas.NewRectangle(nil)}
	r.Refresh()
	return r
}

type surfaceRenderer struct {
	s    *surface
	rect *canvas.Rectangle
}

func (r *surfaceRenderer) Layout(size fyne.Size)        { r.rect.Resize(size) }
func (r *surfaceRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *surfaceRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.rect} }
func (r *surfaceRenderer) Destroy()                     {}
func (r *surfaceRenderer) Refresh() {
	th := r.s.Theme()
	c := th.Color(r.s.color, fyne.CurrentApp().Settings().ThemeVariant())
	if c == nil || isTransparent(c) {
		c = th.Color(theme.ColorNameInputBackground, fyne.CurrentApp().Settings().ThemeVariant())
	}
	r.rect.FillColor = c
	r.rect.CornerRadius = r.s.radius
	r.rect.Refresh()
}

func isTransparent(c color.Color) bool {
	_, _, _, a := c.RGBA()
	return a == 0
}

// firstLine returns the first line of s, trimmed.
func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// layoutSpacer expands to fill a box.
func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
