package groupclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// What a group on several servers warns about (docs/groups.md, "A group on
// two servers"): one server may lack what another delivered (it was down
// when the post was made, or lost its data) without anyone withholding
// anything. So a finding that another server could answer (a gap in an
// author's numbers, a reference to a message not seen) is held back until
// every server of the group has caught up since (a server followed live
// then counts as caught up) and Config.WithheldGrace has passed; if the
// message came meanwhile, from whichever server, there is nothing to say
// (and the "reordered" or "late" finding its arrival raises is not said
// either); if not, every server lacked it: that is a warning.
//
// The findings held back are stored with the group's timeline, in the
// transaction that stores the messages that raised or answered them, so a
// restart does not forget them: the timeline has moved past a gap (it is
// not found again), and the missing message arriving later would read as
// "reordered". After a restart each waits for every server to catch up
// again, and its grace starts anew.
//
// A server that stays connected and never catches up would so hold every
// finding back for ever (its own server-level warnings are quiet for a
// group that lives elsewhere too, elsewhereToo). So a finding is said at
// the latest Config.WithheldMax (10 minutes) after it was first held back,
// a time stored with it and so not reset by a restart, whether or not
// every server caught up; each server it still waited for that is
// connected is then named in a warning of its own ("not caught up"). One
// wait for that limit is armed per group (sayAtMaxLocked), for the first
// finding held back, and again for the next when it ends.

// maxPending bounds the findings held back per group; past it they are
// said at once.
const maxPending = 256

// pendingFinding is a finding held back.
type pendingFinding struct {
	f group.Finding
	// from, to: the sequence numbers a gap misses; filled those seen since.
	from, to uint64
	filled   map[uint64]bool
	// seen: the message an unknown reference awaited came.
	seen bool
	// waiting: the servers still to catch up before it counts (those
	// not followed live when it was found).
	waiting map[[32]byte]bool
	// due: when the grace for the others ends.
	due time.Time
	// held: when it was first held back (stored); it is said at the
	// latest Config.WithheldMax after.
	held time.Time
}

// answered reports whether every message p awaited came.
func (p *pendingFinding) answered() bool {
	if p.f.Kind == group.FindingGap {
		return uint64(len(p.filled)) == p.to-p.from+1
	}
	return p.seen
}

// holdBack reports whether finding f of gs is held back (and holds it).
// c.mu is held.
func (c *Client) holdBack(gs *groupState, f group.Finding) bool {
	if !gs.multi() || len(gs.pending) >= maxPending || f.Kind != group.FindingGap && f.Kind != group.FindingUnknownRef {
		return false
	}
	now := c.cfg.Now()
	p := &pendingFinding{f: f, filled: map[uint64]bool{}, waiting: map[[32]byte]bool{}, due: now.Add(c.cfg.WithheldGrace), held: now}
	if f.Kind == group.FindingGap {
		p.from, p.to = f.Last+1, f.Seq-1
	}
	for _, b := range gs.bundles() {
		if s, ok := c.servers[b.SigningKey]; !ok || !s.state.live {
			p.waiting[b.SigningKey] = true
		}
	}
	gs.pending = append(gs.pending, p)
	gs.pendingDirty = true
	c.sayLaterLocked(gs)
	c.sayAtMaxLocked(gs, now)
	return true
}

// sayLaterLocked says the findings of gs that are due once the grace has
// passed. c.mu is held.
func (c *Client) sayLaterLocked(gs *groupState) {
	c.laterLocked(gs.g.ID(), "withheld", c.cfg.WithheldGrace, c.sayDueLocked)
}

// sayAtMaxLocked arms the limit of the findings of gs held back, unless
// it is armed: once the first of them has waited Config.WithheldMax since
// it was first held back (at once if it has, as after a restart), the
// findings due are said, and the limit is armed again for the next
// first. So there is one wait per group, and a wait that ends early by
// the configuration's clock (set back meanwhile) says nothing before
// its time and waits again. now is Config.Now. c.mu is held.
func (c *Client) sayAtMaxLocked(gs *groupState, now time.Time) {
	if gs.limitArmed || len(gs.pending) == 0 {
		return
	}
	first := gs.pending[0].held
	for _, p := range gs.pending[1:] {
		if p.held.Before(first) {
			first = p.held
		}
	}
	gs.limitArmed = true
	c.laterLocked(gs.g.ID(), "withheld max", max(0, first.Add(c.cfg.WithheldMax).Sub(now)), func(cur *groupState) {
		if cur != gs {
			return // left and joined again meanwhile: its own wait is armed
		}
		gs.limitArmed = false
		c.sayDueLocked(gs)
		c.sayAtMaxLocked(gs, c.cfg.Now())
	})
}

