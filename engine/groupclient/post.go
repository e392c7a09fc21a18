package groupclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
)

// Post writes a message to a group: it is signed, sealed, stored with
// status Queued and put in the post queue in one transaction, and goes
// out when the server is reachable (Sent once the server stored it,
// Delivered when it came back through the subscription). replyTo, if not
// zero, is a stored message of the group that this one quotes. A text too
// long for one blob is refused with an error wrapping group.ErrBodyTooLong
// that says the limit (group.MaxTextFor).
func (c *Client) Post(id group.ID, body string, replyTo model.MessageID) (model.Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gs, err := c.openLocked(id)
	if err != nil {
		return model.Message{}, err
	}
	m := group.Message{Kind: group.KindText, Text: body, Name: c.cfg.Name(), Sent: c.cfg.Now(), Prev: gs.head}
	if !replyTo.IsZero() {
		full, err := c.fullID(gs, replyTo)
		if err != nil {
			return model.Message{}, err
		}
		m.Kind, m.ReplyTo = group.KindReply, full
	}
	return c.queuePostLocked(gs, &m, &model.Message{Body: m.Text, ReplyTo: replyTo})
}

// queuePostLocked numbers, signs and seals gm as the profile's next
// message in gs, stores msg (its ID, conversation, author, times, status
// set here) with status Queued unless msg is nil, and puts it in the post
// queue with a posting token reserved for it when the wallet has one at
// hand (reserveToken), in one transaction; then it wakes the poster. A
// post not stored here is stored when it comes back from the server (a
// join notice). c.mu is held.
func (c *Client) queuePostLocked(gs *groupState, gm *group.Message, post *model.Message) (model.Message, error) {
	msg, _, err := c.queueLocked(gs, gm, post, nil)
	return msg, err
}

// A messageChange changes a stored message in the transaction that queues
// the post carrying the change to the others (a reaction, an edit). It
// reports whether the message changed: if not, nothing is queued.
type messageChange func(tx *store.Tx) (changed bool, err error)

// A changeTarget is a stored message of a group that the profile changes
// (React, Edit, Change).
type changeTarget struct {
	gs   *groupState
	full group.MessageID // its ID in the group
	old  model.Message   // as stored
	self string          // the profile's address in the group: the change's author
	now  time.Time       // when the change is made (Config.Now)
}

// targetLocked opens the profile's change of message target of group id:
// ErrClosed or ErrUnknownGroup (openLocked), ErrUnknownMessage for a
// message the group does not hold, and refused when allowed, if not nil,
// does not let the profile make the change now (a model.ChangeRule's
// Allowed). c.mu is held.
func (c *Client) targetLocked(id group.ID, target model.MessageID, allowed func(m model.Message, author string, now time.Time) bool, refused error) (changeTarget, error) {
	gs, err := c.openLocked(id)
	if err != nil {
		return changeTarget{}, err
	}
	full, err := c.fullID(gs, target)
	if err != nil {
		return changeTarget{}, err
	}
	t := changeTarget{gs: gs, full: full, self: string(gs.self.Address()), now: c.cfg.Now()}
	t.old, err = c.st.GetMessage(gs.conv, target)
	if errors.Is(err, store.ErrNotFound) {
		return changeTarget{}, ErrUnknownMessage
	} else if err != nil {
		return changeTarget{}, err
	} else if allowed != nil && !allowed(t.old, t.self, t.now) {
		return changeTarget{}, refused
	}
	return t, nil
}

// changeLocked queues gm, a post that changes a stored message of gs, as
// queuePostLocked does, with change applied in the same transaction
// (nothing is queued if it changed nothing). It returns the message as
// change left it and whether it changed, which MessageChanged then
// reports; ErrUnknownMessage if the message is gone. It is the one way
// React, Edit and Change post. c.mu is held.
func (c *Client) changeLocked(gs *groupState, gm *group.Message, change func(tx *store.Tx) (model.Message, bool, error)) (model.Message, bool, error) {
	var msg model.Message
	_, changed, err := c.queueLocked(gs, gm, nil, func(tx *store.Tx) (changed bool, err error) {
		msg, changed, err = change(tx)
		return changed, err
	})
	if errors.Is(err, store.ErrNotFound) {
		return model.Message{}, false, ErrUnknownMessage
	} else if err != nil {
		return model.Message{}, false, err
	}
	if changed {
		c.cfg.Emit(model.MessageChanged{Message: msg})
	}
	return msg, changed, nil
}

