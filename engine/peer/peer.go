// Package peer runs a profile's one-to-one conversations. It publishes the
// profile's onion service, accepts and dials authenticated sessions
// (engine/handshake) over a transport, applies the contact policy (requests,
// acceptance, blocking), delivers the persistent outbox in order with
// acknowledgements, stores each incoming message exactly once, and reports
// everything as model events.
//
// # Sessions
//
// Each contact has at most one live session. Either side may dial; when both
// dial at once, the session dialled by the side with the smaller onion
// address is kept on both sides, so they always agree. A session ends on any
// transport or protocol error; the contact's link then dials again with
// exponential backoff (Config.MinBackoff doubling to Config.MaxBackoff, with
// jitter). A user action (sending a message, adding a contact) resets the
// backoff once; nothing else dials early, so an unreachable contact never
// causes a busy loop. A dial is cut off after Config.DialTimeout, and one
// still waiting for the transport is abandoned as soon as the contact's own
// session reaches us: over Tor, a dial can hang for minutes on the stale
// descriptor of a contact whose tor restarted, while that contact's dial
// to us succeeds at once.
//
// A session has three goroutines: its reader (read), which paces the
// records (recordRate a second after a burst of recordBurst; file chunks
// unpaced) and hands them to the link's goroutine; the link's goroutine,
// which acts on them and decides what to write but never writes; and its
// writer (writer.go), which writes what it is handed: acknowledgements
// first, coalesced (every ID waiting in one Ack), then the other records
// in order. The reader waits only for the link's goroutine, and that never
// waits for a write, so a session is read whatever its writes are doing:
// two contacts writing to each other at full speed never both wait to
// write while neither reads (TestBulkBothWays). What waits for the writer
// is bounded (flushWindow records of the outbox, handed over as they are
// written; maxQueued others; maxPendingAcks acknowledgements): a contact
// that keeps asking for answers while reading none fills it, and the
// session ends (TestPeerThatNeverReads). File chunks are written by their
// transfer's own goroutine, which waits for each.
//
// # Delivery
//
// Send stores the message and its outbox entry in one transaction (Queued),
// then the link hands it to the session's writer when a session is up
// (Sent). The recipient stores it (refusing duplicate IDs; the same
// transaction counts it unread and notes the conversation's activity) and
// then acknowledges it; the acknowledgement marks it Delivered and removes
// it from the outbox in one transaction, so a message costs its sender
// three commits and its recipient one. A group
// invitation travels the same way, as a GroupInvite record (SendGroupInvite)
// stored as a message of the group-invite kind. A reaction (React) is set
// on its target at once and its latest change kept until acknowledged
// (reactions.go); the recipient stores it on the target. Edit does the same
// with an Edit record, and Change with a Change record for any other change
// of the model's table (model.Changes), which the recipient applies by that
// table's rule: a new change type needs nothing in this package. Messages
// written but not
// acknowledged when a session ends are written again on the next session; the
// recipient recognises them by ID and acknowledges without showing them
// twice. A crash at any point therefore loses nothing and duplicates nothing.
//
// A file is offered the same way, as a message of kind KindFile carried by
// a FileOffer record (SendFile); its chunks then move by the file records,
// which each session hands to Config.Files (docs/files.md).
//
// # Contact policy
//
// A dialler that is not a contact is a stranger: unless the profile blocks
// unknown contacts (then the session is closed right after the handshake), a
// ContactRequest from it creates a contact in state Request, which the user
// accepts, rejects or blocks; at most Config.MaxRequests requests are
// kept, a new one past that dropping the oldest (its sender's Nook, which
// keeps dialling while its request is pending, asks again). Texts from
// strangers and requesters are neither stored nor acknowledged (the
// requester's client keeps them queued until it is accepted). A request
// that is kept is confirmed to its sender with a RequestReceived record,
// which marks the sender's contact RequestDelivered: the sender can tell
// "delivered, waiting for them to accept" from "not delivered yet", and a
// request that a profile blocking unknown contacts (or blocking its
// sender) refused is never confirmed. A blocked peer's sessions are closed as soon as the
// handshake names it, before any record is read. Two people who each add the
// other's address become contacts without a request to accept.
package peer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/wire"
)