// laterLocked runs f, under c.mu, on group id once wait has passed (the
// configuration's sleep, named what), unless the client was closed or
// the group left meanwhile. c.mu is held.
func (c *Client) laterLocked(id group.ID, what string, wait time.Duration, f func(gs *groupState)) {
	ctx := c.ctx
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if !c.cfg.sleep(ctx, what, wait) {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if gs, ok := c.groups[id]; ok && !c.closed {
			f(gs)
		}
	}()
}

// answer notes that m, a message of gs not seen before, came: it reports
// whether m answered a finding held back (its arrival out of order is no
// news then). Findings fully answered go. c.mu is held.
func (c *Client) answer(gs *groupState, m *group.Message) bool {
	answered := false
	for _, p := range gs.pending {
		switch {
		case p.f.Kind == group.FindingGap && p.f.Author == m.Author && m.Seq >= p.from && m.Seq <= p.to:
			p.filled[m.Seq] = true
			answered = true
		case p.f.Kind == group.FindingUnknownRef && p.f.Ref == m.ID:
			p.seen = true
			answered = true
		}
	}
	if answered {
		gs.pending = deleteAnswered(gs.pending)
		gs.pendingDirty = true
	}
	return answered
}

func deleteAnswered(ps []*pendingFinding) []*pendingFinding {
	out := ps[:0]
	for _, p := range ps {
		if !p.answered() {
			out = append(out, p)
		}
	}
	clear(ps[len(out):])
	return out
}

// caughtUpOn notes that the client caught up with server, which it now
// follows live: the findings held back are said if they are due.
// c.mu is held.
func (c *Client) caughtUpOn(server [32]byte) {
	for _, gs := range c.groupsOnLocked(server) {
		for _, p := range gs.pending {
			delete(p.waiting, server)
		}
		c.sayDueLocked(gs)
	}
}

// releaseRemovedLocked stops the findings of gs held back from waiting
// for servers the group no longer lives on (removing a server that is
// gone for good releases them), and says those now due. c.mu is held.
func (c *Client) releaseRemovedLocked(gs *groupState) {
	if len(gs.pending) == 0 {
		return
	}
	on := map[[32]byte]bool{}
	for _, b := range gs.bundles() {
		on[b.SigningKey] = true
	}
	for _, p := range gs.pending {
		for k := range p.waiting {
			if !on[k] {
				delete(p.waiting, k)
			}
		}
	}
	c.sayDueLocked(gs)
}

// sayDueLocked says the findings of gs held back that every server has
// caught up on since and whose grace has passed, with what is still
// missing. c.mu is held.
func (c *Client) sayDueLocked(gs *groupState) {
	now := c.cfg.Now()
	out := gs.pending[:0]
	stalled := map[[32]byte]bool{} // servers a finding said at its limit still waited for
	for _, p := range gs.pending {
		limit := !now.Before(p.held.Add(c.cfg.WithheldMax))
		if (len(p.waiting) > 0 || now.Before(p.due)) && !limit {
			out = append(out, p)
			continue
		}
		for k := range p.waiting {
			// Named if connected and not caught up: a server not
			// reached yet (just after a restart) is not accused.
			if srv, ok := c.servers[k]; ok && srv.state.connected && !srv.state.live {
				stalled[k] = true
			}
		}
		f := p.f
		if f.Kind == group.FindingGap {
			f.Missing = p.to - p.from + 1 - uint64(len(p.filled))
		}
		c.cfg.Emit(warning(gs, f))
	}
	for _, b := range gs.bundles() {
		if stalled[b.SigningKey] {
			c.cfg.Emit(model.NewGroupWarning(gs.conv, string(b.Address), "", "not caught up", model.Say("groupwarning.not_caught_up")))
		}
	}
	said := len(out) < len(gs.pending)
	clear(gs.pending[len(out):])
	gs.pending = out
	if said {
		// Said, then forgotten: a crash in between says it again after
		// the restart rather than never.
		gs.pendingDirty = true
		id := gs.g.ID()
		if err := c.st.Update(func(tx *store.Tx) error { return savePending(tx.Bucket(timelineBucket(id)), gs) }); err == nil {
			gs.pendingDirty = false
		}
	}
}

