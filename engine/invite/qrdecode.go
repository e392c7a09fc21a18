package invite

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif"  // decoders for DecodeImageBytes
	_ "image/jpeg" // decoders for DecodeImageBytes
	_ "image/png"  // decoders for DecodeImageBytes
	"io"
	"os"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decoder for DecodeImageBytes
)

// Limits on images, checked before an image is decoded.
const (
	// MaxImageBytes is the largest image file DecodeImageBytes and
	// DecodeImageFile accept.
	MaxImageBytes = 32 << 20
	// MaxImagePixels is the largest image, in pixels, they decode (a
	// 24-megapixel photo; phones take 12). Decoding and searching cost
	// grows with it: a hostile image must not cost seconds and hundreds of
	// MiB.
	MaxImagePixels = 24_000_000

	// maxHardPixels is the largest image the slow, thorough attempts
	// look at in full; larger ones get them only scaled down.
	maxHardPixels = 4_000_000
)

// maxSide is the longest side ReadQR looks at in full; larger images are
// also tried scaled down, which helps the finder-pattern search in big
// photos where the code is only a part.
const maxSide = 1600

// DecodeImage reads a QR code in img and parses it as an invite (see Parse
// for the errors about its content). It returns ErrNoQRCode if it finds no
// code.
func DecodeImage(img image.Image) (Invite, error) {
	text, err := ReadQR(img)
	if err != nil {
		return nil, err
	}
	return Parse(text)
}

// DecodeImageBytes decodes a PNG, JPEG, GIF or WebP image and reads an
// invite from it, as DecodeImage. It returns ErrImageTooLarge or ErrImage
// before decoding an image that is too large or not an image.
func DecodeImageBytes(b []byte) (Invite, error) {
	img, err := decodeImage(b)
	if err != nil {
		return nil, err
	}
	return DecodeImage(img)
}

// DecodeImageFile reads an image file and an invite from it, as
// DecodeImageBytes.
func DecodeImageFile(path string) (Invite, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxImageBytes+1))
	if err != nil {
		return nil, err
	}
	return DecodeImageBytes(b)
}

func decodeImage(b []byte) (image.Image, error) {
	if len(b) > MaxImageBytes {
		return nil, fmt.Errorf("%w: more than %d MiB", ErrImageTooLarge, MaxImageBytes>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImagePixels/cfg.Height {
		return nil, fmt.Errorf("%w: %d×%d pixels", ErrImageTooLarge, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrImage, format, err)
	}
	return img, nil
}

// ReadQR returns the text of a QR code in img. It tries hard: both of
// ZXing's binarizers (local thresholds for uneven light, a global histogram
// for low contrast) with the TRY_HARDER hint, the image inverted (a light
// code on a dark background, as in a dark-mode screenshot), and, for a large
// image, the same at a smaller scale. It returns ErrNoQRCode if all fail.
func ReadQR(img image.Image) (text string, err error) {
	if b := img.Bounds(); b.Empty() {
		return "", ErrNoQRCode
	}
	// gozxing is a port of Java code that signals with exceptions; make
	// sure an unexpected panic in it cannot take the program down.
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%w: decoder failed", ErrNoQRCode)
		}
	}()
	type candidate struct {
		im   image.Image
		full bool // img itself, not a scaled copy
	}
	images := []candidate{{img, true}}
	b := img.Bounds()
	if max(b.Dx(), b.Dy()) > maxSide {
		// The scaled-down copy first: it is cheaper, and a QR code that
		// fills a good part of a photo reads better at that size.
		images = []candidate{{downscale(img, maxSide), false}, {img, true}}
	}
	huge := b.Dx()*b.Dy() > maxHardPixels
	// Cheap attempts first (a clean rendering or screenshot, upright or
	// inverted), then the slow ones.
	type attempt struct {
		src       gozxing.LuminanceSource
		global    bool // GlobalHistogramBinarizer rather than HybridBinarizer
		tryHarder bool
		pure      bool // the image is only the code (a rendering, an exported PNG)
	}
	// A clean rendering first, read straight off its module grid: the
	// finder-pattern search fails on about one code in a few hundred even
	// when the image is perfect.
	attempts := []attempt{{src: gozxing.NewLuminanceSourceFromImage(img), pure: true}}
	for _, tryHarder := range []bool{false, true} {
		for _, c := range images {
			if tryHarder && huge && c.full {
				continue
			}
			src := gozxing.NewLuminanceSourceFromImage(c.im)
			for _, s := range []gozxing.LuminanceSource{src, src.Invert()} {
				attempts = append(attempts, attempt{src: s, tryHarder: tryHarder})
				if tryHarder {
					attempts = append(attempts, attempt{src: s, global: true, tryHarder: tryHarder})
				}
			}
		}
	}
	reader := qrcode.NewQRCodeReader()
	for _, a := range attempts {
		var bin gozxing.Binarizer = gozxing.NewHybridBinarizer(a.src)
		if a.global {
			bin = gozxing.NewGlobalHistgramBinarizer(a.src)
		}
		bmp, err := gozxing.NewBinaryBitmap(bin)
		if err != nil {
			continue
		}
		var hints map[gozxing.DecodeHintType]any
		switch {
		case a.pure:
			hints = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
		case a.tryHarder:
			hints = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
		}
		res, err := reader.Decode(bmp, hints)
		reader.Reset()
		if err == nil {
			return res.GetText(), nil
		}
	}
	return "", ErrNoQRCode
}

// downscale returns img scaled so that its longer side is side pixels.
func downscale(img image.Image, side int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w >= h {
		w, h = side, max(1, h*side/w)
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewGray(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}
