package groupclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

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

var (
	// ErrNotAdmin is returned by RemoveMember when the profile is neither
	// the group's owner nor one of its admins.
	ErrNotAdmin = errors.New("only the group's owner and admins can remove members")
	// ErrNotMember is returned by RemoveMember for someone who is not a
	// current member of the group (never seen writing in it, removed
	// already, or left).
	ErrNotMember = errors.New("this person is not a member of the group")
	// ErrRemoveOwner is returned by RemoveMember for the owner, and for
	// the profile itself (which leaves instead).
	ErrRemoveOwner = errors.New("the group's owner cannot be removed, and you leave a group rather than remove yourself")
	// ErrOwnerUnknown is returned by Invite for a group whose key was
	// renewed and whose owner this profile does not know (it cannot
	// happen to a group joined from a G2 invite or created here).
	ErrOwnerUnknown = errors.New("this group's owner is not known, so no invite to it can be made")
	// ErrTooManyAdmins is returned by SetAdmin past group.MaxAdmins.
	ErrTooManyAdmins = errors.New("a group has at most 16 admins besides its owner")
)

// reasonRemoved is the failure reason of posts still queued when the
// profile was removed from their group.
const reasonRemoved = model.ReasonRemoved

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

// migrateOwner gives a group made before epochs its owner: the author of
// the oldest message in the profile's history of it (the creator, who
// writes first in practice), and stores it in the group record. A group
// without history keeps no owner until its first message (observe).
// c.mu is held.
func (c *Client) migrateOwner(gs *groupState) error {
	if gs.rec.owner != (group.PublicKey{}) {
		return nil
	}
	first, err := c.st.MessagesBefore(gs.conv, 2, 1)
	if err != nil || len(first) == 0 {
		return err
	}
	addr, err := identity.ParseAddress(first[0].Author)
	if err != nil {
		return nil
	}
	gs.rec.owner = group.KeyOf(addr)
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

// RemoveMember removes a member from a group (docs/groups.md, "Removal"):
// the group moves to a new epoch whose key is wrapped for every other
// member the profile has seen, in a rotation sealed under the current key
// and queued like a post; this profile writes under the new key at once.
// Only the owner and admins can remove; the owner cannot be removed.
func (c *Client) RemoveMember(id group.ID, member identity.Address) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	gs, ok := c.groups[id]
	if !ok {
		return ErrUnknownGroup
	}
	self := group.KeyOf(gs.self.Address())
	target := group.KeyOf(member)
	if gs.roleOf(self) == model.RoleMember {
		return ErrNotAdmin
	}
	if target == gs.rec.owner || target == self {
		return ErrRemoveOwner
	}
	others := c.membersLocked(gs)
	if !slices.Contains(others, target) {
		return ErrNotMember
	}
	if gs.roleOf(target) == model.RoleAdmin && gs.roleOf(self) != model.RoleOwner {
		return ErrNotAdmin
	}
	recipients := slices.DeleteFunc(others, func(k group.PublicKey) bool { return k == target })
	admins := slices.DeleteFunc(slices.Clone(gs.cur().admins), func(k group.PublicKey) bool { return k == target })
	return c.rotateLocked(gs, group.ReasonRemoval, admins, []group.PublicKey{target}, recipients)
}

// SetAdmin names a member an admin of a group, or no longer one (admin
// false): the group moves to a new epoch whose rotation carries the new
// list of admins (docs/groups.md, "Roles"). Only the owner can. Errors:
// ErrNotAdmin (the profile is not the owner), ErrNotMember, ErrRemoveOwner
// (the owner or the profile itself), ErrTooManyAdmins.
func (c *Client) SetAdmin(id group.ID, member identity.Address, admin bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	gs, ok := c.groups[id]
	if !ok {
		return ErrUnknownGroup
	}
	self, target := group.KeyOf(gs.self.Address()), group.KeyOf(member)
	if gs.roleOf(self) != model.RoleOwner {
		return ErrNotAdmin
	}
	if target == self {
		return ErrRemoveOwner
	}
	others := c.membersLocked(gs)
	if !slices.Contains(others, target) {
		return ErrNotMember
	}
	admins := slices.DeleteFunc(slices.Clone(gs.cur().admins), func(k group.PublicKey) bool { return k == target })
	if admin {
		admins = append(admins, target)
	}
	if len(admins) > group.MaxAdmins {
		return ErrTooManyAdmins
	}
	if slices.Contains(gs.cur().admins, target) == admin {
		return nil // nothing changes
	}
	return c.rotateLocked(gs, group.ReasonRenewal, admins, nil, others)
}