// Errors returned by the Manager's methods.
var (
	// ErrSelf is returned by AddContact for the profile's own address.
	ErrSelf = errors.New("that is your own address")
	// ErrNotContact is returned by Send, Accept and similar methods for an
	// address that is not among the contacts.
	ErrNotContact = errors.New("not a contact")
	// ErrBlocked is returned by Send for a blocked contact.
	ErrBlocked = errors.New("contact is blocked")
	// ErrEmptyMessage is returned by Send for a message with no text.
	ErrEmptyMessage = errors.New("message is empty")
	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("peer manager is closed")

	errNoFiles = errors.New("file transfers are off")
)

// Config holds what a Manager needs. Identity, Store and Transport are
// required.
type Config struct {
	Identity  *identity.Identity
	Store     *store.Store
	Transport transport.Transport
	// DisplayName returns the name this profile advertises to contacts.
	DisplayName func() string
	// BlockUnknown returns whether connections from non-contacts are closed
	// right after the handshake: no contact request is kept, and none is
	// confirmed to its sender. While ExpectingInvite reports true, a
	// non-contact is heard all the same, but only a request carrying the
	// proof of one of our one-time invites is kept: an in-person invite
	// shown on this screen still works with requests blocked.
	BlockUnknown    func() bool
	ExpectingInvite func() bool
	// Emit receives every event. It must not block for long; it is called
	// from the Manager's goroutines.
	Emit func(model.Event)
	// ProofFor returns the invite proof to put in a contact request to
	// contact over a session with the given channel binding: set when the
	// contact was added from an invite with a one-time secret. Nil or a nil
	// result: no proof.
	ProofFor func(contact identity.Address, binding []byte) []byte
	// CheckProof checks a contact request's proof from dialler, over a
	// session with the given binding, against this profile's one-time
	// invite secrets (and consumes the secret it redeems). A valid proof's
	// request is accepted without asking; see ProofCheck.
	CheckProof func(dialler identity.Address, binding, proof []byte) ProofCheck
	// CheckConfirm reports whether an InviteConfirm from contact, over a
	// session with the given binding, confirms the proof we sent it (see
	// ProofFor). Nil: never.
	CheckConfirm func(contact identity.Address, binding, confirm []byte) bool
	// MaxRequests bounds the contact requests from strangers kept at once
	// (default DefaultMaxRequests); a new one past it drops the oldest.
	MaxRequests int
	// Handshake configures sessions (timeouts, keepalive); nil: defaults.
	Handshake *handshake.Config
	// MinBackoff and MaxBackoff bound the wait between dial attempts to an
	// unreachable contact; defaults 5 s and 10 min.
	MinBackoff, MaxBackoff time.Duration
	// DialTimeout bounds how long one dial may wait for the transport to
	// connect (default 2 min, longer than the Tor
	// transport's own 90 s onion dial timeout). Tor can spend minutes trying the introduction
	// points of a stale descriptor; a dial that times out counts as
	// unreachable and makes the transport forget cached descriptors.
	DialTimeout time.Duration
	// MaxDials bounds concurrent dial attempts (default 4). Contacts active
	// most recently get a free slot first.
	MaxDials int
	// Now is the clock (time.Now when nil); Rand jitters backoff (nil:
	// math/rand/v2's global source).
	Now  func() time.Time
	Rand *rand.Rand
	// Logger receives diagnostics; never message text, names or keys
	// (default: discard).
	Logger *slog.Logger
	// Files carries file transfers (nil: offers are ignored).
	Files Files
}

