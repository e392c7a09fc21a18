package group

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"filippo.io/edwards25519"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/nookchat/nook/engine/identity"
)

// KindRotate is a rotation (docs/groups.md, "The rotation message"): an
// admin moves the group to a new epoch, with its key wrapped for each
// remaining member. It is sealed under the old epoch's key.
const KindRotate Kind = 8

// Reason says why a rotation was made.
type Reason uint8

// Reasons of a rotation.
const (
	ReasonRemoval Reason = 1 // members were removed
	ReasonLeft    Reason = 2 // a member left
	ReasonRenewal Reason = 3 // the key was renewed: invites revoked, or admins named
)

// Limits of a rotation part (docs/groups.md).
const (
	rotationVersion = 1
	// MaxWraps is the number of wrapped keys one part carries.
	MaxWraps = 52
	// MaxRotationParts is the number of parts of one rotation.
	MaxRotationParts = 16
	// MaxAdmins and MaxRemoved bound the lists of a rotation.
	MaxAdmins  = 16
	MaxRemoved = 16
	// WrapSize is the size of one wrapped key.
	WrapSize = KeySize + chacha20poly1305.Overhead
	// rotationFixed is the body without lists: version, epoch, reason,
	// salt, part, parts, commit, owner and the three list lengths.
	rotationFixed = 1 + 4 + 1 + 16 + 1 + 1 + 32 + 32 + 1 + 1 + 1
)

const (
	labelCommit = "nook group key commit v1\x00"
	labelWrap   = "nook group key wrap v1\x00"
)

// PublicKey is an ed25519 public key: a member's signing key.
type PublicKey [ed25519.PublicKeySize]byte

// KeyOf returns the signing key of an onion address.
func KeyOf(a identity.Address) PublicKey { return PublicKey(a.PublicKey()) }

// Rotation is one part of a rotation message: the body of a KindRotate.
type Rotation struct {
	Epoch   uint32 // the new epoch
	Reason  Reason
	Salt    [16]byte // the same in every part of one rotation
	Part    uint8    // 0 .. Parts-1
	Parts   uint8
	Commit  [32]byte // commitment to the new key (KeyCommit)
	Owner   PublicKey
	Admins  []PublicKey // admins besides the owner, sorted
	Removed []PublicKey // members removed by this rotation, sorted
	Wraps   [][WrapSize]byte
}

// KeyCommit returns the commitment to an epoch's key that every part of
// its rotation carries.
func KeyCommit(id ID, epoch uint32, key [KeySize]byte) [32]byte {
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(labelCommit))
	m.Write(id[:])
	m.Write(binary.BigEndian.AppendUint32(nil, epoch))
	return [32]byte(m.Sum(nil))
}

// encode returns the body of a KindRotate message.
func (r *Rotation) encode() ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	b := make([]byte, 0, rotationFixed+32*(len(r.Admins)+len(r.Removed))+WrapSize*len(r.Wraps))
	b = append(b, rotationVersion)
	b = binary.BigEndian.AppendUint32(b, r.Epoch)
	b = append(b, byte(r.Reason))
	b = append(b, r.Salt[:]...)
	b = append(b, r.Part, r.Parts)
	b = append(b, r.Commit[:]...)
	b = append(b, r.Owner[:]...)
	b = append(b, byte(len(r.Admins)))
	for _, k := range r.Admins {
		b = append(b, k[:]...)
	}
	b = append(b, byte(len(r.Removed)))
	for _, k := range r.Removed {
		b = append(b, k[:]...)
	}
	b = append(b, byte(len(r.Wraps)))
	for _, w := range r.Wraps {
		b = append(b, w[:]...)
	}
	return b, nil
}

