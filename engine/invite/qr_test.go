package invite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/draw"
	"golang.org/x/image/math/f64"
)

// sortedInvites returns the test invites in a fixed order.
func sortedInvites(t testing.TB) ([]string, map[string]Invite) {
	invs := testInvites(t)
	var names []string
	for n := range invs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, invs
}

func TestQRRoundTrip(t *testing.T) {
	names, invs := sortedInvites(t)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			text := invs[n].Encode()
			b, err := QRPNG(text, 400)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds() != image.Rect(0, 0, 400, 400) {
				t.Fatalf("PNG is %v, want 400×400", img.Bounds())
			}
			checkQuietZone(t, img, text)
			got, err := ReadQR(img)
			if err != nil || got != text {
				t.Fatalf("ReadQR = %q, %v; want %q", got, err, text)
			}
			// Through the bytes API, with expiry checked against the real
			// clock: the verified invite expires in 2026, so parse at testNow.
			if inv, err := DecodeImageBytes(b); err == nil {
				sameInvite(t, invs[n], inv)
			} else if !errors.Is(err, ErrExpired) {
				t.Fatal(err)
			}
		})
	}
}

// checkQuietZone checks that the code has at least QuietZone modules of
// white around it.
func checkQuietZone(t *testing.T, img image.Image, text string) {
	t.Helper()
	_, modules, err := QRSize(text)
	if err != nil {
		t.Fatal(err)
	}
	size := img.Bounds().Dx()
	scale := size / (modules + 2*QuietZone)
	margin := (size-modules*scale)/2 - 1
	if margin < QuietZone*scale-1 {
		t.Fatalf("margin %d px < %d modules of %d px", margin, QuietZone, scale)
	}
	for y := range size {
		for x := range size {
			if x >= margin && x < size-margin && y >= margin && y < size-margin {
				continue
			}
			if r, _, _, _ := img.At(x, y).RGBA(); r != 0xffff {
				t.Fatalf("pixel (%d,%d) in the quiet zone is not white", x, y)
			}
		}
	}
}

func TestQRImageSize(t *testing.T) {
	text := testInvites(t)["contact"].Encode()
	_, modules, _ := QRSize(text)
	n := modules + 2*QuietZone
	if _, err := QRImage(text, n-1); !errors.Is(err, ErrQRSize) {
		t.Fatalf("too small: %v", err)
	}
	for _, size := range []int{n, n + 1, 3*n - 1, 1000} {
		img, err := QRImage(text, size)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Fatalf("size %d gave %v", size, img.Bounds())
		}
		if got, err := ReadQR(img); err != nil || got != text {
			t.Fatalf("size %d: ReadQR = %q, %v", size, got, err)
		}
	}
	if _, _, err := QRSize(strings.Repeat("A", 5000)); err == nil {
		t.Fatal("QRSize of text too long for any QR code")
	}
}

// TestQRAlphanumeric checks that invites are encoded in QR alphanumeric
// mode, by comparing with a version the same length of lower-case text
// (byte mode) needs.
func TestQRAlphanumeric(t *testing.T) {
	for n, inv := range testInvites(t) {
		text := inv.Encode()
		v, _, _ := QRSize(text)
		vb, _, _ := QRSize(strings.ToLower(text))
		if v >= vb {
			t.Errorf("%s: version %d, byte mode %d: not alphanumeric", n, v, vb)
		}
	}
}

// photograph makes img look like a phone photo of a screen: scaled by a
// non-integer factor, rotated a few degrees, placed on a larger, unevenly
// lit background, with reduced contrast and Gaussian noise.
func photograph(img image.Image, scale, degrees float64, seed uint64) *image.Gray {
	src := img.Bounds()
	w := int(float64(src.Dx())*scale*1.2) + 200
	h := int(float64(src.Dy())*scale*1.2) + 150
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dst.SetGray(x, y, color.Gray{Y: uint8(120 + 60*x/w)}) // a gradient, like a desk
		}
	}
	// dst = T(centre) · R · S · T(-centre of src)
	th := degrees * math.Pi / 180
	c, s := math.Cos(th)*scale, math.Sin(th)*scale
	cx, cy := float64(src.Dx())/2, float64(src.Dy())/2
	m := f64.Aff3{
		c, -s, float64(w)/2 - (c*cx - s*cy),
		s, c, float64(h)/2 - (s*cx + c*cy),
	}
	draw.BiLinear.Transform(dst, m, img, src, draw.Over, nil)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i, v := range dst.Pix {
		f := 70 + float64(v)*(185-70)/255 + rng.NormFloat64()*10
		dst.Pix[i] = uint8(max(0, min(255, math.Round(f))))
	}
	return dst
}