// queueLocked is queuePostLocked and changeLocked: a post stored as
// post, or changing a stored message by change, or neither. c.mu is held.
func (c *Client) queueLocked(gs *groupState, gm *group.Message, post *model.Message, change messageChange) (model.Message, bool, error) {
	id := gs.g.ID()
	last := uint64(0)
	switch v, err := c.bucket.Get(seqKey(id)); {
	case err == nil:
		if last, err = parseU64(v); err != nil {
			return model.Message{}, false, err
		}
	case !errors.Is(err, store.ErrNotFound):
		return model.Message{}, false, err
	}
	gm.Seq = last + 1
	blob, err := gs.cur().g.Seal(c.cfg.Rand, gs.self, gm)
	if err != nil {
		return model.Message{}, false, err
	}
	var msg model.Message
	if post != nil {
		msg = *post
	}
	msg.ID, msg.Conversation, msg.Author = gm.ID.Model(), gs.conv, string(gs.self.Address())
	msg.Outgoing, msg.Sent, msg.Received, msg.Status = true, gm.Sent, gm.Sent, model.StatusQueued
	srv := c.servers[gs.rec.bundle.SigningKey]
	tok, wallet, reserved, ok := srv.reserveToken()
	if ok {
		blob = append(blob, tok...)
	}
	queued := false
	err = c.st.Update(func(tx *store.Tx) error {
		queued = false
		if change != nil {
			if changed, err := change(tx); err != nil || !changed {
				return err
			}
		}
		queued = true
		if post != nil {
			stored, err := tx.AppendMessage(msg)
			if err != nil {
				return err
			}
			msg.Seq = stored.Seq
		}
		if err := tx.Enqueue(gs.conv, msg.ID); err != nil {
			return err
		}
		b := tx.Bucket(bucketName)
		if err := b.Put(seqKey(id), u64(gm.Seq)); err != nil {
			return err
		}
		if change == nil { // a change is no message another may quote
			if err := b.Put(indexKey(msg.ID), gm.ID[:]); err != nil {
				return err
			}
		}
		if ok {
			if err := b.Put(walletKey(srv.bundle.SigningKey), wallet); err != nil {
				return err
			}
		}
		return b.Put(queueKey(msg.ID), blob)
	})
	if ok {
		reserved(err == nil && queued)
	}
	if err != nil {
		return model.Message{}, false, fmt.Errorf("groupclient: queue message: %w", err)
	}
	if !queued {
		return model.Message{}, false, nil
	}
	gs.head = gm.ID
	if post != nil {
		c.cfg.Emit(model.MessageAdded{Message: msg})
	}
	c.wakePostersLocked(gs)
	return msg, true, nil
}

// fullID returns the group message ID of a stored message of gs.
func (c *Client) fullID(gs *groupState, id model.MessageID) (group.MessageID, error) {
	_, err := c.st.GetMessage(gs.conv, id)
	if errors.Is(err, store.ErrNotFound) {
		return group.MessageID{}, ErrUnknownMessage
	} else if err != nil {
		return group.MessageID{}, err
	}
	v, err := c.bucket.Get(indexKey(id))
	if err != nil || len(v) != len(group.MessageID{}) {
		return group.MessageID{}, ErrUnknownMessage
	}
	return group.MessageID(v), nil
}

