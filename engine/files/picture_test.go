package files

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"testing"

	"github.com/nookchat/nook/engine/files/filestest"
)

// TestStripJPEGGPS makes a JPEG with GPS, filestest.Serial-number, XMP and comment
// metadata and checks that none of it survives StripMetadata, and that the
// picture does.
func TestStripJPEGGPS(t *testing.T) {
	in := filestest.Photo(t, 64, 48, 1)
	for what, n := range filestest.Metadata() {
		if !bytes.Contains(in, n) {
			t.Fatalf("the test photo lacks its %s", what)
		}
	}
	if o := jpegOrientation(in); o != 1 {
		t.Fatalf("orientation %d", o)
	}
	out, typ, err := StripMetadata(in)
	if err != nil || typ != "image/jpeg" {
		t.Fatalf("StripMetadata: %q, %v", typ, err)
	}
	for what, n := range filestest.Metadata() {
		if bytes.Contains(out, n) {
			t.Errorf("%s survived stripping", what)
		}
	}
	if ms := appMarkers(out); len(ms) != 0 {
		t.Errorf("stripped JPEG still has APPn/COM markers %x", ms)
	}
	img, err := DecodePicture(out)
	if err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 48 {
		t.Fatalf("stripped picture: %v, %v", img, err)
	}
}

// appMarkers lists the APPn and COM markers before a JPEG's first scan.
func appMarkers(b []byte) []byte {
	var ms []byte
	for off := 2; off+4 <= len(b) && b[off] == 0xff; {
		m := b[off+1]
		if m == 0xda {
			break
		}
		if m >= 0xe0 && m <= 0xef || m == 0xfe {
			ms = append(ms, m)
		}
		off += 2 + int(binary.BigEndian.Uint16(b[off+2:]))
	}
	return ms
}

// TestStripOrientation: orientation 6 (turn 90° clockwise) is applied to
// the pixels, since the tag is gone.
func TestStripOrientation(t *testing.T) {
	in := filestest.Photo(t, 40, 20, 6)
	if o := jpegOrientation(in); o != 6 {
		t.Fatalf("orientation %d, want 6", o)
	}
	out, _, err := StripMetadata(in)
	if err != nil {
		t.Fatal(err)
	}
	img, err := DecodePicture(out)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 {
		t.Fatalf("turned picture is %v, want 20×40", b)
	}
	// The red corner (0,0) moves to the top right.
	r, g, _, _ := img.At(17, 2).RGBA()
	if r>>8 < 0xb0 || g>>8 > 0x60 {
		t.Fatalf("top right is %x,%x, want red", r>>8, g>>8)
	}
	th, err := Thumbnail(in)
	if err != nil || th.Bounds().Dx() != 20 || th.Bounds().Dy() != 40 {
		t.Fatalf("thumbnail %v, %v", th.Bounds(), err)
	}
}

// pngChunk builds one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

func TestStripPNGText(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// Insert a tEXt and an eXIf chunk after IHDR (8 + 25 bytes).
	var in []byte
	in = append(in, b[:33]...)
	in = append(in, pngChunk("tEXt", []byte("Author\x00"+filestest.Serial))...)
	in = append(in, pngChunk("eXIf", filestest.EXIF(1))...)
	in = append(in, b[33:]...)
	if _, err := DecodePicture(in); err != nil {
		t.Fatalf("test PNG does not decode: %v", err)
	}
	out, typ, err := StripMetadata(in)
	if err != nil || typ != "image/png" {
		t.Fatal(typ, err)
	}
	for what, n := range filestest.Metadata() {
		if bytes.Contains(out, n) {
			t.Errorf("%s survived stripping", what)
		}
	}
	for _, c := range []string{"tEXt", "eXIf", "iTXt", "zTXt"} {
		if bytes.Contains(out, []byte(c)) {
			t.Errorf("chunk %s survived", c)
		}
	}
}

