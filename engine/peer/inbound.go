package peer

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// Limits on connections from people who are not contacts.
const (
	// maxStrangers bounds the sessions from non-contacts held at once.
	maxStrangers = 16
	// strangerTimeout is how long a non-contact has to send its contact
	// request before the session is closed.
	strangerTimeout = 60 * time.Second
	// maxHandshakes bounds handshakes in progress at once, so a flood of
	// connections cannot make us do unbounded work.
	maxHandshakes = 32
)

// acceptLoop accepts connections on the onion service and authenticates
// each in its own goroutine. At most maxHandshakes run at once; when a new
// connection arrives with every slot taken, the oldest unfinished handshake
// is dropped to make room, so connections that stall (half-open, or
// slowloris: a byte now and then) cannot lock contacts out.
func (m *Manager) acceptLoop(ln net.Listener) {
	pending := newPendingConns(maxHandshakes)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if m.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			m.cfg.Logger.Warn("accept failed", "err", err)
			select {
			case <-m.ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if oldest := pending.add(conn); oldest != nil {
			oldest.Close() // its handshake goroutine ends and frees the slot
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			s, err := handshake.Server(m.ctx, conn, m.cfg.Identity, m.handshakeConfig())
			pending.done(conn)
			if err != nil {
				conn.Close()
				if m.ctx.Err() == nil {
					m.cfg.Logger.Info("inbound handshake failed", "err", err)
				}
				return
			}
			m.admit(s)
		}()
	}
}

// pendingConns are the connections whose handshake is in progress, oldest
// first.
type pendingConns struct {
	max   int
	mu    sync.Mutex // guards conns
	conns []net.Conn
}

func newPendingConns(max int) *pendingConns { return &pendingConns{max: max} }

// add records c and returns the oldest pending connection to drop when
// there were already max of them (nil otherwise).
func (p *pendingConns) add(c net.Conn) net.Conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	var oldest net.Conn
	if len(p.conns) >= p.max {
		oldest = p.conns[0]
		p.conns = p.conns[1:]
	}
	p.conns = append(p.conns, c)
	return oldest
}

// done forgets c (its handshake ended, either way).
func (p *pendingConns) done(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.conns {
		if x == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			return
		}
	}
}

// handshakeConfig returns the handshake configuration with the listener's
// replay cache.
func (m *Manager) handshakeConfig() *handshake.Config {
	var cfg handshake.Config
	if m.cfg.Handshake != nil {
		cfg = *m.cfg.Handshake
	}
	cfg.Replay = m.replay
	return &cfg
}

// admit applies the contact policy to an authenticated inbound session.
func (m *Manager) admit(s *handshake.Session) {
	addr := s.Peer()
	if addr == m.self {
		s.Close()
		return
	}
	c, err := m.contact(addr)
	switch {
	case err == nil && c.State == model.ContactBlocked:
		s.Close() // no work beyond the handshake
	case err == nil:
		if l := m.linkFor(addr, true); l != nil {
			l.offer(s)
		} else {
			s.Close()
		}
	case errors.Is(err, ErrNotContact) && (!m.cfg.BlockUnknown() || m.cfg.ExpectingInvite()):
		// With requests blocked, a stranger is heard only while an
		// in-person invite of ours is outstanding, and only with its
		// proof (stranger).
		m.stranger(s)
	default:
		s.Close()
	}
}

