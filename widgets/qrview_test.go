package widgets

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	goqrcode "github.com/skip2/go-qrcode"
)

const qrPayload = "nook1:contact:5gyzvxzbhpgnnqffzk2fxxgfqyuk6xuxeqbeapdnxj2w6yd27ztmalqd:Alice"

// testQR returns a real QR code at one pixel per module, as PNG.
func testQR(t *testing.T) []byte {
	t.Helper()
	q, err := goqrcode.New(qrPayload, goqrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	img := q.Image(0) // 0: one pixel per module, quiet zone included
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestQRView_Render(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			newTestApp(t, v.v)
			q, err := NewQRViewFromPNG(testQR(t), "Show this to your contact, or copy the text below.", 200)
			if err != nil {
				t.Fatal(err)
			}
			w := showIn(t, q, fyne.NewSize(320, 330))
			test.AssertRendersToMarkup(t, "qrview_"+v.name+".xml", w.Canvas())
			test.AssertRendersToImage(t, "qrview_"+v.name+".png", w.Canvas())

			// What a camera sees must decode, in dark mode too.
			if got := decodeQR(t, w.Canvas().Capture()); got != qrPayload {
				t.Errorf("decoded %q, want %q", got, qrPayload)
			}
		})
	}
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("rendered QR code does not decode: %v", err)
	}
	return res.GetText()
}

func TestQRView_MinSizeAndErrors(t *testing.T) {
	newTestApp(t, VariantLight)
	if _, err := NewQRViewFromPNG([]byte("not a png"), "", 0); err == nil {
		t.Error("NewQRViewFromPNG accepted garbage")
	}
	q := NewQRView(nil, "", 300)
	if ms := q.MinSize(); ms.Width < 300 || ms.Height < 300 {
		t.Errorf("MinSize = %v, want at least 300×300", ms)
	}
	if err := q.SetPNG([]byte{1, 2, 3}); err == nil || q.Image() != nil {
		t.Error("SetPNG with garbage: want an error and the view unchanged")
	}
	if err := q.SetPNG(testQR(t)); err != nil || q.Image() == nil {
		t.Errorf("SetPNG: %v", err)
	}
}