// ProofCheck is what CheckProof found.
type ProofCheck struct {
	// Valid: the proof redeemed one of our one-time secrets. The request is
	// accepted without asking.
	Valid bool
	// Verified: the contact is marked verified in person (the invite never
	// left our screen).
	Verified bool
	// Confirm, when set, is sent to the dialler in an InviteConfirm record
	// before our acceptance.
	Confirm []byte
}

// Manager runs the sessions of one open profile. New does nothing; Start
// publishes the onion service and starts goroutines; Close stops them and
// waits.
type Manager struct {
	cfg   Config
	self  identity.Address
	slots *dialSlots

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	replay *handshake.ReplayCache
	// published is closed once the onion service is up.
	published chan struct{}

	// mu guards ln, links, strangers and closed. Each link guards its own
	// state.
	mu        sync.Mutex
	ln        net.Listener
	links     map[identity.Address]*link
	strangers map[*handshake.Session]struct{}
	closed    bool
	// contactMu serialises read-modify-write changes of contact records.
	contactMu sync.Mutex
}

// New returns a Manager for cfg. It starts nothing.
func New(cfg Config) *Manager {
	if cfg.DisplayName == nil {
		cfg.DisplayName = func() string { return "" }
	}
	if cfg.BlockUnknown == nil {
		cfg.BlockUnknown = func() bool { return false }
	}
	if cfg.ExpectingInvite == nil {
		cfg.ExpectingInvite = func() bool { return false }
	}
	if cfg.ProofFor == nil {
		cfg.ProofFor = func(identity.Address, []byte) []byte { return nil }
	}
	if cfg.CheckProof == nil {
		cfg.CheckProof = func(identity.Address, []byte, []byte) ProofCheck { return ProofCheck{} }
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	if cfg.CheckConfirm == nil {
		cfg.CheckConfirm = func(identity.Address, []byte, []byte) bool { return false }
	}
	if cfg.Emit == nil {
		cfg.Emit = func(model.Event) {}
	}
	if cfg.Files == nil {
		cfg.Files = noFiles{}
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 5 * time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(10*time.Minute, cfg.MinBackoff)
	}
	if cfg.Handshake == nil {
		// A session whose other end vanished (its tor died) is noticed:
		// each side writes a keepalive frame after 30 s of silence and
		// gives up on a session that sent nothing for 2 minutes. A frame
		// that cannot be written for 2 minutes ends the session too (a
		// contact that stopped reading); it is dialled again and what
		// was not acknowledged, and the file transfers, resume
		// (docs/files.md §4). A session reads whatever its writes are
		// doing, so two Nooks never stall each other so.
		cfg.Handshake = &handshake.Config{Wire: wire.Config{KeepaliveInterval: 30 * time.Second, IdleTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute}}
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 2 * time.Minute
	}
	if cfg.MaxDials <= 0 {
		cfg.MaxDials = 4
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Manager{
		cfg:       cfg,
		self:      cfg.Identity.Address(),
		slots:     newDialSlots(cfg.MaxDials),
		links:     map[identity.Address]*link{},
		strangers: map[*handshake.Session]struct{}{},
		replay:    handshake.NewReplayCache(0),
		published: make(chan struct{}),
	}
}

// Start starts the Manager: it publishes the profile's onion service in
// the background (retrying until the transport can publish it, for example
// while Tor is still bootstrapping) and starts a link for every contact that
// is not blocked. It does not wait for the network (Published says when
// the service is up), so it takes no context: Close stops what it started.
func (m *Manager) Start() error {
	contacts, err := m.cfg.Store.Contacts()
	if err != nil {
		return fmt.Errorf("load contacts: %w", err)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.mu.Unlock()
	// Messages note activity in their conversation's summary, not in the
	// contact record: the dial priority takes the later of the two.
	infos, err := m.cfg.Store.ListConversations()
	if err != nil {
		return fmt.Errorf("load conversations: %w", err)
	}
	last := make(map[model.ConversationID]time.Time, len(infos))
	for _, info := range infos {
		last[info.ID] = info.LastActivity
	}
	m.wg.Add(1)
	go m.serve()
	for _, c := range contacts {
		if c.State == model.ContactBlocked {
			continue
		}
		addr, err := identity.ParseAddress(c.Address)
		if err != nil {
			m.cfg.Logger.Warn("skipping contact with an invalid address in the store")
			continue
		}
		if l := m.linkFor(addr, true); l != nil {
			l.noteActivity(last[model.ConversationID(addr)])
		}
	}
	return nil
}

// Published returns a channel closed once the onion service is published.
func (m *Manager) Published() <-chan struct{} { return m.published }

// serve publishes the onion service, retrying with backoff, and then
// accepts connections until the Manager closes.
func (m *Manager) serve() {
	defer m.wg.Done()
	failures := 0
	for {
		ln, err := m.cfg.Transport.Listen(m.ctx, m.cfg.Identity)
		if err == nil {
			m.mu.Lock()
			if m.closed {
				m.mu.Unlock()
				ln.Close()
				return
			}
			m.ln = ln
			m.mu.Unlock()
			close(m.published)
			m.acceptLoop(ln)
			return
		}
		if m.ctx.Err() != nil {
			return
		}
		failures++
		m.cfg.Logger.Info("publishing the onion service failed; retrying", "err", err)
		t := time.NewTimer(min(m.cfg.MinBackoff<<min(failures, 6), m.cfg.MaxBackoff))
		select {
		case <-m.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// forgetDescriptors asks the transport, if it caches where onion services
// are (Tor does), to forget it: a contact whose tor restarted publishes new
// introduction points, and a stale cached descriptor would keep every dial
// failing for up to 15 minutes.
func (m *Manager) forgetDescriptors() {
	if f, ok := m.cfg.Transport.(transport.DescriptorForgetter); ok {
		if err := f.ForgetOnionDescriptors(); err != nil {
			m.cfg.Logger.Debug("forgetting onion descriptors failed", "err", err)
		}
	}
}

// Reconnect asks every link to dial now rather than after its backoff: the
// network just came back (Tor finished bootstrapping or restarted).
func (m *Manager) Reconnect() {
	m.mu.Lock()
	links := make([]*link, 0, len(m.links))
	for _, l := range m.links {
		links = append(links, l)
	}
	m.mu.Unlock()
	for _, l := range links {
		l.contactChanged(true)
	}
}

// Close stops every session and goroutine and waits for them.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	if m.cancel == nil { // never started
		return nil
	}
	m.cancel()
	m.mu.Lock()
	if m.ln != nil {
		m.ln.Close()
	}
	for _, l := range m.links {
		l.shutdown()
	}
	for s := range m.strangers {
		s.Close()
	}
	m.mu.Unlock()
	m.wg.Wait()
	return nil
}

// Address returns the profile's onion address.
func (m *Manager) Address() identity.Address { return m.self }

// linkFor returns the contact's link, creating and starting it if create is
// set. It returns nil after Close, or when there is no link and create is
// false.
func (m *Manager) linkFor(addr identity.Address, create bool) *link {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	if l, ok := m.links[addr]; ok || !create {
		return l
	}
	l := newLink(m, addr)
	m.links[addr] = l
	m.wg.Add(1)
	go l.run()
	return l
}

// dropLink stops and forgets the contact's link (contact deleted or blocked).
func (m *Manager) dropLink(addr identity.Address) {
	m.mu.Lock()
	l := m.links[addr]
	delete(m.links, addr)
	m.mu.Unlock()
	if l != nil {
		l.shutdown()
	}
}

// Presence returns whether the contact is online, being dialled, or offline.
func (m *Manager) Presence(addr identity.Address) model.Presence {
	if l := m.linkFor(addr, false); l != nil {
		return l.presence()
	}
	return model.Offline
}

func (m *Manager) emit(ev model.Event) { m.cfg.Emit(ev) }

func (m *Manager) now() time.Time { return m.cfg.Now() }
