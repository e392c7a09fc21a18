package groupclient

import (
	"bytes"
	"errors"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// Deleting a post of ours for everyone (Change with model.ChangeDelete)
// takes back what is still in the post queue, in the transaction that
// makes the post the note, so that no server and no member receives text
// its author retracted (docs/groups.md, "Deleting for everyone"):
//
//   - A queued post on no server yet (no server's posted-mark, no poster
//     sending it now) is not sent: its sealed bytes in the queue are
//     replaced by a Delete of it, sealed with the same sequence number,
//     which is all that goes out. Dropping it outright would leave a gap
//     in the profile's numbers that every member would be warned of as a
//     message a server withheld; a Delete of a message a member does not
//     hold is dropped without a trace. The queued edits, reactions and
//     changes of the post on no server are replaced so too.
//   - A post on some server of a group on several, not all, leaves the
//     queue with its posted-marks (the other servers never get it: a
//     member's gap on one is filled by another) and the Delete is posted
//     to every server, as for a post already everywhere.
//   - A post being sent now may reach its server whatever is decided: it
//     stays, and the Delete follows it.
//
// A post sent and then a crash before the server's answer was recorded is
// on the server with no posted-mark: a deletion after the restart takes
// it for one on no server, so the Delete that replaces it reaches the
// server under the post's number after the post itself; members holding
// the post see the number twice (an equivocation warning) and drop the
// Delete. That window is the time of one post's answer.

// errRetracted ends a send of a queued post whose stored bytes a
// deletion for everyone replaced or removed after the poster read them:
// the poster takes up the queue again.
var errRetracted = errors.New("groupclient: the post was deleted for everyone")

// guardRetracted guards the sending of queued post id, whose stored
// bytes the poster read as blob: begin, called once the connection is up
// and before anything is written to it, checks that the queue still
// holds those bytes (errRetracted otherwise) and counts the post as
// being sent until done is called. A post waiting for a server that is
// down is not being sent: a deletion meanwhile still takes it back.
func (c *Client) guardRetracted(id model.MessageID, blob []byte) (begin func() error, done func()) {
	marked := false
	begin = func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		v, err := c.bucket.Get(queueKey(id))
		if errors.Is(err, store.ErrNotFound) {
			return errRetracted
		} else if err != nil {
			return err
		}
		if stored, _ := splitQueued(v); !bytes.Equal(stored, blob) {
			return errRetracted
		}
		if !marked {
			c.sending[id]++
			marked = true
		}
		return nil
	}
	done = func() {
		if !marked {
			return
		}
		c.mu.Lock()
		if c.sending[id]--; c.sending[id] <= 0 {
			delete(c.sending, id)
		}
		c.mu.Unlock()
	}
	return begin, done
}

// Where a queued post is.
const (
	notQueued = iota // not in the queue (on every server, or never queued)
	unposted         // in the queue, on no server, not being sent
	partly           // in the queue, on some server of the group
	sending          // being sent now
)

// queuedStateLocked says where post id of gs is, with its queue record.
// c.mu is held (every writer of the queue, the marks and sending holds
// it).
func (c *Client) queuedStateLocked(gs *groupState, id model.MessageID) (int, []byte, error) {
	if c.sending[id] > 0 {
		return sending, nil, nil
	}
	v, err := c.bucket.Get(queueKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return notQueued, nil, nil
	} else if err != nil {
		return 0, nil, err
	}
	for _, b := range gs.bundles() {
		if posted, err := c.postedTo(b.SigningKey, id); err != nil {
			return 0, nil, err
		} else if posted {
			return partly, v, nil
		}
	}
	return unposted, v, nil
}

// A retraction is what deleting post target of a group for everyone does
// to the queue: queue records replaced by a Delete sealed in their place
// (posts on no server), and posts dropped from the queue (on some
// servers). unposted: target itself is on no server, so its replacement
// is the Delete and no other is posted.
type retraction struct {
	target   model.MessageID
	unposted bool
	replace  map[model.MessageID][]byte
	drop     []model.MessageID
	// heads maps the ID of each post replaced to its replacement's, for
	// the group's head (what the profile's next post says it saw last).
	heads map[group.MessageID]group.MessageID
}

// planRetractionLocked finds what deleting post target of gs (group ID
// full) for everyone at sent does to the queue, and seals the
// replacements. c.mu is held.
func (c *Client) planRetractionLocked(gs *groupState, target model.MessageID, full group.MessageID, sent time.Time) (*retraction, error) {
	r := &retraction{target: target, replace: map[model.MessageID][]byte{}, heads: map[group.MessageID]group.MessageID{}}
	ids, err := c.st.Outbox(gs.conv)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		state, v, err := c.queuedStateLocked(gs, id)
		if err != nil {
			return nil, err
		}
		if state == notQueued || state == sending {
			continue
		}
		blob, tok := splitQueued(v)
		ep := gs.epochOf(blob)
		if ep == nil {
			continue
		}
		m, err := ep.g.Open(blob)
		if err != nil {
			continue
		}
		switch {
		case id == target:
			r.unposted = state == unposted
		case m.ReplyTo == full && (m.Kind == group.KindReaction || m.Kind == group.KindEdit || m.Kind == group.KindChange):
		default:
			continue
		}
		if state == partly {
			r.drop = append(r.drop, id)
			continue
		}
		// The Prev of a replacement: the original's, or its replacement
		// when that was replaced too (an edit made while the post was
		// queued names the post): members see no message they lack.
		prev := m.Prev
		if h, ok := r.heads[prev]; ok {
			prev = h
		}
		d := group.Message{Kind: group.KindChange, ReplyTo: full, Change: model.ChangeDelete,
			Name: c.cfg.Name(), Sent: sent, Seq: m.Seq, Prev: prev}
		sealed, err := gs.cur().g.Seal(c.cfg.Rand, gs.self, &d)
		if err != nil {
			return nil, err
		}
		r.replace[id] = append(sealed, tok...)
		r.heads[m.ID] = d.ID
	}
	return r, nil
}

// apply makes the retraction in tx.
func (r *retraction) apply(tx *store.Tx, gs *groupState) error {
	b := tx.Bucket(bucketName)
	for id, v := range r.replace {
		if err := b.Put(queueKey(id), v); err != nil {
			return err
		}
	}
	for _, id := range r.drop {
		if err := dropQueued(tx, gs.bundles(), id); err != nil {
			return err
		}
	}
	return nil
}

// moveHead makes gs's head the replacement of the post it named, if that
// was replaced: the profile's next post names what members will see.
// c.mu is held.
func (r *retraction) moveHead(gs *groupState) {
	if h, ok := r.heads[gs.head]; ok {
		gs.head = h
	}
}

// retractLocked deletes for everyone a post of gs on no server yet, by
// plan: apply makes it the note and the queue changes as plan says, in
// one transaction. c.mu is held.
func (c *Client) retractLocked(gs *groupState, plan *retraction, apply func(model.Message) (model.Message, bool)) (model.Message, error) {
	var (
		msg     model.Message
		changed bool
	)
	err := c.st.Update(func(tx *store.Tx) error {
		var err error
		msg, changed, err = tx.ChangeMessage(gs.conv, plan.target, apply)
		if err != nil || !changed {
			return err
		}
		return plan.apply(tx, gs)
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.Message{}, ErrUnknownMessage
	} else if err != nil {
		return model.Message{}, err
	}
	if changed {
		plan.moveHead(gs)
		c.cfg.Emit(model.MessageChanged{Message: msg})
		c.wakePostersLocked(gs)
	}
	return msg, nil
}
