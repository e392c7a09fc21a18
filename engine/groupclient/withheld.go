package groupclient

import (
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/model"
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
	p := &pendingFinding{f: f, filled: map[uint64]bool{}, waiting: map[[32]byte]bool{}, due: c.cfg.Now().Add(c.cfg.WithheldGrace)}
	if f.Kind == group.FindingGap {
		p.from, p.to = f.Last+1, f.Seq-1
	}
	for _, b := range gs.bundles() {
		if s, ok := c.servers[b.SigningKey]; !ok || !s.state.live {
			p.waiting[b.SigningKey] = true
		}
	}
	gs.pending = append(gs.pending, p)
	id, ctx, grace := gs.g.ID(), c.ctx, c.cfg.WithheldGrace
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if !c.cfg.sleep(ctx, "withheld", grace) {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if gs, ok := c.groups[id]; ok && !c.closed {
			c.sayDueLocked(gs)
		}
	}()
	return true
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

// sayDueLocked says the findings of gs held back that every server has
// caught up on since and whose grace has passed, with what is still
// missing. c.mu is held.
func (c *Client) sayDueLocked(gs *groupState) {
	now := c.cfg.Now()
	out := gs.pending[:0]
	for _, p := range gs.pending {
		if len(p.waiting) > 0 || now.Before(p.due) {
			out = append(out, p)
			continue
		}
		f := p.f
		if f.Kind == group.FindingGap {
			f.Missing = p.to - p.from + 1 - uint64(len(p.filled))
		}
		c.cfg.Emit(warning(gs, f))
	}
	clear(gs.pending[len(out):])
	gs.pending = out
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