// RevokeInvites renews a group's key without removing anyone (reason
// renewal): every invite made before stops working, and whoever joins with
// one is told so (docs/groups.md, "Invites"). The owner and admins can.
func (c *Client) RevokeInvites(id group.ID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	gs, ok := c.groups[id]
	if !ok {
		return ErrUnknownGroup
	}
	if gs.roleOf(group.KeyOf(gs.self.Address())) == model.RoleMember {
		return ErrNotAdmin
	}
	return c.rotateLocked(gs, group.ReasonRenewal, gs.cur().admins, nil, c.membersLocked(gs))
}

// rotateLocked makes, stores and queues a rotation of gs and moves the
// profile into the new epoch. c.mu is held.
func (c *Client) rotateLocked(gs *groupState, reason group.Reason, admins, removed, recipients []group.PublicKey) error {
	cur := gs.cur()
	id := gs.g.ID()
	key, parts, err := group.NewRotation(c.cfg.Rand, id, gs.self, cur.n+1, reason, gs.rec.owner, admins, removed, recipients)
	if err != nil {
		return err
	}
	next, err := group.NewEpoch(id, cur.n+1, key)
	if err != nil {
		return err
	}
	ep := &epochState{n: cur.n + 1, g: next, key: key, salt: parts[0].Salt, by: group.KeyOf(gs.self.Address()),
		reason: reason, admins: parts[0].Admins, removed: parts[0].Removed}
	last, err := c.lastSeq(id)
	if err != nil {
		return err
	}
	type queued struct {
		id   model.MessageID
		blob []byte
	}
	var out []queued
	var first *group.Message
	head := gs.head
	for i, p := range parts {
		m := group.Message{Kind: group.KindRotate, Rotation: p, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: head, Seq: last + 1 + uint64(i)}
		blob, err := cur.g.Seal(c.cfg.Rand, gs.self, &m)
		if err != nil {
			return err
		}
		head = m.ID
		out = append(out, queued{m.ID.Model(), blob})
		if first == nil {
			first = &m
		}
	}
	var note model.Message
	err = c.st.Update(func(tx *store.Tx) error {
		var err error
		if note, err = c.storeOwnRotationNote(tx, gs, cur, ep, first); err != nil {
			return err
		}
		b := tx.Bucket(bucketName)
		for _, q := range out {
			if err := tx.Enqueue(gs.conv, q.id); err != nil {
				return err
			}
			if err := b.Put(queueKey(q.id), q.blob); err != nil {
				return err
			}
		}
		if err := b.Put(seqKey(id), u64(last+uint64(len(parts)))); err != nil {
			return err
		}
		return b.Put(epochKey(id, ep.n), ep.encode())
	})
	if err != nil {
		next.Wipe()
		return fmt.Errorf("groupclient: store rotation: %w", err)
	}
	gs.epochs = append(gs.epochs, ep)
	gs.head = head
	c.cfg.Emit(model.MessageAdded{Message: note})
	c.cfg.Emit(rekeyed(gs, ep, gs.self.Address(), c.cfg.Name()))
	c.servers[gs.rec.bundle.SigningKey].wakePoster()
	return nil
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

// rotationFx is what accepting rotations changes, beside effects.
type rotationFx struct {
	epochs  []epochAdd
	owners  map[*groupState]bool // groups whose owner was learnt
	removed map[*groupState]model.GroupRekeyed
	// readmitted: removed members seen writing in an epoch after their
	// removal, with that epoch.
	readmitted map[memberKey]uint32
	// parts: rotation parts seen without a key for the profile.
	parts  []partsSeen
	queued map[*groupState][]model.MessageID // the outbox of each group in removed or replaced
	events []model.GroupRekeyed
	// replaced holds the profile's own rotations that another admin's,
	// stored first by the server, replaced.
	replaced []replacement
}

// partsSeen is the parts of one rotation seen without a key.
type partsSeen struct {
	gs   *groupState
	salt [16]byte
	bits uint16
}

func partsKey(id group.ID, salt [16]byte) []byte { return key('r', id[:], salt[:]) }

// loadPartsSeen reads which parts of which rotations of group id came
// without a key for the profile, so that a restart between two parts does
// not forget the first.
func (c *Client) loadPartsSeen(id group.ID) (map[[16]byte]uint16, error) {
	out := map[[16]byte]uint16{}
	prefix := key('r', id[:])
	err := c.bucket.Iterate(prefix, func(k, v []byte) error {
		if len(k) != len(prefix)+16 || len(v) != 2 {
			return fmt.Errorf("%w: rotation parts", ErrCorrupt)
		}
		out[[16]byte(k[len(prefix):])] = binary.BigEndian.Uint16(v)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("groupclient: load rotation parts: %w", err)
	}
	return out, nil
}

// replacement is a rotation of the profile's (mine) that lost to another
// admin's into the same epoch (theirs).
type replacement struct {
	gs           *groupState
	mine, theirs *epochState
}

type epochAdd struct {
	gs *groupState
	ep *epochState
}

// observeRotation accepts (or refuses, with a warning) a rotation part m
// that opened under epoch ep of gs (docs/groups.md, "Accepting a
// rotation"). The new epoch is used at once for the blobs that follow in
// the batch; the transaction stores it (abort forgets it). c.mu is held.
func (c *Client) observeRotation(gs *groupState, ep *epochState, m *group.Message, fx *effects) {
	r := m.Rotation
	author := group.KeyOf(m.Author)
	warn := func(kind, reason string) {
		fx.warnings = append(fx.warnings, model.GroupWarning{Conversation: gs.conv, Server: string(gs.rec.bundle.Address),
			Author: string(m.Author), Kind: kind, Reason: reason})
	}
	self := group.KeyOf(gs.self.Address())
	cur := gs.cur()
	var mine *epochState // the profile's own rotation into r.Epoch, which this one came before
	if r.Epoch <= cur.n {
		known := gs.at(r.Epoch)
		switch {
		case known == nil || r.Epoch <= gs.epochs[0].n:
			// Into the epoch this profile joined in, or older: it cannot
			// open the blobs such a rotation is sealed in.
			return
		case known.salt == r.Salt:
			if !known.seen {
				known.seen = true // our own rotation, back from the server
				fx.rot.epochs = append(fx.rot.epochs, epochAdd{gs, known})
			}
			return
		case known.seen || known.by != self || known != cur || ep != gs.at(r.Epoch-1):
			warn("concurrent rotation", "another renewal of the group key was made at the same time; the first one the server stored counts")
			return
		}
		// Another admin's rotation reached the server before ours: it
		// counts, ours is replaced (and made again on top of it).
		mine = known
	} else if ep != cur || r.Epoch != cur.n+1 {
		warn("rotation", "a renewal of the group key came before the one it follows; it is ignored")
		return
	}
	// The owner is known here: observe made the first author seen the
	// owner of a group that had none (docs/groups.md, "Roles").
	if r.Owner != gs.rec.owner {
		warn("rotation", "a renewal of the group key names someone else as the group's owner; it is ignored")
		return
	}
	switch {
	case gs.roleIn(ep, author) == model.RoleMember:
		warn("rotation", "someone who is not an admin of the group tried to renew its key; it is ignored")
		return
	case author != gs.rec.owner && !slices.Equal(r.Admins, ep.admins):
		warn("rotation", "an admin who is not the group's owner tried to change its admins; it is ignored")
		return
	case author != gs.rec.owner && slices.ContainsFunc(r.Removed, func(k group.PublicKey) bool { return slices.Contains(ep.admins, k) }):
		warn("rotation", "an admin who is not the group's owner tried to remove another admin; it is ignored")
		return
	}
	next := &epochState{n: r.Epoch, salt: r.Salt, by: author, reason: r.Reason, seen: true,
		admins: r.Admins, removed: r.Removed}
	if slices.Contains(r.Removed, self) {
		if _, told := fx.rot.removed[gs]; !told {
			c.noteRotation(gs, ep, next, m, model.NoteRemoved, fx)
		}
		ev := rekeyed(gs, next, m.Author, m.Name)
		fx.rot.removed[gs] = ev
		return
	}
	key, ok := r.Unwrap(gs.g.ID(), author, gs.self)
	if !ok {
		seen := gs.partsSeen[r.Salt] | 1<<r.Part
		gs.partsSeen[r.Salt] = seen
		fx.rot.parts = append(fx.rot.parts, partsSeen{gs, r.Salt, seen})
		if seen != 1<<r.Parts-1 {
			return // the key may be in a part still to come
		}
		if _, wrote := gs.tl.Authors()[gs.self.Address()]; wrote {
			warn("not given the key", "An admin renewed the group's key without giving it to you: you can no longer read or write in this group.")
			c.noteRotation(gs, ep, next, m, model.NoteNoKey, fx)
		} else {
			// A newcomer: the invite it joined with is of an older key.
			warn("invite revoked", "This invite no longer works: the group's key was renewed after it was made. Ask for a new invite.")
			c.noteRotation(gs, ep, next, m, model.NoteRevoked, fx)
		}
		fx.rot.removed[gs] = rekeyed(gs, next, m.Author, m.Name)
		return
	}
	g, err := group.NewEpoch(gs.g.ID(), r.Epoch, key)
	if err != nil {
		return
	}
	next.g, next.key = g, key
	if mine != nil {
		gs.epochs[len(gs.epochs)-1] = next
		fx.rot.replaced = append(fx.rot.replaced, replacement{gs, mine, next})
	} else {
		gs.epochs = append(gs.epochs, next)
	}
	fx.rot.epochs = append(fx.rot.epochs, epochAdd{gs, next})
	fx.rot.events = append(fx.rot.events, rekeyed(gs, next, m.Author, m.Name))
	c.noteRotation(gs, ep, next, m, rotationWord(ep, next), fx)
}

// storeRotations writes what observeRotation accepted, in the batch's
// transaction.
func (c *Client) storeRotations(tx *store.Tx, fx *effects) error {
	b := tx.Bucket(bucketName)
	for _, a := range fx.rot.epochs {
		if err := b.Put(epochKey(a.gs.g.ID(), a.ep.n), a.ep.encode()); err != nil {
			return err
		}
	}
	for _, p := range fx.rot.parts {
		if err := b.Put(partsKey(p.gs.g.ID(), p.salt), binary.BigEndian.AppendUint16(nil, p.bits)); err != nil {
			return err
		}
	}
	for k, n := range fx.rot.readmitted {
		if err := b.Put(readmitKey(k.gs.g.ID(), group.KeyOf(k.author)), binary.BigEndian.AppendUint32(nil, n)); err != nil {
			return err
		}
	}
	for gs := range fx.rot.owners {
		v, err := gs.rec.encode()
		if err != nil {
			return err
		}
		if err := b.Put(groupKey(gs.g.ID()), v); err != nil {
			return err
		}
	}
	for gs := range fx.rot.removed {
		if err := c.removedTx(tx, gs, fx.rot.queued[gs]); err != nil {
			return err
		}
	}
	for _, r := range fx.rot.replaced {
		if err := c.replacedTx(tx, r, fx.rot.queued[r.gs]); err != nil {
			return err
		}
	}
	return nil
}

// replacedTx moves the profile's queued posts sealed under its replaced
// rotation's key into the winning one's, and drops the parts of its
// rotation still queued (the others would ignore them).
func (c *Client) replacedTx(tx *store.Tx, r replacement, queued []model.MessageID) error {
	b := tx.Bucket(bucketName)
	for _, q := range queued {
		v, err := b.Get(queueKey(q))
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		blob, tok := splitQueued(v)
		prev := r.gs.at(r.mine.n - 1)
		if prev != nil && prev.g.Ours(blob) {
			if m, err := prev.g.Open(blob); err == nil && m.Kind == group.KindRotate && m.Rotation.Salt == r.mine.salt {
				if err := tx.Dequeue(q); err != nil {
					return err
				}
				if err := b.Delete(queueKey(q)); err != nil {
					return err
				}
			}
			continue
		}
		if !r.mine.g.Ours(blob) {
			continue
		}
		moved, err := r.mine.g.ResealInto(c.cfg.Rand, r.theirs.g, blob)
		if err != nil {
			return err
		}
		if err := b.Put(queueKey(q), append(moved, tok...)); err != nil {
			return err
		}
	}
	return nil
}

// redoReplaced makes again, on top of the rotation that won, what a
// replaced rotation of the profile's was for: the removals it made that the
// winner did not, or the list of admins it set. c.mu is held.
func (c *Client) redoReplaced(r replacement) {
	r.mine.g.Wipe()
	clear(r.mine.key[:])
	removed := slices.DeleteFunc(slices.Clone(r.mine.removed), func(k group.PublicKey) bool { return slices.Contains(r.theirs.removed, k) })
	admins := slices.DeleteFunc(slices.Clone(r.mine.admins), func(k group.PublicKey) bool { return slices.Contains(r.theirs.removed, k) })
	if len(removed) == 0 && (r.mine.reason != group.ReasonRenewal || slices.Equal(admins, r.theirs.admins)) {
		return // the winner did it already
	}
	if r.mine.reason != group.ReasonRenewal {
		admins = slices.DeleteFunc(slices.Clone(r.theirs.admins), func(k group.PublicKey) bool { return slices.Contains(removed, k) })
	}
	c.scheduleRotation(r.gs, 0, r.mine.reason, func() ([]group.PublicKey, []group.PublicKey) { return admins, removed })
}

// removedTx makes a group the profile was removed from read-only history,
// as if left with its history kept but without a leave notice: its keys
// go, its queued posts fail. The caller forgets it in memory after the
// commit (forgetRemoved).
func (c *Client) removedTx(tx *store.Tx, gs *groupState, queued []model.MessageID) error {
	id := gs.g.ID()
	b := tx.Bucket(bucketName)
	if err := b.Delete(groupKey(id)); err != nil {
		return err
	}
	for _, e := range gs.epochs[1:] {
		if err := b.Delete(epochKey(id, e.n)); err != nil {
			return err
		}
	}
	for _, q := range queued {
		if err := tx.Dequeue(q); err != nil {
			return err
		}
		if err := b.Delete(queueKey(q)); err != nil {
			return err
		}
		if m, err := tx.GetMessage(gs.conv, q); err == nil && m.Status == model.StatusQueued {
			if _, err := tx.SetStatus(gs.conv, q, model.StatusFailed, reasonRemoved); err != nil {
				return err
			}
		}
	}
	lr := leftRecord{server: gs.rec.bundle.Address, name: gs.rec.name}
	return b.Put(leftKey(id), lr.encode())
}

// forgetRemoved forgets in memory a group the profile was removed from,
// after the transaction. c.mu is held.
func (c *Client) forgetRemoved(gs *groupState) {
	id := gs.g.ID()
	delete(c.groups, id)
	if len(c.groupsOnLocked(gs.rec.bundle.SigningKey)) == 0 {
		c.servers[gs.rec.bundle.SigningKey].stopSubscriberLocked()
	}
	gs.wipeEpochs()
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

// rotateForLeaving renews the key of gs after a member left, when this
// profile is its owner or an admin (docs/groups.md, "Leaving rotates"):
// after a random wait below Config.RotateWithin, unless the group moved to
// another epoch meanwhile. c.mu is held.
func (c *Client) rotateForLeaving(gs *groupState, leaver identity.Address) {
	if gs.roleOf(group.KeyOf(gs.self.Address())) == model.RoleMember || leaver == gs.self.Address() {
		return
	}
	c.scheduleRotation(gs, randBelow(c.cfg.Rand, c.cfg.RotateWithin), group.ReasonLeft, func() ([]group.PublicKey, []group.PublicKey) {
		return slices.DeleteFunc(slices.Clone(gs.cur().admins), func(k group.PublicKey) bool { return k == group.KeyOf(leaver) }), nil
	})
}

// scheduleRotation rotates gs after wait, unless the group moved to
// another epoch meanwhile: with the admins and removed members lists
// returns (under c.mu, at that time), for every other current member.
// c.mu is held.
func (c *Client) scheduleRotation(gs *groupState, wait time.Duration, reason group.Reason, lists func() (admins, removed []group.PublicKey)) {
	id, n, ctx := gs.g.ID(), gs.cur().n, c.ctx
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if !c.cfg.sleep(ctx, "rotate", wait) {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		gs, ok := c.groups[id]
		if c.closed || !ok || gs.cur().n != n {
			return
		}
		admins, removed := lists()
		recipients := slices.DeleteFunc(c.membersLocked(gs), func(k group.PublicKey) bool { return slices.Contains(removed, k) })
		if err := c.rotateLocked(gs, reason, admins, removed, recipients); err != nil {
			c.cfg.Emit(model.GroupWarning{Conversation: gs.conv, Server: string(gs.rec.bundle.Address), Kind: "rotation",
				Reason: "the group's key could not be renewed: " + err.Error()})
		}
	}()
}
