package peer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"
	"unicode/utf8"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// Limits on what a contact's session may make us do.
const (
	// maxMalformed is how many malformed records a session may send before
	// it is closed and reported.
	maxMalformed = 16
	// recordRate and recordBurst pace the records read from one session
	// (a token bucket): a flood is slowed down to this rate instead of
	// costing us more than it.
	recordRate  = 200 // per second
	recordBurst = 1000
)

// session is the state of one installed session, used only by the link's
// goroutine (out is safe for any goroutine).
type session struct {
	l *link
	s *handshake.Session
	// out writes to s: every record of the session goes through it, but
	// file chunks, which a transfer's own goroutine writes.
	out *writer
	// written holds the outgoing messages and changes already handed to
	// out in this session, so an outbox pass does not write them twice.
	written map[model.MessageID]bool
	// announced is the contact state we last told the peer about (a request
	// or an acceptance), so each is sent once per session.
	announced model.ContactState
	// disappearSent is the DisappearSet of the timer setting last sent in
	// this session (announced: at least one was sent).
	disappearSent      time.Time
	disappearAnnounced bool
	// files is the session's file side (docs/files.md).
	files FileSession
}

// serve runs s as the contact's live session until it ends or the link
// stops.
func (l *link) serve(s *handshake.Session) {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		s.Close()
		return
	}
	l.sess, l.sessStart = s, time.Now()
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		if l.sess == s {
			l.sess = nil
		}
		l.mu.Unlock()
		s.Close()
	}()
	l.setPresence(model.Online)
	l.m.cfg.Logger.Debug("session started", "initiator", s.Initiator(), "version", s.Version())
	defer l.m.cfg.Logger.Debug("session closed")

	done := make(chan struct{})
	defer close(done)
	records := make(chan protocol.Record)
	ended := make(chan error, 1)
	l.m.wg.Add(1)
	go l.read(s, records, ended, done)

	st := &session{l: l, s: s, written: map[model.MessageID]bool{}}
	st.out = newWriter(s, l.m.cfg.Logger, l.signal)
	go st.out.run()
	st.files = l.m.cfg.Files.Session(model.ConversationID(l.addr), st.sendFile)
	defer func() {
		s.Close() // ends a write in progress
		st.out.close()
		st.files.Close()
	}()
	if err := st.sync(); err != nil {
		l.m.cfg.Logger.Info("session ended while greeting", "err", err)
		return
	}
	for {
		select {
		case <-l.stop:
			return
		case r := <-records:
			if err := st.handle(r); err != nil {
				l.m.cfg.Logger.Info("session ended", "err", err)
				return
			}
		case err := <-ended:
			if werr := st.out.failed(); werr != nil {
				// The writer closed the session.
				err = werr
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				l.m.cfg.Logger.Info("session ended", "err", err)
			}
			return
		case <-l.wake:
			l.mu.Lock()
			switching := l.offered != nil
			l.mu.Unlock()
			if switching {
				// A session that wins the tie-break arrived; run() installs it.
				l.signal()
				return
			}
			if err := st.sync(); err != nil {
				l.m.cfg.Logger.Info("session ended", "err", err)
				return
			}
		}
	}
}

// read is the session's reader goroutine: it paces and forwards records
// until the session fails or done is closed. It waits only for the link's
// goroutine, which never waits for a write (writer), so the session is read
// however long our writes take.
func (l *link) read(s *handshake.Session, records chan<- protocol.Record, ended chan<- error, done <-chan struct{}) {
	defer l.m.wg.Done()
	bucket := newTokenBucket(recordRate, recordBurst)
	malformed := 0
	for {
		r, err := s.Recv()
		if errors.Is(err, protocol.ErrMalformed) {
			malformed++
			if malformed <= maxMalformed {
				continue
			}
			l.m.emit(model.PeerProblem{Address: string(l.addr), Reason: "sent too many malformed records; disconnected"})
			err = errTooManyMalformed
		}
		if err != nil {
			ended <- err
			return
		}
		// File chunks are not paced: the receiver asks for each of them
		// (at most a window at a time) and drops the rest unread, so a
		// flood of them costs no more than their frames; pacing them
		// would cap a transfer at recordRate chunks a second.
		if _, chunk := r.(*protocol.FileChunk); !chunk && !bucket.wait(done) {
			return
		}
		select {
		case records <- r:
		case <-done:
			return
		}
	}
}

