package tokens

import (
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"filippo.io/edwards25519"

	"github.com/nookchat/nook/engine/tokens/internal/r255"
)

// Domain separation of RFC 9497 for ristretto255-SHA512 in VOPRF mode
// (contextString "OPRFV1-" ‖ 0x01 ‖ "-ristretto255-SHA512").
const (
	hashToGroupDST = "HashToGroup-OPRFV1-\x01-ristretto255-SHA512"
	finalizeLabel  = "Finalize"
)

// evaluator is the issuer's private key as a filippo.io/edwards25519
// scalar, for the redemption check: RFC 9497's FullEvaluate, computed by
// internal/r255 instead of circl (less CPU: filippo.io/edwards25519's
// assembly field arithmetic) and giving the same output.
type evaluator struct {
	k *edwards25519.Scalar
}

// newEvaluator takes the canonical 32-byte encoding of the private key.
func newEvaluator(sk []byte) (evaluator, error) {
	k, err := edwards25519.NewScalar().SetCanonicalBytes(sk)
	if err != nil {
		return evaluator{}, fmt.Errorf("%w: issuer key: %w", ErrMalformed, err)
	}
	return evaluator{k: k}, nil
}

// fullEvaluate returns the PRF output for input (RFC 9497 §3.3.1,
// FullEvaluate in VOPRF mode): Hash(I2OSP(len(input), 2) ‖ input ‖
// I2OSP(32, 2) ‖ SerializeElement(k·HashToGroup(input)) ‖ "Finalize").
// The multiplication by the key takes constant time. Inputs longer than
// 65535 bytes have no output (RFC 9497 limits inputs to that).
func (e evaluator) fullEvaluate(input []byte) ([OutputSize]byte, bool) {
	var out [OutputSize]byte
	if len(input) > 0xffff {
		return out, false
	}
	p, err := new(r255.Element).HashToGroup(input, []byte(hashToGroupDST))
	if err != nil {
		return out, false
	}
	var z [ElementSize]byte
	p.ScalarMult(e.k, p).Encode(&z)
	h := sha512.New()
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(input))))
	h.Write(input)
	h.Write(binary.BigEndian.AppendUint16(nil, ElementSize))
	h.Write(z[:])
	h.Write([]byte(finalizeLabel))
	h.Sum(out[:0])
	return out, true
}
