package widgets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// qrCardPad is the white margin around the code inside its card, on top of
// the code's own quiet zone.
const qrCardPad = 14

// DefaultQRSize is the side of the code when NewQRView is given 0.
const DefaultQRSize = 240

// QRView shows a QR code large and crisp on a white card, with a caption
// underneath. The card stays white in dark mode: phone cameras expect dark
// modules on a light background. The code is scaled with nearest-neighbour
// sampling so module edges stay sharp, and at a whole multiple of its pixel
// size when it fits.
type QRView struct {
	widget.BaseWidget

	// Caption is shown under the card, centred and wrapped.
	Caption string
	// MinQRSize is the smallest side of the code in canvas units.
	MinQRSize float32

	img image.Image
}

// NewQRView returns a view of img with the given caption whose code is never
// smaller than minSize (0 means DefaultQRSize).
func NewQRView(img image.Image, caption string, minSize float32) *QRView {
	if minSize <= 0 {
		minSize = DefaultQRSize
	}
	q := &QRView{Caption: caption, MinQRSize: minSize, img: img}
	q.ExtendBaseWidget(q)
	return q
}

// NewQRViewFromPNG is NewQRView for a PNG-encoded code.
func NewQRViewFromPNG(pngData []byte, caption string, minSize float32) (*QRView, error) {
	img, err := decodePNG(pngData)
	if err != nil {
		return nil, err
	}
	return NewQRView(img, caption, minSize), nil
}

func decodePNG(data []byte) (image.Image, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode QR code image: %w", err)
	}
	return img, nil
}

// Image returns the code shown.
func (q *QRView) Image() image.Image { return q.img }

// SetImage shows another code; nil shows an empty card.
func (q *QRView) SetImage(img image.Image) {
	q.img = img
	q.Refresh()
}

// SetPNG shows a PNG-encoded code. On a decoding error the view is left
// unchanged.
func (q *QRView) SetPNG(data []byte) error {
	img, err := decodePNG(data)
	if err != nil {
		return err
	}
	q.SetImage(img)
	return nil
}

// SetCaption changes the caption.
func (q *QRView) SetCaption(s string) {
	q.Caption = s
	q.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (q *QRView) CreateRenderer() fyne.WidgetRenderer {
	q.ExtendBaseWidget(q)
	r := &qrRenderer{
		q:       q,
		card:    &canvas.Rectangle{FillColor: color.White, CornerRadius: 12},
		image:   &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels},
		caption: widget.NewLabel(""),
	}
	r.caption.Alignment = fyne.TextAlignCenter
	r.caption.Wrapping = fyne.TextWrapWord
	r.Refresh()
	return r
}

type qrRenderer struct {
	q       *QRView
	card    *canvas.Rectangle
	image   *canvas.Image
	caption *widget.Label
	objs    []fyne.CanvasObject // Objects, made once
}

func (r *qrRenderer) Destroy() {}

func (r *qrRenderer) Objects() []fyne.CanvasObject {
	if r.objs == nil {
		r.objs = []fyne.CanvasObject{r.card, r.image, r.caption}
	}
	return r.objs
}

func (r *qrRenderer) minQR() float32 {
	if r.q.MinQRSize > 0 {
		return r.q.MinQRSize
	}
	return DefaultQRSize
}

func (r *qrRenderer) captionHeight(w float32) float32 {
	if r.q.Caption == "" {
		return 0
	}
	r.caption.Resize(fyne.NewSize(w, r.caption.Size().Height))
	return r.caption.MinSize().Height
}

func (r *qrRenderer) MinSize() fyne.Size {
	side := r.minQR() + 2*qrCardPad
	w := fyne.Max(side, r.q.Size().Width)
	return fyne.NewSize(side, side+r.captionHeight(w))
}

func (r *qrRenderer) Layout(s fyne.Size) {
	capH := r.captionHeight(s.Width)
	side := fyne.Min(s.Width, s.Height-capH)
	side = fyne.Max(side, r.minQR()+2*qrCardPad)
	inner := side - 2*qrCardPad
	// Snap to a whole number of source pixels per unit when the code is
	// smaller than the space, so every module gets the same width.
	if img := r.q.img; img != nil {
		px := float32(img.Bounds().Dx())
		if px > 0 && inner >= px {
			inner = float32(int(inner/px)) * px
			side = inner + 2*qrCardPad
		}
	}
	x := (s.Width - side) / 2
	r.card.Move(fyne.NewPos(x, 0))
	r.card.Resize(fyne.NewSquareSize(side))
	r.image.Move(fyne.NewPos(x+qrCardPad, qrCardPad))
	r.image.Resize(fyne.NewSquareSize(inner))
	r.caption.Move(fyne.NewPos(0, side))
	r.caption.Resize(fyne.NewSize(s.Width, capH))
}

func (r *qrRenderer) Refresh() {
	th := r.q.Theme()
	r.image.Image = r.q.img
	r.image.Hidden = r.q.img == nil
	r.caption.Text = r.q.Caption
	r.caption.Hidden = r.q.Caption == ""
	// A hairline keeps the white card from melting into a light background.
	r.card.StrokeColor = themeColor(th, theme.ColorNameSeparator)
	r.card.StrokeWidth = 1
	r.caption.Refresh()
	r.Layout(r.q.Size())
	r.card.Refresh()
	r.image.Refresh()
}
