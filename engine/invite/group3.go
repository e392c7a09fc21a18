package invite

import (
	"encoding/binary"
	"fmt"
)

// A G3 invite (docs/invites.md §3.5) hands over a group with its owner
// named, in any epoch, on one or more servers: what G1 (no owner) and G2
// (epoch ≥ 1, one server) cannot say. By rule 3 it is written only for
// those: an invite of epoch 0 naming the owner, or of a group on more than
// one server.

// MaxGroupServers is the most servers a group invite names (the longest
// invite then has 1400 characters, MaxTextLen).
const MaxGroupServers = 3

// NewGroupInviteOwned returns an invite to the group id called name in
// epoch (0 or more), whose key is key, owned by owner (an ed25519 public
// key), hosted by the servers that signed bundles (1 to MaxGroupServers,
// the first the group's own: its ID derives from it in epoch 0, where id
// is ignored). Errors wrap ErrName, ErrKey (a key of zeros, an invalid
// owner key), ErrMalformed (no server, too many, the same one twice) or
// what Bundle.Verify returns.
func NewGroupInviteOwned(name string, epoch uint32, key, id, owner [32]byte, bundles []*Bundle) (*GroupInvite, error) {
	if len(bundles) == 0 || len(bundles) > MaxGroupServers {
		return nil, fmt.Errorf("%w: a group invite names 1 to %d servers, not %d", ErrMalformed, MaxGroupServers, len(bundles))
	}
	g, err := NewGroupInvite(name, key, bundles[0])
	if err != nil {
		return nil, err
	}
	if err := checkOwner(owner); err != nil {
		return nil, err
	}
	for _, b := range bundles[1:] {
		if err := b.Verify(); err != nil {
			return nil, err
		}
		g.more = append(g.more, *b)
	}
	if err := g.checkServers(); err != nil {
		return nil, err
	}
	g.epoch, g.owner = epoch, owner
	if epoch > 0 {
		g.id = id
	}
	return g, nil
}

// Bundles returns (copies of) the bundles of every server the invite
// names, the group's own first.
func (g *GroupInvite) Bundles() []*Bundle {
	out := []*Bundle{g.Bundle()}
	for _, b := range g.more {
		out = append(out, &b)
	}
	return out
}

// checkServers refuses an invite that names one server twice.
func (g *GroupInvite) checkServers() error {
	seen := map[[32]byte]bool{g.bundle.SigningKey: true}
	for _, b := range g.more {
		if seen[b.SigningKey] {
			return fmt.Errorf("%w: a server named twice", ErrMalformed)
		}
		seen[b.SigningKey] = true
	}
	return nil
}

// layout3 reports whether the invite is written as G3.
func (g *GroupInvite) layout3() bool {
	return len(g.more) > 0 || g.epoch == 0 && g.owner != [32]byte{}
}

// encodeOwned returns the invite as NOOK:G3:… text.
func (g *GroupInvite) encodeOwned() string {
	b := make([]byte, 0, 4+3*32+1+(1+len(g.more))*BundleSize+2+len(g.name))
	b = binary.BigEndian.AppendUint32(b, g.epoch)
	b = append(b, g.key[:]...)
	if g.epoch > 0 {
		b = append(b, g.id[:]...)
	}
	b = append(b, g.owner[:]...)
	b = append(b, byte(1+len(g.more)))
	b = mustMarshal(&g.bundle, b)
	for i := range g.more {
		b = mustMarshal(&g.more[i], b)
	}
	return frame(PrefixGroupOwned, appendName(b, g.name))
}

// parseGroupOwned decodes a G3 payload:
//
//	epoch u32 ‖ key [32] ‖ group ID [32] (only if epoch ≥ 1) ‖ owner [32]
//	‖ n u8 (1 to MaxGroupServers) ‖ n × bundle [169] ‖ uvarint(len(name)) ‖ name
//
// An invite G2 could express (epoch ≥ 1, one server) is not canonical and
// is refused (ErrMalformed).
func parseGroupOwned(data []byte) (Invite, error) {
	r := &reader{b: data}
	g := &GroupInvite{}
	g.epoch = r.u32()
	copy(g.key[:], r.take(GroupKeySize))
	if g.epoch > 0 {
		copy(g.id[:], r.take(32))
	}
	copy(g.owner[:], r.take(32))
	n := int(r.u8())
	if !r.short && (n == 0 || n > MaxGroupServers) {
		return nil, fmt.Errorf("%w: a group invite naming %d servers", ErrMalformed, n)
	}
	for i := range n {
		b, err := readInviteBundle(r)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			g.bundle = *b
		} else {
			g.more = append(g.more, *b)
		}
	}
	name, err := r.name()
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	g.name = name
	if !g.layout3() {
		return nil, fmt.Errorf("%w: a G3 invite that G2 expresses", ErrMalformed)
	}
	if err := g.checkServers(); err != nil {
		return nil, err
	}
	return g, nil
}
