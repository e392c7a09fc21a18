package invite

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/nookchat/nook/engine/files"
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
	// MaxImageMemory bounds the decoded picture: width × height × the
	// bytes a pixel of its colour model takes (imageBytesPerPixel), so a
	// 16-bit RGBA PNG (8 bytes a pixel) is refused above 12 megapixels,
	// where 24 million of its pixels would take 183 MiB (security review
	// 2, L-E).
	MaxImageMemory = 96 << 20

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
// before decoding an image that is too large or not one of these formats
// (chosen by the file's first bytes; other decoders registered in the
// program are never used), and ErrImage for a WebP whose frame does not
// have its canvas's size, a decoder that panics, or a decoded picture
// larger than its header declared.
func DecodeImageBytes(b []byte) (Invite, error) {
	img, err := decodeImage(b)
	if err != nil {
		return nil, err
	}
	return DecodeImage(img)
}

// DecodeImageFile reads an image file and an invite from it, as
// DecodeImageBytes. A file larger than MaxImageBytes is refused unread, and
// at most MaxImageBytes+1 bytes are read of anything (a pipe, a device).
func DecodeImageFile(path string) (Invite, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(64 << 10)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > MaxImageBytes {
			return nil, fmt.Errorf("%w: more than %d MiB", ErrImageTooLarge, MaxImageBytes>>20)
		}
		size = st.Size() + 1
	}
	b, err := readLimited(f, size, MaxImageBytes+1)
	if err != nil {
		return nil, err
	}
	return DecodeImageBytes(b)
}

// readLimited reads r to its end or to limit bytes, whichever comes first,
// into a buffer that starts at size bytes and doubles up to limit: for a
// regular file (size is its length) that is one allocation, and for a pipe
// or a device at most about three times limit in all.
func readLimited(r io.Reader, size, limit int64) ([]byte, error) {
	b := make([]byte, 0, min(max(size, 512), limit))
	for {
		if len(b) == cap(b) {
			if int64(len(b)) >= limit {
				return b, nil
			}
			nb := make([]byte, len(b), min(2*int64(cap(b)), limit))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// imageFormat is a picture format DecodeImageBytes reads. The decoders are
// called directly, never through the image package's registry: a program
// that links Nook may register other decoders (Fyne's dependencies register
// TIFF and BMP), and invite reading must not reach decoders nobody fuzzes.
type imageFormat struct {
	name string
	// mediaType is the type files.MediaType names from the first bytes.
	mediaType string
	config    func(io.Reader) (image.Config, error)
	decode    func(io.Reader) (image.Image, error)
	// check, if not nil, looks at the whole file before it is decoded.
	check func(b []byte, cfg image.Config) error
}

// imageFormats is the allow-list, chosen by the file's first bytes.
var imageFormats = []imageFormat{
	{"PNG", "image/png", png.DecodeConfig, png.Decode, nil},
	{"JPEG", "image/jpeg", jpeg.DecodeConfig, jpeg.Decode, nil},
	{"GIF", "image/gif", gif.DecodeConfig, gif.Decode, nil},
	{"WebP", "image/webp", webp.DecodeConfig, webp.Decode, checkWebP},
}

// sniffImage returns the allowed format of b, or nil.
func sniffImage(b []byte) *imageFormat {
	t := files.MediaType(b)
	for i := range imageFormats {
		if imageFormats[i].mediaType == t {
			return &imageFormats[i]
		}
	}
	return nil
}

// imageConfig returns the format and the declared size of an image file
// whose format is allowed, without decoding it.
func imageConfig(b []byte) (f *imageFormat, cfg image.Config, err error) {
	f = sniffImage(b)
	if f == nil {
		return nil, cfg, fmt.Errorf("%w: not a PNG, JPEG, GIF or WebP file", ErrImage)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: the %s decoder failed", ErrImage, f.name)
		}
	}()
	cfg, err = f.config(bytes.NewReader(b))
	if err != nil {
		return nil, cfg, fmt.Errorf("%w: %s: %w", ErrImage, f.name, err)
	}
	return f, cfg, nil
}

// decodeImage decodes an image file of an allowed format whose declared
// size is within MaxImagePixels; a decoder's panic is an ErrImage, and a
// decoded image larger than declared is refused.
func decodeImage(b []byte) (img image.Image, err error) {
	if len(b) > MaxImageBytes {
		return nil, fmt.Errorf("%w: more than %d MiB", ErrImageTooLarge, MaxImageBytes>>20)
	}
	f, cfg, err := imageConfig(b)
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxImagePixels/cfg.Height {
		return nil, fmt.Errorf("%w: %d×%d pixels", ErrImageTooLarge, cfg.Width, cfg.Height)
	}
	if bpp := imageBytesPerPixel(cfg.ColorModel); cfg.Width*cfg.Height > MaxImageMemory/bpp {
		return nil, fmt.Errorf("%w: %d×%d pixels of %d bytes", ErrImageTooLarge, cfg.Width, cfg.Height, bpp)
	}
	if f.check != nil {
		if err := f.check(b, cfg); err != nil {
			return nil, err
		}
	}
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: the %s decoder failed", ErrImage, f.name)
		}
	}()
	img, err = f.decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrImage, f.name, err)
	}
	// The picture must lie within the size its header declared (a GIF's
	// first frame may be smaller).
	if r := img.Bounds(); r.Empty() || !r.In(image.Rect(0, 0, cfg.Width, cfg.Height)) {
		return nil, fmt.Errorf("%w: %s: decoded %d×%d pixels at (%d,%d) in a %d×%d picture", ErrImage, f.name, r.Dx(), r.Dy(), r.Min.X, r.Min.Y, cfg.Width, cfg.Height)
	}
	return img, nil
}

// imageBytesPerPixel returns how many bytes a decoded pixel of the colour
// model takes (files.BytesPerPixel, shared with files sent in chats).
func imageBytesPerPixel(m color.Model) int { return files.BytesPerPixel(m) }

// checkWebP refuses a WebP unless every frame has the size of the canvas
// cfg declares, as a still WebP must (files.CheckWebP, shared with files
// sent in chats): a VP8X header declaring a 1×1 canvas in front of an
// 8000×8000 lossless frame decodes to 256 MB from 46 bytes in decoders
// that trust the header.
func checkWebP(b []byte, cfg image.Config) error {
	if err := files.CheckWebP(b, cfg); err != nil {
		return fmt.Errorf("%w: %w", ErrImage, err)
	}
	return nil
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
	// One luminance copy per image (a byte a pixel), shared by the
	// attempts on it.
	srcs := make([]gozxing.LuminanceSource, len(images))
	for i, c := range images {
		srcs[i] = gozxing.NewLuminanceSourceFromImage(c.im)
	}
	attempts := []attempt{{src: srcs[len(srcs)-1], pure: true}} // img is the last
	for _, tryHarder := range []bool{false, true} {
		for i, c := range images {
			if tryHarder && huge && c.full {
				continue
			}
			src := srcs[i]
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