var errTooManyMalformed = errors.New("too many malformed records")

// sync brings the peer up to date: it announces the contact state and our
// display name, then hands the writer the outbox.
func (st *session) sync() error {
	c, err := st.l.m.contact(st.l.addr)
	if err != nil {
		return err
	}
	if c.State != st.announced {
		switch c.State {
		case model.ContactPending:
			proof := st.l.m.cfg.ProofFor(st.l.addr, st.s.ChannelBinding())
			err = st.out.Send(&protocol.ContactRequest{DisplayName: st.l.m.cfg.DisplayName(), Proof: proof})
		case model.ContactAccepted:
			err = st.out.Send(&protocol.ContactAccept{DisplayName: st.l.m.cfg.DisplayName()})
		}
		if err != nil {
			return err
		}
		st.announced = c.State
	}
	if c.State != model.ContactAccepted {
		return nil
	}
	if err := st.announceDisappear(c); err != nil {
		return err
	}
	if all, err := st.flush(); err != nil || !all {
		// The rest of the outbox, and what follows it, once the writer
		// has written half of the flush window.
		return err
	}
	return st.files.Sync()
}

// sendFile writes a record of a file transfer (Files.Session): a chunk at
// once, from the transfer's sender goroutine, which so waits for the
// contact to read it; any other record through the writer, without
// waiting, as the link's goroutine hands it most of them.
func (st *session) sendFile(r protocol.Record) error {
	if _, chunk := r.(*protocol.FileChunk); chunk {
		return st.s.Send(r)
	}
	return st.out.Send(r)
}

// announceDisappear tells the peer our disappearing-messages setting once
// per session and again whenever it changes. A setting never chosen by
// either side (DisappearSet zero) is not sent.
func (st *session) announceDisappear(c model.Contact) error {
	if c.DisappearSet.IsZero() || st.disappearAnnounced && st.disappearSent.Equal(c.DisappearSet) {
		return nil
	}
	if err := st.out.Send(&protocol.Disappear{Timer: c.Disappear, Set: c.DisappearSet}); err != nil {
		return err
	}
	st.disappearSent, st.disappearAnnounced = c.DisappearSet, true
	return nil
}

// flush hands the writer the queued messages of the conversation not yet
// written in this session, oldest first, then our pending changes of
// messages, as many as the flush window holds. It reports whether it
// handed over everything.
func (st *session) flush() (all bool, err error) {
	m := st.l.m
	conv := model.ConversationID(st.l.addr)
	ids, err := m.cfg.Store.Outbox(conv)
	if err != nil {
		return false, err
	}
	for _, id := range ids {
		if st.written[id] {
			continue
		}
		if !st.out.hasRoom() {
			return false, nil
		}
		msg, err := m.cfg.Store.GetMessage(conv, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (msg.Status == model.StatusDelivered || msg.Kind == model.KindNote)) {
			// Delivered before a crash that left the entry behind, or
			// deleted (here or for everyone).
			if err := m.cfg.Store.Dequeue(id); err != nil {
				return false, err
			}
			continue
		}
		if err != nil {
			return false, err
		}
		wasQueued := msg.Status == model.StatusQueued
		if wasQueued {
			// Sent: handed to the session, as a write to the connection
			// was before (neither means the contact has it: its Ack
			// does). Marked before it is handed over, in a transaction
			// that sees the message as it is now: a deletion for
			// everyone either came first (the message is the note, and
			// nothing is sent) or comes after and finds it sent (and
			// sends the Delete).
			if msg, err = st.markSent(conv, id); errors.Is(err, store.ErrNotFound) || err == nil && msg.Kind == model.KindNote {
				continue // retract dequeued it
			} else if err != nil {
				return false, err
			}
		}
		rec, err := st.record(msg)
		if err != nil {
			// A file whose transfer is gone: it can never be sent.
			m.cfg.Logger.Warn("an outgoing message cannot be written", "kind", msg.Kind, "err", err)
			reason := model.ReasonFileGone
			if errors.Is(err, errUnsendable) {
				reason = ""
			}
			if _, err := m.cfg.Store.UpdateMessageStatus(conv, id, model.StatusFailed, reason); err != nil {
				return false, err
			}
			if err := m.cfg.Store.Dequeue(id); err != nil {
				return false, err
			}
			m.emit(model.MessageStatusChanged{ID: id, Conversation: conv, Status: model.StatusFailed, Reason: reason})
			continue
		}
		if err := st.out.sendOutbox(rec); err != nil {
			return false, err
		}
		st.written[id] = true
		if wasQueued {
			m.emit(model.MessageStatusChanged{ID: id, Conversation: conv, Status: model.StatusSent})
		}
	}
	return st.flushReactions()
}