// runPoster sends the server's leave notices and then its queued posts,
// oldest first per group, one post per connection, until ctx ends.
// Notices go first: a member who left a group and joined it again before
// the notice went out must not appear to leave after their return.
func (s *server) runPoster(ctx context.Context) {
	b := backoff{min: s.c.cfg.MinBackoff, max: s.c.cfg.MaxBackoff}
	idle := true // nothing sent since the poster last had nothing to do
	for ctx.Err() == nil {
		notices, err := s.c.pendingNotices(&s.bundle.SigningKey)
		var queued []queuedPost
		if err == nil {
			queued, err = s.queued()
		}
		if err == nil && len(queued) == 0 && len(notices) == 0 {
			idle = true
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
				continue
			}
		}
		// A random pause before every post but the first after the
		// poster had nothing to do: a burst does not leave back to back.
		gap := func() bool {
			return idle || s.c.cfg.sleep(ctx, "gap", randBelow(s.c.cfg.Rand, s.c.cfg.PostGap))
		}
		for _, n := range notices {
			if err != nil || !gap() {
				break
			}
			if err = s.postNotice(ctx, n); err == nil {
				idle = false
			}
		}
		for _, q := range queued {
			if err != nil || !gap() {
				break
			}
			if err = s.postOne(ctx, q.conv, q.id); err == nil {
				idle = false
			}
		}
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			b.reset()
			continue
		}
		if !b.wait(ctx, nil) {
			return
		}
	}
}

// A queuedPost names a post of ours: its group's conversation and its ID.
type queuedPost struct {
	conv model.ConversationID
	id   model.MessageID
}

// queued returns the posts in the queue of the server's groups that are
// not on it yet (a group on several servers: servers.go).
func (s *server) queued() ([]queuedPost, error) {
	s.c.mu.Lock()
	var groups []*groupState
	for _, gs := range s.c.groupsOnLocked(s.bundle.SigningKey) {
		if gs.backfill == 0 { // else its history is being read: its posts wait
			groups = append(groups, gs)
		}
	}
	s.c.mu.Unlock()
	var out []queuedPost
	for _, gs := range groups {
		ids, err := s.c.st.Outbox(gs.conv)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if posted, err := s.c.postedTo(s.bundle.SigningKey, id); err != nil {
				return nil, err
			} else if posted {
				// On this server; on every one, after the group left a
				// server that still lacked it: it leaves the queue.
				if err := s.c.settle(gs, id); err != nil {
					return nil, err
				}
				continue
			}
			out = append(out, queuedPost{gs.conv, id})
		}
	}
	return out, nil
}

// errPostFailed is returned by postOne when the server refused a post for
// a reason that retrying with another token may fix.
var errPostFailed = errors.New("groupclient: post refused")

// splitQueued splits a queue record ("q") into the sealed blob and the
// token reserved for it, nil when none was (the wallet was empty or busy
// when the post was queued, or the record was written before
// reservations).
func splitQueued(v []byte) (blob, tok []byte) {
	if len(v) == protocol.BlobSize+tokens.TokenSize {
		return v[:protocol.BlobSize], v[protocol.BlobSize:]
	}
	return v, nil
}

// postOne sends one queued post on a connection of its own, with the
// token reserved for it if it has one.
func (s *server) postOne(ctx context.Context, conv model.ConversationID, id model.MessageID) error {
	v, err := s.c.bucket.Get(queueKey(id))
	if errors.Is(err, store.ErrNotFound) {
		s.forgetTried(id)
		return s.c.st.Dequeue(id)
	} else if err != nil {
		return err
	}
	blob, reserved := splitQueued(v)
	s.c.mu.Lock()
	if gs := s.c.groups[groupOfConv(conv)]; gs != nil && gs.rec.bundle.SigningKey != s.bundle.SigningKey {
		// Reserved from the wallet of the group's first server (queueLocked):
		// another server of the group would refuse it.
		reserved = nil
	}
	s.c.mu.Unlock()
	begin, done := s.c.guardRetracted(id, blob)
	defer done()
	status, err := s.post(ctx, blob, s.c.resealer(conv), func(ctx context.Context) (tokens.Token, error) {
		return s.tokenFor(ctx, id, reserved)
	}, func() error {
		if err := begin(); err != nil {
			return err
		}
		if reserved != nil {
			s.markTried(id)
			reserved = nil
		}
		return nil
	})
	if errors.Is(err, errRetracted) {
		s.forgetTried(id)
		return nil // deleted for everyone before it left: retract dropped it
	} else if err != nil {
		return err
	}
	defer s.forgetTried(id)
	switch status {
	case protocol.PostOK:
		return s.c.markSent(s.bundle.SigningKey, conv, id)
	case protocol.PostWrongSize:
		return s.c.markFailed(conv, id, model.ReasonRefused)
	}
	return fmt.Errorf("%w: %s", errPostFailed, status)
}

