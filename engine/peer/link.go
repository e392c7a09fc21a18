package peer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
)

// link keeps one contact connected: it owns the contact's live session,
// dials with backoff when there is none, and hands the outbox to the
// session's writer.
type link struct {
	m    *Manager
	addr identity.Address
	// wake is signalled (never blocking, capacity 1) when there is
	// something new to do: a session offered, an outbox entry, a state
	// change.
	wake chan struct{}
	stop chan struct{}

	// mu guards the fields below.
	mu        sync.Mutex
	sess      *handshake.Session // the live session, or nil
	sessStart time.Time          // when sess was installed
	offered   *handshake.Session // an inbound session waiting to be installed
	// cancelDial, while a dial waits for the transport, abandons it: an
	// authenticated inbound session from the contact makes it pointless.
	cancelDial context.CancelFunc
	urgent     bool // a user action asks for a dial now
	pres       model.Presence
	stopped    bool
	activity   time.Time // last activity, for dial priority
}

func newLink(m *Manager, addr identity.Address) *link {
	l := &link{m: m, addr: addr, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	if c, err := m.cfg.Store.GetContact(string(addr)); err == nil {
		l.activity = c.LastActivity
	}
	return l
}

func (l *link) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// noteActivity moves the link's last activity, for dial priority, to t
// if t is later.
func (l *link) noteActivity(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.After(l.activity) {
		l.activity = t
	}
}

// contactChanged tells the link that the contact or its outbox changed;
// urgent asks for a dial attempt now rather than after the backoff.
func (l *link) contactChanged(urgent bool) {
	l.mu.Lock()
	if urgent {
		l.urgent = true
		l.activity = l.m.now()
	}
	l.mu.Unlock()
	l.signal()
}

func (l *link) presence() model.Presence {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pres
}

func (l *link) setPresence(p model.Presence) {
	l.mu.Lock()
	changed := l.pres != p
	l.pres = p
	l.mu.Unlock()
	if changed {
		l.m.emit(model.PresenceChanged{Address: string(l.addr), Presence: p})
	}
}

// shutdown ends the link's goroutine and its sessions.
func (l *link) shutdown() {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		return
	}
	l.stopped = true
	sess, off := l.sess, l.offered
	l.mu.Unlock()
	close(l.stop)
	if sess != nil {
		sess.Close()
	}
	if off != nil {
		off.Close()
	}
}

// simultaneousDial is how young a session must be for a new one from the
// same peer to count as the other half of a simultaneous dial.
const simultaneousDial = 10 * time.Second

// keeps reports whether, of two sessions with this contact, s should be
// kept over the other: the one dialled by the side with the smaller address
// wins, so both sides keep the same one.
func (l *link) keeps(s *handshake.Session) bool {
	dialler := l.addr
	if s.Initiator() {
		dialler = l.m.self
	}
	other := l.m.self
	if dialler == l.m.self {
		other = l.addr
	}
	return dialler < other
}

// offer hands the link an authenticated inbound session. The link installs
// it if it has none or if the new one wins the tie-break; otherwise the new
// session is closed.
func (l *link) offer(s *handshake.Session) {
	l.mu.Lock()
	if l.stopped {
		l.mu.Unlock()
		s.Close()
		return
	}
	var drop []*handshake.Session
	switch {
	case l.sess != nil && !l.keeps(s) && time.Since(l.sessStart) < simultaneousDial:
		// Both sides dialled at once: keep the session both sides keep.
		// An older session is not kept: the peer would not dial while it
		// had a working one, so ours is stale (its tor restarted, say).
		drop = append(drop, s)
	default:
		if l.offered != nil {
			drop = append(drop, l.offered)
		}
		l.offered = s
		if l.cancelDial != nil {
			// Our dial has not reached the peer yet (over Tor it can hang
			// on a stale descriptor for minutes) while the peer reached us:
			// use the peer's session now.
			l.cancelDial()
			l.cancelDial = nil
		}
	}
	l.mu.Unlock()
	for _, d := range drop {
		d.Close()
	}
	l.signal()
}

