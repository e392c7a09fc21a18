// Package identity provides Nook identities: ed25519 key pairs and the Tor v3
// onion addresses derived from them.
//
// An onion address is, per Tor's rend-spec-v3 §6 ("Encoding onion addresses"),
//
//	base32(PUBKEY | CHECKSUM | VERSION) + ".onion"
//	CHECKSUM = SHA3-256(".onion checksum" | PUBKEY | VERSION)[:2]
//	VERSION  = 0x03
//
// written in lower case. Everyone in Nook is such an address; there are no
// other user identifiers.
//
// The package also derives the X25519 key pair that belongs to an identity
// (the birational map from Edwards to Montgomery form), which the peer
// handshake uses so that one ed25519 key is the whole identity.
package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/edwards25519"
)

// Version is the onion service version byte encoded in every address.
const Version = 0x03

// AddressLen is the length of an address without the ".onion" suffix.
const AddressLen = 56

// Suffix is the domain suffix of onion addresses.
const Suffix = ".onion"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Errors returned by ParseAddress. Each names one way an address can be wrong,
// so that a user interface can say precisely what is wrong with what was typed.
var (
	// ErrAddressLength is returned by ParseAddress when the address does not
	// have 56 characters (ignoring an optional ".onion" suffix).
	ErrAddressLength = errors.New("onion address must have 56 characters")
	// ErrAddressEncoding is returned by ParseAddress when the address contains
	// characters outside the base32 alphabet (a–z, 2–7).
	ErrAddressEncoding = errors.New("onion address contains characters other than a–z and 2–7")
	// ErrAddressVersion is returned by ParseAddress for an address that is not
	// a version 3 onion address.
	ErrAddressVersion = errors.New("onion address is not a version 3 address")
	// ErrAddressChecksum is returned by ParseAddress when the checksum does not
	// match: the address was mistyped or altered.
	ErrAddressChecksum = errors.New("onion address checksum does not match (mistyped or altered)")
	// ErrAddressKey is returned by ParseAddress when the encoded public key is
	// not one tor accepts: not the canonical encoding of a curve point in the
	// prime-order subgroup other than the identity (a small-order point, or
	// a valid key with a small-order point added, or a non-canonical
	// encoding).
	ErrAddressKey = errors.New("onion address does not contain a valid public key")
)

// Address is a validated v3 onion address in canonical form: 56 lower-case
// base32 characters without the ".onion" suffix. The zero Address is invalid.
type Address string

// String returns the address with the ".onion" suffix.
func (a Address) String() string { return string(a) + Suffix }

// Short returns the first 8 characters, for places where the whole address
// does not fit (never as an identifier).
func (a Address) Short() string {
	if len(a) < 8 {
		return string(a)
	}
	return string(a[:8])
}

// PublicKey returns the ed25519 public key encoded in the address. It panics
// if a was not produced by ParseAddress or AddressFromPublicKey.
func (a Address) PublicKey() ed25519.PublicKey {
	raw, err := b32.DecodeString(strings.ToUpper(string(a)))
	if err != nil || len(raw) != 35 {
		panic("identity: PublicKey of an invalid Address")
	}
	return ed25519.PublicKey(raw[:32])
}

