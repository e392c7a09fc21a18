package files

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits on pictures, checked from the header before decoding (the same
// as engine/invite's for invite pictures).
const (
	// MaxPictureBytes is the largest picture file decoded, stripped or
	// thumbnailed; a larger one is sent as a plain file (or, with
	// stripping asked for, refused).
	MaxPictureBytes = 32 << 20
	// MaxPicturePixels is the most pixels a picture may declare.
	MaxPicturePixels = 24_000_000
	// MaxPictureMemory bounds width × height × the bytes a decoded pixel of
	// the picture's colour model takes.
	MaxPictureMemory = 96 << 20
	// ThumbnailSide is the longest side of a thumbnail, in pixels.
	ThumbnailSide = 320
	// JPEGQuality is the quality stripped JPEGs are encoded with.
	JPEGQuality = 90
)

// Errors of picture handling.
var (
	// ErrNotPicture: the bytes are not a picture of an allowed format.
	ErrNotPicture = errors.New("not a PNG, JPEG, GIF or WebP picture")
	// ErrPictureTooLarge: the file or its declared size is over the limits.
	ErrPictureTooLarge = errors.New("the picture is too large")
	// ErrBadPicture: the picture is damaged or its decoder failed.
	ErrBadPicture = errors.New("the picture is damaged")
)

// pictureFormat is one allowed format; its decoders are called directly.
type pictureFormat struct {
	mediaType string
	magic     func([]byte) bool
	config    func(io.Reader) (image.Config, error)
	decode    func(io.Reader) (image.Image, error)
	check     func(b []byte, cfg image.Config) error
	// stripAs is the media type StripMetadata encodes it as: its own for
	// JPEG and PNG, PNG (the first frame) for GIF and WebP, which can
	// carry EXIF, XMP and comments too.
	stripAs string
}

var pictureFormats = []pictureFormat{
	{"image/png", prefix("\x89PNG\r\n\x1a\n"), png.DecodeConfig, png.Decode, nil, "image/png"},
	{"image/jpeg", prefix("\xff\xd8\xff"), jpeg.DecodeConfig, jpeg.Decode, nil, "image/jpeg"},
	{"image/gif", func(b []byte) bool { return prefix("GIF87a")(b) || prefix("GIF89a")(b) }, gif.DecodeConfig, gif.Decode, nil, "image/png"},
	{"image/webp", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" }, webp.DecodeConfig, webp.Decode, CheckWebP, "image/png"},
}

func prefix(magic string) func([]byte) bool {
	return func(b []byte) bool { return bytes.HasPrefix(b, []byte(magic)) }
}

func sniffPicture(b []byte) *pictureFormat {
	for i := range pictureFormats {
		if pictureFormats[i].magic(b) {
			return &pictureFormats[i]
		}
	}
	return nil
}

// MediaType names the type of a file from its first bytes: one of the
// picture types, "application/pdf", or "application/octet-stream". It is
// a hint for display, never a reason to trust the bytes.
func MediaType(head []byte) string {
	if f := sniffPicture(head); f != nil {
		return f.mediaType
	}
	if bytes.HasPrefix(head, []byte("%PDF-")) {
		return "application/pdf"
	}
	return "application/octet-stream"
}

// IsPicture reports whether head starts a picture of an allowed format.
func IsPicture(head []byte) bool { return sniffPicture(head) != nil }

// DecodePicture decodes a PNG, JPEG, GIF or WebP picture within the limits.
// Errors wrap ErrNotPicture, ErrPictureTooLarge or ErrBadPicture.
func DecodePicture(b []byte) (img image.Image, err error) {
	f, _, err := pictureConfig(b)
	if err != nil {
		return nil, err
	}
	return decodeChecked(f, b)
}

// pictureConfig returns b's format and declared size after checking them
// against the limits, without decoding the pixels.
func pictureConfig(b []byte) (f *pictureFormat, cfg image.Config, err error) {
	if len(b) > MaxPictureBytes {
		return nil, cfg, fmt.Errorf("%w: more than %d MiB", ErrPictureTooLarge, MaxPictureBytes>>20)
	}
	if f = sniffPicture(b); f == nil {
		return nil, cfg, ErrNotPicture
	}
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%w: its %s decoder failed", ErrBadPicture, f.mediaType)
		}
	}()
	cfg, err = f.config(bytes.NewReader(b))
	if err != nil {
		return nil, cfg, fmt.Errorf("%w: %s: %w", ErrBadPicture, f.mediaType, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxPicturePixels/cfg.Height {
		return nil, cfg, fmt.Errorf("%w: %d×%d pixels", ErrPictureTooLarge, cfg.Width, cfg.Height)
	}
	if bpp := BytesPerPixel(cfg.ColorModel); cfg.Width*cfg.Height > MaxPictureMemory/bpp {
		return nil, cfg, fmt.Errorf("%w: %d×%d pixels of %d bytes", ErrPictureTooLarge, cfg.Width, cfg.Height, bpp)
	}
	if f.check != nil {
		if err := f.check(b, cfg); err != nil {
			return nil, cfg, err
		}
	}
	return f, cfg, nil
}

// decodeChecked decodes b, whose header pictureConfig accepted.
func decodeChecked(f *pictureFormat, b []byte) (img image.Image, err error) {
	cfg, _ := f.config(bytes.NewReader(b))
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: its %s decoder failed", ErrBadPicture, f.mediaType)
		}
	}()
	img, err = f.decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadPicture, f.mediaType, err)
	}
	if r := img.Bounds(); r.Empty() || !r.In(image.Rect(0, 0, cfg.Width, cfg.Height)) {
		return nil, fmt.Errorf("%w: %s: decoded %d×%d pixels in a %d×%d picture", ErrBadPicture, f.mediaType, r.Dx(), r.Dy(), cfg.Width, cfg.Height)
	}
	return img, nil
}

