package invite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"io"
	"runtime"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// webpFile wraps chunks (fourcc, data) in a RIFF WEBP container.
func webpFile(chunks ...[]byte) []byte {
	var body []byte
	body = append(body, "WEBP"...)
	for i := 0; i+1 < len(chunks); i += 2 {
		body = append(body, chunks[i]...)
		body = binary.LittleEndian.AppendUint32(body, uint32(len(chunks[i+1])))
		body = append(body, chunks[i+1]...)
		if len(chunks[i+1])%2 == 1 {
			body = append(body, 0)
		}
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// vp8l returns a lossless bitstream of a w×h picture whose every pixel is
// the one symbol of five one-symbol prefix codes: a few bytes for any size.
func vp8l(w, h int) []byte {
	bits := uint64(w-1) | uint64(h-1)<<14 // alpha 0, version 0
	// No transform, no colour cache, no meta prefix codes, then five simple
	// codes of one 1-bit symbol 0: 1,0,0,0 each.
	var n uint = 32
	for _, b := range []uint64{0, 0, 0} {
		bits |= b << n
		n++
	}
	for range 5 {
		bits |= 1 << n
		n += 4
	}
	out := []byte{0x2f}
	out = binary.LittleEndian.AppendUint64(out, bits)
	return out[:1+int(n+7)/8]
}

// vp8x returns a VP8X chunk's data for a w×h canvas.
func vp8x(w, h int) []byte {
	d := make([]byte, 10)
	d[4], d[5], d[6] = byte(w-1), byte((w-1)>>8), byte((w-1)>>16)
	d[7], d[8], d[9] = byte(h-1), byte((h-1)>>8), byte((h-1)>>16)
	return d
}

// webpBomb is the review's 46-byte WebP: a VP8X header that declares a 1×1
// canvas, holding an 8000×8000 lossless frame (256 MB decoded).
func webpBomb() []byte {
	return webpFile([]byte("VP8X"), vp8x(1, 1), []byte("VP8L"), vp8l(8000, 8000))
}

// TestWebPBomb: a WebP whose frame is larger than its canvas is refused
// before anything of its size is allocated.
func TestWebPBomb(t *testing.T) {
	bomb := webpBomb()
	if len(bomb) != 46 {
		t.Fatalf("bomb has %d bytes, want 46", len(bomb))
	}
	// A 1×1 frame in the same container is an image (the file is well formed).
	if _, err := decodeImage(webpFile([]byte("VP8X"), vp8x(1, 1), []byte("VP8L"), vp8l(1, 1))); err != nil {
		t.Fatalf("1×1 WebP: %v", err)
	}
	for _, in := range [][]byte{bomb, webpFile([]byte("VP8L"), vp8l(3, 3), []byte("VP8L"), vp8l(8000, 8000))} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		img, err := decodeImage(in)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("decoded a %v picture from %d bytes", img.Bounds(), len(in))
		}
		if !errors.Is(err, ErrImage) && !errors.Is(err, ErrImageTooLarge) || Hint(err) == "" {
			t.Fatalf("error %v, want ErrImage or ErrImageTooLarge", err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Fatalf("refusing the bomb allocated %d bytes", n)
		}
		if _, err := DecodeImageBytes(in); err == nil {
			t.Fatal("DecodeImageBytes accepted the bomb")
		}
	}
}

// TestOnlyAllowedFormats: TIFF and BMP pictures are refused even when their
// decoders are registered in the program (as Fyne's dependencies register
// them in the app, and as this test binary does by importing them): the
// format is chosen by magic bytes from PNG, JPEG, GIF and WebP, never through
// the image package's registry.
func TestOnlyAllowedFormats(t *testing.T) {
	img, err := QRImage(testInvites(t)["contact"].Encode(), 200)
	if err != nil {
		t.Fatal(err)
	}
	var p, ti, bm bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := tiff.Encode(&ti, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bm, img); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeImageBytes(p.Bytes()); err != nil {
		t.Fatalf("PNG: %v", err)
	}
	for name, b := range map[string][]byte{"TIFF": ti.Bytes(), "BMP": bm.Bytes()} {
		if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("%s is not registered in the test binary: %v", name, err)
		}
		if _, err := DecodeImageBytes(b); !errors.Is(err, ErrImage) {
			t.Fatalf("%s: error %v, want ErrImage", name, err)
		}
	}
}

// TestDecoderFailures: a decoder that panics gives ErrImage, not a crash,
// and a decoded picture larger than its header declared is refused. Real
// decoders are not known to do either; stand-ins for the PNG decoder show
// that decodeImage holds if one ever does.
func TestDecoderFailures(t *testing.T) {
	img, err := QRImage(testInvites(t)["contact"].Encode(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var p bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	saved := imageFormats[0]
	t.Cleanup(func() { imageFormats[0] = saved })
	if saved.name != "PNG" {
		t.Fatalf("first format is %s", saved.name)
	}
	for name, decode := range map[string]func(io.Reader) (image.Image, error){
		"panics":        func(io.Reader) (image.Image, error) { panic("index out of range") },
		"larger":        func(io.Reader) (image.Image, error) { return image.NewGray(image.Rect(0, 0, 5000, 5000)), nil },
		"outside":       func(io.Reader) (image.Image, error) { return image.NewGray(image.Rect(50, 50, 150, 150)), nil },
		"empty":         func(io.Reader) (image.Image, error) { return image.NewGray(image.Rect(0, 0, 0, 0)), nil },
		"config panics": nil,
	} {
		imageFormats[0] = saved
		if decode != nil {
			imageFormats[0].decode = decode
		} else {
			imageFormats[0].config = func(io.Reader) (image.Config, error) { panic("nil map") }
		}
		if _, err := DecodeImageBytes(p.Bytes()); !errors.Is(err, ErrImage) || Hint(err) == "" {
			t.Fatalf("decoder that %s: error %v, want ErrImage", name, err)
		}
	}
	imageFormats[0] = saved
	if _, err := DecodeImageBytes(p.Bytes()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkLargestImage measures the worst a pasted picture can cost: a GIF
// of one colour at the pixel limit (a few KiB on disk), decoded and searched
// for a QR code in full. Memory is the Go heap in use after decoding.
func BenchmarkLargestImage(b *testing.B) {
	side := 1
	for (side+1)*(side+1) <= MaxImagePixels {
		side++
	}
	var buf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	if err := gif.Encode(&buf, pal, nil); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		img, err := decodeImage(data)
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		if _, err := ReadQR(img); !errors.Is(err, ErrNoQRCode) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data))/1024, "file-KiB")
}
