package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/nookchat/nook/app/i18n"
)

// quoteBox is the quoted message inside a MessageBubble: a tinted box with
// an accent bar, the quoted author and the first line of the quoted text.
// Tapping it calls onTap.
type quoteBox struct {
	widget.BaseWidget

	onTap func()

	bg, bar      *canvas.Rectangle
	author, text *canvas.Text
	full         string // the untruncated first line
	fullAuthor   string // the untruncated author
}

var (
	_ fyne.Tappable      = (*quoteBox)(nil)
	_ desktop.Cursorable = (*quoteBox)(nil)
)

const (
	quotePad = 6 // inside the quote box
	quoteBar = 3 // width of the accent bar
)

func newQuoteBox() *quoteBox {
	q := &quoteBox{
		bg:     &canvas.Rectangle{CornerRadius: 6},
		bar:    &canvas.Rectangle{CornerRadius: 1.5},
		author: canvas.NewText("", nil),
		text:   canvas.NewText("", nil),
	}
	q.author.TextStyle.Bold = true
	q.ExtendBaseWidget(q)
	return q
}

// set updates the box for quote qt and the colours of the bubble around it.
func (q *quoteBox) set(qt Quote, bg, bar, fg, muted color.Color, th fyne.Theme) {
	q.bg.FillColor, q.bar.FillColor = bg, bar
	q.fullAuthor, q.author.Color = qt.Author, fg
	if q.fullAuthor == "" {
		q.fullAuthor = i18n.T("common.unknown")
	}
	q.full = firstLine(qt.Text)
	q.text.Color = muted
	q.author.TextSize = th.Size(theme.SizeNameCaptionText)
	q.text.TextSize = th.Size(theme.SizeNameText) * 0.9
}

func (q *quoteBox) naturalWidth() float32 {
	aw := fyne.MeasureText(q.fullAuthor, q.author.TextSize, q.author.TextStyle).Width
	tw := fyne.MeasureText(q.full, q.text.TextSize, q.text.TextStyle).Width
	return fyne.Max(aw, tw) + quoteBar + 2*quotePad + 1
}

// Tapped implements fyne.Tappable.
func (q *quoteBox) Tapped(*fyne.PointEvent) {
	if q.onTap != nil {
		q.onTap()
	}
}

// Cursor implements desktop.Cursorable: the quote is a link.
func (q *quoteBox) Cursor() desktop.Cursor { return desktop.PointerCursor }

// CreateRenderer implements fyne.Widget.
func (q *quoteBox) CreateRenderer() fyne.WidgetRenderer {
	return &quoteRenderer{q: q}
}

type quoteRenderer struct{ q *quoteBox }

func (r *quoteRenderer) Destroy() {}

func (r *quoteRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.q.bg, r.q.bar, r.q.author, r.q.text}
}

func (r *quoteRenderer) MinSize() fyne.Size {
	q := r.q
	ah := fyne.MeasureText("M", q.author.TextSize, q.author.TextStyle).Height
	th := fyne.MeasureText("M", q.text.TextSize, q.text.TextStyle).Height
	return fyne.NewSize(quoteBar+2*quotePad+20, ah+th+2*quotePad)
}

func (r *quoteRenderer) Layout(s fyne.Size) {
	q := r.q
	q.bg.Resize(s)
	q.bar.Move(fyne.NewPos(0, 0))
	q.bar.Resize(fyne.NewSize(quoteBar, s.Height))
	x := quoteBar + quotePad
	maxW := s.Width - float32(x) - quotePad
	q.author.Text = ellipsize(q.fullAuthor, q.author.TextSize, q.author.TextStyle, maxW)
	q.author.Move(fyne.NewPos(float32(x), quotePad-1))
	q.author.Resize(q.author.MinSize())
	q.text.Text = ellipsize(q.full, q.text.TextSize, q.text.TextStyle, maxW)
	q.text.Move(fyne.NewPos(float32(x), quotePad-1+q.author.MinSize().Height))
	q.text.Resize(q.text.MinSize())
}

func (r *quoteRenderer) Refresh() {
	r.Layout(r.q.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}
