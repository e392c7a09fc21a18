package invite

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/identity"
)

// BundleVersion is the version of the bundle layout this package writes and
// reads; it is the first byte of every encoded Bundle.
const BundleVersion = 1

// BundleSize is the length of an encoded Bundle.
const BundleSize = 1 + 32 + 32 + 32 + 8 + ed25519.SignatureSize

// bundleSignatureLabel starts the message a server signs, so that the
// signature can never be taken for anything else made with the same key.
const bundleSignatureLabel = "nook server bundle\x00"

// Bundle is what a group server publishes about itself, signed with its
// long-term key: where to reach it and the keys to check it with. Clients
// get it from a server or group invite.
//
// Its canonical encoding (MarshalBinary) is, in big-endian order,
//
//	version u8 ‖ onion key [32] ‖ signing key [32] ‖ token key [32] ‖
//	created u64 (Unix seconds) ‖ signature [64]
//
// and the signature is ed25519 by SigningKey over
// "nook server bundle\x00" ‖ (all of the above but the signature).
//
// The signature shows that whoever holds SigningKey made the bundle and
// that it was not changed since; it does not show that the onion address
// belongs to that key holder (the server proves that when a client
// connects), and trust in the key itself comes from the person who handed
// over the invite.
type Bundle struct {
	// Version is the layout version, BundleVersion.
	Version uint8
	// Address is the server's onion address.
	Address identity.Address
	// SigningKey is the server's long-term ed25519 public key; a group's ID
	// derives from it. Sign fills it in.
	SigningKey [ed25519.PublicKeySize]byte
	// TokenKey is the server's token issuer public key: a ristretto255
	// element (the VOPRF public key of the anonymous posting tokens).
	TokenKey [32]byte
	// Created is when the bundle was made, with second precision.
	Created time.Time
	// Signature is the server's signature. Sign fills it in.
	Signature [ed25519.SignatureSize]byte
}

// appendUnsigned appends everything but the signature. It fails for a
// bundle whose address or time cannot be encoded.
func (b *Bundle) appendUnsigned(dst []byte) ([]byte, error) {
	addr, err := identity.ParseAddress(string(b.Address))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAddress, err)
	}
	sec := b.Created.Unix()
	if b.Created.IsZero() || sec <= 0 || sec > maxUnix {
		return nil, fmt.Errorf("%w: bundle creation time not set", ErrMalformed)
	}
	dst = append(dst, b.Version)
	dst = append(dst, addr.PublicKey()...)
	dst = append(dst, b.SigningKey[:]...)
	dst = append(dst, b.TokenKey[:]...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(sec))
	return dst, nil
}

// AppendBinary appends the canonical encoding of b to dst.
func (b *Bundle) AppendBinary(dst []byte) ([]byte, error) {
	dst, err := b.appendUnsigned(dst)
	if err != nil {
		return nil, err
	}
	return append(dst, b.Signature[:]...), nil
}

// MarshalBinary returns the canonical encoding of b (BundleSize bytes). It
// fails, wrapping ErrAddress or ErrMalformed, for a bundle without a valid
// address or creation time; it does not check the signature.
func (b *Bundle) MarshalBinary() ([]byte, error) {
	return b.AppendBinary(make([]byte, 0, BundleSize))
}

// UnmarshalBinary decodes a canonical encoding into b. It checks the layout
// and the onion address but not the keys or the signature: use Verify, or
// ParseBundle, which does both. Errors wrap ErrVersion, ErrMalformed or
// ErrAddress.
func (b *Bundle) UnmarshalBinary(data []byte) error {
	if len(data) > 0 && data[0] != BundleVersion {
		return fmt.Errorf("%w: bundle version %d", ErrVersion, data[0])
	}
	if len(data) != BundleSize {
		return fmt.Errorf("%w: bundle has %d bytes, want %d", ErrMalformed, len(data), BundleSize)
	}
	nb, err := readBundle(&reader{b: data})
	if err != nil {
		return err
	}
	if err := nb.checkAddress(); err != nil {
		return err
	}
	*b = *nb
	return nil
}