// postNotice sends a leave notice on a connection of its own and forgets
// it once the server stored it (or refused it for good).
func (s *server) postNotice(ctx context.Context, n *noticeRecord) error {
	status, err := s.post(ctx, nil, func([]byte) ([]byte, error) { return s.c.takeNoticeCopy(s.bundle.SigningKey, n.group) }, s.takeToken, nil)
	if err != nil {
		return err
	}
	if status != protocol.PostOK && status != protocol.PostWrongSize {
		return fmt.Errorf("%w: %s", errPostFailed, status)
	}
	return s.c.bucket.Delete(noticeKey(s.bundle.SigningKey, n.group))
}

// takeNoticeCopy returns a copy of the stored leave notice of a group to
// send, and stores the notice without it when other copies remain, so that
// no copy but the last is ever sent twice, even across a crash. It reads
// the stored record each time: a notice replaced meanwhile (the group
// joined and left again) is the one sent.
func (c *Client) takeNoticeCopy(server [32]byte, id group.ID) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.bucket.Get(noticeKey(server, id))
	if err != nil {
		return nil, err
	}
	n, err := decodeNoticeRecord(id, v)
	if err != nil {
		return nil, err
	}
	blob := bytes.Clone(n.blobs[0])
	if len(n.blobs) > 1 {
		n.blobs = n.blobs[1:]
		nv, err := n.encode()
		if err != nil {
			return nil, err
		}
		if err := c.bucket.Put(noticeKey(server, id), nv); err != nil {
			return nil, err
		}
	}
	return blob, nil
}

// resealer returns what seals a queued post of conversation conv again for
// each attempt (group.Reseal), or nil when its group is gone (the stored
// bytes go).
func (c *Client) resealer(conv model.ConversationID) func([]byte) ([]byte, error) {
	gid, ok := group.ParseConversation(conv)
	if !ok {
		return nil
	}
	gs, err := c.group(gid)
	if err != nil {
		return nil
	}
	return func(blob []byte) ([]byte, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.resealLocked(gs, blob)
	}
}

// resealLocked seals a queued post of gs again for a send attempt: under
// the newest epoch whose rotation is on the server when the post was
// sealed under an older one (a post queued before a rotation must not
// stay readable to whoever it removed), else under its own epoch. A
// rotation stays under the key it replaces, and a blob of no epoch held
// (the group's keys gone) goes as it is. c.mu is held.
func (c *Client) resealLocked(gs *groupState, blob []byte) ([]byte, error) {
	ep := gs.epochOf(blob)
	if ep == nil {
		return blob, nil
	}
	target := ep
	for _, e := range gs.epochs {
		if e.n > ep.n && e.seen {
			target = e
		}
	}
	if target != ep {
		if m, err := ep.g.Open(blob); err == nil && m.Kind == group.KindRotate {
			target = ep
		}
	}
	return ep.g.ResealInto(c.cfg.Rand, target.g, blob)
}

