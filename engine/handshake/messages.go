package handshake

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"slices"
)

// Layout of the handshake messages (docs/protocol.md §3.3–3.5).
const (
	// MessageSize is the size of every handshake message, equal to the
	// frame size that follows.
	MessageSize = 8192
	// Format is the handshake format byte of this document.
	Format = 0x01
	// MaxOffered is the most protocol versions one offer may list.
	MaxOffered = 8

	magic       = "Nook"
	headerSize  = 4 + 1                  // magic, format
	offerSize   = 1 + 2*MaxOffered       // n, 8 slots
	msg1Prefix  = headerSize + offerSize // bytes before the Noise message
	dhLen       = 32
	tagLen      = 16
	payload1Len = MessageSize - msg1Prefix - dhLen
	payload2Len = MessageSize - dhLen - (dhLen + tagLen) - tagLen
	payload3Len = MessageSize - (dhLen + tagLen) - tagLen

	sigLen = ed25519.SignatureSize
	keyLen = ed25519.PublicKeySize
)

// Labels of the identity signatures and the transport keys.
const (
	prologueLabel  = "Nook peer handshake\x00"
	responderLabel = "Nook handshake v1 responder\x00"
	initiatorLabel = "Nook handshake v1 initiator\x00"
	i2rInfo        = "Nook transport v1 initiator to responder"
	r2iInfo        = "Nook transport v1 responder to initiator"
)

// prologue returns the Noise prologue for a first message's header.
func prologue(header []byte) []byte {
	return append([]byte(prologueLabel), header[:headerSize]...)
}

// offer is a canonical list of protocol versions: 1 to MaxOffered non-zero
// versions in strictly increasing order.
type offer []uint16

// newOffer sorts and checks the supported versions.
func newOffer(vs []uint16) (offer, error) {
	o := slices.Clone(vs)
	slices.Sort(o)
	o = slices.Compact(o)
	if len(o) == 0 || len(o) > MaxOffered || o[0] == 0 {
		return nil, fmt.Errorf("handshake: invalid set of supported versions %v", vs)
	}
	return o, nil
}

// appendOffer appends the offerSize-byte encoding of o.
func appendOffer(b []byte, o offer) []byte {
	b = append(b, byte(len(o)))
	for i := range MaxOffered {
		var v uint16
		if i < len(o) {
			v = o[i]
		}
		b = binary.BigEndian.AppendUint16(b, v)
	}
	return b
}

// parseOffer decodes an offer of offerSize bytes. Errors wrap ErrMalformed.
func parseOffer(b []byte) (offer, error) {
	n := int(b[0])
	if n < 1 || n > MaxOffered {
		return nil, fmt.Errorf("%w: offer of %d versions", ErrMalformed, n)
	}
	o := make(offer, n)
	for i := range MaxOffered {
		v := binary.BigEndian.Uint16(b[1+2*i:])
		switch {
		case i >= n && v != 0:
			return nil, fmt.Errorf("%w: unused version slot not zero", ErrMalformed)
		case i < n && (v == 0 || i > 0 && v <= o[i-1]):
			return nil, fmt.Errorf("%w: versions not strictly increasing", ErrMalformed)
		case i < n:
			o[i] = v
		}
	}
	return o, nil
}

// choose returns the highest version in both o and supported, or 0.
func (o offer) choose(supported []uint16) uint16 {
	for i := len(o) - 1; i >= 0; i-- {
		if slices.Contains(supported, o[i]) {
			return o[i]
		}
	}
	return 0
}

var zeros [MessageSize]byte

func allZero(b []byte) bool { return bytes.Equal(b, zeros[:len(b)]) }

// payload2 is the plaintext of message 2's Noise payload.
type payload2 struct {
	version uint16
	echo    offer
	key     ed25519.PublicKey
	sig     []byte
}

func (p *payload2) marshal() []byte {
	b := make([]byte, 0, payload2Len)
	b = binary.BigEndian.AppendUint16(b, p.version)
	b = appendOffer(b, p.echo)
	b = append(b, p.key...)
	b = append(b, p.sig...)
	return b[:payload2Len]
}

func parsePayload2(b []byte) (*payload2, error) {
	if len(b) != payload2Len {
		return nil, fmt.Errorf("%w: message 2 payload of %d bytes", ErrMalformed, len(b))
	}
	echo, err := parseOffer(b[2 : 2+offerSize])
	if err != nil {
		return nil, err
	}
	rest := b[2+offerSize:]
	if !allZero(rest[keyLen+sigLen:]) {
		return nil, fmt.Errorf("%w: message 2 padding not zero", ErrMalformed)
	}
	return &payload2{
		version: binary.BigEndian.Uint16(b),
		echo:    echo,
		key:     bytes.Clone(rest[:keyLen]),
		sig:     bytes.Clone(rest[keyLen : keyLen+sigLen]),
	}, nil
}

// payload3 is the plaintext of message 3's Noise payload.
type payload3 struct {
	key ed25519.PublicKey
	sig []byte
}

func (p *payload3) marshal() []byte {
	b := make([]byte, 0, payload3Len)
	b = append(b, p.key...)
	b = append(b, p.sig...)
	return b[:payload3Len]
}

func parsePayload3(b []byte) (*payload3, error) {
	if len(b) != payload3Len {
		return nil, fmt.Errorf("%w: message 3 payload of %d bytes", ErrMalformed, len(b))
	}
	if !allZero(b[keyLen+sigLen:]) {
		return nil, fmt.Errorf("%w: message 3 padding not zero", ErrMalformed)
	}
	return &payload3{key: bytes.Clone(b[:keyLen]), sig: bytes.Clone(b[keyLen : keyLen+sigLen])}, nil
}

// signed returns the message an identity signature covers.
func signed(label string, h []byte) []byte {
	return append([]byte(label), h...)
}