// run is the link's goroutine.
func (l *link) run() {
	defer l.m.wg.Done()
	defer l.setPresence(model.Offline)
	var (
		failures int
		nextDial time.Time // zero: dial as soon as there is a reason
	)
	for {
		if l.isStopped() {
			return
		}
		if s := l.takeOffered(); s != nil {
			l.serve(s)
			failures, nextDial = 0, time.Now().Add(l.m.cfg.MinBackoff)
			continue
		}
		if l.takeUrgent() {
			nextDial = time.Time{}
		}
		if !l.wantsSession() {
			if !l.wait(-1) {
				return
			}
			continue
		}
		if d := time.Until(nextDial); d > 0 {
			// Re-evaluate when woken (an offered session, a user action)
			// or when the backoff has passed.
			if !l.wait(d) {
				return
			}
			continue
		}
		s, err := l.dial()
		if off := l.takeOffered(); off != nil {
			// The peer reached us while we dialled: keep one session, the
			// one both sides keep when both dials succeeded.
			if err == nil && l.keeps(s) {
				off.Close()
			} else {
				if s != nil {
					s.Close()
				}
				s, err = off, nil
			}
		}
		switch {
		case err == nil:
			l.serve(s)
			// A session that ended is not redialled at once: the peer
			// probably went away, and a peer that closes every session
			// must not make us dial in a loop.
			failures, nextDial = 0, time.Now().Add(l.m.cfg.MinBackoff)
		case l.isStopped():
			return
		default:
			l.setPresence(model.Offline)
			failures++
			if errors.Is(err, errDialTimeout) || (failures == 2 && errors.Is(err, transport.ErrUnreachable)) {
				l.m.forgetDescriptors()
			}
			nextDial = time.Now().Add(l.backoff(failures))
		}
	}
}

// backoff returns the wait after the n-th failed dial in a row: MinBackoff,
// doubling up to MaxBackoff, with ±20 % jitter.
func (l *link) backoff(n int) time.Duration {
	cfg := &l.m.cfg
	d := cfg.MinBackoff
	for i := 1; i < n && d < cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, cfg.MaxBackoff)
	var f float64
	if cfg.Rand != nil {
		f = cfg.Rand.Float64()
	} else {
		f = rand.Float64()
	}
	return max(time.Duration(float64(d)*(0.8+0.4*f)), time.Millisecond)
}

// wait blocks until the link is woken, d passes (d < 0: no timeout), or it
// is stopped; it returns false when stopped.
func (l *link) wait(d time.Duration) bool {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-l.stop:
		return false
	case <-l.wake:
	case <-timer:
	}
	return true
}

func (l *link) isStopped() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stopped
}

func (l *link) takeOffered() *handshake.Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.offered
	l.offered = nil
	return s
}

func (l *link) takeUrgent() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	u := l.urgent
	l.urgent = false
	return u
}

// wantsSession reports whether the link should dial: the contact exists and
// is not blocked. Accepted contacts are kept connected so that presence is
// known; pending ones are dialled to deliver the contact request; requests
// from others are not dialled (they dial us).
func (l *link) wantsSession() bool {
	c, err := l.m.cfg.Store.GetContact(string(l.addr))
	if err != nil {
		return false
	}
	return c.State == model.ContactAccepted || c.State == model.ContactPending
}

// errDialTimeout is the error of a dial that Config.DialTimeout cut short.
var errDialTimeout = fmt.Errorf("dial timed out: %w", transport.ErrUnreachable)

// dial connects and authenticates, holding a dial slot. Until the
// transport has connected, an inbound session offered by the contact
// cancels the dial (see offer): waiting for a slot or for Tor to reach the
// peer is pointless once the peer has reached us.
func (l *link) dial() (*handshake.Session, error) {
	ctx, cancel := context.WithCancel(l.m.ctx)
	defer cancel()
	l.mu.Lock()
	prio := l.activity
	if l.offered != nil {
		l.mu.Unlock()
		return nil, context.Canceled
	}
	l.cancelDial = cancel
	l.mu.Unlock()
	go func() {
		select {
		case <-l.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	conn, err := l.connect(ctx, prio)
	l.mu.Lock()
	l.cancelDial = nil
	l.mu.Unlock()
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			l.m.cfg.Logger.Debug("dial failed", "err", err)
		}
		return nil, err
	}
	s, err := handshake.Client(ctx, conn, l.m.cfg.Identity, l.addr, l.m.cfg.Handshake)
	if err != nil {
		conn.Close()
		if !errors.Is(err, context.Canceled) {
			l.m.cfg.Logger.Info("handshake with contact failed", "err", err)
		}
		return nil, err
	}
	return s, nil
}

// connect takes a dial slot and connects through the transport within
// Config.DialTimeout.
func (l *link) connect(ctx context.Context, prio time.Time) (net.Conn, error) {
	if err := l.m.slots.acquire(ctx, prio); err != nil {
		return nil, err
	}
	defer l.m.slots.release()
	l.setPresence(model.Connecting)
	ctx, cancel := context.WithTimeoutCause(ctx, l.m.cfg.DialTimeout, errDialTimeout)
	defer cancel()
	conn, err := l.m.cfg.Transport.Dial(ctx, l.addr)
	if err != nil && context.Cause(ctx) == errDialTimeout {
		err = errDialTimeout
	}
	return conn, err
}
