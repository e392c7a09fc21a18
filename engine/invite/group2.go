package invite

import (
	"encoding/binary"
	"fmt"

	"github.com/nookchat/nook/engine/identity"
)

// A G2 invite (docs/invites.md §3.4) hands over a group whose key was
// renewed: the epoch it was made in, that epoch's key, the group ID (which
// cannot be derived without the first key) and the owner's signing key.
// Its holder reads from that epoch on and nothing older.

// NewGroupInviteEpoch returns an invite to the group id called name in
// epoch (≥ 1), whose key is key, owned by owner (an ed25519 public key),
// hosted by the server that signed b. Errors wrap ErrName, ErrKey (a key
// of zeros, an epoch 0, an invalid owner key) or what Bundle.Verify
// returns.
func NewGroupInviteEpoch(name string, epoch uint32, key, id, owner [32]byte, b *Bundle) (*GroupInvite, error) {
	if epoch == 0 {
		return nil, fmt.Errorf("%w: an invite of the first epoch is a G1 invite", ErrKey)
	}
	g, err := NewGroupInvite(name, key, b)
	if err != nil {
		return nil, err
	}
	if err := checkOwner(owner); err != nil {
		return nil, err
	}
	g.epoch, g.id, g.owner = epoch, id, owner
	return g, nil
}

// Epoch returns the epoch whose key the invite carries: 0 for a G1
// invite.
func (g *GroupInvite) Epoch() uint32 { return g.epoch }

// GroupID returns the group ID an invite of epoch ≥ 1 carries; ok is false
// in epoch 0 (whose group ID the key and the first bundle give).
func (g *GroupInvite) GroupID() (id [32]byte, ok bool) { return g.id, g.epoch > 0 }

// Owner returns the owner's signing key a G2 or G3 invite carries; ok is
// false for a G1 invite, which does not name the owner.
func (g *GroupInvite) Owner() (owner [32]byte, ok bool) {
	return g.owner, g.epoch > 0 || g.owner != [32]byte{}
}

// checkOwner checks that owner is an ed25519 key that could sign: the key
// of a valid onion address.
func checkOwner(owner [32]byte) error {
	if _, err := identity.ParseAddress(string(identity.AddressFromPublicKey(owner[:]))); err != nil {
		return fmt.Errorf("%w: group owner: %w", ErrKey, err)
	}
	return nil
}

// encodeEpoch returns the invite as NOOK:G2:… text.
func (g *GroupInvite) encodeEpoch() string {
	b := make([]byte, 0, 4+3*32+BundleSize+2+len(g.name))
	b = binary.BigEndian.AppendUint32(b, g.epoch)
	b = append(b, g.key[:]...)
	b = append(b, g.id[:]...)
	b = append(b, g.owner[:]...)
	b = mustMarshal(&g.bundle, b)
	return frame(PrefixGroupEpoch, appendName(b, g.name))
}

// parseGroupEpoch decodes a G2 payload:
//
//	epoch u32 ‖ key [32] ‖ group ID [32] ‖ owner [32] ‖ bundle [169] ‖ uvarint(len(name)) ‖ name
func parseGroupEpoch(data []byte) (Invite, error) {
	r := &reader{b: data}
	g := &GroupInvite{}
	if e := r.take(4); e != nil {
		g.epoch = binary.BigEndian.Uint32(e)
	}
	copy(g.key[:], r.take(GroupKeySize))
	copy(g.id[:], r.take(32))
	copy(g.owner[:], r.take(32))
	b, err := readInviteBundle(r)
	if err != nil {
		return nil, err
	}
	name, err := r.name()
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	if g.epoch == 0 {
		return nil, fmt.Errorf("%w: a G2 invite of epoch 0", ErrMalformed)
	}
	g.name, g.bundle = name, *b
	return g, nil
}