// markSent sets the queued message id to StatusSent and returns it, in
// one transaction; a message that is no longer queued (a note now, after
// a deletion for everyone) is returned unchanged.
func (st *session) markSent(conv model.ConversationID, id model.MessageID) (model.Message, error) {
	var msg model.Message
	err := st.l.m.cfg.Store.Update(func(tx *store.Tx) error {
		var err error
		if msg, err = tx.GetMessage(conv, id); err != nil || msg.Status != model.StatusQueued || msg.Kind == model.KindNote {
			return err
		}
		msg, err = tx.SetStatus(conv, id, model.StatusSent, "")
		return err
	})
	return msg, err
}

// errUnsendable is record's error for a message of a kind that no record
// carries (a note: a text deleted for everyone is one).
var errUnsendable = errors.New("no record carries this kind of message")

// record is the record that carries an outgoing message: a text, an
// invitation to a group or a file's offer. Any other kind is refused,
// never sent as a text: a note's Body is not something to say.
func (st *session) record(msg model.Message) (protocol.Record, error) {
	switch msg.Kind {
	case model.KindText:
		return &protocol.Text{ID: msg.ID, Sent: msg.Sent, ReplyTo: msg.ReplyTo, Body: msg.Body, Disappear: msg.Disappear}, nil
	case model.KindGroupInvite:
		return &protocol.GroupInvite{ID: msg.ID, Sent: msg.Sent, Disappear: msg.Disappear, Invite: []byte(msg.Body)}, nil
	case model.KindFile:
		return st.l.m.cfg.Files.Offer(msg)
	}
	return nil, fmt.Errorf("%w: %v", errUnsendable, msg.Kind)
}

// handle acts on one record from the peer: it only dispatches, one method
// per record type, and onChange for every change of a message
// (changeTypes). An error ends the session.
func (st *session) handle(r protocol.Record) error {
	if ct, ok := changeTypes[r.Type()]; ok {
		return st.onChange(r, ct)
	}
	switch r := r.(type) {
	case *protocol.Text:
		return st.onText(r)
	case *protocol.GroupInvite:
		return st.onGroupInvite(r)
	case *protocol.Ack:
		return st.onAck(r)
	case *protocol.ContactRequest:
		return st.onContactRequest(r)
	case *protocol.ContactAccept:
		return st.onContactAccept(r)
	case *protocol.ProfileAttr:
		return st.onProfileAttr(r)
	case *protocol.ProfileGet:
		return st.onProfileGet(r)
	case *protocol.Ping:
		return st.out.Send(&protocol.Pong{Nonce: r.Nonce})
	case *protocol.Disappear:
		return st.l.m.adoptDisappear(st.l.addr, r)
	case *protocol.InviteConfirm:
		return st.onInviteConfirm(r)
	case *protocol.FileOffer:
		return st.onFileOffer(r)
	case *protocol.FileRequest, *protocol.FileChunk, *protocol.FileStop, *protocol.FileDone:
		return st.onFileRecord(r)
	case *protocol.RequestReceived:
		return st.onRequestReceived()
	}
	// ContactReject, Pong and unknown records need nothing here.
	return nil
}

