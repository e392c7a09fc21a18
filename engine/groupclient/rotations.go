package groupclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// Receiving rotations: accepting or refusing the rotations a subscription
// reads (docs/groups.md, "Accepting a rotation"), and storing what they
// change in the batch's transaction.

// reasonRemoved is the failure reason of posts still queued when the
// profile was removed from their group.
const reasonRemoved = model.ReasonRemoved

// rotationFx is what accepting rotations changes, beside effects.
type rotationFx struct {
	epochs  []epochAdd
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
	warn := func(kind string, why model.Text) {
		fx.warnings = append(fx.warnings, model.NewGroupWarning(gs.conv, string(gs.rec.bundle.Address), string(m.Author), kind, why))
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
			warn("concurrent rotation", model.Text{English: "another renewal of the group key was made at the same time; the first one the server stored counts"})
			return
		}
		// Another admin's rotation reached the server before ours: it
		// counts, ours is replaced (and made again on top of it).
		mine = known
	} else if ep != cur || r.Epoch != cur.n+1 {
		warn("rotation", model.Say("groupwarning.rotation_early"))
		return
	}
	next := &epochState{n: r.Epoch, salt: r.Salt, by: author, reason: r.Reason, seen: true,
		admins: r.Admins, removed: r.Removed}
	if gs.rec.owner == (group.PublicKey{}) {
		// Joined from a G1 invite, which does not name the owner: whoever
		// renews the key may be anyone holding it, so no renewal can be
		// checked, nor followed (docs/groups.md, "Owner of a group joined
		// from a G1 invite"). The group ends for the profile, which is
		// told to ask for a new invite (a G2 or G3 one names the owner).
		if _, told := fx.rot.removed[gs]; !told {
			warn("owner unknown", model.Text{English: "The group's key was renewed, but the invite you joined with did not say who owns the group, " +
				"so Nook cannot check that the renewal is genuine. Ask for a new invite."})
			c.noteRotation(gs, ep, next, m, model.NoteOwnerUnknown, fx)
			fx.rot.removed[gs] = rekeyed(gs, next, m.Author, m.Name)
		}
		return
	}
	if r.Owner != gs.rec.owner {
		warn("rotation", model.Say("groupwarning.rotation_other_owner"))
		return
	}
	switch {
	case gs.roleIn(ep, author) == model.RoleMember:
		warn("rotation", model.Say("groupwarning.rotation_not_admin"))
		return
	case author != gs.rec.owner && !slices.Equal(r.Admins, ep.admins):
		warn("rotation", model.Say("groupwarning.rotation_admins"))
		return
	case author != gs.rec.owner && slices.ContainsFunc(r.Removed, func(k group.PublicKey) bool { return slices.Contains(ep.admins, k) }):
		warn("rotation", model.Say("groupwarning.rotation_remove_admin"))
		return
	}
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
			warn("not given the key", model.Text{English: "An admin renewed the group's key without giving it to you: you can no longer read or write in this group."})
			c.noteRotation(gs, ep, next, m, model.NoteNoKey, fx)
		} else {
			// A newcomer: the invite it joined with is of an older key.
			warn("invite revoked", model.Text{English: "This invite no longer works: the group's key was renewed after it was made. Ask for a new invite."})
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
				if err := dropQueued(tx, r.gs.bundles(), q); err != nil {
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
		if err := dropQueued(tx, gs.bundles(), q); err != nil {
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
	delete(c.groups, gs.g.ID())
	c.stopUnusedLocked(gs.bundles())
	gs.wipeEpochs()
}
