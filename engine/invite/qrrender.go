package invite

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QuietZone is the width, in modules, of the light margin around every QR
// code this package draws (ISO/IEC 18004 asks for four).
const QuietZone = 4

// qrLevel is the error correction level: medium recovers about 15 % of the
// code, enough for a screen photographed at an angle or a smudged print.
const qrLevel = qrcode.Medium

// qrBitmap encodes text at medium error correction and returns its modules,
// quiet zone included, true for dark. Text that is only upper-case letters,
// digits and " $%*+-./:" (every invite) is encoded in alphanumeric mode.
func qrBitmap(text string) ([][]bool, int, error) {
	q, err := qrcode.New(text, qrLevel)
	if err != nil {
		return nil, 0, fmt.Errorf("encode qr code: %w", err)
	}
	bm := q.Bitmap()
	if len(bm) != len(bm[0]) || len(bm) != 17+4*q.VersionNumber+2*QuietZone {
		return nil, 0, fmt.Errorf("encode qr code: unexpected %d×%d bitmap for version %d", len(bm), len(bm[0]), q.VersionNumber)
	}
	return bm, q.VersionNumber, nil
}

// QRSize returns the QR code version (1–40) that text needs at medium error
// correction and the number of modules on a side, without the quiet zone.
func QRSize(text string) (version, modules int, err error) {
	_, v, err := qrBitmap(text)
	if err != nil {
		return 0, 0, err
	}
	return v, 17 + 4*v, nil
}

// QRImage draws text as a black-on-white QR code in a size×size image with
// at least QuietZone modules of white margin. Modules are whole pixels, as
// large as fit, and the code is centred. It returns ErrQRSize if size leaves
// less than one pixel per module.
func QRImage(text string, size int) (image.Image, error) {
	bm, _, err := qrBitmap(text)
	if err != nil {
		return nil, err
	}
	n := len(bm)
	scale := size / n
	if scale < 1 {
		return nil, fmt.Errorf("%w: %d pixels for %d modules", ErrQRSize, size, n)
	}
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	off := (size - n*scale) / 2
	for y, row := range bm {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range scale {
				line := img.Pix[(off+y*scale+dy)*img.Stride:]
				for dx := range scale {
					line[off+x*scale+dx] = 1
				}
			}
		}
	}
	return img, nil
}

// QRPNG returns text as a PNG image of a QR code, size×size pixels; see
// QRImage.
func QRPNG(text string, size int) ([]byte, error) {
	img, err := QRImage(text, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// TerminalStyle says what a terminal QR code draws with the character
// cell's foreground (block characters) and what it leaves to the background.
type TerminalStyle uint8

const (
	// DarkTerminal is for light text on a dark background, the default of
	// most terminals: light modules and the quiet zone are drawn as blocks.
	// It matches `qrencode -t UTF8`.
	DarkTerminal TerminalStyle = iota
	// LightTerminal (the inverted style) is for dark text on a light
	// background: dark modules are drawn as blocks. It matches
	// `qrencode -t UTF8i`.
	LightTerminal
)

// QRTerminal returns text as a QR code made of Unicode half-block
// characters (each character is two modules, one above the other), lines
// separated by "\n", with a quiet zone. A code shown in the wrong style is
// a negative image, which many phone readers refuse, so a program printing
// it should offer both (the group server has a flag for it).
func QRTerminal(text string, style TerminalStyle) (string, error) {
	bm, _, err := qrBitmap(text)
	if err != nil {
		return "", err
	}
	n := len(bm)
	ink := func(x, y int) bool {
		dark := y < n && bm[y][x] // below the last row is quiet zone
		return dark == (style == LightTerminal)
	}
	var b strings.Builder
	b.Grow((n + 1) / 2 * (n*3 + 1))
	for y := 0; y < n; y += 2 {
		for x := range n {
			switch top, bottom := ink(x, y), ink(x, y+1); {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		if y+2 < n {
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}