// onFileRecord hands a record of a file transfer to the transfers, from
// an accepted contact only.
func (st *session) onFileRecord(r protocol.Record) error {
	if c, err := st.l.m.contact(st.l.addr); err != nil || c.State != model.ContactAccepted {
		return nil
	}
	return st.files.Handle(r)
}

func (st *session) onText(r *protocol.Text) error {
	return st.receive(model.Message{
		ID:        r.ID,
		Kind:      model.KindText,
		Sent:      r.Sent,
		Body:      r.Body,
		ReplyTo:   r.ReplyTo,
		Disappear: r.Disappear,
	})
}

// onGroupInvite stores an invitation to a group as a message of the
// group-invite kind. An invite that is not text is acknowledged but not
// stored: the sender must not retry it forever.
func (st *session) onGroupInvite(r *protocol.GroupInvite) error {
	if !utf8.Valid(r.Invite) {
		return st.out.ack(r.ID)
	}
	return st.receive(model.Message{
		ID:        r.ID,
		Kind:      model.KindGroupInvite,
		Sent:      r.Sent,
		Body:      string(r.Invite),
		Disappear: r.Disappear,
	})
}

// receive stores an incoming message of any kind (ID, Kind, Sent, Body,
// ReplyTo and Disappear set) once and acknowledges it once stored (the
// writer coalesces acknowledgements). Nothing from a peer
// that is not an accepted contact is stored or acknowledged.
func (st *session) receive(msg model.Message) error {
	m := st.l.m
	addr := st.l.addr
	c, err := m.contact(addr)
	if err != nil || c.State != model.ContactAccepted {
		return nil // not (yet) a contact: neither stored nor acknowledged
	}
	msg.Conversation = model.ConversationID(addr)
	msg.Author = string(addr)
	msg.Received = m.now()
	msg.Status = model.StatusReceived
	// Its disappearing timer starts when the user first sees it (MarkRead).
	msg, err = m.cfg.Store.AppendMessage(msg)
	switch {
	case errors.Is(err, store.ErrDuplicate):
		// Written again after a lost acknowledgement: acknowledge again.
	case err != nil:
		return err
	default:
		// The store counted it unread and noted the conversation's
		// activity in the same transaction.
		m.emit(model.MessageAdded{Message: msg})
	}
	return st.out.ack(msg.ID)
}

// onAck marks the acknowledged messages delivered, and forgets the
// acknowledged reactions.
func (st *session) onAck(r *protocol.Ack) error {
	m := st.l.m
	conv := model.ConversationID(st.l.addr)
	for _, id := range r.IDs {
		// Delivered and out of the outbox in one transaction.
		_, changed, err := m.cfg.Store.MarkDelivered(conv, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Not a message: perhaps one of our reactions or edits.
			if _, err := m.changeAcked(conv, id); err != nil {
				return err
			}
		case errors.Is(err, store.ErrNotOurs):
			continue // not ours to acknowledge
		case err != nil:
			return err
		case changed:
			m.emit(model.MessageStatusChanged{ID: id, Conversation: conv, Status: model.StatusDelivered})
		}
	}
	return nil
}