// Stored findings held back, in the group's timeline bucket:
//
//	"w" → version 2 ‖ n u16 ‖ n × (kind u8 ‖ author key [32] ‖ message [32] ‖
//	      ref [32] ‖ seq u64 ‖ last u64 ‖ start u8 ‖ seen u8 ‖
//	      held i64 (Unix nanoseconds: when it was first held back, 0 if
//	      not known) ‖
//	      f u16 ‖ f × filled seq u64)
//
// absent when none is held back. Version 1 (before the limit of
// Config.WithheldMax) is the same without held; its findings count as
// held back from when they are read. Older versions ignore the key.

var pendingKey = []byte("w")

const pendingVersion = 2

// maxFilled bounds the filled sequence numbers stored per finding; a gap
// with more filled than that is stored with the first maxFilled.
const maxFilled = 1 << 12

// errPending is returned (wrapped) for stored findings that cannot be
// decoded.
var errPending = errors.New("damaged record of findings held back")

// putDeleter is where savePending writes: a *store.BucketTx.
type putDeleter interface {
	Put(key, value []byte) error
	Delete(key []byte) error
}

// savePending stores the findings of gs held back (or deletes the record
// when there are none).
func savePending(b putDeleter, gs *groupState) error {
	if len(gs.pending) == 0 {
		return b.Delete(pendingKey)
	}
	return b.Put(pendingKey, encodePending(gs.pending))
}

func encodePending(ps []*pendingFinding) []byte {
	v := []byte{pendingVersion}
	v = binary.BigEndian.AppendUint16(v, uint16(len(ps)))
	for _, p := range ps {
		f := p.f
		v = append(v, byte(f.Kind))
		var author [32]byte
		if f.Author != "" {
			copy(author[:], f.Author.PublicKey())
		}
		v = append(v, author[:]...)
		v = append(v, f.Message[:]...)
		v = append(v, f.Ref[:]...)
		v = binary.BigEndian.AppendUint64(v, f.Seq)
		v = binary.BigEndian.AppendUint64(v, f.Last)
		v = append(v, boolByte(f.Start), boolByte(p.seen))
		var held int64 // 0: not known (read from version 1)
		if !p.held.IsZero() {
			held = p.held.UnixNano()
		}
		v = binary.BigEndian.AppendUint64(v, uint64(held))
		filled := make([]uint64, 0, min(len(p.filled), maxFilled))
		for seq := range p.filled {
			if len(filled) == maxFilled {
				break
			}
			filled = append(filled, seq)
		}
		v = binary.BigEndian.AppendUint16(v, uint16(len(filled)))
		for _, seq := range filled {
			v = binary.BigEndian.AppendUint64(v, seq)
		}
	}
	return v
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// decodePending parses what encodePending wrote (or version 1, whose
// findings come with a zero held). The findings come without servers to
// wait for and without a grace: loadPending sets them.
func decodePending(v []byte) ([]*pendingFinding, error) {
	if len(v) < 3 || v[0] != pendingVersion && v[0] != 1 {
		return nil, fmt.Errorf("%w: version or length", errPending)
	}
	withHeld := v[0] >= 2
	fixed := 1 + 3*32 + 2*8 + 2 + 2
	if withHeld {
		fixed += 8
	}
	n := int(binary.BigEndian.Uint16(v[1:]))
	if n > maxPending {
		return nil, fmt.Errorf("%w: %d findings", errPending, n)
	}
	v = v[3:]
	out := make([]*pendingFinding, 0, n)
	for range n {
		if len(v) < fixed {
			return nil, fmt.Errorf("%w: short finding", errPending)
		}
		p := &pendingFinding{filled: map[uint64]bool{}, waiting: map[[32]byte]bool{}}
		f := &p.f
		f.Kind = group.FindingKind(v[0])
		if author := [32]byte(v[1:33]); author != ([32]byte{}) {
			f.Author = identity.AddressFromPublicKey(author[:])
		}
		f.Message, f.Ref = group.MessageID(v[33:65]), group.MessageID(v[65:97])
		f.Seq, f.Last = binary.BigEndian.Uint64(v[97:]), binary.BigEndian.Uint64(v[105:])
		if v[113] > 1 || v[114] > 1 {
			return nil, fmt.Errorf("%w: flags", errPending)
		}
		f.Start, p.seen = v[113] == 1, v[114] == 1
		at := 115
		if withHeld {
			if held := int64(binary.BigEndian.Uint64(v[115:])); held != 0 {
				p.held = time.Unix(0, held)
			}
			at += 8
		}
		nf := int(binary.BigEndian.Uint16(v[at:]))
		v = v[fixed:]
		switch f.Kind {
		case group.FindingGap:
			if f.Seq <= f.Last+1 || nf > maxFilled {
				return nil, fmt.Errorf("%w: gap", errPending)
			}
			p.from, p.to = f.Last+1, f.Seq-1
		case group.FindingUnknownRef:
			if nf != 0 {
				return nil, fmt.Errorf("%w: reference", errPending)
			}
		default:
			return nil, fmt.Errorf("%w: kind %d", errPending, f.Kind)
		}
		if len(v) < 8*nf {
			return nil, fmt.Errorf("%w: short filled", errPending)
		}
		for i := range nf {
			seq := binary.BigEndian.Uint64(v[8*i:])
			if seq < p.from || seq > p.to {
				return nil, fmt.Errorf("%w: filled %d outside the gap", errPending, seq)
			}
			p.filled[seq] = true
		}
		v = v[8*nf:]
		if p.answered() {
			return nil, fmt.Errorf("%w: answered", errPending)
		}
		out = append(out, p)
	}
	if len(v) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", errPending)
	}
	return out, nil
}