// stranger serves a session from someone who is not a contact: it waits for
// a contact request, records it, and hands the session to the new contact's
// link. Anything else ends the session.
func (m *Manager) stranger(s *handshake.Session) {
	m.mu.Lock()
	if m.closed || len(m.strangers) >= maxStrangers {
		m.mu.Unlock()
		s.Close()
		return
	}
	m.strangers[s] = struct{}{}
	m.mu.Unlock()
	handedOver := false
	defer func() {
		m.mu.Lock()
		delete(m.strangers, s)
		m.mu.Unlock()
		if !handedOver {
			s.Close()
		}
	}()

	ctx, cancel := context.WithTimeout(m.ctx, strangerTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	for {
		r, err := s.Recv()
		if err != nil {
			return // including malformed records: a stranger gets no leeway
		}
		req, ok := r.(*protocol.ContactRequest)
		if !ok {
			continue // strangers' texts are neither stored nor acknowledged
		}
		addr := s.Peer()
		var proof ProofCheck
		if len(req.Proof) > 0 {
			proof = m.cfg.CheckProof(addr, s.ChannelBinding(), req.Proof)
		}
		if !proof.Valid && m.cfg.BlockUnknown() {
			return // requests are blocked: nothing is kept, nothing confirmed
		}
		newRequest := false
		_, err = m.changeContact(addr, true, func(c *model.Contact) bool {
			switch {
			case proof.Valid:
				// They hold our one-time invite: no request to accept.
				c.State = model.ContactAccepted
				proof.apply(c)
			case c.State == 0:
				c.State = model.ContactRequest
				newRequest = true
			}
			c.DisplayName = req.DisplayName
			c.LastActivity = m.now()
			return true
		})
		if err != nil {
			m.cfg.Logger.Warn("storing a contact request failed", "err", err)
			return
		}
		if newRequest {
			m.trimRequests(addr)
		}
		if !stop() {
			return // timed out or closing meanwhile: the session is closed
		}
		if err := proof.sendConfirm(s); err != nil {
			return
		}
		if !proof.Valid {
			// Stored: the requester may say "delivered, waiting for
			// them to accept".
			if err := s.Send(&protocol.RequestReceived{}); err != nil {
				return
			}
		}
		if l := m.linkFor(addr, true); l != nil {
			handedOver = true
			l.offer(s)
		}
		return
	}
}

// closeStrangers ends sessions from addr that are still waiting as
// strangers (it was just blocked).
func (m *Manager) closeStrangers(addr identity.Address) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.strangers {
		if s.Peer() == addr {
			s.Close()
		}
	}
}

// DefaultMaxRequests is how many contact requests from strangers are kept
// at once by default (Config.MaxRequests). Anyone can make onion
// identities by the thousand and send a request from each; without a
// bound they would fill the disk and bury real requests in the contact
// list. 200 is more than a person whose address is public (a journalist's
// tip line) sees between two looks at the list, and 200 records of at most
// a few hundred bytes cost nothing. Past it the oldest request is dropped:
// its sender is not told, and a real requester's Nook sends the request
// again at its next connection (it keeps dialling while its request is
// pending), so a flood delays a real request rather than losing it.
const DefaultMaxRequests = 200

// trimRequests deletes the oldest contact requests (by the time they were
// first stored) while more than Config.MaxRequests are kept; the request
// from keep, just stored, is never the one dropped.
func (m *Manager) trimRequests(keep identity.Address) {
	contacts, err := m.cfg.Store.Contacts()
	if err != nil {
		m.cfg.Logger.Warn("reading contacts failed", "err", err)
		return
	}
	var requests []model.Contact
	for _, c := range contacts {
		if c.State == model.ContactRequest && c.Address != string(keep) {
			requests = append(requests, c)
		}
	}
	excess := len(requests) + 1 - m.cfg.MaxRequests
	if excess <= 0 {
		return
	}
	slices.SortFunc(requests, func(a, b model.Contact) int {
		if c := a.Added.Compare(b.Added); c != 0 {
			return c
		}
		return strings.Compare(a.Address, b.Address)
	})
	for _, c := range requests[:excess] {
		m.dropRequest(identity.Address(c.Address))
	}
}

// dropRequest deletes addr's contact request, unless it stopped being a
// request meanwhile (the user accepted or blocked it).
func (m *Manager) dropRequest(addr identity.Address) {
	m.contactMu.Lock()
	c, err := m.cfg.Store.GetContact(string(addr))
	if err != nil || c.State != model.ContactRequest {
		m.contactMu.Unlock()
		return
	}
	err = m.cfg.Store.DeleteContact(string(addr))
	m.contactMu.Unlock()
	if err != nil {
		m.cfg.Logger.Warn("dropping an old contact request failed", "err", err)
		return
	}
	m.dropLink(addr)
	m.emit(model.ContactRemoved{Address: string(addr)})
}
