package groupclient

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// Sending rotations: the owner's and admins' actions that move a group to
// a new epoch (docs/groups.md, "Governed groups"), and the rotations an
// admin's client schedules by itself.

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

// RemoveMember removes a member from a group (docs/groups.md, "Removal"):
// the group moves to a new epoch whose key is wrapped for every other
// member the profile has seen, in a rotation sealed under the current key
// and queued like a post; this profile writes under the new key at once.
// Only the owner and admins can remove; the owner cannot be removed.
func (c *Client) RemoveMember(id group.ID, member identity.Address) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs, err := c.openLocked(id)
	if err != nil {
		return err
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
	gs, err := c.openLocked(id)
	if err != nil {
		return err
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
	gs, err := c.adminLocked(id)
	if err != nil {
		return err
	}
	return c.rotateLocked(gs, group.ReasonRenewal, gs.cur().admins, nil, c.membersLocked(gs))
}

// openLocked returns the state of group id: ErrClosed once the client is
// closed, ErrUnknownGroup for a group the profile does not hold. It is the
// preamble of every action on one group. c.mu is held.
func (c *Client) openLocked(id group.ID) (*groupState, error) {
	if c.closed {
		return nil, ErrClosed
	}
	gs, ok := c.groups[id]
	if !ok {
		return nil, ErrUnknownGroup
	}
	return gs, nil
}

// adminLocked is openLocked for the actions only the owner and admins may
// take: ErrNotAdmin when the profile is a plain member. c.mu is held.
func (c *Client) adminLocked(id group.ID) (*groupState, error) {
	gs, err := c.openLocked(id)
	if err != nil {
		return nil, err
	}
	if gs.roleOf(group.KeyOf(gs.self.Address())) == model.RoleMember {
		return nil, ErrNotAdmin
	}
	return gs, nil
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
	c.wakePostersLocked(gs)
	return nil
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
	n := gs.cur().n
	c.laterLocked(gs.g.ID(), "rotate", wait, func(gs *groupState) {
		if gs.cur().n != n {
			return
		}
		admins, removed := lists()
		recipients := slices.DeleteFunc(c.membersLocked(gs), func(k group.PublicKey) bool { return slices.Contains(removed, k) })
		if err := c.rotateLocked(gs, reason, admins, removed, recipients); err != nil {
			c.cfg.Emit(model.NewGroupWarning(gs.conv, string(gs.rec.bundle.Address), "", "rotation", model.Say("groupwarning.rotation_failed")))
		}
	})
}