func (st *session) onContactRequest(r *protocol.ContactRequest) error {
	m := st.l.m
	addr := st.l.addr
	var proof ProofCheck
	if len(r.Proof) > 0 {
		proof = m.cfg.CheckProof(addr, st.s.ChannelBinding(), r.Proof)
	}
	c, err := m.changeContact(addr, false, func(c *model.Contact) bool {
		changed := c.DisplayName != r.DisplayName
		c.DisplayName = r.DisplayName
		if c.State == model.ContactPending || (proof.Valid && c.State == model.ContactRequest) {
			// We asked them too, or they hold our in-person invite.
			c.State = model.ContactAccepted
			changed = true
		}
		if proof.Verified && c.Verification != model.VerifiedInPerson {
			proof.apply(c)
			changed = true
		}
		return changed
	})
	if err != nil {
		return err
	}
	if err := proof.sendConfirm(st.out); err != nil {
		return err
	}
	switch c.State {
	case model.ContactAccepted:
		// They may have lost our acceptance: tell them again.
		st.announced = 0
	case model.ContactRequest:
		// Their request, sent again: it is still stored here.
		if err := st.out.Send(&protocol.RequestReceived{}); err != nil {
			return err
		}
	}
	return st.sync()
}

// onRequestReceived records that the contact's Nook stored our request:
// it now waits for them to accept.
func (st *session) onRequestReceived() error {
	_, err := st.l.m.changeContact(st.l.addr, false, func(c *model.Contact) bool {
		if c.State != model.ContactPending || c.RequestDelivered {
			return false
		}
		c.RequestDelivered = true
		return true
	})
	if errors.Is(err, ErrNotContact) {
		return nil // deleted meanwhile
	}
	return err
}

func (st *session) onContactAccept(r *protocol.ContactAccept) error {
	_, err := st.l.m.changeContact(st.l.addr, false, func(c *model.Contact) bool {
		changed := c.DisplayName != r.DisplayName
		c.DisplayName = r.DisplayName
		if c.State == model.ContactPending {
			// An acceptance never verifies: we cannot know where the
			// invite we used came from (docs/security.md).
			c.State = model.ContactAccepted
			changed = true
		}
		return changed
	})
	if err != nil {
		return err
	}
	return st.sync()
}

// onInviteConfirm records a confirmation that the contact redeemed our
// in-person invite only when it verifies against this session's binding; a
// wrong one is ignored without ending the session, and neither verifies the
// contact.
func (st *session) onInviteConfirm(r *protocol.InviteConfirm) error {
	m := st.l.m
	addr := st.l.addr
	if !m.cfg.CheckConfirm(addr, st.s.ChannelBinding(), r.MAC[:]) {
		return nil
	}
	_, err := m.changeContact(addr, false, func(c *model.Contact) bool {
		if c.InviteConfirmed {
			return false
		}
		c.InviteConfirmed = true
		return true
	})
	if errors.Is(err, ErrNotContact) {
		return nil // deleted meanwhile
	}
	return err
}

func (st *session) onProfileAttr(r *protocol.ProfileAttr) error {
	if r.Attr != protocol.AttrDisplayName {
		return nil
	}
	_, err := st.l.m.changeContact(st.l.addr, false, func(c *model.Contact) bool {
		if c.DisplayName == string(r.Value) {
			return false
		}
		c.DisplayName = string(r.Value)
		return true
	})
	return err
}

func (st *session) onProfileGet(r *protocol.ProfileGet) error {
	if r.Attr != protocol.AttrDisplayName {
		return nil
	}
	m := st.l.m
	c, err := m.contact(st.l.addr)
	if err != nil || c.State != model.ContactAccepted {
		return nil
	}
	return st.out.Send(&protocol.ProfileAttr{Attr: protocol.AttrDisplayName, Value: []byte(m.cfg.DisplayName())})
}

// tokenBucket paces a reader: wait takes one token, sleeping until one is
// available.
type tokenBucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate, burst float64) *tokenBucket {
	return &tokenBucket{rate: rate, burst: burst, tokens: burst, last: time.Now()}
}

// wait takes a token; it returns false if done closes first.
func (b *tokenBucket) wait(done <-chan struct{}) bool {
	now := time.Now()
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	need := time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
	t := time.NewTimer(need)
	defer t.Stop()
	select {
	case <-t.C:
		b.tokens = 0
		b.last = time.Now()
		return true
	case <-done:
		return false
	}
}
