package invite

import (
	"fmt"
	"time"
)

// GroupKeySize is the length of a group's key.
const GroupKeySize = 32

// ServerInvite hands over a group server: its signed bundle. It is
// immutable; build one with NewServerInvite or Parse.
type ServerInvite struct {
	bundle Bundle
}

// NewServerInvite returns an invite for the server that signed b. It
// verifies b first (see Bundle.Verify for the errors).
func NewServerInvite(b *Bundle) (*ServerInvite, error) {
	if err := b.Verify(); err != nil {
		return nil, err
	}
	return &ServerInvite{bundle: *b}, nil
}

// Kind returns KindServer.
func (s *ServerInvite) Kind() Kind { return KindServer }

// Bundle returns (a copy of) the server's bundle.
func (s *ServerInvite) Bundle() *Bundle { b := s.bundle; return &b }

// String describes the invite.
func (s *ServerInvite) String() string {
	return "server invite " + s.bundle.Address.Short()
}

// Encode returns the invite as NOOK:S1:… text.
func (s *ServerInvite) Encode() string {
	return frame(PrefixServer, mustMarshal(&s.bundle, nil))
}

// mustMarshal appends a bundle that was verified when the invite was made.
func mustMarshal(b *Bundle, dst []byte) []byte {
	out, err := b.AppendBinary(dst)
	if err != nil {
		panic("invite: invite holds an invalid bundle: " + err.Error())
	}
	return out
}

// parseServer decodes an S1 payload: the bundle, nothing else.
func parseServer(data []byte) (Invite, error) {
	r := &reader{b: data}
	b, err := readInviteBundle(r)
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return &ServerInvite{bundle: *b}, nil
}

func checkServer(inv Invite, _ time.Time) error {
	return inv.(*ServerInvite).bundle.Verify()
}

// GroupInvite hands over a group: its name, its key and its server's
// bundle. Whoever holds a group invite can read and post to the group, so
// the invite text is a secret. It is immutable; build one with
// NewGroupInvite or Parse.
type GroupInvite struct {
	name   string
	key    [GroupKeySize]byte
	bundle Bundle
	// A G2 invite (epoch ≥ 1, group2.go) also carries these, a G3
	// invite (group3.go) the owner in any epoch (id only from epoch 1
	// on) and the group's other servers (more).
	epoch uint32
	id    [32]byte
	owner [32]byte
	more  []Bundle
}

// NewGroupInvite returns an invite to the group called name (at most
// MaxNameRunes characters) with the given key, hosted by the server that
// signed b. Errors wrap ErrName, ErrKey (a key of zeros) or what
// Bundle.Verify returns.
func NewGroupInvite(name string, key [GroupKeySize]byte, b *Bundle) (*GroupInvite, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if key == ([GroupKeySize]byte{}) {
		return nil, fmt.Errorf("%w: group key of zeros", ErrKey)
	}
	if err := b.Verify(); err != nil {
		return nil, err
	}
	return &GroupInvite{name: name, key: key, bundle: *b}, nil
}

// Kind returns KindGroup.
func (g *GroupInvite) Kind() Kind { return KindGroup }

// Name returns the group's name.
func (g *GroupInvite) Name() string { return g.name }

// Key returns the group's key. Treat it as secret.
func (g *GroupInvite) Key() [GroupKeySize]byte { return g.key }

// Bundle returns (a copy of) the group server's bundle.
func (g *GroupInvite) Bundle() *Bundle { b := g.bundle; return &b }

// String describes the invite without its key.
func (g *GroupInvite) String() string {
	return fmt.Sprintf("group invite %q on %s", g.name, g.bundle.Address.Short())
}

// Encode returns the invite as NOOK:G1:… text, NOOK:G2:… for an epoch
// after the first, or NOOK:G3:… for an invite naming the owner in epoch 0
// or more than one server (rule 3: the lowest version that can say it).
func (g *GroupInvite) Encode() string {
	if g.layout3() {
		return g.encodeOwned()
	}
	if g.epoch > 0 {
		return g.encodeEpoch()
	}
	b := make([]byte, 0, GroupKeySize+BundleSize+2+len(g.name))
	b = append(b, g.key[:]...)
	b = mustMarshal(&g.bundle, b)
	return frame(PrefixGroup, appendName(b, g.name))
}

// parseGroup decodes a G1 payload:
//
//	key [32] ‖ bundle [169] ‖ uvarint(len(name)) ‖ name
func parseGroup(data []byte) (Invite, error) {
	r := &reader{b: data}
	g := &GroupInvite{}
	copy(g.key[:], r.take(GroupKeySize))
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
	g.name, g.bundle = name, *b
	return g, nil
}

func checkGroup(inv Invite, _ time.Time) error {
	g := inv.(*GroupInvite)
	if g.key == ([GroupKeySize]byte{}) {
		return fmt.Errorf("%w: group key of zeros", ErrKey)
	}
	if g.epoch > 0 || g.layout3() {
		if err := checkOwner(g.owner); err != nil {
			return err
		}
	}
	for i := range g.more {
		if err := g.more[i].Verify(); err != nil {
			return err
		}
	}
	return g.bundle.Verify()
}
