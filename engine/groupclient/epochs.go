package groupclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// Epochs (docs/groups.md, "Governed groups"): a group's first epoch is the
// key of its invite; each rotation by the owner or an admin adds one with
// a fresh key, which the client stores as an "e" record:
//
//	"e" ‖ group ID [32] ‖ epoch u32 → version 1 ‖ flags u8 (1: its rotation was seen on the server)
//	                                  ‖ key [32] ‖ salt [16] ‖ by [32] ‖ reason u8
//	                                  ‖ nAdmins u8 ‖ admins ‖ nRemoved u8 ‖ removed
//
// The owner is in the group record (version 2; zero while unknown).

const epochRecordVersion = 1

func epochKey(id group.ID, n uint32) []byte {
	return binary.BigEndian.AppendUint32(key('e', id[:]), n)
}

// epochState is one epoch of a group.
type epochState struct {
	n      uint32
	g      *group.Group
	key    [group.KeySize]byte // zero for epoch 0 (its key is the record's)
	salt   [16]byte
	by     group.PublicKey // the admin who rotated into it
	reason group.Reason
	// seen: its rotation came back from the server (always, for an epoch
	// learnt from a rotation). Posts queued earlier move into it only then,
	// so that none reaches the others before the key does.
	seen    bool
	admins  []group.PublicKey
	removed []group.PublicKey
}

func (e *epochState) encode() []byte {
	b := []byte{epochRecordVersion, 0}
	if e.seen {
		b[1] = 1
	}
	b = append(b, e.key[:]...)
	b = append(b, e.salt[:]...)
	b = append(b, e.by[:]...)
	b = append(b, byte(e.reason), byte(len(e.admins)))
	for _, k := range e.admins {
		b = append(b, k[:]...)
	}
	b = append(b, byte(len(e.removed)))
	for _, k := range e.removed {
		b = append(b, k[:]...)
	}
	return b
}

func decodeEpochRecord(id group.ID, n uint32, b []byte) (*epochState, error) {
	const fixed = 1 + 1 + group.KeySize + 16 + 32 + 1 + 1
	bad := fmt.Errorf("%w: epoch record", ErrCorrupt)
	if n == 0 || len(b) < fixed || b[0] != epochRecordVersion || b[1] > 1 {
		return nil, bad
	}
	e := &epochState{n: n, seen: b[1] == 1, reason: group.Reason(b[2+group.KeySize+16+32])}
	copy(e.key[:], b[2:])
	copy(e.salt[:], b[2+group.KeySize:])
	copy(e.by[:], b[2+group.KeySize+16:])
	rest := b[fixed-1:]
	list := func() ([]group.PublicKey, bool) {
		if len(rest) < 1 || len(rest) < 1+32*int(rest[0]) {
			return nil, false
		}
		var out []group.PublicKey
		for i := range int(rest[0]) {
			out = append(out, group.PublicKey(rest[1+32*i:1+32*(i+1)]))
		}
		rest = rest[1+32*int(rest[0]):]
		return out, true
	}
	var ok1, ok2 bool
	e.admins, ok1 = list()
	e.removed, ok2 = list()
	if !ok1 || !ok2 || len(rest) != 0 {
		return nil, bad
	}
	g, err := group.NewEpoch(id, n, e.key)
	if err != nil {
		return nil, fmt.Errorf("%w: epoch record: %w", ErrCorrupt, err)
	}
	e.g = g
	return e, nil
}

// loadEpochs reads the epochs of group gs after its first (the record's
// base), in order.
func (c *Client) loadEpochs(gs *groupState) error {
	id := gs.g.ID()
	gs.epochs = []*epochState{{n: gs.rec.base, g: gs.g, key: gs.rec.key, seen: true}}
	return c.bucket.Iterate(key('e', id[:]), func(k, v []byte) error {
		if len(k) != 1+len(id)+4 {
			return fmt.Errorf("%w: epoch key", ErrCorrupt)
		}
		n := binary.BigEndian.Uint32(k[1+len(id):])
		if n <= gs.rec.base {
			return nil // older than the invite this profile joined with
		}
		if n != gs.cur().n+1 {
			return fmt.Errorf("%w: epoch %d after %d", ErrCorrupt, n, gs.cur().n)
		}
		e, err := decodeEpochRecord(id, n, v)
		if err != nil {
			return err
		}
		gs.epochs = append(gs.epochs, e)
		return nil
	})
}

// cur returns the newest epoch of gs. c.mu is held.
func (gs *groupState) cur() *epochState { return gs.epochs[len(gs.epochs)-1] }

// trialEpochs is the number of a group's newest epochs whose tags a blob
// is tried against: the server delivers blobs in order, so a blob of an
// older epoch is one written long after its key was replaced (never shown:
// docs/groups.md, "After a rotation"), and trying every epoch ever held
// would make each blob of every group cost one HMAC per renewal.
const trialEpochs = 32

// epochOf returns the epoch whose tag blob carries, newest first among
// the newest trialEpochs, or nil.
func (gs *groupState) epochOf(blob []byte) *epochState {
	for i := len(gs.epochs) - 1; i >= 0 && i >= len(gs.epochs)-trialEpochs; i-- {
		if gs.epochs[i].g.Ours(blob) {
			return gs.epochs[i]
		}
	}
	return nil
}

