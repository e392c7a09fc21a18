package group

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/nookchat/nook/engine/identity"
)

// KindKnownTo is a member's certification for their contacts
// (docs/groups.md, "Per-group identities"): its body is a KnownTo, one
// short tag per accepted contact of the author (and random tags up to a
// multiple of KnownToRound), each computable only by the author and that
// contact. Clients that predate it count it in the timeline and show
// nothing (an unknown kind).
const KindKnownTo Kind = 9

// Sizes of a KnownTo body: version u8 ‖ n × tag [KnownToTagSize].
const (
	knownToVersion = 1
	KnownToTagSize = 8
	// KnownToRound is the multiple to which the tags are padded with
	// random ones, so that the count tells only roughly how many
	// contacts the author has.
	KnownToRound = 32
	// MaxKnownTo is the most tags one message carries (a multiple of
	// KnownToRound that fits a message with the longest display name).
	MaxKnownTo = (MaxText - MaxNameBytes - 1) / KnownToTagSize / KnownToRound * KnownToRound
)

const labelKnownTo = "nook group member tag v1\x00"

// KnownTo is the body of a KindKnownTo message: the author's tags.
type KnownTo struct {
	Tags [][KnownToTagSize]byte
}

// Encode returns the body of a KindKnownTo message holding k.
func (k *KnownTo) Encode() ([]byte, error) {
	if len(k.Tags) == 0 || len(k.Tags) > MaxKnownTo {
		return nil, fmt.Errorf("%w: %d contact tags, 1 to %d fit", ErrInvalid, len(k.Tags), MaxKnownTo)
	}
	b := make([]byte, 0, 1+len(k.Tags)*KnownToTagSize)
	b = append(b, knownToVersion)
	for _, t := range k.Tags {
		b = append(b, t[:]...)
	}
	return b, nil
}

// ParseKnownTo parses the body of a KindKnownTo message. Errors wrap
// ErrMalformed.
func ParseKnownTo(body []byte) (*KnownTo, error) {
	if len(body) < 1 {
		return nil, fmt.Errorf("%w: empty contact tags", ErrMalformed)
	}
	if body[0] != knownToVersion {
		return nil, fmt.Errorf("%w: contact tags of layout %d", ErrMalformed, body[0])
	}
	rest := body[1:]
	n := len(rest) / KnownToTagSize
	if len(rest)%KnownToTagSize != 0 || n == 0 || n > MaxKnownTo {
		return nil, fmt.Errorf("%w: contact tags of %d bytes", ErrMalformed, len(rest))
	}
	k := &KnownTo{Tags: make([][KnownToTagSize]byte, n)}
	for i := range k.Tags {
		copy(k.Tags[i][:], rest[i*KnownToTagSize:])
	}
	return k, nil
}

// ContactKey is what one side of a contact relationship needs to make or
// check the tags of the other in a group: the X25519 of the profile's
// onion key and the contact's. It is secret.
type ContactKey struct {
	dh []byte
}

// NewContactKey returns the contact key of the profile self with the
// contact whose onion address is contact: the same value on both sides.
func NewContactKey(self *identity.Identity, contact identity.Address) (*ContactKey, error) {
	priv, err := x25519Private(self)
	if err != nil {
		return nil, err
	}
	pub, err := x25519Public(KeyOf(contact))
	if err != nil {
		return nil, fmt.Errorf("%w: contact key: %w", ErrInvalid, err)
	}
	dh, err := priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: contact key: %w", ErrInvalid, err)
	}
	return &ContactKey{dh: dh}, nil
}

// Wipe clears the key.
func (k *ContactKey) Wipe() { clear(k.dh) }

// Tag returns the tag that says, to this contact only, that the member
// of group id with the per-group key member is the profile (or, on the
// other side, the contact).
func (k *ContactKey) Tag(id ID, member PublicKey) [KnownToTagSize]byte {
	mac := hmac.New(sha256.New, k.dh)
	mac.Write([]byte(labelKnownTo))
	mac.Write(id[:])
	mac.Write(member[:])
	var t [KnownToTagSize]byte
	copy(t[:], mac.Sum(nil))
	return t
}

// NewKnownTo returns the tags of member (the profile's per-group key in
// group id) for each of the contacts' keys, padded with random tags to a
// multiple of KnownToRound and shuffled; at most MaxKnownTo contacts are
// tagged (the first ones).
func NewKnownTo(rnd io.Reader, id ID, member PublicKey, contacts []*ContactKey) (*KnownTo, error) {
	n := min(len(contacts), MaxKnownTo)
	total := max(KnownToRound, (n+KnownToRound-1)/KnownToRound*KnownToRound)
	k := &KnownTo{Tags: make([][KnownToTagSize]byte, total)}
	for i := range n {
		k.Tags[i] = contacts[i].Tag(id, member)
	}
	for i := n; i < total; i++ {
		if _, err := io.ReadFull(rnd, k.Tags[i][:]); err != nil {
			return nil, fmt.Errorf("group: contact tags: %w", err)
		}
	}
	// Fisher–Yates, as for the wraps: the order says nothing.
	var b [8]byte
	for i := total - 1; i > 0; i-- {
		if _, err := io.ReadFull(rnd, b[:]); err != nil {
			return nil, fmt.Errorf("group: contact tags: %w", err)
		}
		j := int(beUint64(b[:]) % uint64(i+1))
		k.Tags[i], k.Tags[j] = k.Tags[j], k.Tags[i]
	}
	return k, nil
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// Has reports whether the tags hold the one key k makes for member in
// group id (constant time per tag).
func (kt *KnownTo) Has(k *ContactKey, id ID, member PublicKey) bool {
	want := k.Tag(id, member)
	found := false
	for _, t := range kt.Tags {
		if hmac.Equal(t[:], want[:]) {
			found = true
		}
	}
	return found
}
