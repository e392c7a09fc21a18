package groupclient

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// maxBatch is the number of blobs stored in one transaction (a transaction
// holds at most about 1.2 MiB in the store; a message is at most ~4 KiB).
const maxBatch = 64

// errResubscribe asks the subscriber to start again from the stored cursor.
var errResubscribe = errors.New("groupclient: resubscribe")

// errNoGroups is returned by a subscription that outlived the last group
// of its server (it was left): it stores nothing, not even the cursor.
var errNoGroups = errors.New("groupclient: no group on the server")

// runSubscriber follows the server until ctx ends, reconnecting with
// backoff.
func (s *server) runSubscriber(ctx context.Context) {
	b := backoff{min: s.c.cfg.MinBackoff, max: s.c.cfg.MaxBackoff}
	for ctx.Err() == nil {
		progressed, err := s.subscribeOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if progressed || errors.Is(err, errResubscribe) {
			b.reset()
		}
		if errors.Is(err, errResubscribe) {
			continue
		}
		if !b.wait(ctx, nil) {
			return
		}
	}
}

func (s *server) cursor() (uint64, error) {
	v, err := s.c.bucket.Get(cursorKey(s.bundle.SigningKey))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return parseU64(v)
}

// Resubscribing (docs/groups.md, "Subscribing and catching up"): the
// cursor a client sends would chain its sessions if it were the last
// sequence number the server sent it. The client subscribes from an
// earlier, coarsened cursor instead: from 64 to 319 blobs back, rounded
// down to a multiple of 64, and, while the server holds at most
// fullRereadSpan blobs, from 0 one time in fullRereadOdds. What it already
// stored (sequence numbers up to its real cursor) it skips without opening.
const (
	resubscribeMinBack = 64
	resubscribeSpread  = 256
	resubscribeGrain   = 64
	fullRereadOdds     = 16
	fullRereadSpan     = 2048
	// lostRereadMax bounds how far back a server claiming to have lost
	// its history (CaughtUp with head below the cursor) can send the
	// client: at most this many blobs are read again.
	lostRereadMax = 1024
)

// resubscribeFrom returns the cursor to subscribe from for a client whose
// real cursor is real, when the server held span blobs at the last look
// (0 unknown).
func (s *server) resubscribeFrom(real, span uint64) uint64 {
	if real == 0 {
		return 0
	}
	r := randUint64(s.c.cfg.Rand)
	if span != 0 && span <= fullRereadSpan && r%fullRereadOdds == 0 {
		return 0
	}
	back := resubscribeMinBack + (r/fullRereadOdds)%resubscribeSpread
	if back >= real {
		return 0
	}
	return (real - back) / resubscribeGrain * resubscribeGrain
}

// randUint64 reads a uniformly random uint64 from rnd (0 if it fails, which
// crypto/rand does not).
func randUint64(rnd io.Reader) uint64 {
	var b [8]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return 0
	}
	return binary.BigEndian.Uint64(b[:])
}

// probeHead learns the server's head and oldest blob (for the progress
// total and the resubscription cursor) on a short connection of its own:
// a subscription past any sequence number returns CaughtUp at once.
func (s *server) probeHead(ctx context.Context) (*protocol.CaughtUp, bool) {
	ctx, cancel := context.WithTimeout(ctx, s.c.cfg.RequestWait)
	defer cancel()
	sess, err := s.dial(ctx)
	if err != nil {
		return nil, false
	}
	defer sess.Close()
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	defer stop()
	if err := sess.Send(&protocol.Subscribe{Cursor: math.MaxUint64}); err != nil {
		return nil, false
	}
	var cu *protocol.CaughtUp
	if err := await(sess, protocol.TypeSubscribe, func(r protocol.Record) bool {
		cu, _ = r.(*protocol.CaughtUp)
		return cu != nil
	}); err != nil {
		return nil, false
	}
	return cu, true
}

// subscription is one subscribe session's progress.
type subscription struct {
	s        *server
	cursor   uint64 // last seq stored
	start    uint64 // cursor at subscribe
	from     uint64 // the cursor sent (resubscribeFrom): blobs up to start are skipped
	last     uint64 // last seq received in this session
	total    int    // blobs expected until caught up; 0 unknown
	done     int
	caughtUp bool
	lastSent int // done at the last GroupSync
	// backfill holds the groups whose history this subscription reads
	// again (from 0), with the cursor up to which they need it.
	backfill map[*groupState]uint64
}

