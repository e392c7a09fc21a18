package groupclient

import (
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// effects is what a batch of blobs changes, computed outside the
// transaction (which may run more than once).
type effects struct {
	news      []model.Message
	full      []group.MessageID // full IDs of news
	names     map[string][]byte // name key → name
	delivered []delivery
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
	// servers are the lists of servers accepted (servers.go).
	servers map[*groupState]serversChange
}

// delivery is a post of ours back from the server: its status becomes
// Delivered (unless already, a group on several servers), and it is on
// that server.
type delivery struct {
	queuedPost
	gs      *groupState
	already bool
}

// memberKey names a member of one of the client's groups.
type memberKey struct {
	gs     *groupState
	author identity.Address
}

// store opens, checks and stores a batch of blobs, then advances the
// cursor: in one transaction for every maxBatch blobs of the client's
// groups it holds (storeSome). The blobs are the caller's again once it
// returns: nothing keeps a slice of them.
func (sub *subscription) store(blobs []protocol.BlobRef) error {
	for len(blobs) > 0 {
		n, err := sub.storeSome(blobs)
		if err != nil {
			return err
		}
		blobs = blobs[n:]
	}
	return nil
}

// storeSome opens, checks and stores the blobs up to the maxBatch-th of
// the client's groups (all of them if they hold fewer), then advances the
// cursor past them, all in one transaction, and returns how many it took.
func (sub *subscription) storeSome(blobs []protocol.BlobRef) (int, error) {
	if len(sub.backfill) == 0 && sub.alreadyStored(blobs) {
		sub.last = blobs[len(blobs)-1].Seq
		return len(blobs), nil
	}
	s, c := sub.s, sub.s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	groups := c.groupsOnLocked(s.bundle.SigningKey)
	if len(groups) == 0 {
		return 0, errNoGroups
	}
	fx := effects{names: map[string][]byte{}, touched: map[*groupState]bool{}, left: map[memberKey]uint64{}, servers: map[*groupState]serversChange{},
		rot: rotationFx{removed: map[*groupState]model.GroupRekeyed{}, readmitted: map[memberKey]uint32{},
			queued: map[*groupState][]model.MessageID{}}}
	cursor, last := sub.cursor, sub.last
	fresh := 0    // blobs not stored in an earlier session
	observed := 0 // blobs of the client's groups
	n := len(blobs)
	for i, b := range blobs {
		if observed == maxBatch {
			n = i // the rest in the next transaction
			break
		}
		if b.Seq <= last {
			fx.warnings = append(fx.warnings, model.NewGroupWarning("", string(s.bundle.Address), "", "stream", model.Say("groupwarning.stream")))
		} else {
			last = b.Seq
			if b.Seq <= cursor {
				// Stored in an earlier session (resubscribeFrom), unless
				// a group joined since needs it.
				if c.backfillLocked(sub.backfill, b, &fx) {
					observed++
				}
				continue
			}
			cursor = b.Seq
		}
		fresh++
		for _, gs := range groups {
			ep := gs.epochOf(b.Blob)
			if ep == nil {
				continue
			}
			fx.touched[gs] = true
			c.observe(gs, ep, b.Blob, &fx)
			observed++
			break
		}
	}
	for gs := range fx.rot.removed {
		q, err := c.st.Outbox(gs.conv)
		if err != nil {
			return 0, c.abort(groups, err)
		}
		fx.rot.queued[gs] = q
	}
	for _, r := range fx.rot.replaced {
		q, err := c.st.Outbox(r.gs.conv)
		if err != nil {
			return 0, c.abort(groups, err)
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
			if !d.already {
				m, err := tx.SetStatus(d.conv, d.id, model.StatusDelivered, "")
				if err != nil {
					return err
				}
				delivered = append(delivered, m)
			}
			if err := onServerTx(tx, d.gs, s.bundle.SigningKey, d.id); err != nil {
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
			if gs.pendingDirty {
				if err := savePending(tx.Bucket(timelineBucket(gs.g.ID())), gs); err != nil {
					return err
				}
			}
		}
		if err := c.storeRotations(tx, &fx); err != nil {
			return err
		}
		if err := storeServers(tx, &fx); err != nil {
			return err
		}
		return b.Put(cursorKey(s.bundle.SigningKey), u64(cursor))
	})
	if err != nil {
		return 0, c.abort(groups, err)
	}
	for gs := range fx.touched {
		gs.tl.Saved()
		gs.pendingDirty = false
	}
	for gs, ch := range fx.servers {
		if c.groups[gs.g.ID()] == gs {
			gs.serversAt = ch.at
			c.followServersLocked(gs, ch.list)
		}
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
	return n, nil
}

// alreadyStored reports whether blobs come in order and were all stored in
// an earlier session (resubscribeFrom): there is nothing to do for them.
func (sub *subscription) alreadyStored(blobs []protocol.BlobRef) bool {
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
// need it: still joined, and joined when the cursor had passed it; it
// reports whether it did. c.mu is held.
func (c *Client) backfillLocked(backfill map[*groupState]uint64, b protocol.BlobRef, fx *effects) bool {
	for gs, upTo := range backfill {
		if b.Seq > upTo || c.groups[gs.g.ID()] != gs {
			continue
		}
		ep := gs.epochOf(b.Blob)
		if ep == nil {
			continue
		}
		fx.touched[gs] = true
		c.observe(gs, ep, b.Blob, fx)
		return true
	}
	return false
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
	// A message another server held back and this one delivered answers
	// a finding held back (a group on several servers, withheld.go).
	answered := !dup && len(gs.pending) > 0 && c.answer(gs, m)
	for _, f := range findings {
		if f.Start && gs.rec.base > 0 && (f.Kind == group.FindingGap || f.Kind == group.FindingUnknownRef) {
			// Joined in a later epoch (a G2 invite): what came before is
			// not this profile's to read, and missing it is no warning.
			continue
		}
		if answered && (f.Kind == group.FindingReordered || f.Kind == group.FindingLate) || c.holdBack(gs, f) {
			continue
		}
		fx.warnings = append(fx.warnings, warning(gs, f))
	}
	if dup {
		return
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
			fx.warnings = append(fx.warnings, model.NewGroupWarning(gs.conv, string(gs.rec.bundle.Address), string(m.Author), "old key",
				model.Text{English: "someone who was removed from the group, or holds an invite it revoked, wrote with its old key; it is not shown"}))
			return
		}
		fx.warnings = append(fx.warnings, model.NewGroupWarning(gs.conv, string(gs.rec.bundle.Address), string(m.Author), "old key",
			model.Text{English: "a member wrote with the group's old key, before their Nook had the new one: whoever was removed could read it too"}))
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
	if observe, ok := messageChanges[m.Kind]; ok {
		observe(c, gs, m, fx) // a reaction, an edit: a change of a message
		return
	}
	var kind model.MessageKind
	body := m.Text
	switch m.Kind {
	case group.KindServers:
		c.observeServers(gs, ep, m, fx)
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
			if done := old.Status == model.StatusDelivered; !done || gs.multi() {
				fx.delivered = append(fx.delivered, delivery{queuedPost{gs.conv, id}, gs, done})
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
		// So do the findings it held back or answered.
		_ = c.loadPending(gs)
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
	w := model.NewGroupWarning(m.Conversation, "", "", "collision", model.Say("groupwarning.collision"))
	return &w, nil
}

func warning(gs *groupState, f group.Finding) model.GroupWarning {
	return model.NewGroupWarning(gs.conv, string(gs.rec.bundle.Address), string(f.Author), f.Kind.String(), findingText(f))
}

// findingText is what a Finding says, for people (group.Finding.String's
// sentences, named for translation).
func findingText(f group.Finding) model.Text {
	switch f.Kind {
	case group.FindingGap:
		if f.Start {
			return model.Say("groupwarning.gap_start", "Count", int(f.Missing))
		}
		if f.Missing == 1 {
			return model.Say("groupwarning.gap_one", "First", f.Last+1)
		}
		return model.Say("groupwarning.gap", "Count", int(f.Missing), "First", f.Last+1, "Last", f.Seq-1)
	case group.FindingUnknownRef:
		if f.Start {
			return model.Say("groupwarning.unknown_ref_start")
		}
		return model.Say("groupwarning.unknown_ref")
	case group.FindingLate:
		return model.Say("groupwarning.late")
	case group.FindingReordered:
		return model.Say("groupwarning.reordered", "Seq", f.Seq, "Last", f.Last)
	case group.FindingEquivocation:
		return model.Say("groupwarning.equivocation", "Seq", f.Seq)
	case group.FindingInjected:
		switch {
		case errors.Is(f.Err, group.ErrBadSignature):
			return model.Say("groupwarning.injected_signature")
		case errors.Is(f.Err, group.ErrMalformed):
			return model.Say("groupwarning.injected_malformed")
		}
		return model.Say("groupwarning.injected")
	case group.FindingUnreadable:
		return model.Say("groupwarning.unreadable")
	}
	return model.Say("groupwarning.something_is_not_right")
}

// groupOfConv returns the group ID of one of the client's conversations.
func groupOfConv(conv model.ConversationID) group.ID {
	id, _ := group.ParseConversation(conv)
	return id
}
