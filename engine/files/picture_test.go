package files

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Distinctive bytes of the metadata a test photo carries.
var (
	gpsLat    = []byte{0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0x1d, 0x4c, 0, 0, 0, 100, 0, 0, 0x27, 0x0f, 0, 0, 0x03, 0xe8} // 52° 75.00' 9.999"
	serial    = "SN-4471-QXJ-CAMERA"
	cameraMdl = "Modelname-Zeiss-77"
	xmpText   = "<x:xmpmeta><exif:GPSLatitude>52,45.0N</exif:GPSLatitude></x:xmpmeta>"
	comment   = "Comment-Dorfstrasse-12"
)

// exifBlock builds a big-endian TIFF structure: IFD0 with Model, the
// orientation, a body serial number and a pointer to a GPS IFD holding a
// latitude.
func exifBlock(orientation uint16) []byte {
	be := binary.BigEndian
	var t []byte
	t = append(t, "MM"...)
	t = be.AppendUint16(t, 42)
	t = be.AppendUint32(t, 8)
	// IFD0 at 8: 4 entries (12 bytes each), next-IFD 0.
	const n0 = 4
	dataOff := uint32(8 + 2 + n0*12 + 4)
	model := append([]byte(cameraMdl), 0)
	ser := append([]byte(serial), 0)
	gpsIFD := dataOff + uint32(len(model)) + uint32(len(ser))
	t = be.AppendUint16(t, n0)
	entry := func(tag, typ uint16, count, value uint32) {
		t = be.AppendUint16(t, tag)
		t = be.AppendUint16(t, typ)
		t = be.AppendUint32(t, count)
		t = be.AppendUint32(t, value)
	}
	entry(0x0110, 2, uint32(len(model)), dataOff)                  // Model
	entry(0x0112, 3, 1, uint32(orientation)<<16)                   // Orientation (SHORT, left-justified)
	entry(0xa431, 2, uint32(len(ser)), dataOff+uint32(len(model))) // BodySerialNumber
	entry(0x8825, 4, 1, gpsIFD)                                    // GPS IFD pointer
	t = be.AppendUint32(t, 0)
	t = append(t, model...)
	t = append(t, ser...)
	// GPS IFD: LatitudeRef "N", Latitude 3 rationals.
	latOff := gpsIFD + 2 + 2*12 + 4
	t = be.AppendUint16(t, 2)
	entry(0x0001, 2, 2, uint32('N')<<24)
	entry(0x0002, 5, 3, latOff)
	t = be.AppendUint32(t, 0)
	t = append(t, gpsLat...)
	return t
}

func segment(marker byte, data []byte) []byte {
	b := []byte{0xff, marker}
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)+2))
	return append(b, data...)
}

// photo returns a w×h JPEG with EXIF (GPS, model, serial, orientation),
// XMP and a comment inserted after its start marker.
func photo(t testing.TB, w, h int, orientation uint16) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 0x80, 0xff})
		}
	}
	// A red top-left corner, to follow the orientation.
	for y := range min(h, 8) {
		for x := range min(w, 8) {
			img.Set(x, y, color.RGBA{0xff, 0, 0, 0xff})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	var out []byte
	out = append(out, b[:2]...)
	out = append(out, segment(0xe1, append([]byte("Exif\x00\x00"), exifBlock(orientation)...))...)
	out = append(out, segment(0xe1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmpText...))...)
	out = append(out, segment(0xfe, []byte(comment))...)
	out = append(out, b[2:]...)
	return out
}

// needles are the metadata bytes no stripped picture may hold.
func needles() map[string][]byte {
	return map[string][]byte{
		"GPS latitude": gpsLat, "serial": []byte(serial), "model": []byte(cameraMdl),
		"XMP": []byte("xmpmeta"), "Exif": []byte("Exif"), "comment": []byte(comment),
		"adobe": []byte("ns.adobe.com"),
	}
}

// TestStripJPEGGPS makes a JPEG with GPS, serial-number, XMP and comment
// metadata and checks that none of it survives StripMetadata, and that the
// picture does.
func TestStripJPEGGPS(t *testing.T) {
	in := photo(t, 64, 48, 1)
	for what, n := range needles() {
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
	for what, n := range needles() {
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
	in := photo(t, 40, 20, 6)
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
	in = append(in, pngChunk("tEXt", []byte("Author\x00"+serial))...)
	in = append(in, pngChunk("eXIf", exifBlock(1))...)
	in = append(in, b[33:]...)
	if _, err := DecodePicture(in); err != nil {
		t.Fatalf("test PNG does not decode: %v", err)
	}
	out, typ, err := StripMetadata(in)
	if err != nil || typ != "image/png" {
		t.Fatal(typ, err)
	}
	for what, n := range needles() {
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
	for _, b := range [][]byte{nil, []byte("%PDF-1.7 ..."), []byte("hello"), []byte("GIF89a")} {
		if _, _, err := StripMetadata(b); err == nil {
			t.Errorf("StripMetadata(%q) succeeded", b)
		}
	}
	if MediaType([]byte("%PDF-1.4")) != "application/pdf" || MediaType([]byte("zz")) != "application/octet-stream" || MediaType(photo(t, 4, 4, 1)) != "image/jpeg" {
		t.Fatal("MediaType")
	}
	// GIF is shown (thumbnail) but not re-encoded.
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
	f.Add(photo(f, 16, 8, 6))
	f.Add(photo(f, 3, 3, 9))
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