func TestQRPhoto(t *testing.T) {
	names, invs := sortedInvites(t)
	for i, n := range names {
		t.Run(n, func(t *testing.T) {
			text := invs[n].Encode()
			_, modules, _ := QRSize(text)
			img, err := QRImage(text, 6*(modules+2*QuietZone))
			if err != nil {
				t.Fatal(err)
			}
			photo := photograph(img, 1.37, 4+float64(i)/2, uint64(i+1))
			if got, err := ReadQR(photo); err != nil || got != text {
				t.Fatalf("ReadQR(photo) = %q, %v", got, err)
			}
			// The same photo as a JPEG, through the bytes API.
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, photo, &jpeg.Options{Quality: 75}); err != nil {
				t.Fatal(err)
			}
			img2, err := decodeImage(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if got, err := ReadQR(img2); err != nil || got != text {
				t.Fatalf("ReadQR(jpeg photo) = %q, %v", got, err)
			}
			if testing.Verbose() && n == "contact-verified" {
				writeArtifact(t, "photo.png", photo)
			}
		})
	}
}

// writeArtifact saves an image for a human to look at when
// NOOK_INVITE_ARTIFACTS names a directory.
func writeArtifact(t *testing.T, name string, img image.Image) {
	dir := os.Getenv("NOOK_INVITE_ARTIFACTS")
	if dir == "" {
		return
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestQRDarkMode reads a light-on-dark code, as in a dark-mode screenshot.
func TestQRDarkMode(t *testing.T) {
	text := testInvites(t)["group"].Encode()
	img, err := QRImage(text, 500)
	if err != nil {
		t.Fatal(err)
	}
	p := img.(*image.Paletted)
	p.Palette = color.Palette{color.Gray{Y: 25}, color.Gray{Y: 230}} // swap: light modules on dark
	if got, err := ReadQR(p); err != nil || got != text {
		t.Fatalf("ReadQR(inverted) = %q, %v", got, err)
	}
	if got, err := ReadQR(photograph(p, 1.21, -3, 9)); err != nil || got != text {
		t.Fatalf("ReadQR(inverted photo) = %q, %v", got, err)
	}
}

// terminalImage draws what a terminal shows for s: each character cell is
// px wide and 2·px high, its upper and lower halves in fg where the
// character has ink, bg elsewhere, with a margin of background around.
func terminalImage(s string, fg, bg uint8, px int) *image.Gray {
	lines := strings.Split(s, "\n")
	cols := 0
	for _, l := range lines {
		cols = max(cols, len([]rune(l)))
	}
	const margin = 3
	img := image.NewGray(image.Rect(0, 0, (cols+2*margin)*px, (len(lines)+2*margin)*2*px))
	for i := range img.Pix {
		img.Pix[i] = bg
	}
	for row, l := range lines {
		for col, r := range []rune(l) {
			top := r == '█' || r == '▀'
			bottom := r == '█' || r == '▄'
			for half, ink := range []bool{top, bottom} {
				if !ink {
					continue
				}
				y0 := ((row+margin)*2 + half) * px
				for y := y0; y < y0+px; y++ {
					for x := (col + margin) * px; x < (col+margin+1)*px; x++ {
						img.SetGray(x, y, color.Gray{Y: fg})
					}
				}
			}
		}
	}
	return img
}

// readQRUpright decodes without trying the inverted image: it succeeds
// only for dark modules on a light background, the way many phone readers
// work.
func readQRUpright(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(gozxing.NewLuminanceSourceFromImage(img)))
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func TestQRTerminal(t *testing.T) {
	names, invs := sortedInvites(t)
	for _, n := range names {
		text := invs[n].Encode()
		_, modules, _ := QRSize(text)
		side := modules + 2*QuietZone
		for _, tc := range []struct {
			style  TerminalStyle
			fg, bg uint8
		}{
			{DarkTerminal, 220, 20},  // light text on black
			{LightTerminal, 20, 240}, // black text on white
		} {
			s, err := QRTerminal(text, tc.style)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(s, "\n")
			if len(lines) != (side+1)/2 {
				t.Fatalf("%s: %d lines for %d modules", n, len(lines), side)
			}
			for _, l := range lines {
				if len([]rune(l)) != side {
					t.Fatalf("%s: line of %d characters, want %d", n, len([]rune(l)), side)
				}
			}
			// Shown on the terminal it is made for, it is an upright code.
			if got, err := readQRUpright(terminalImage(s, tc.fg, tc.bg, 4)); err != nil || got != text {
				t.Fatalf("%s style %d: read %q, %v", n, tc.style, got, err)
			}
			// On the other kind of terminal it is a negative, which only
			// readers that try inverting (such as ReadQR) read.
			neg := terminalImage(s, tc.bg, tc.fg, 4)
			if _, err := readQRUpright(neg); err == nil {
				t.Fatalf("%s style %d: negative read upright", n, tc.style)
			}
			if got, err := ReadQR(neg); err != nil || got != text {
				t.Fatalf("%s style %d: ReadQR(negative) = %q, %v", n, tc.style, got, err)
			}
		}
	}
	if testing.Verbose() {
		s, _ := QRTerminal(invs["contact"].Encode(), DarkTerminal)
		t.Logf("contact invite for a dark terminal:\n%s", s)
	}
}

// TestZbarimg checks with an independent reader, zbar, that the PNGs say
// what they should.
func TestZbarimg(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skipf("SKIPPING the independent QR check: zbarimg not found (%v); install zbar-tools to run it", err)
	}
	dir := t.TempDir()
	names, invs := sortedInvites(t)
	for _, n := range names {
		text := invs[n].Encode()
		b, err := QRPNG(text, 512)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, n+".png")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(zbar, "--raw", "-q", path).Output()
		if err != nil {
			t.Fatalf("zbarimg %s: %v", n, err)
		}
		if got := strings.TrimRight(string(out), "\n"); got != text {
			t.Fatalf("zbarimg read %q, want %q", got, text)
		}
		if inv, err := DecodeImageFile(path); err == nil {
			sameInvite(t, invs[n], inv)
		} else if !errors.Is(err, ErrExpired) {
			t.Fatal(err)
		}
	}
}