// check reports what breaks the bounds of a rotation part.
func (r *Rotation) check() error {
	switch {
	case r.Epoch == 0:
		return fmt.Errorf("rotation to epoch 0")
	case r.Reason < ReasonRemoval || r.Reason > ReasonRenewal:
		return fmt.Errorf("rotation reason %d", r.Reason)
	case r.Parts == 0 || r.Parts > MaxRotationParts || r.Part >= r.Parts:
		return fmt.Errorf("rotation part %d of %d", r.Part, r.Parts)
	case len(r.Admins) > MaxAdmins || len(r.Removed) > MaxRemoved || len(r.Wraps) > MaxWraps:
		return fmt.Errorf("rotation lists too long")
	case !sortedUnique(r.Admins) || !sortedUnique(r.Removed):
		return fmt.Errorf("rotation lists not sorted or with duplicates")
	case slices.Contains(r.Admins, r.Owner) || slices.Contains(r.Removed, r.Owner):
		return fmt.Errorf("rotation lists the owner as an admin or removed")
	}
	for _, k := range append(slices.Clone(r.Admins), r.Removed...) {
		if !validPublicKey(k[:]) {
			return fmt.Errorf("rotation lists an invalid key")
		}
	}
	if !validPublicKey(r.Owner[:]) {
		return fmt.Errorf("rotation names an invalid owner key")
	}
	return nil
}

func sortedUnique(ks []PublicKey) bool {
	for i := 1; i < len(ks); i++ {
		if bytes.Compare(ks[i-1][:], ks[i][:]) >= 0 {
			return false
		}
	}
	return true
}