// readBundle reads the structure of a bundle from r (errShort if r is too
// short, ErrVersion or ErrMalformed).
func readBundle(r *reader) (*Bundle, error) {
	b := &Bundle{Version: r.u8()}
	if !r.short && b.Version != BundleVersion {
		return nil, fmt.Errorf("%w: bundle version %d", ErrVersion, b.Version)
	}
	return readBundleRest(r, b)
}

// readInviteBundle is readBundle for a bundle inside an S1 or G1 invite,
// where the tag fixes the bundle's layout (docs/invites.md §2, rule 5): a
// bundle version other than BundleVersion is ErrMalformed, not ErrVersion.
// A newer bundle comes with a newer tag; an unknown version byte here means
// a field before it has the wrong length (a group key one byte short puts
// the first byte of the address where the version should be).
func readInviteBundle(r *reader) (*Bundle, error) {
	b := &Bundle{Version: r.u8()}
	if !r.short && b.Version != BundleVersion {
		return nil, fmt.Errorf("%w: the server bundle does not start where it should", ErrMalformed)
	}
	return readBundleRest(r, b)
}

// readBundleRest reads the fields after the version.
func readBundleRest(r *reader, b *Bundle) (*Bundle, error) {
	b.Address = identity.AddressFromPublicKey(r.take(32))
	copy(b.SigningKey[:], r.take(32))
	copy(b.TokenKey[:], r.take(32))
	created := r.u64()
	copy(b.Signature[:], r.take(ed25519.SignatureSize))
	if r.short {
		return nil, errShort
	}
	if created == 0 || created > maxUnix {
		return nil, fmt.Errorf("%w: bundle creation time out of range", ErrMalformed)
	}
	b.Created = time.Unix(int64(created), 0).UTC()
	return b, nil
}

func (b *Bundle) checkAddress() error {
	if _, err := identity.ParseAddress(string(b.Address)); err != nil {
		return fmt.Errorf("%w: server address: %w", ErrAddress, err)
	}
	return nil
}

// ParseBundle decodes and verifies an encoded bundle.
func ParseBundle(data []byte) (*Bundle, error) {
	b := new(Bundle)
	if err := b.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	if err := b.Verify(); err != nil {
		return nil, err
	}
	return b, nil
}

// Sign sets b.SigningKey to id's public key and b.Signature to id's
// signature over the bundle. b.Created is truncated to whole seconds (and
// must be set), b.Version set to BundleVersion if zero.
func (b *Bundle) Sign(id *identity.Identity) error {
	if b.Version == 0 {
		b.Version = BundleVersion
	}
	b.Created = b.Created.Truncate(time.Second)
	copy(b.SigningKey[:], id.PublicKey())
	msg, err := b.appendUnsigned([]byte(bundleSignatureLabel))
	if err != nil {
		return err
	}
	copy(b.Signature[:], id.Sign(msg))
	return nil
}

// Verify checks everything in the bundle: the version (ErrVersion), the
// onion address (ErrAddress), the creation time (ErrMalformed), the signing
// and token keys (ErrKey) and the signature (ErrSignature).
func (b *Bundle) Verify() error {
	if b.Version != BundleVersion {
		return fmt.Errorf("%w: bundle version %d", ErrVersion, b.Version)
	}
	if err := b.checkAddress(); err != nil {
		return err
	}
	if _, err := identity.ParseAddress(string(identity.AddressFromPublicKey(b.SigningKey[:]))); err != nil {
		return fmt.Errorf("%w: server signing key is not a valid ed25519 key", ErrKey)
	}
	if !validRistretto(b.TokenKey) {
		return fmt.Errorf("%w: server token key is not a valid ristretto255 element", ErrKey)
	}
	msg, err := b.appendUnsigned([]byte(bundleSignatureLabel))
	if err != nil {
		return err
	}
	if !ed25519.Verify(b.SigningKey[:], msg, b.Signature[:]) {
		return ErrSignature
	}
	return nil
}

// Equal reports whether b and o encode to the same bytes.
func (b *Bundle) Equal(o *Bundle) bool {
	return b.Version == o.Version && b.Address == o.Address && b.SigningKey == o.SigningKey &&
		b.TokenKey == o.TokenKey && b.Created.Equal(o.Created) && b.Signature == o.Signature
}