// post sends blob with a token from token and returns the server's
// answer, taking another token (at most three times) when the server
// refuses the one it got; out, if not nil, hears of each attempt whose
// token went out (sendWith). With
// reseal, every attempt sends the blob sealed afresh: a resend (after a
// lost answer, a crash or a refused token) shares no bytes with an earlier
// attempt, so the server cannot link the two tokens through it. A leave
// notice cannot be sealed again (its group key is forgotten): each attempt
// takes another of its stored copies (takeNoticeCopy).
func (s *server) post(ctx context.Context, blob []byte, reseal func([]byte) ([]byte, error), token func(context.Context) (tokens.Token, error), out func() error) (protocol.PostStatus, error) {
	for attempt := 0; ; attempt++ {
		sealed := blob
		if reseal != nil {
			var err error
			if sealed, err = reseal(blob); err != nil {
				return 0, err
			}
		}
		tok, err := token(ctx)
		if err != nil {
			return 0, err
		}
		status, err := s.sendWith(ctx, sealed, tok, out)
		if err != nil {
			return 0, err
		}
		switch status {
		case protocol.PostTokenSpent, protocol.PostTokenInvalid, protocol.PostNoToken:
			if attempt < 3 {
				continue // a bad token: take another
			}
		}
		return status, nil
	}
}

// sendWith posts blob with tok on a fresh connection; out, if not nil, is
// called once the connection is up, just before the token leaves (from
// then on the server may have it, whatever happens next), and an error
// from it ends the attempt with nothing written.
func (s *server) sendWith(ctx context.Context, blob []byte, tok tokens.Token, out func() error) (protocol.PostStatus, error) {
	tb, err := tok.MarshalBinary()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.c.cfg.RequestWait)
	defer cancel()
	sess, err := s.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	defer stop()
	if out != nil {
		if err := out(); err != nil {
			return 0, err
		}
	}
	if err := sess.Send(&protocol.Post{Blob: blob, Token: tb}); err != nil {
		return 0, err
	}
	var res *protocol.PostResult
	if err := await(sess, protocol.TypePost, func(r protocol.Record) bool {
		res, _ = r.(*protocol.PostResult)
		return res != nil
	}); err != nil {
		return 0, err
	}
	return res.Status, nil
}

// markSent records that the server with signing key server stored a
// queued post of conversation conv, in one transaction: the message is
// Sent and leaves the outbox and the queue (once on every server of a
// group on several). The post may belong to a group left while it was on
// its way: it is then marked sent all the same (history kept), or was
// deleted (history deleted). A post that came back through the
// subscription before its answer arrived was recorded Delivered and left
// the queue in that batch's transaction: nothing is written for it.
func (c *Client) markSent(server [32]byte, conv model.ConversationID, id model.MessageID) error {
	// Under c.mu, so that a Delivered set by the subscriber in between is
	// not overwritten.
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.bucket.Get(queueKey(id)); errors.Is(err, store.ErrNotFound) {
		if m, err := c.st.GetMessage(conv, id); err == nil && m.Status == model.StatusDelivered {
			return nil
		}
	}
	gs := c.groups[groupOfConv(conv)]
	var sent *model.Message
	err := c.st.Update(func(tx *store.Tx) error {
		sent = nil
		m, err := tx.GetMessage(conv, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case m.Status == model.StatusQueued || m.Status == model.StatusFailed && m.FailReason == reasonLeft:
			if m, err = tx.SetStatus(conv, id, model.StatusSent, ""); err != nil {
				return err
			}
			sent = &m
		}
		if gs != nil {
			return onServerTx(tx, gs, server, id)
		}
		return dropQueued(tx, nil, id)
	})
	if err != nil {
		return err
	}
	if sent != nil {
		c.cfg.Emit(model.MessageStatusChanged{ID: id, Conversation: sent.Conversation, Status: model.StatusSent})
	}
	return nil
}

// markFailed gives up on a queued post.
func (c *Client) markFailed(conv model.ConversationID, id model.MessageID, reason string) error {
	m, err := c.st.UpdateMessageStatus(conv, id, model.StatusFailed, reason)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Not a stored message (a reaction), or deleted: only the post goes.
	case err != nil:
		return err
	default:
		c.cfg.Emit(model.MessageStatusChanged{ID: id, Conversation: m.Conversation, Status: model.StatusFailed, Reason: reason})
	}
	if err := c.st.Dequeue(id); err != nil {
		return err
	}
	return c.bucket.Delete(queueKey(id))
}
