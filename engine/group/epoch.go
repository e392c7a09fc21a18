package group

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
)

// HKDF labels of epoch keys (docs/groups.md, "Epoch keys").
const (
	labelEpochSeal = "nook group epoch seal key v1"
	labelEpochTag  = "nook group epoch tag key v1"
)

// epochSalt returns groupID ‖ epoch u32: the HKDF salt of an epoch's keys
// and its blobs' associated data.
func epochSalt(id ID, epoch uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), id[:]...), epoch)
}

// NewEpoch returns the group id in epoch (from 1) with that epoch's key, as
// a rotation gave it (docs/groups.md, "Epoch keys"). Epoch 0 is the group
// of New. Errors wrap ErrInvalid (epoch 0, a key of zeros).
func NewEpoch(id ID, epoch uint32, key [KeySize]byte) (*Group, error) {
	if epoch == 0 {
		return nil, fmt.Errorf("%w: epoch 0 is the group of its invite key", ErrInvalid)
	}
	if subtle.ConstantTimeCompare(key[:], make([]byte, KeySize)) == 1 {
		return nil, fmt.Errorf("%w: epoch key of zeros", ErrInvalid)
	}
	salt := epochSalt(id, epoch)
	g := &Group{id: id, epoch: epoch, ad: salt}
	g.keys.Store(&derivedKeys{
		seal: mustHKDF(key[:], salt, labelEpochSeal),
		tag:  newTagMAC(mustHKDF(key[:], salt, labelEpochTag)),
	})
	return g, nil
}

// Epoch returns the group's epoch: 0 for the group of New.
func (g *Group) Epoch() uint32 { return g.epoch }

// ResealInto returns a blob of g sealed again under dst, another epoch of
// the same group: the same signed message (so the same message ID) under
// dst's key and a fresh nonce. A post queued before a rotation goes out
// under the new key this way. Errors as Reseal's, and ErrInvalid for a dst
// of another group.
func (g *Group) ResealInto(rnd io.Reader, dst *Group, blob []byte) ([]byte, error) {
	if dst.id != g.id {
		return nil, fmt.Errorf("%w: reseal into another group", ErrInvalid)
	}
	if len(blob) != BlobSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBlobSize, len(blob), BlobSize)
	}
	if !g.Ours(blob) {
		return nil, ErrNotOurs
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	from, err := g.aead()
	if err != nil {
		return nil, err
	}
	to, err := dst.aead()
	if err != nil {
		return nil, err
	}
	plain, err := from.Open(make([]byte, 0, PlainSize), blob[TagSize:TagSize+NonceSize], blob[TagSize+NonceSize:], g.ad)
	if err != nil {
		return nil, ErrTampered
	}
	out := make([]byte, TagSize+NonceSize, BlobSize)
	nonce := out[TagSize : TagSize+NonceSize]
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return nil, fmt.Errorf("group: nonce: %w", err)
	}
	if !dst.tag(out[:TagSize], nonce) {
		return nil, ErrWiped
	}
	return to.Seal(out, nonce, plain, dst.ad), nil
}
