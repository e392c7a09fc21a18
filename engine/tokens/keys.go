package tokens

import (
	"fmt"
	"io"

	"github.com/cloudflare/circl/oprf"
)

// PublicKey is an issuer's public key: a ristretto255 element, the TokenKey
// of a server bundle.
type PublicKey [ElementSize]byte

// ParsePublicKey checks that b is a valid, non-identity ristretto255
// element. Errors wrap ErrMalformed.
func ParsePublicKey(b []byte) (PublicKey, error) {
	var p PublicKey
	if _, err := p.key(b); err != nil {
		return p, err
	}
	copy(p[:], b)
	return p, nil
}

// key decodes b (or p itself if b is nil) as an oprf public key.
func (p PublicKey) key(b []byte) (*oprf.PublicKey, error) {
	if b == nil {
		b = p[:]
	}
	if len(b) != ElementSize {
		return nil, fmt.Errorf("%w: public key has %d bytes, want %d", ErrMalformed, len(b), ElementSize)
	}
	e := suite.Group().NewElement()
	if err := e.UnmarshalBinary(b); err != nil || e.IsIdentity() {
		return nil, fmt.Errorf("%w: public key is not a group element", ErrMalformed)
	}
	k := new(oprf.PublicKey)
	if err := k.UnmarshalBinary(suite, b); err != nil {
		return nil, fmt.Errorf("%w: public key: %w", ErrMalformed, err)
	}
	return k, nil
}

// IssuerKey is an issuer's private key (a ristretto255 scalar).
type IssuerKey struct {
	sk  *oprf.PrivateKey
	pub PublicKey
}

// GenerateIssuerKey makes a new random issuer key.
func GenerateIssuerKey(rand io.Reader) (*IssuerKey, error) {
	sk, err := oprf.GenerateKey(suite, rand)
	if err != nil {
		return nil, fmt.Errorf("tokens: generate issuer key: %w", err)
	}
	return newIssuerKey(sk)
}

// DeriveIssuerKey derives the key RFC 9497 §3.2.1 DeriveKeyPair gives for
// seed and info in VOPRF mode (for test vectors and reproducible setups).
func DeriveIssuerKey(seed, info []byte) (*IssuerKey, error) {
	sk, err := oprf.DeriveKey(suite, oprf.VerifiableMode, seed, info)
	if err != nil {
		return nil, fmt.Errorf("tokens: derive issuer key: %w", err)
	}
	return newIssuerKey(sk)
}

func newIssuerKey(sk *oprf.PrivateKey) (*IssuerKey, error) {
	b, err := sk.Public().MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("tokens: issuer public key: %w", err)
	}
	k := &IssuerKey{sk: sk}
	copy(k.pub[:], b)
	return k, nil
}

// ParseIssuerKey decodes a key written by MarshalBinary (a canonical
// 32-byte non-zero scalar). Errors wrap ErrMalformed.
func ParseIssuerKey(b []byte) (*IssuerKey, error) {
	if len(b) != 32 {
		return nil, fmt.Errorf("%w: issuer key has %d bytes, want 32", ErrMalformed, len(b))
	}
	sk := new(oprf.PrivateKey)
	if err := sk.UnmarshalBinary(suite, b); err != nil {
		return nil, fmt.Errorf("%w: issuer key: %w", ErrMalformed, err)
	}
	if again, err := sk.MarshalBinary(); err != nil || string(again) != string(b) {
		return nil, fmt.Errorf("%w: issuer key is not canonical", ErrMalformed)
	}
	s := suite.Group().NewScalar()
	if s.UnmarshalBinary(b) != nil || s.IsZero() {
		return nil, fmt.Errorf("%w: issuer key is zero", ErrMalformed)
	}
	return newIssuerKey(sk)
}

// MarshalBinary returns the private scalar (32 bytes). It is a secret.
func (k *IssuerKey) MarshalBinary() ([]byte, error) { return k.sk.MarshalBinary() }

// Public returns the public key.
func (k *IssuerKey) Public() PublicKey { return k.pub }
