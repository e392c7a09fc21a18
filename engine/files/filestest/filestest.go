// Package filestest makes pictures with metadata for the tests of file
// sharing: a JPEG whose EXIF holds a GPS position, a camera model and a
// serial number, with an XMP packet and a comment.
package filestest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// Distinctive bytes of the metadata a test photo carries.
var (
	GPSLatitude = []byte{0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0x1d, 0x4c, 0, 0, 0, 100, 0, 0, 0x27, 0x0f, 0, 0, 0x03, 0xe8} // 52° 75.00' 9.999"
	Serial      = "SN-4471-QXJ-CAMERA"
	Model       = "Modelname-Zeiss-77"
	XMP         = "<x:xmpmeta><exif:GPSLatitude>52,45.0N</exif:GPSLatitude></x:xmpmeta>"
	Comment     = "Comment-Dorfstrasse-12"
)

// EXIF builds a big-endian TIFF structure: IFD0 with Model, the
// orientation, a body serial number and a pointer to a GPS IFD holding a
// latitude.
func EXIF(orientation uint16) []byte {
	be := binary.BigEndian
	var t []byte
	t = append(t, "MM"...)
	t = be.AppendUint16(t, 42)
	t = be.AppendUint32(t, 8)
	// IFD0 at 8: 4 entries (12 bytes each), next-IFD 0.
	const n0 = 4
	dataOff := uint32(8 + 2 + n0*12 + 4)
	model := append([]byte(Model), 0)
	ser := append([]byte(Serial), 0)
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
	t = append(t, GPSLatitude...)
	return t
}

func segment(marker byte, data []byte) []byte {
	b := []byte{0xff, marker}
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)+2))
	return append(b, data...)
}

// Photo returns a w×h JPEG with EXIF (GPS, model, serial, orientation),
// XMP and a Comment inserted after its start marker.
func Photo(t testing.TB, w, h int, orientation uint16) []byte {
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
	out = append(out, segment(0xe1, append([]byte("Exif\x00\x00"), EXIF(orientation)...))...)
	out = append(out, segment(0xe1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), XMP...))...)
	out = append(out, segment(0xfe, []byte(Comment))...)
	out = append(out, b[2:]...)
	return out
}

// Metadata returns the metadata bytes no stripped picture may hold, by
// what they are.
func Metadata() map[string][]byte {
	return map[string][]byte{
		"GPS latitude": GPSLatitude, "serial": []byte(Serial), "model": []byte(Model),
		"XMP": []byte("xmpmeta"), "Exif": []byte("Exif"), "comment": []byte(Comment),
		"adobe": []byte("ns.adobe.com"),
	}
}