// decodeRotation parses the body of a KindRotate message. Errors wrap
// ErrMalformed (ErrVersion for a body version this package does not know).
func decodeRotation(body []byte) (*Rotation, error) {
	if len(body) > 0 && body[0] != rotationVersion {
		return nil, fmt.Errorf("%w: rotation version %d", ErrVersion, body[0])
	}
	rd := reader{b: body}
	rd.take(1)
	r := &Rotation{}
	if b := rd.take(4); b != nil {
		r.Epoch = binary.BigEndian.Uint32(b)
	}
	r.Reason = Reason(rd.u8())
	copy(r.Salt[:], rd.take(16))
	r.Part, r.Parts = rd.u8(), rd.u8()
	copy(r.Commit[:], rd.take(32))
	copy(r.Owner[:], rd.take(32))
	keys := func(max int) []PublicKey {
		n := int(rd.u8())
		if n > max {
			rd.short = true
			return nil
		}
		var out []PublicKey
		for range n {
			k := rd.take(32)
			if rd.short {
				return nil
			}
			out = append(out, PublicKey(k))
		}
		return out
	}
	r.Admins = keys(MaxAdmins)
	r.Removed = keys(MaxRemoved)
	n := int(rd.u8())
	if n > MaxWraps {
		return nil, fmt.Errorf("%w: %d wraps in a rotation part", ErrMalformed, n)
	}
	for range n {
		w := rd.take(WrapSize)
		if rd.short {
			break
		}
		r.Wraps = append(r.Wraps, [WrapSize]byte(w))
	}
	if rd.short {
		return nil, fmt.Errorf("%w: rotation truncated or a list too long", ErrMalformed)
	}
	if rd.off != len(body) {
		return nil, fmt.Errorf("%w: bytes after the rotation's wraps", ErrMalformed)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return r, nil
}

// x25519Private returns the X25519 private key of an ed25519 identity: the
// clamped scalar RFC 8032 derives from its seed.
func x25519Private(id *identity.Identity) (*ecdh.PrivateKey, error) {
	h := sha512.Sum512(id.Seed())
	defer clear(h[:])
	return ecdh.X25519().NewPrivateKey(h[:32])
}

// x25519Public returns the Montgomery form of an ed25519 public key.
func x25519Public(k PublicKey) (*ecdh.PublicKey, error) {
	p, err := new(edwards25519.Point).SetBytes(k[:])
	if err != nil {
		return nil, err
	}
	return ecdh.X25519().NewPublicKey(p.BytesMontgomery())
}

// wrapKey returns the key that wraps an epoch key from admin to member.
func wrapKey(self *identity.Identity, other PublicKey, admin, member PublicKey, id ID, epoch uint32, salt [16]byte) ([]byte, error) {
	priv, err := x25519Private(self)
	if err != nil {
		return nil, err
	}
	pub, err := x25519Public(other)
	if err != nil {
		return nil, err
	}
	dh, err := priv.ECDH(pub) // fails for an all-zero result (a small-order key)
	if err != nil {
		return nil, err
	}
	defer clear(dh)
	info := append(append([]byte(labelWrap), admin[:]...), member[:]...)
	return hkdf.Key(sha256.New, dh, append(epochSalt(id, epoch), salt[:]...), string(info), 32)
}

// NewRotation makes a rotation of group id to epoch by admin, for the
// remaining members recipients (not admin itself): a fresh random key and
// the parts that carry it, at most MaxWraps wraps each, in random order.
// owner, admins and removed are the roles of the new epoch and the members
// it removes. Each part becomes the Rotation of one KindRotate message,
// sealed under the old epoch.
func NewRotation(rnd io.Reader, id ID, admin *identity.Identity, epoch uint32, reason Reason,
	owner PublicKey, admins, removed, recipients []PublicKey) (key [KeySize]byte, parts []*Rotation, err error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	if len(recipients) > MaxWraps*MaxRotationParts {
		return key, nil, fmt.Errorf("%w: %d members, a rotation reaches at most %d", ErrInvalid, len(recipients), MaxWraps*MaxRotationParts)
	}
	base := Rotation{Epoch: epoch, Reason: reason, Owner: owner,
		Admins: sortKeys(admins), Removed: sortKeys(removed)}
	if _, err := io.ReadFull(rnd, key[:]); err != nil {
		return key, nil, fmt.Errorf("group: rotation key: %w", err)
	}
	if _, err := io.ReadFull(rnd, base.Salt[:]); err != nil {
		return key, nil, fmt.Errorf("group: rotation salt: %w", err)
	}
	base.Commit = KeyCommit(id, epoch, key)
	me := KeyOf(admin.Address())
	wraps := make([][WrapSize]byte, 0, len(recipients))
	for _, m := range recipients {
		k, err := wrapKey(admin, m, me, m, id, epoch, base.Salt)
		if err != nil {
			return key, nil, fmt.Errorf("%w: cannot wrap the key for a member: %w", ErrInvalid, err)
		}
		aead, err := chacha20poly1305.New(k)
		clear(k)
		if err != nil {
			return key, nil, err
		}
		wraps = append(wraps, [WrapSize]byte(aead.Seal(nil, make([]byte, chacha20poly1305.NonceSize), key[:], base.Commit[:])))
	}
	shuffle(rnd, wraps)
	n := max(1, (len(wraps)+MaxWraps-1)/MaxWraps)
	for i := range n {
		p := base
		p.Part, p.Parts = uint8(i), uint8(n)
		p.Wraps = wraps[i*len(wraps)/n : (i+1)*len(wraps)/n]
		if err := p.check(); err != nil {
			return key, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		parts = append(parts, &p)
	}
	return key, parts, nil
}

func sortKeys(ks []PublicKey) []PublicKey {
	out := slices.Clone(ks)
	slices.SortFunc(out, func(a, b PublicKey) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}

// shuffle permutes wraps (Fisher–Yates with rnd), so that their order says
// nothing about the members.
func shuffle(rnd io.Reader, wraps [][WrapSize]byte) {
	var b [8]byte
	for i := len(wraps) - 1; i > 0; i-- {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return
		}
		j := int(binary.BigEndian.Uint64(b[:]) % uint64(i+1))
		wraps[i], wraps[j] = wraps[j], wraps[i]
	}
}

// Unwrap looks in a rotation part of group id, signed by admin, for the new
// key wrapped for self. ok is false when no wrap opens for self, or one
// opens to a key that does not match the part's commitment (an admin
// giving members different keys).
func (r *Rotation) Unwrap(id ID, admin PublicKey, self *identity.Identity) (key [KeySize]byte, ok bool) {
	me := KeyOf(self.Address())
	k, err := wrapKey(self, admin, admin, me, id, r.Epoch, r.Salt)
	if err != nil {
		return key, false
	}
	aead, err := chacha20poly1305.New(k)
	clear(k)
	if err != nil {
		return key, false
	}
	nonce := make([]byte, chacha20poly1305.NonceSize)
	for _, w := range r.Wraps {
		out, err := aead.Open(key[:0], nonce, w[:], r.Commit[:])
		if err != nil {
			continue
		}
		copy(key[:], out)
		if KeyCommit(id, r.Epoch, key) == r.Commit {
			return key, true
		}
		clear(key[:])
		return key, false
	}
	return key, false
}
