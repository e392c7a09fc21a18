package tokens

import (
	"crypto/sha256"
	"fmt"

	"github.com/cloudflare/circl/oprf"
)

// Sizes of the token construction.
const (
	// InputSize is the size of a token's random input.
	InputSize = 32
	// OutputSize is the size of a VOPRF output (SHA-512).
	OutputSize = 64
	// ElementSize is the size of an encoded ristretto255 element.
	ElementSize = 32
	// ProofSize is the size of an encoded batched DLEQ proof (c ‖ s).
	ProofSize = 64
	// MaxBatch is the largest number of tokens issued at once.
	MaxBatch = 100
	// TokenVersion is the first byte of an encoded Token.
	TokenVersion = 1
	// TokenSize is the size of an encoded Token.
	TokenSize = 1 + InputSize + OutputSize
)

// suite is RFC 9497's ristretto255-SHA512.
var suite = oprf.SuiteRistretto255

// Token is one anonymous posting token: a random input and its VOPRF
// output under the issuer's key.
type Token struct {
	Input  [InputSize]byte
	Output [OutputSize]byte
}

// MarshalBinary returns the encoding TokenVersion u8 ‖ input ‖ output.
func (t Token) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, TokenSize)
	b = append(b, TokenVersion)
	b = append(b, t.Input[:]...)
	return append(b, t.Output[:]...), nil
}

// ParseToken decodes a Token. Errors wrap ErrMalformed.
func ParseToken(b []byte) (Token, error) {
	var t Token
	if len(b) != TokenSize {
		return t, fmt.Errorf("%w: token has %d bytes, want %d", ErrMalformed, len(b), TokenSize)
	}
	if b[0] != TokenVersion {
		return t, fmt.Errorf("%w: token version %d", ErrMalformed, b[0])
	}
	copy(t.Input[:], b[1:])
	copy(t.Output[:], b[1+InputSize:])
	return t, nil
}

// spentLabel separates spent-set keys from any other hash of an input.
const spentLabel = "nook token spent v1\x00"

// SpentKey is the key under which a redeemed token's input is remembered:
// SHA-256("nook token spent v1\x00" ‖ input). The input itself is not
// stored.
func SpentKey(t Token) [32]byte {
	h := sha256.New()
	h.Write([]byte(spentLabel))
	h.Write(t.Input[:])
	var k [32]byte
	h.Sum(k[:0])
	return k
}