func checksum(pub []byte) [2]byte {
	h := sha3.New256()
	h.Write([]byte(".onion checksum"))
	h.Write(pub)
	h.Write([]byte{Version})
	var sum [2]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// AddressFromPublicKey returns the onion address of an ed25519 public key.
func AddressFromPublicKey(pub ed25519.PublicKey) Address {
	if len(pub) != ed25519.PublicKeySize {
		panic("identity: public key has wrong length")
	}
	sum := checksum(pub)
	raw := make([]byte, 0, 35)
	raw = append(raw, pub...)
	raw = append(raw, sum[0], sum[1], Version)
	return Address(strings.ToLower(b32.EncodeToString(raw)))
}

// ParseAddress validates s as a v3 onion address and returns it in canonical
// form. It accepts upper or lower case, surrounding white space and an
// optional ".onion" suffix. Errors wrap one of the ErrAddress* values.
func ParseAddress(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if len(s) > len(Suffix) && strings.EqualFold(s[len(s)-len(Suffix):], Suffix) {
		s = s[:len(s)-len(Suffix)]
	}
	if len(s) != AddressLen {
		return "", fmt.Errorf("%w (got %d)", ErrAddressLength, len(s))
	}
	raw, err := b32.DecodeString(strings.ToUpper(s))
	if err != nil || len(raw) != 35 {
		return "", ErrAddressEncoding
	}
	pub, sum, ver := raw[:32], raw[32:34], raw[34]
	if ver != Version {
		return "", fmt.Errorf("%w (version byte %d)", ErrAddressVersion, ver)
	}
	want := checksum(pub)
	if sum[0] != want[0] || sum[1] != want[1] {
		return "", ErrAddressChecksum
	}
	if !validPublicKey(pub) {
		return "", ErrAddressKey
	}
	return Address(strings.ToLower(s)), nil
}

// validPublicKey reports whether pub is a key tor accepts in an onion
// address (rend-spec-v3 §6; tor's hs_address_is_valid and
// ed25519_validate_pubkey): the canonical encoding of a curve point P that
// is in the prime-order subgroup ([ℓ]P is the identity) and is not the
// identity itself. A point with a small-order component added, or a
// non-canonical encoding (y ≥ p, or x = 0 with the sign bit set), would
// pass a mere curve-point check, but tor answers "bad pubkey" and the
// address could never be reached. The identity is the only point of small
// order in the subgroup, so this also refuses every small-order key.
func validPublicKey(pub []byte) bool {
	p, err := new(edwards25519.Point).SetBytes(pub)
	if err != nil {
		return false
	}
	if !bytes.Equal(p.Bytes(), pub) {
		return false
	}
	identity := edwards25519.NewIdentityPoint()
	if p.Equal(identity) == 1 {
		return false
	}
	// [ℓ]P = [ℓ-1]P + P; ℓ-1 is -1 as a scalar. The scalar is applied as the
	// integer ℓ-1, so a small-order component survives and is caught here.
	q := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(minusOne, p, edwards25519.NewScalar())
	return q.Add(q, p).Equal(identity) == 1
}

// minusOne is ℓ-1, the scalar -1.
var minusOne = edwards25519.NewScalar().Negate(scalarOne())

func scalarOne() *edwards25519.Scalar {
	var b [32]byte
	b[0] = 1
	s, err := edwards25519.NewScalar().SetCanonicalBytes(b[:])
	if err != nil {
		panic(err)
	}
	return s
}

// Identity is a profile's long-term key pair. It must never be logged or
// written to disk unencrypted.
type Identity struct {
	priv ed25519.PrivateKey
	addr Address
}

// Generate creates a new identity from the random source r (crypto/rand when nil).
func Generate(r io.Reader) (*Identity, error) {
	if r == nil {
		r = rand.Reader
	}
	_, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, fmt.Errorf("generate identity: %w", err)
	}
	return FromPrivateKey(priv), nil
}

// FromSeed rebuilds an identity from its 32-byte ed25519 seed.
func FromSeed(seed []byte) (*Identity, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, errors.New("identity seed must be 32 bytes")
	}
	return FromPrivateKey(ed25519.NewKeyFromSeed(seed)), nil
}

// FromPrivateKey wraps an existing ed25519 private key.
func FromPrivateKey(priv ed25519.PrivateKey) *Identity {
	pub := priv.Public().(ed25519.PublicKey)
	return &Identity{priv: priv, addr: AddressFromPublicKey(pub)}
}

// Address returns the identity's onion address.
func (id *Identity) Address() Address { return id.addr }

// PublicKey returns the ed25519 public key.
func (id *Identity) PublicKey() ed25519.PublicKey { return id.priv.Public().(ed25519.PublicKey) }

// PrivateKey returns the ed25519 private key, for the Tor transport (which
// hands it to tor in ADD_ONION) and for storage. Treat it as secret.
func (id *Identity) PrivateKey() ed25519.PrivateKey { return id.priv }

// Seed returns the 32-byte seed from which the key pair derives; it is what a
// profile stores.
func (id *Identity) Seed() []byte { return id.priv.Seed() }

// Sign signs msg with the identity key.
func (id *Identity) Sign(msg []byte) []byte { return ed25519.Sign(id.priv, msg) }

// Verify reports whether sig is addr's signature of msg.
func Verify(addr Address, msg, sig []byte) bool {
	return ed25519.Verify(addr.PublicKey(), msg, sig)
}

// X25519Private returns the X25519 private key that corresponds to the
// identity: the clamped first half of SHA-512(seed), which is the scalar the
// ed25519 key itself uses.
func (id *Identity) X25519Private() []byte {
	h := sha512.Sum512(id.priv.Seed())
	s := h[:32]
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
	out := make([]byte, 32)
	copy(out, s)
	return out
}

// X25519Public returns the X25519 public key that corresponds to the ed25519
// public key in addr (the Montgomery form of the same point).
func X25519Public(addr Address) []byte {
	p, err := new(edwards25519.Point).SetBytes(addr.PublicKey())
	if err != nil {
		panic("identity: X25519Public of an invalid Address")
	}
	return p.BytesMontgomery()
}