// BytesPerPixel is what a decoded pixel of colour model m takes in the
// images the standard decoders return: 8 for 16-bit RGBA, 4 for 8-bit RGBA
// and CMYK, 3 for Y'CbCr (its worst case, 4:4:4), 2 for 16-bit grey, 1 for
// 8-bit grey and paletted pictures, and 8 for any other model. Invite
// pictures use it too (engine/invite).
func BytesPerPixel(m color.Model) int {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	case color.YCbCrModel:
		return 3
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// CheckWebP refuses a WebP file whose frames do not all have the size of
// the canvas its header declared (cfg): a 46-byte file can otherwise
// declare a 1×1 canvas over an 8000×8000 frame, 256 MB once decoded by
// decoders that trust the header. b must start with a WebP signature.
// Invite pictures use it too (engine/invite).
func CheckWebP(b []byte, cfg image.Config) error {
	end := len(b)
	if n := 8 + int64(binary.LittleEndian.Uint32(b[4:8])); n < int64(end) {
		end = int(n)
	}
	frames := 0
	for off := 12; off+8 <= end; {
		fourcc := string(b[off : off+4])
		n := int64(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		if n > int64(end-off-8) {
			return fmt.Errorf("%w: WebP: a chunk runs past the end", ErrBadPicture)
		}
		data := b[off+8 : off+8+int(n)]
		off += 8 + int(n) + int(n&1)
		var w, h int
		switch fourcc {
		case "VP8 ":
			if len(data) < 10 || data[3] != 0x9d || data[4] != 0x01 || data[5] != 0x2a {
				return fmt.Errorf("%w: WebP: a frame without a valid header", ErrBadPicture)
			}
			w = int(binary.LittleEndian.Uint16(data[6:8]) & 0x3fff)
			h = int(binary.LittleEndian.Uint16(data[8:10]) & 0x3fff)
		case "VP8L":
			if len(data) < 5 || data[0] != 0x2f {
				return fmt.Errorf("%w: WebP: a frame without a valid header", ErrBadPicture)
			}
			bits := binary.LittleEndian.Uint32(data[1:5])
			w, h = int(bits&0x3fff)+1, int(bits>>14&0x3fff)+1
		default:
			continue
		}
		if w != cfg.Width || h != cfg.Height {
			return fmt.Errorf("%w: WebP: a %d×%d frame in a %d×%d picture", ErrBadPicture, w, h, cfg.Width, cfg.Height)
		}
		frames++
	}
	if frames == 0 {
		return fmt.Errorf("%w: WebP: no frame", ErrBadPicture)
	}
	return nil
}

// StripMetadata returns a picture encoded again from its pixels alone,
// and the media type of the result: EXIF (GPS position, camera and lens
// serial numbers, times), XMP, IPTC, ICC profiles, comments, PNG text
// chunks and embedded thumbnails are not carried over, because the
// encoders write none. A JPEG stays a JPEG (quality JPEGQuality, its EXIF
// orientation applied to the pixels first), a PNG a PNG; a GIF or WebP
// becomes a PNG of its first frame. Anything else is ErrNotPicture (the
// caller sends it unchanged or refuses); limits and damage as
// DecodePicture.
func StripMetadata(b []byte) ([]byte, string, error) {
	f, _, err := pictureConfig(b)
	if err != nil {
		return nil, "", err
	}
	img, err := decodeChecked(f, b)
	if err != nil {
		return nil, "", err
	}
	var out bytes.Buffer
	if f.stripAs == "image/jpeg" {
		img = orient(img, jpegOrientation(b))
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: JPEGQuality})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: encoding: %w", ErrBadPicture, err)
	}
	return out.Bytes(), f.stripAs, nil
}

// Thumbnail decodes a picture within the limits and scales it to at most
// ThumbnailSide pixels on its longer side (smaller pictures keep their
// size), with a JPEG's orientation applied.
func Thumbnail(b []byte) (*image.RGBA, error) {
	f, _, err := pictureConfig(b)
	if err != nil {
		return nil, err
	}
	img, err := decodeChecked(f, b)
	if err != nil {
		return nil, err
	}
	if f.mediaType == "image/jpeg" {
		img = orient(img, jpegOrientation(b))
	}
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	if s := max(w, h); s > ThumbnailSide {
		w, h = max(1, w*ThumbnailSide/s), max(1, h*ThumbnailSide/s)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, r, draw.Src, nil)
	return dst, nil
}