// subscribeOnce runs one subscription; progressed reports whether it
// stored anything (the backoff starts again).
func (s *server) subscribeOnce(ctx context.Context) (progressed bool, err error) {
	cursor, err := s.cursor()
	if err != nil {
		return false, err
	}
	sub := &subscription{s: s, cursor: cursor, start: cursor}
	cu, ok := s.probeHead(ctx)
	var span uint64
	if ok && cu.Head >= cu.Oldest {
		span = cu.Head - cu.Oldest + 1
	}
	sub.from = s.resubscribeFrom(cursor, span)
	select {
	case <-s.kick: // this subscription reads what the group joined needs
	default:
	}
	s.c.mu.Lock()
	for _, gs := range s.c.groupsOnLocked(s.bundle.SigningKey) {
		if gs.backfill > 0 {
			if sub.backfill == nil {
				sub.backfill = map[*groupState]uint64{}
			}
			sub.backfill[gs] = gs.backfill
		}
	}
	s.c.mu.Unlock()
	if sub.backfill != nil {
		sub.from = 0 // a group joined needs the history the server holds
	}
	sub.last = sub.from
	if ok && cu.Head > cursor {
		sub.total = int(cu.Head - cursor)
	}
	sess, err := s.dial(ctx)
	if err != nil {
		return false, err
	}
	defer sess.Close()
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	defer stop()
	if err := sess.Send(&protocol.Subscribe{Cursor: sub.from}); err != nil {
		return false, err
	}
	s.c.cfg.Emit(model.GroupSync{Server: string(s.bundle.Address), Total: sub.total})

	recs := make(chan protocol.Record, 2*maxBatch)
	readErr := make(chan error, 1)
	quit := make(chan struct{})
	readerDone := make(chan struct{})
	go func() { defer close(readerDone); readRecords(sess, recs, readErr, quit) }()
	defer func() { close(quit); sess.Close(); <-readerDone }()
	for {
		var first protocol.Record
		select {
		case first = <-recs:
		case err := <-readErr:
			return progressed, err
		case <-s.kick:
			return progressed, errResubscribe // a group joined needs its history
		}
		var blobs []*protocol.Blob
		var tail protocol.Record
		for r := first; ; {
			if b, ok := r.(*protocol.Blob); ok {
				blobs = append(blobs, b)
			} else {
				tail = r
				break
			}
			if len(blobs) == maxBatch {
				break
			}
			select {
			case r = <-recs:
				continue
			default:
			}
			break
		}
		if len(blobs) > 0 {
			if err := sub.store(blobs); err != nil {
				return progressed, err
			}
			progressed = true
		}
		switch r := tail.(type) {
		case *protocol.CaughtUp:
			if err := sub.caughtUpWith(r); err != nil {
				return progressed, err
			}
		case *protocol.Refused:
			return progressed, fmt.Errorf("%w: %s", ErrRefused, r.Reason)
		}
	}
}

// readRecords feeds the session's records to recs until it fails.
func readRecords(sess *handshake.Session, recs chan<- protocol.Record, errc chan<- error, quit <-chan struct{}) {
	for {
		r, err := sess.Recv()
		if errors.Is(err, protocol.ErrMalformed) {
			continue
		}
		if err != nil {
			errc <- err
			return
		}
		select {
		case recs <- r:
		case <-quit:
			return
		}
	}
}

// caughtUpWith handles the end of the stored blobs.
func (sub *subscription) caughtUpWith(cu *protocol.CaughtUp) error {
	s := sub.s
	if err := sub.finishBackfill(); err != nil {
		return err
	}
	if sub.cursor > cu.Head {
		// The server lost its history (restored from an old backup, or a
		// new server at the address), or says so: go back to its head, but
		// at most lostRereadMax blobs, so that a server cannot make the
		// client download everything again at will. What is read again is
		// recognised as duplicates.
		back := max(cu.Head, sub.cursor-min(sub.cursor, lostRereadMax))
		s.c.cfg.Emit(model.GroupWarning{Server: string(s.bundle.Address), Kind: "history lost",
			Reason: fmt.Sprintf("the group server says it lost messages it had stored; reading again at most the last %d", lostRereadMax)})
		if err := s.c.bucket.Put(cursorKey(s.bundle.SigningKey), u64(back)); err != nil {
			return err
		}
		return errResubscribe
	}
	if sub.start+1 < cu.Oldest {
		s.c.cfg.Emit(model.GroupWarning{Server: string(s.bundle.Address), Kind: "expired",
			Reason: fmt.Sprintf("the group server no longer keeps up to %d messages posted while you were away", cu.Oldest-sub.start-1)})
	}
	sub.caughtUp = true
	if sub.total < sub.done {
		sub.total = sub.done
	}
	s.c.cfg.Emit(model.GroupSync{Server: string(s.bundle.Address), Done: sub.done, Total: sub.done, CaughtUp: true})
	return nil
}