// wipeEpochs overwrites the keys of gs's epochs.
func (gs *groupState) wipeEpochs() {
	for _, e := range gs.epochs {
		e.g.Wipe()
		clear(e.key[:])
	}
}

// roleOf returns the role of k in the newest epoch of gs.
func (gs *groupState) roleOf(k group.PublicKey) model.GroupRole { return gs.roleIn(gs.cur(), k) }

// roleIn returns the role of k in epoch e of gs.
func (gs *groupState) roleIn(e *epochState, k group.PublicKey) model.GroupRole {
	switch {
	case k == gs.rec.owner && gs.rec.owner != (group.PublicKey{}):
		return model.RoleOwner
	case slices.Contains(e.admins, k):
		return model.RoleAdmin
	}
	return model.RoleMember
}

// at returns epoch n of gs, or nil when the profile does not hold it.
func (gs *groupState) at(n uint32) *epochState {
	if n < gs.epochs[0].n || n > gs.cur().n {
		return nil
	}
	return gs.epochs[n-gs.epochs[0].n]
}

// removedAfter reports whether k was removed by a rotation into an epoch
// after n.
func (gs *groupState) removedAfter(k group.PublicKey, n uint32) bool {
	for _, e := range gs.epochs {
		if e.n > n && slices.Contains(e.removed, k) {
			return true
		}
	}
	return false
}

// removedAt returns the newest epoch whose rotation removed k, or 0.
func (gs *groupState) removedAt(k group.PublicKey) uint32 {
	var at uint32
	for _, e := range gs.epochs {
		if slices.Contains(e.removed, k) {
			at = e.n
		}
	}
	return at
}

// isRemoved reports whether k is a removed member: removed by a rotation
// and not seen writing since (invited again).
func (gs *groupState) isRemoved(k group.PublicKey) bool {
	at := gs.removedAt(k)
	return at > 0 && gs.readmitted[k] < at
}

func readmitKey(id group.ID, k group.PublicKey) []byte { return key('a', id[:], k[:]) }

// loadReadmitted reads the removed members of group id invited again.
func (c *Client) loadReadmitted(id group.ID) (map[group.PublicKey]uint32, error) {
	out := map[group.PublicKey]uint32{}
	prefix := key('a', id[:])
	err := c.bucket.Iterate(prefix, func(k, v []byte) error {
		if len(k) != len(prefix)+32 || len(v) != 4 {
			return fmt.Errorf("%w: readmission", ErrCorrupt)
		}
		out[group.PublicKey(k[len(prefix):])] = binary.BigEndian.Uint32(v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("groupclient: load readmissions: %w", err)
	}
	return out, nil
}

// migrateOwner gives a group stored before epochs (a version 1 record)
// its owner: the author of the oldest message in the profile's history of
// it, a history stored before ownership existed (the creator, who writes
// first in practice), and stores the record in the current version, once:
// a group without history stays without a known owner, like one joined
// from a G1 invite (docs/groups.md, "Owner of a group joined from a G1
// invite"); nothing written later makes its author the owner. c.mu is
// held.
func (c *Client) migrateOwner(gs *groupState) error {
	if !gs.rec.v1 {
		return nil
	}
	first, err := c.st.MessagesBefore(gs.conv, 2, 1)
	if err != nil {
		return err
	}
	if len(first) > 0 {
		if addr, err := identity.ParseAddress(first[0].Author); err == nil {
			gs.rec.owner = group.KeyOf(addr)
		}
	}
	gs.rec.v1 = false
	v, err := gs.rec.encode()
	if err != nil {
		return err
	}
	return c.bucket.Put(groupKey(gs.g.ID()), v)
}

// membersLocked returns the current members of gs besides the profile: the
// authors seen who were not removed and have not left. c.mu is held.
func (c *Client) membersLocked(gs *groupState) []group.PublicKey {
	self := group.KeyOf(gs.self.Address())
	var out []group.PublicKey
	for addr := range gs.tl.Authors() {
		k := group.KeyOf(addr)
		if _, gone := gs.left[addr]; gone || k == self || gs.isRemoved(k) {
			continue
		}
		out = append(out, k)
	}
	return out
}

// newestSeen returns the newest epoch of gs whose rotation is on the
// server: what reaches every member. c.mu is held.
func (gs *groupState) newestSeen() *epochState {
	for i := len(gs.epochs) - 1; i > 0; i-- {
		if gs.epochs[i].seen {
			return gs.epochs[i]
		}
	}
	return gs.epochs[0]
}

// lastSeq returns the profile's last sequence number in group id.
func (c *Client) lastSeq(id group.ID) (uint64, error) {
	v, err := c.bucket.Get(seqKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return parseU64(v)
}

func rekeyed(gs *groupState, ep *epochState, by identity.Address, name string) model.GroupRekeyed {
	ev := model.GroupRekeyed{Conversation: gs.conv, Epoch: ep.n, By: string(by), Name: name, Reason: reasonName(ep.reason)}
	for _, k := range ep.removed {
		ev.Removed = append(ev.Removed, string(identity.AddressFromPublicKey(k[:])))
	}
	return ev
}

func reasonName(r group.Reason) string {
	switch r {
	case group.ReasonRemoval:
		return "removal"
	case group.ReasonLeft:
		return "left"
	}
	return "renewal"
}