// loadPending reads the findings of gs held back before a restart: each
// waits for every server of the group to catch up again and for a grace
// from now, but no longer than Config.WithheldMax from when it was first
// held back. c.mu is held.
func (c *Client) loadPending(gs *groupState) error {
	v, err := gs.tlb.Get(pendingKey)
	if errors.Is(err, store.ErrNotFound) {
		gs.pending = nil
		return nil
	}
	if err != nil {
		return err
	}
	ps, err := decodePending(v)
	if err != nil {
		return err
	}
	now := c.cfg.Now()
	due := now.Add(c.cfg.WithheldGrace)
	for _, p := range ps {
		p.due = due
		if p.held.IsZero() || p.held.After(now) {
			p.held = now // stored by version 1, or a clock set back since
		}
		for _, b := range gs.bundles() {
			if s, ok := c.servers[b.SigningKey]; !ok || !s.state.live {
				p.waiting[b.SigningKey] = true
			}
		}
	}
	gs.pending, gs.pendingDirty = ps, false
	return nil
}

// Server state (ServerState), guarded by Client.mu.
type serverState struct {
	connected        bool
	live             bool // caught up, following live blobs
	unreachableSince time.Time
	caughtUp         time.Time
	lostHistory      time.Time
}

// reached records whether the client reached s (up) or lost it, and
// reports a change (model.GroupServerReached).
func (s *server) reached(up bool) {
	s.c.mu.Lock()
	changed := s.state.connected != up || !up && s.state.unreachableSince.IsZero()
	s.state.connected = up
	if !up {
		s.state.live = false
	}
	switch {
	case up:
		s.state.unreachableSince = time.Time{}
	case s.state.unreachableSince.IsZero():
		s.state.unreachableSince = s.c.cfg.Now()
	}
	s.c.mu.Unlock()
	if changed {
		s.c.cfg.Emit(model.GroupServerReached{Server: string(s.bundle.Address), Reachable: up})
	}
}

// serverStatesLocked returns the states of gs's servers. c.mu is held.
func (c *Client) serverStatesLocked(gs *groupState) []ServerState {
	var out []ServerState
	for _, b := range gs.bundles() {
		st := ServerState{Address: b.Address, Fingerprint: BundleFingerprint(&b), SigningKey: b.SigningKey}
		if s, ok := c.servers[b.SigningKey]; ok {
			st.Connected, st.UnreachableSince = s.state.connected, s.state.unreachableSince
			st.CaughtUp, st.LostHistory = s.state.caughtUp, s.state.lostHistory
		}
		out = append(out, st)
	}
	return out
}

// elsewhereToo reports whether every group on server lives on another
// server too: what this one lost or no longer keeps, the others may
// hold, and the groups' timelines say what none of them held. c.mu is
// held.
func (c *Client) elsewhereToo(server [32]byte) bool {
	groups := c.groupsOnLocked(server)
	for _, gs := range groups {
		if !gs.multi() {
			return false
		}
	}
	return len(groups) > 0
}

// warnServer emits w, a warning about server s as a whole, unless every
// group on it lives elsewhere too (elsewhereToo).
func (s *server) warnServer(w model.GroupWarning) {
	s.c.mu.Lock()
	quiet := s.c.elsewhereToo(s.bundle.SigningKey)
	s.c.mu.Unlock()
	if !quiet {
		s.c.cfg.Emit(w)
	}
}
