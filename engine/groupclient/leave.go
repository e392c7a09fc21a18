package groupclient

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// reasonLeft is the FailReason of the posts still queued when their group
// was left.
const reasonLeft = model.ReasonLeft

// cleanupPage is how many messages' index entries one transaction of a
// history deletion removes.
const cleanupPage = 1000

// Leave leaves a group. In one store transaction it forgets the group's
// key, drops its queued posts, forgets the server's cursor when no other
// group of the profile is on that server, and queues a leave notice (a
// group.KindLeft message, sealed like any other) that tells the other
// members; the subscription to the server is then closed when no other
// group uses it. Nothing more is fetched, decrypted or posted for the
// group, except the notice.
//
// With deleteHistory the group's messages and everything else the client
// kept about it (names, timeline) are deleted; without it they stay as
// read-only history, listed by LeftGroups. Leaving a group already left
// with its history kept does nothing, or deletes that history with
// deleteHistory.
//
// A crash mid-way leaves the group either fully present or left: the
// deletions that follow the transaction are recorded in it and finished
// by the next Start. Leave returns ErrUnknownGroup for a group the profile
// neither belongs to nor left with its history kept.
func (c *Client) Leave(id group.ID, deleteHistory bool) error {
	c.leaveMu.Lock()
	defer c.leaveMu.Unlock()
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	gs, ok := c.groups[id]
	if !ok {
		c.mu.Unlock()
		return c.deleteLeft(id, deleteHistory)
	}
	stopped, err := c.leaveLocked(gs, deleteHistory)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.cfg.Emit(model.GroupLeft{Conversation: gs.conv, HistoryDeleted: deleteHistory})
	<-stopped
	if err := c.finishLeave(id); err != nil {
		return fmt.Errorf("groupclient: finish leaving (done at the next start): %w", err)
	}
	return nil
}

