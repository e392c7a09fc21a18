package wire

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sizes of the frame format (docs/protocol.md §4).
const (
	// FrameSize is the size of every frame on the wire, tag included.
	FrameSize = 8192
	// TagSize is the size of the Poly1305 authentication tag.
	TagSize = chacha20poly1305.Overhead
	// PlaintextSize is the size of a frame's plaintext.
	PlaintextSize = FrameSize - TagSize
	// HeaderSize is the size of the plaintext header: type u8, length u16.
	HeaderSize = 3
	// MaxFragment is the largest fragment of a record one frame carries.
	MaxFragment = PlaintextSize - HeaderSize
	// MaxRecord is the largest record, checked on both sides before
	// anything is allocated or written.
	MaxRecord = 256 << 10
	// KeySize is the size of a direction key.
	KeySize = chacha20poly1305.KeySize
)

// frameType is the first byte of a frame's plaintext.
type frameType uint8

const (
	typeFinal     frameType = 0x01 // the last (or only) fragment of a record
	typeMore      frameType = 0x02 // a fragment; more of the same record follow
	typeKeepalive frameType = 0x03 // nothing; length must be 0
)

// zeros is compared with padding.
var zeros [PlaintextSize]byte

// maxCounter is the last usable nonce counter; 2^64-1 is never used.
const maxCounter = math.MaxUint64 - 1

// encodePlaintext fills p (PlaintextSize bytes) with the header, data and
// zero padding. It panics if data does not fit: callers fragment first.
func encodePlaintext(p []byte, t frameType, data []byte) {
	if len(p) != PlaintextSize || len(data) > MaxFragment {
		panic("wire: encodePlaintext misuse")
	}
	p[0] = byte(t)
	binary.BigEndian.PutUint16(p[1:3], uint16(len(data)))
	n := copy(p[HeaderSize:], data)
	clear(p[HeaderSize+n:])
}

// parsePlaintext checks a frame's plaintext and returns its type and data
// (a slice of p). Errors wrap ErrMalformed.
func parsePlaintext(p []byte) (frameType, []byte, error) {
	if len(p) != PlaintextSize {
		return 0, nil, fmt.Errorf("%w: plaintext of %d bytes", ErrMalformed, len(p))
	}
	t := frameType(p[0])
	n := int(binary.BigEndian.Uint16(p[1:3]))
	switch t {
	case typeFinal, typeMore:
	case typeKeepalive:
		if n != 0 {
			return 0, nil, fmt.Errorf("%w: keepalive carries data", ErrMalformed)
		}
	default:
		return 0, nil, fmt.Errorf("%w: unknown frame type %#02x", ErrMalformed, p[0])
	}
	if n > MaxFragment {
		return 0, nil, fmt.Errorf("%w: fragment length %d", ErrMalformed, n)
	}
	if pad := p[HeaderSize+n:]; !bytes.Equal(pad, zeros[:len(pad)]) {
		return 0, nil, fmt.Errorf("%w: non-zero padding", ErrMalformed)
	}
	return t, p[HeaderSize : HeaderSize+n], nil
}

// direction is the AEAD state of one direction: a key and the counter of the
// next frame.
type direction struct {
	aead  cipher.AEAD
	n     uint64
	nonce [chacha20poly1305.NonceSize]byte
}

func newDirection(key []byte) (*direction, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("wire: key must be %d bytes", KeySize)
	}
	aead, err := chacha20poly1305.New(key)
	if err != nil {
		return nil, fmt.Errorf("wire: %w", err)
	}
	return &direction{aead: aead}, nil
}

// next sets d.nonce to the Noise ChaChaPoly nonce for the current counter
// (four zero bytes, then the counter little-endian) and advances the counter.
func (d *direction) next() error {
	if d.n > maxCounter {
		return ErrExhausted
	}
	binary.LittleEndian.PutUint64(d.nonce[4:], d.n)
	d.n++
	return nil
}

// seal encrypts the plaintext in frame[:PlaintextSize] in place; frame must
// be FrameSize bytes.
func (d *direction) seal(frame []byte) error {
	if err := d.next(); err != nil {
		return err
	}
	d.aead.Seal(frame[:0], d.nonce[:], frame[:PlaintextSize], nil)
	return nil
}

// openInto authenticates and decrypts frame (FrameSize bytes) into dst
// (frame[:0], or PlaintextSize bytes of capacity that do not overlap it)
// and returns the plaintext.
func (d *direction) openInto(dst, frame []byte) ([]byte, error) {
	if len(frame) != FrameSize {
		return nil, fmt.Errorf("%w: frame of %d bytes", ErrMalformed, len(frame))
	}
	if err := d.next(); err != nil {
		return nil, err
	}
	p, err := d.aead.Open(dst, d.nonce[:], frame, nil)
	if err != nil {
		return nil, ErrAuth
	}
	return p, nil
}