func TestDecodeImageErrors(t *testing.T) {
	white := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	if _, err := DecodeImage(white); !errors.Is(err, ErrNoQRCode) {
		t.Errorf("blank image: %v", err)
	}
	if _, err := ReadQR(image.NewGray(image.Rect(0, 0, 0, 0))); !errors.Is(err, ErrNoQRCode) {
		t.Errorf("empty image: %v", err)
	}
	other, err := QRImage("HELLO WORLD", 200)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeImage(other); !errors.Is(err, ErrNotInvite) {
		t.Errorf("QR code of something else: %v", err)
	}
	if _, err := DecodeImageBytes([]byte("not an image")); !errors.Is(err, ErrImage) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := DecodeImageBytes(make([]byte, MaxImageBytes+1)); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("huge file: %v", err)
	}
	if _, err := DecodeImageBytes(pngHeader(100_000, 100_000)); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("huge dimensions: %v", err)
	}
	if _, err := DecodeImageBytes(pngHeader(100, 100)); !errors.Is(err, ErrImage) {
		t.Errorf("truncated PNG: %v", err)
	}
	if _, err := DecodeImageFile(filepath.Join(t.TempDir(), "missing.png")); err == nil {
		t.Error("missing file")
	}
	for _, err := range []error{ErrNoQRCode, ErrImage, ErrImageTooLarge} {
		if Hint(err) == "" {
			t.Errorf("no hint for %v", err)
		}
	}
}

// pngHeader returns the signature and IHDR chunk of a w×h PNG, and nothing
// else: enough for image.DecodeConfig.
func pngHeader(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit grey
	b = binary.BigEndian.AppendUint32(b, uint32(len(ihdr)-4))
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}