// leaveLocked commits the leaving of gs and forgets it in memory. It
// returns a channel closed once the server's subscription has ended (at
// once when other groups still use it). c.mu and c.leaveMu are held.
func (c *Client) leaveLocked(gs *groupState, deleteHistory bool) (<-chan struct{}, error) {
	id, bundle, bundles := gs.g.ID(), gs.rec.bundle, gs.bundles()
	last := uint64(0)
	switch v, err := c.bucket.Get(seqKey(id)); {
	case err == nil:
		if last, err = parseU64(v); err != nil {
			return nil, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	notice := group.Message{Kind: group.KindLeft, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head, Seq: last + 1}
	// One notice for each server of the group, each copy sealed on its
	// own (the servers see no common bytes).
	var nvs [][]byte
	for _, b := range bundles {
		nr := &noticeRecord{group: id, bundle: b}
		for range noticeCopies {
			// Under the newest key every member has: a rotation of ours
			// still queued is dropped with the other queued posts.
			blob, err := gs.newestSeen().g.Seal(c.cfg.Rand, gs.self, &notice)
			if err != nil {
				return nil, err
			}
			nr.blobs = append(nr.blobs, blob)
		}
		nv, err := nr.encode()
		if err != nil {
			return nil, err
		}
		nvs = append(nvs, nv)
	}
	queued, err := c.st.Outbox(gs.conv)
	if err != nil {
		return nil, err
	}
	cleanup := cleanupRecord{mode: cleanupKeep, queued: queued}
	if deleteHistory {
		cleanup = cleanupRecord{mode: cleanupDelete}
	}
	lastOn := map[[32]byte]bool{}
	for _, b := range bundles {
		lastOn[b.SigningKey] = len(c.groupsOnLocked(b.SigningKey)) == 1
	}
	err = c.st.Update(func(tx *store.Tx) error {
		b := tx.Bucket(bucketName)
		if err := b.Delete(groupKey(id)); err != nil {
			return err
		}
		for _, e := range gs.epochs[1:] {
			if err := b.Delete(epochKey(id, e.n)); err != nil {
				return err
			}
		}
		// The sequence number stays: a member who joins again goes on
		// from it, else the others would see two messages with one seq.
		if err := b.Put(seqKey(id), u64(notice.Seq)); err != nil {
			return err
		}
		for i, s := range bundles {
			if err := b.Put(noticeKey(s.SigningKey, id), nvs[i]); err != nil {
				return err
			}
		}
		if err := b.Delete(backfillKey(id)); err != nil {
			return err
		}
		if err := b.Delete(serversAtKey(id)); err != nil {
			return err
		}
		for _, q := range queued {
			if err := dropQueued(tx, bundles, q); err != nil {
				return err
			}
		}
		if !deleteHistory {
			lr := leftRecord{server: bundle.Address, name: gs.rec.name}
			if err := b.Put(leftKey(id), lr.encode()); err != nil {
				return err
			}
		}
		for server, last := range lastOn {
			if !last {
				continue
			}
			if err := b.Delete(cursorKey(server)); err != nil {
				return err
			}
		}
		return b.Put(cleanupKey(id), cleanup.encode())
	})
	if err != nil {
		return nil, fmt.Errorf("groupclient: leave: %w", err)
	}
	delete(c.groups, id)
	var waits []<-chan struct{}
	for _, b := range bundles {
		srv := c.servers[b.SigningKey]
		if lastOn[b.SigningKey] {
			waits = append(waits, srv.stopSubscriberLocked())
		}
		srv.wakePoster()
	}
	return allClosed(waits), nil
}

// allClosed returns a channel closed once every channel of chans is.
func allClosed(chans []<-chan struct{}) <-chan struct{} {
	if len(chans) == 0 {
		return closedChan()
	}
	if len(chans) == 1 {
		return chans[0]
	}
	out := make(chan struct{})
	go func() {
		for _, ch := range chans {
			<-ch
		}
		close(out)
	}()
	return out
}

// deleteLeft deletes the history of a group left earlier, when asked to.
// c.leaveMu is held.
func (c *Client) deleteLeft(id group.ID, deleteHistory bool) error {
	_, err := c.bucket.Get(leftKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return ErrUnknownGroup
	} else if err != nil {
		return err
	}
	if !deleteHistory {
		return nil
	}
	err = c.bucket.Update(func(tx *store.BucketTx) error {
		if err := tx.Delete(leftKey(id)); err != nil {
			return err
		}
		return tx.Put(cleanupKey(id), (&cleanupRecord{mode: cleanupDelete}).encode())
	})
	if err != nil {
		return fmt.Errorf("groupclient: leave: %w", err)
	}
	c.cfg.Emit(model.GroupLeft{Conversation: id.Conversation(), HistoryDeleted: true})
	if err := c.finishLeave(id); err != nil {
		return fmt.Errorf("groupclient: finish leaving (done at the next start): %w", err)
	}
	return nil
}

// finishLeaves finishes every leaving a crash interrupted. c.leaveMu is
// held.
func (c *Client) finishLeaves() error {
	var ids []group.ID
	err := c.bucket.Iterate([]byte("p"), func(k, _ []byte) error {
		if len(k) != 1+len(group.ID{}) {
			return fmt.Errorf("%w: leave cleanup key", ErrCorrupt)
		}
		ids = append(ids, group.ID(k[1:]))
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := c.finishLeave(id); err != nil {
			return err
		}
	}
	return nil
}

// finishLeave does what the leaving of group id left to do after its
// transaction, then forgets that it had to. Every step can run again:
// a crash in between is finished by the next Start. c.leaveMu is held.
func (c *Client) finishLeave(id group.ID) error {
	v, err := c.bucket.Get(cleanupKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	r, err := decodeCleanupRecord(v)
	if err != nil {
		return err
	}
	switch r.mode {
	case cleanupKeep:
		for _, q := range r.queued {
			if err := c.dropQueued(id.Conversation(), q); err != nil {
				return err
			}
		}
	case cleanupDelete:
		if err := c.deleteGroupData(id); err != nil {
			return err
		}
	}
	return c.bucket.Delete(cleanupKey(id))
}

// dropQueued marks a post that was queued when its group was left as
// failed (unless it made it to the server meanwhile).
func (c *Client) dropQueued(conv model.ConversationID, id model.MessageID) error {
	c.mu.Lock() // as markSent, which may run at the same time
	defer c.mu.Unlock()
	m, err := c.st.GetMessage(conv, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if m.Status != model.StatusQueued {
		return nil
	}
	if _, err := c.st.UpdateMessageStatus(conv, id, model.StatusFailed, reasonLeft); err != nil {
		return err
	}
	c.cfg.Emit(model.MessageStatusChanged{ID: id, Conversation: m.Conversation, Status: model.StatusFailed, Reason: reasonLeft})
	return nil
}

// deleteGroupData deletes a left group's messages and everything the
// client kept about it but its sequence number and its leave notice (still
// to be posted): the index entries of its messages (newest first, one page
// per transaction), then the conversation (store.DeleteConversation, which
// can be resumed), then its names, departures and timeline in one
// transaction.
func (c *Client) deleteGroupData(id group.ID) error {
	conv := id.Conversation()
	for before := uint64(0); ; {
		var page []model.Message
		var err error
		if before == 0 {
			page, err = c.st.LatestMessages(conv, cleanupPage)
		} else {
			page, err = c.st.MessagesBefore(conv, before, cleanupPage)
		}
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		err = c.bucket.Update(func(tx *store.BucketTx) error {
			for _, m := range page {
				if err := tx.Delete(indexKey(m.ID)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		before = page[0].Seq
	}
	if err := c.st.DeleteConversation(conv); err != nil {
		return err
	}
	var keys [][]byte
	collect := func(k, _ []byte) error { keys = append(keys, k); return nil }
	if err := c.bucket.Iterate(key('n', id[:]), collect); err != nil {
		return err
	}
	if err := c.bucket.Iterate(key('x', id[:]), collect); err != nil {
		return err
	}
	if err := c.bucket.Iterate(key('a', id[:]), collect); err != nil {
		return err
	}
	if err := c.bucket.Iterate(key('r', id[:]), collect); err != nil {
		return err
	}
	for _, kind := range []byte{'k', 't', 'm'} { // contact tags, ours tagged, our key
		if err := c.bucket.Iterate(key(kind, id[:]), collect); err != nil {
			return err
		}
	}
	var tlKeys [][]byte
	if err := c.st.Bucket(timelineBucket(id)).Iterate(nil, func(k, _ []byte) error {
		tlKeys = append(tlKeys, k)
		return nil
	}); err != nil {
		return err
	}
	return c.st.Update(func(tx *store.Tx) error {
		b, tl := tx.Bucket(bucketName), tx.Bucket(timelineBucket(id))
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		for _, k := range tlKeys {
			if err := tl.Delete(k); err != nil {
				return err
			}
		}
		return b.Delete(leftKey(id))
	})
}

// LeftGroups returns the groups the profile left whose messages it kept,
// ordered by name; their Left is set.
func (c *Client) LeftGroups() ([]GroupInfo, error) {
	var out []GroupInfo
	err := c.bucket.Iterate([]byte("l"), func(k, v []byte) error {
		if len(k) != 1+len(group.ID{}) {
			return fmt.Errorf("%w: left group key", ErrCorrupt)
		}
		r, err := decodeLeftRecord(v)
		if err != nil {
			return err
		}
		id := group.ID(k[1:])
		out = append(out, GroupInfo{ID: id, Conversation: id.Conversation(), Name: r.name, Server: r.server, Left: true})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b GroupInfo) int {
		if n := strings.Compare(a.Name, b.Name); n != 0 {
			return n
		}
		return strings.Compare(a.ID.String(), b.ID.String())
	})
	return out, nil
}

// leftGroupMembers returns the authors of a group left with its history
// kept, as its timeline last saw them, and those who had left it.
func (c *Client) leftGroupMembers(id group.ID) (authors, left map[identity.Address]uint64, err error) {
	if _, err := c.bucket.Get(leftKey(id)); errors.Is(err, store.ErrNotFound) {
		return nil, nil, ErrUnknownGroup
	} else if err != nil {
		return nil, nil, err
	}
	tl, err := group.LoadTimeline(c.st.Bucket(timelineBucket(id)), group.TimelineOptions{})
	if err != nil {
		return nil, nil, err
	}
	left, err = c.loadLeftMembers(id)
	if err != nil {
		return nil, nil, err
	}
	return tl.Authors(), left, nil
}

// loadLeftMembers reads the members of group id whose last message said
// they left.
func (c *Client) loadLeftMembers(id group.ID) (map[identity.Address]uint64, error) {
	out := map[identity.Address]uint64{}
	prefix := key('x', id[:])
	err := c.bucket.Iterate(prefix, func(k, v []byte) error {
		seq, err := parseU64(v)
		if err != nil {
			return err
		}
		if len(k) != len(prefix)+32 {
			return fmt.Errorf("%w: departure key", ErrCorrupt)
		}
		out[identity.AddressFromPublicKey(k[len(prefix):])] = seq
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("groupclient: load departures: %w", err)
	}
	return out, nil
}

// pendingNotices returns the leave notices still to be posted: all of
// them, or those for the server with the given key.
func (c *Client) pendingNotices(server *[32]byte) ([]*noticeRecord, error) {
	prefix := []byte("f")
	if server != nil {
		prefix = key('f', server[:])
	}
	var out []*noticeRecord
	err := c.bucket.Iterate(prefix, func(k, v []byte) error {
		if len(k) != 1+32+len(group.ID{}) {
			return fmt.Errorf("%w: leave notice key", ErrCorrupt)
		}
		n, err := decodeNoticeRecord(group.ID(k[1+32:]), v)
		if err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

func closedChan() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}