// TestDecompressionBomb: a PNG declaring 100 000 × 100 000 pixels in a
// few dozen bytes is refused from its header, and so is one within the
// pixel limit whose 16-bit pixels would take too much memory.
func TestDecompressionBomb(t *testing.T) {
	header := func(w, h uint32, depth, colour byte) []byte {
		ihdr := binary.BigEndian.AppendUint32(nil, w)
		ihdr = binary.BigEndian.AppendUint32(ihdr, h)
		ihdr = append(ihdr, depth, colour, 0, 0, 0)
		b := []byte("\x89PNG\r\n\x1a\n")
		b = append(b, pngChunk("IHDR", ihdr)...)
		b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0, 0, 0, 0, 1})...)
		return append(b, pngChunk("IEND", nil)...)
	}
	for name, b := range map[string][]byte{
		"100000²":          header(100000, 100000, 8, 2),
		"16-bit 20 Mpx":    header(5000, 4000, 16, 6),
		"zero width":       header(0, 10, 8, 2),
		"over 32 MiB file": append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxPictureBytes)...),
	} {
		for fn, f := range map[string]func([]byte) error{
			"DecodePicture": func(b []byte) error { _, err := DecodePicture(b); return err },
			"StripMetadata": func(b []byte) error { _, _, err := StripMetadata(b); return err },
			"Thumbnail":     func(b []byte) error { _, err := Thumbnail(b); return err },
		} {
			err := f(b)
			if name == "zero width" {
				if err == nil {
					t.Errorf("%s(%s): no error", fn, name)
				}
				continue
			}
			if !errors.Is(err, ErrPictureTooLarge) {
				t.Errorf("%s(%s) = %v, want ErrPictureTooLarge", fn, name, err)
			}
		}
	}
}

func TestNotPictures(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("%PDF-1.7 ..."), []byte("hello"), []byte("GIF89a"), []byte("BM\x00\x00")} {
		if _, _, err := StripMetadata(b); err == nil {
			t.Errorf("StripMetadata(%q) succeeded", b)
		}
	}
	if MediaType([]byte("%PDF-1.4")) != "application/pdf" || MediaType([]byte("zz")) != "application/octet-stream" || MediaType(filestest.Photo(t, 4, 4, 1)) != "image/jpeg" {
		t.Fatal("MediaType")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 500, 100))); err != nil {
		t.Fatal(err)
	}
	th, err := Thumbnail(buf.Bytes())
	if err != nil || th.Bounds().Dx() != ThumbnailSide || th.Bounds().Dy() != 64 {
		t.Fatalf("thumbnail of 500×100: %v, %v", th.Bounds(), err)
	}
}

func FuzzPicture(f *testing.F) {
	f.Add(filestest.Photo(f, 16, 8, 6))
	f.Add(filestest.Photo(f, 3, 3, 9))
	var buf bytes.Buffer
	png.Encode(&buf, image.NewPaletted(image.Rect(0, 0, 5, 5), color.Palette{color.Black, color.White}))
	f.Add(buf.Bytes())
	f.Add([]byte("RIFF\x20\x00\x00\x00WEBPVP8L\x05\x00\x00\x00\x2f\x00\x00\x00\x00"))
	f.Add([]byte("GIF89a\x01\x00\x01\x00"))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = jpegOrientation(b)
		if img, err := DecodePicture(b); err == nil {
			if r := img.Bounds(); r.Dx()*r.Dy() > MaxPicturePixels {
				t.Fatalf("decoded %v", r)
			}
		}
		if out, _, err := StripMetadata(b); err == nil {
			if bytes.Contains(out, []byte("Exif\x00\x00")) {
				t.Fatal("stripped output holds EXIF")
			}
		}
		if th, err := Thumbnail(b); err == nil {
			if r := th.Bounds(); r.Dx() > ThumbnailSide || r.Dy() > ThumbnailSide {
				t.Fatalf("thumbnail %v", r)
			}
		}
	})
}

// TestStripGIFComment: a GIF can carry a comment (and XMP in an
// application extension); stripping sends it as a PNG of its pixels.
func TestStripGIFComment(t *testing.T) {
	var buf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 6, 4), color.Palette{color.Black, color.White})
	if err := gif.Encode(&buf, pal, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// A comment extension (0x21 0xfe, sub-blocks, 0) before the trailer.
	ext := append([]byte{0x21, 0xfe, byte(len(filestest.Comment))}, filestest.Comment...)
	ext = append(ext, 0)
	in := append(append(bytes.Clone(b[:len(b)-1]), ext...), 0x3b)
	if _, err := DecodePicture(in); err != nil {
		t.Fatalf("the test GIF does not decode: %v", err)
	}
	out, typ, err := StripMetadata(in)
	if err != nil || typ != "image/png" {
		t.Fatalf("StripMetadata: %q, %v", typ, err)
	}
	if bytes.Contains(out, []byte(filestest.Comment)) {
		t.Fatal("the GIF comment survived")
	}
	img, err := DecodePicture(out)
	if err != nil || img.Bounds().Dx() != 6 || img.Bounds().Dy() != 4 {
		t.Fatalf("stripped GIF: %v", err)
	}
}