// finishBackfill records that the groups whose history this subscription
// read again from 0 have it now: their posts may go.
func (sub *subscription) finishBackfill() error {
	if len(sub.backfill) == 0 {
		return nil
	}
	c := sub.s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.bucket.Update(func(tx *store.BucketTx) error {
		for gs := range sub.backfill {
			if err := tx.Delete(backfillKey(gs.g.ID())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for gs := range sub.backfill {
		gs.backfill = 0
	}
	sub.backfill = nil
	sub.s.wakePoster()
	return nil
}

// effects is what a batch of blobs changes, computed outside the
// transaction (which may run more than once).
type effects struct {
	news      []model.Message
	full      []group.MessageID // full IDs of news
	names     map[string][]byte // name key → name
	delivered []queuedPost
	warnings  []model.GroupWarning
	touched   map[*groupState]bool
	// left holds the members whose leave state changes: the seq of their
	// leave notice, or 0 when they are back; departures the events.
	left       map[memberKey]uint64
	departures []model.GroupMemberLeft
	// known are the members whose contact tags were stored.
	known []model.GroupMemberKnown
	// rot holds the rotations accepted (epochs.go).
	rot rotationFx
	// reactions are the members' reactions, in server order.
	reactions []reactionEffect
	// files are the members' file announcements and holder notes.
	files []fileEffect
}

// memberKey names a member of one of the client's groups.
type memberKey struct {
	gs     *groupState
	author identity.Address
}

// store opens, checks and stores a batch of blobs, then advances the
// cursor, all in one transaction.
func (sub *subscription) store(blobs []*protocol.Blob) error {
	if len(sub.backfill) == 0 && sub.alreadyStored(blobs) {
		sub.last = blobs[len(blobs)-1].Seq
		return nil
	}
	s, c := sub.s, sub.s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	groups := c.groupsOnLocked(s.bundle.SigningKey)
	if len(groups) == 0 {
		return errNoGroups
	}
	fx := effects{names: map[string][]byte{}, touched: map[*groupState]bool{}, left: map[memberKey]uint64{},
		rot: rotationFx{owners: map[*groupState]bool{}, removed: map[*groupState]model.GroupRekeyed{}, readmitted: map[memberKey]uint32{},
			queued: map[*groupState][]model.MessageID{}}}
	cursor, last := sub.cursor, sub.last
	fresh := 0 // blobs not stored in an earlier session
	for _, b := range blobs {
		if b.Seq <= last {
			fx.warnings = append(fx.warnings, model.GroupWarning{Server: string(s.bundle.Address), Kind: "stream",
				Reason: "the group server sent a blob out of order"})
		} else {
			last = b.Seq
			if b.Seq <= cursor {
				// Stored in an earlier session (resubscribeFrom), unless
				// a group joined since needs it.
				c.backfillLocked(sub.backfill, b, &fx)
				continue
			}
			cursor = b.Seq
		}
		fresh++
		for _, gs := range groups {
			ep := gs.epochOf(b.Blob[:])
			if ep == nil {
				continue
			}
			fx.touched[gs] = true
			c.observe(gs, ep, b.Blob[:], &fx)
			break
		}
	}
	for gs := range fx.rot.removed {
		q, err := c.st.Outbox(gs.conv)
		if err != nil {
			return c.abort(groups, err)
		}
		fx.rot.queued[gs] = q
	}
	for _, r := range fx.rot.replaced {
		q, err := c.st.Outbox(r.gs.conv)
		if err != nil {
			return c.abort(groups, err)
		}
		fx.rot.queued[r.gs] = q
	}
	var (
		added, delivered, changed []model.Message
		collisions                []model.GroupWarning
	)
	err := c.st.Update(func(tx *store.Tx) error {
		added, delivered, collisions = added[:0], delivered[:0], collisions[:0]
		// Our own posts, back from the server, in the same transaction.
		// A post back from the server is on it: it leaves the outbox and
		// the queue here too, so that a post whose answer was lost (the
		// connection closed after the server stored it) is not posted a
		// second time (TestDeliveredNotPostedAgain).
		b := tx.Bucket(bucketName)
		for _, d := range fx.delivered {
			m, err := tx.SetStatus(d.conv, d.id, model.StatusDelivered, "")
			if err != nil {
				return err
			}
			delivered = append(delivered, m)
			if err := tx.Dequeue(d.id); err != nil {
				return err
			}
			if err := b.Delete(queueKey(d.id)); err != nil {
				return err
			}
		}
		for i, m := range fx.news {
			stored, err := tx.AppendMessage(m)
			if errors.Is(err, store.ErrDuplicate) {
				continue
			} else if err != nil {
				return err
			}
			added = append(added, stored)
			if w, err := collision(tx, stored); err != nil {
				return err
			} else if w != nil {
				collisions = append(collisions, *w)
			}
			if err := b.Put(indexKey(m.ID), fx.full[i][:]); err != nil {
				return err
			}
		}
		var err error
		if changed, err = applyReactions(tx, fx.reactions, changed[:0]); err != nil {
			return err
		}
		for k, v := range fx.names {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		for k, seq := range fx.left {
			key := leftMemberKey(k.gs.g.ID(), k.author.PublicKey())
			var err error
			if seq == 0 {
				err = b.Delete(key)
			} else {
				err = b.Put(key, u64(seq))
			}
			if err != nil {
				return err
			}
		}
		for gs := range fx.touched {
			if err := gs.tl.Save(tx.Bucket(timelineBucket(gs.g.ID()))); err != nil {
				return err
			}
		}
		if err := c.storeRotations(tx, &fx); err != nil {
			return err
		}
		return b.Put(cursorKey(s.bundle.SigningKey), u64(cursor))
	})
	if err != nil {
		return c.abort(groups, err)
	}
	for gs := range fx.touched {
		gs.tl.Saved()
	}
	for k, seq := range fx.left {
		if seq == 0 {
			delete(k.gs.left, k.author)
		} else {
			k.gs.left[k.author] = seq
		}
	}
	sub.cursor, sub.last = cursor, last
	sub.done += fresh
	for _, m := range delivered {
		c.cfg.Emit(model.MessageStatusChanged{ID: m.ID, Conversation: m.Conversation, Status: model.StatusDelivered})
	}
	for _, m := range added {
		c.cfg.Emit(model.MessageAdded{Message: m})
	}
	for _, m := range changed {
		c.cfg.Emit(model.MessageChanged{Message: m})
	}
	for _, w := range append(fx.warnings, collisions...) {
		c.cfg.Emit(w)
	}
	for _, k := range fx.known {
		c.cfg.Emit(k)
	}
	c.tellFiles(fx.files, added)
	for _, d := range fx.departures {
		c.cfg.Emit(d)
		if gs, ok := c.groups[groupOfConv(d.Conversation)]; ok {
			c.rotateForLeaving(gs, identity.Address(d.Author))
		}
	}
	for _, ev := range fx.rot.events {
		c.cfg.Emit(ev)
	}
	for _, r := range fx.rot.replaced {
		c.redoReplaced(r)
	}
	for gs, ev := range fx.rot.removed {
		c.forgetRemoved(gs)
		c.cfg.Emit(ev)
		for _, q := range fx.rot.queued[gs] {
			c.cfg.Emit(model.MessageStatusChanged{ID: q, Conversation: gs.conv, Status: model.StatusFailed, Reason: reasonRemoved})
		}
		c.cfg.Emit(model.GroupLeft{Conversation: gs.conv})
	}
	if !sub.caughtUp && sub.done-sub.lastSent >= c.cfg.ProgressEvery {
		sub.lastSent = sub.done
		c.cfg.Emit(model.GroupSync{Server: string(s.bundle.Address), Done: sub.done, Total: max(sub.total, sub.done)})
	}
	return nil
}

// alreadyStored reports whether blobs come in order and were all stored in
// an earlier session (resubscribeFrom): there is nothing to do for them.
func (sub *subscription) alreadyStored(blobs []*protocol.Blob) bool {
	last := sub.last
	for _, b := range blobs {
		if b.Seq <= last || b.Seq > sub.cursor {
			return false
		}
		last = b.Seq
	}
	return true
}

// backfillLocked observes an old blob for the groups of backfill that
// need it: still joined, and joined when the cursor had passed it. c.mu
// is held.
func (c *Client) backfillLocked(backfill map[*groupState]uint64, b *protocol.Blob, fx *effects) {
	for gs, upTo := range backfill {
		if b.Seq > upTo || c.groups[gs.g.ID()] != gs {
			continue
		}
		ep := gs.epochOf(b.Blob[:])
		if ep == nil {
			continue
		}
		fx.touched[gs] = true
		c.observe(gs, ep, b.Blob[:], fx)
		return
	}
}

// observe opens one of gs's blobs, of epoch ep, and records its effects.
// c.mu is held.
func (c *Client) observe(gs *groupState, ep *epochState, blob []byte, fx *effects) {
	m, err := ep.g.Open(blob)
	if err != nil {
		f := gs.tl.Reject(err)
		fx.warnings = append(fx.warnings, warning(gs, f))
		return
	}
	dup, findings := gs.tl.Observe(m)
	for _, f := range findings {
		if f.Start && gs.rec.base > 0 && (f.Kind == group.FindingGap || f.Kind == group.FindingUnknownRef) {
			// Joined in a later epoch (a G2 invite): what came before is
			// not this profile's to read, and missing it is no warning.
			continue
		}
		fx.warnings = append(fx.warnings, warning(gs, f))
	}
	if dup {
		return
	}
	if gs.rec.owner == (group.PublicKey{}) {
		// A group made before epochs whose history was empty: its
		// first author is its owner (docs/groups.md, "Roles").
		gs.rec.owner = group.KeyOf(m.Author)
		fx.rot.owners[gs] = true
	}
	if m.Kind == group.KindRotate {
		c.observeRotation(gs, ep, m, fx)
		return
	}
	if ep.n < gs.newestSeen().n && m.Author != gs.self.Address() {
		// Written under a key that a rotation the server delivered before
		// it replaced (docs/groups.md, "After a rotation"). A rotation of
		// ours that the server has not stored yet does not count: in the
		// server's order, and so for the others, this came before it.
		if gs.removedAfter(group.KeyOf(m.Author), ep.n) || gs.tl.Authors()[m.Author] <= 1 {
			// Removed, or never seen before: an old invite's holder.
			fx.warnings = append(fx.warnings, model.GroupWarning{Conversation: gs.conv, Server: string(gs.rec.bundle.Address),
				Author: string(m.Author), Kind: "old key",
				Reason: "someone who was removed from the group, or holds an invite it revoked, wrote with its old key; it is not shown"})
			return
		}
		fx.warnings = append(fx.warnings, model.GroupWarning{Conversation: gs.conv, Server: string(gs.rec.bundle.Address),
			Author: string(m.Author), Kind: "old key",
			Reason: "a member wrote with the group's old key, before their Nook had the new one: whoever was removed could read it too"})
	}
	if k := group.KeyOf(m.Author); gs.isRemoved(k) && ep.n >= gs.removedAt(k) {
		// A removed member writing under a key given after their removal:
		// invited again (docs/groups.md, "Who is a member").
		gs.readmitted[k] = ep.n
		fx.rot.readmitted[memberKey{gs, m.Author}] = ep.n
	}
	if m.Author != gs.self.Address() {
		gs.head = m.ID
	}
	if m.Name != "" {
		fx.names[string(nameKey(gs.g.ID(), m.Author.PublicKey()))] = []byte(m.Name)
	}
	c.observeLeaving(gs, m, fx)
	var kind model.MessageKind
	body := m.Text
	switch m.Kind {
	case group.KindReaction:
		c.observeReaction(gs, m, fx)
		return
	case group.KindKnownTo:
		if m.Author != gs.self.Address() && m.Seq >= gs.tl.LastSeq(m.Author) {
			if b, err := m.KnownTo.Encode(); err == nil {
				fx.names[string(knownToKey(gs.g.ID(), m.Author.PublicKey()))] = b
				fx.known = append(fx.known, model.GroupMemberKnown{Conversation: gs.conv, Author: string(m.Author)})
			}
		}
		return
	case group.KindText, group.KindReply:
	case group.KindFileOffer:
		if !c.observeFile(gs, m, fx) {
			return
		}
		kind, body = model.KindFile, m.File.Name
	case group.KindJoined:
		kind, body = model.KindNote, model.NoteJoined
	case group.KindLeft:
		kind, body = model.KindNote, model.NoteLeft
	default:
		return // a kind this version does not show; the timeline counted it
	}
	id := m.ID.Model()
	if m.Author == gs.self.Address() {
		if old, err := c.st.GetMessage(gs.conv, id); err == nil {
			if old.Status != model.StatusDelivered {
				fx.delivered = append(fx.delivered, queuedPost{gs.conv, id})
			}
			return
		}
	}
	msg := model.Message{ID: id, Kind: kind, Conversation: gs.conv, Author: string(m.Author), Sent: m.Sent,
		Received: c.cfg.Now(), Body: body, ReplyTo: m.ReplyTo.Model(), Status: model.StatusReceived}
	if m.Author == gs.self.Address() {
		// Ours, written elsewhere (another copy of the profile).
		msg.Outgoing, msg.Status = true, model.StatusDelivered
	}
	fx.news = append(fx.news, msg)
	fx.full = append(fx.full, m.ID)
}

// observeLeaving follows whether m's author has left the group: they have
// while their newest message (by sequence number) is a leave notice. A
// notice the server delivers after a newer message of its author changes
// nothing. c.mu is held; m was observed by gs's timeline.
func (c *Client) observeLeaving(gs *groupState, m *group.Message, fx *effects) {
	if m.Author == gs.self.Address() || m.Seq < gs.tl.LastSeq(m.Author) {
		return
	}
	k := memberKey{gs, m.Author}
	seq, changed := fx.left[k]
	if !changed {
		seq = gs.left[m.Author]
	}
	switch {
	case m.Kind == group.KindLeft:
		fx.left[k] = m.Seq
		fx.departures = append(fx.departures, model.GroupMemberLeft{Conversation: gs.conv,
			Author: string(m.Author), Name: m.Name})
	case seq != 0:
		fx.left[k] = 0 // back: they wrote again after leaving
	}
}

// abort reloads the timelines of groups after a failed transaction, so
// that memory matches the store again, and returns err. c.mu is held.
func (c *Client) abort(groups []*groupState, err error) error {
	for _, gs := range groups {
		if tl, lerr := group.LoadTimeline(gs.tlb, group.TimelineOptions{Known: c.knownFunc(gs.conv)}); lerr == nil {
			gs.tl = tl
		}
		if v, gerr := c.bucket.Get(groupKey(gs.g.ID())); gerr == nil {
			if r, derr := decodeGroupRecord(v); derr == nil {
				gs.rec.owner = r.owner
			}
		}
		// The epochs and readmissions a failed batch accepted go; a store
		// that cannot be read fails the next batch again.
		_ = c.loadEpochs(gs)
		if r, lerr := c.loadReadmitted(gs.g.ID()); lerr == nil {
			gs.readmitted = r
		}
		if p, lerr := c.loadPartsSeen(gs.g.ID()); lerr == nil {
			gs.partsSeen = p
		}
	}
	return fmt.Errorf("groupclient: store blobs: %w", err)
}

// collision returns a warning when another conversation holds a message
// with the ID of m, a group message just stored. A group message's ID is
// a hash, but a contact chooses the IDs of its one-to-one messages: one
// who is also in the group could send a harmless message under the ID of
// their next post. Both are kept (the store indexes IDs per conversation),
// and the group says what happened.
func collision(tx *store.Tx, m model.Message) (*model.GroupWarning, error) {
	convs, err := tx.ConversationsWith(m.ID)
	if err != nil || len(convs) < 2 {
		return nil, err
	}
	return &model.GroupWarning{Conversation: m.Conversation, Kind: "collision",
		Reason: "a message from a contact, in another conversation, carried the identifier of this group message; both are shown"}, nil
}

func warning(gs *groupState, f group.Finding) model.GroupWarning {
	return model.GroupWarning{Conversation: gs.conv, Server: string(gs.rec.bundle.Address),
		Author: string(f.Author), Kind: f.Kind.String(), Reason: f.String()}
}

// groupOfConv returns the group ID of one of the client's conversations.
func groupOfConv(conv model.ConversationID) group.ID {
	id, _ := group.ParseConversation(conv)
	return id
}
