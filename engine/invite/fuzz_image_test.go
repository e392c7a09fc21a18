package invite

import (
	"bytes"
	"image"
	"image/gif"
	"testing"
)

// fuzzMaxPixels bounds the images FuzzDecodeSmallImage decodes.
// FuzzDecodeImageBytes accepts every image DecodeImageBytes does, up to
// MaxImagePixels; the fuzzer soon finds tiny files that declare tens of
// millions of pixels (a 36 KiB GIF takes about a second to decode and
// several to search for a QR code), and then runs a handful of inputs a
// minute. This target keeps to images of at most 256×256 pixels, so the
// decoders (PNG, JPEG, GIF, WebP) and the QR reader see thousands of
// inputs a second. The seeds include the WebP bomb (a 1×1 canvas holding
// an 8000×8000 frame) and TIFF and BMP files, which must be refused.
const fuzzMaxPixels = 256 * 256

// FuzzDecodeSmallImage is DecodeImageBytes on small images: any bytes give
// an invite or an error with a hint, never a panic.
func FuzzDecodeSmallImage(f *testing.F) {
	for _, s := range seeds(f)["FuzzDecodeImageBytes"] {
		f.Add(s)
	}
	var buf bytes.Buffer
	gif.Encode(&buf, image.NewGray(image.Rect(0, 0, 21, 21)), nil)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		_, cfg, err := imageConfig(data)
		if err == nil && (cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > fuzzMaxPixels/cfg.Height) {
			return
		}
		if _, err := DecodeImageBytes(data); err != nil {
			checkErr(t, err)
		}
	})
}
