package groupserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
)

// ErrState is returned by Start on a server that was started before, and
// by methods that need a started server.
var ErrState = errors.New("groupserver: not in the right state")

// Server is a group server. Create it with New, run it with Start, stop it
// with Close.
type Server struct {
	cfg  Config
	log  *slog.Logger
	rand io.Reader

	// Set by Start, read-only afterwards.
	keys   *keys
	bundle *invite.Bundle
	st     *store.Store
	hub    *hub
	blobs  *blobStore
	issuer *tokens.Issuer
	replay *handshake.ReplayCache
	ln     net.Listener
	cancel context.CancelFunc
	sem    chan struct{} // one slot per open connection

	c counters
	// observe, if set (tests only), sees the identity of each client
	// session; the server itself keeps none.
	observe func(identity.Address)
	wg      sync.WaitGroup // accept loop, pruner, connections

	mu      sync.Mutex            // guards state, conns and pending
	state   int                   // 0 new, 1 started, 2 closed
	conns   map[net.Conn]struct{} // open connections, closed by Close
	pending []net.Conn            // connections still in the handshake, oldest first
	served  []*slot               // handshaken connections, oldest first
	closeMu sync.Mutex            // serialises Close
}

// New checks cfg and returns a server that is not started. It has no side
// effects.
func New(cfg Config) (*Server, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: c, log: c.Logger, rand: c.Rand, conns: make(map[net.Conn]struct{})}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s, nil
}

// Start opens the data dir (making keys on first use), opens the store,
// publishes the onion service and starts serving. ctx bounds the start
// only. On error everything opened is closed again.
func (s *Server) Start(ctx context.Context) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != 0 {
		return ErrState
	}
	s.state = 1
	defer func() {
		if err != nil {
			s.state = 2
		}
	}()
	if s.keys, err = loadKeys(s.cfg.DataDir, s.rand); err != nil {
		return err
	}
	if s.bundle, err = loadBundle(s.cfg.DataDir, s.keys, s.cfg.Now()); err != nil {
		return err
	}
	s.st, err = store.Open(filepath.Join(s.cfg.DataDir, storeDir), store.Options{
		Key: s.keys.storeKey, Create: true, NoSync: s.cfg.NoSync,
		Log: func(level store.LogLevel, format string) { s.log.Warn("store", "message", format) },
	})
	if err != nil {
		return fmt.Errorf("groupserver: open store: %w", err)
	}
	defer func() {
		if err != nil {
			s.st.Close()
		}
	}()
	s.hub = newHub(s.cfg.LiveBuffer)
	if s.blobs, err = openBlobs(s.st, s.cfg, s.hub); err != nil {
		return err
	}
	s.blobs.kicked = func(n int) { s.c.slow.Add(uint64(n)) }
	s.blobs.dropped = func(n uint64) { s.c.dropped.Add(n) }
	s.blobs.stored = func(n uint64) { s.c.posts.Add(n) }
	s.issuer = tokens.NewIssuer(s.keys.issuer, tokens.NewBucketSpent(s.st.Bucket(spentBucket)))
	s.replay = handshake.NewReplayCache(0)
	s.sem = make(chan struct{}, s.cfg.MaxConns)
	s.prune()
	if s.ln, err = s.cfg.Transport.Listen(ctx, s.keys.id); err != nil {
		return fmt.Errorf("groupserver: publish onion service: %w", err)
	}
	var runCtx context.Context
	runCtx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(2)
	go s.acceptLoop(runCtx)
	go s.pruneLoop(runCtx)
	head, oldest := s.blobs.bounds()
	s.log.Info("group server started", "blobs", head-oldest+1, "head", head)
	return nil
}

func (s *Server) acceptLoop(ctx context.Context) {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("accept failed", "error", err)
			continue
		}
		if !s.acquire(ctx) {
			s.c.connsRefused.Add(1)
			c.Close()
			continue
		}
		s.mu.Lock()
		if s.state != 1 {
			s.mu.Unlock()
			c.Close()
			<-s.sem
			return
		}
		s.conns[c] = struct{}{}
		s.pending = append(s.pending, c)
		s.wg.Add(1)
		s.mu.Unlock()
		s.c.open.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.handshaken(c)
				s.mu.Unlock()
				s.c.open.Add(-1)
				<-s.sem
			}()
			s.serveConn(ctx, c)
		}()
	}
}

// evictWait is how long a new connection waits for the slot of an evicted
// pending handshake.
const evictWait = 2 * time.Second

// acquire takes a connection slot. When all are taken it closes the oldest
// connection still in its handshake (connections that never complete one
// cannot crowd out clients that do), or else the oldest handshaken one that
// has not earned its slot (slot.earned), and waits briefly for its slot.
func (s *Server) acquire(ctx context.Context) bool {
	select {
	case s.sem <- struct{}{}:
		return true
	default:
	}
	s.mu.Lock()
	var victim net.Conn
	if len(s.pending) > 0 {
		victim = s.pending[0]
		s.pending = s.pending[1:]
	} else {
		now := time.Now()
		for i, sl := range s.served {
			if !sl.earned(now, s.cfg.Grace) {
				victim = sl.raw
				s.served = append(s.served[:i], s.served[i+1:]...)
				s.c.connsIdle.Add(1)
				break
			}
		}
	}
	s.mu.Unlock()
	if victim == nil {
		return false
	}
	victim.Close()
	t := time.NewTimer(evictWait)
	defer t.Stop()
	select {
	case s.sem <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// slot is a handshaken connection as far as eviction is concerned.
type slot struct {
	raw      net.Conn
	subbed   atomic.Bool
	lastWork atomic.Int64 // time.Now().UnixNano() when it last earned its slot; 0 never
}

// earned reports whether the connection holds its slot at now: it is
// subscribed, or it posted with a token or was issued tokens within grace.
func (sl *slot) earned(now time.Time, grace time.Duration) bool {
	if sl.subbed.Load() {
		return true
	}
	w := sl.lastWork.Load()
	return w != 0 && now.Sub(time.Unix(0, w)) < grace
}

// worked records that the connection earned its slot now.
func (sl *slot) worked() { sl.lastWork.Store(time.Now().UnixNano()) }

// unserve removes sl from the served list.
func (s *Server) unserve(sl *slot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.served {
		if o == sl {
			s.served = append(s.served[:i], s.served[i+1:]...)
			return
		}
	}
}

// handshaken removes c from the pending list; callers hold s.mu.
func (s *Server) handshaken(c net.Conn) {
	for i, p := range s.pending {
		if p == c {
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			return
		}
	}
}

func (s *Server) pruneLoop(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.PruneInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.prune()
		}
	}
}

// prune applies the cap and retention now.
func (s *Server) prune() {
	n, err := s.blobs.pruneNow()
	s.c.dropped.Add(n)
	if err != nil {
		s.log.Warn("pruning failed", "error", err)
	}
}

// Close stops accepting, closes every connection, waits for every
// goroutine and closes the store. It may be called more than once.
func (s *Server) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	s.mu.Lock()
	was := s.state
	s.state = 2
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if was != 1 {
		return nil
	}
	s.cancel()
	err := s.ln.Close()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	s.wg.Wait()
	if cerr := s.st.Close(); err == nil {
		err = cerr
	}
	s.log.Info("group server stopped", "posts", s.c.posts.Load(), "tokens", s.c.issued.Load())
	return err
}

// Bundle returns the server's signed bundle (a copy). It is nil before Start.
func (s *Server) Bundle() *invite.Bundle {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bundle == nil {
		return nil
	}
	b := *s.bundle
	return &b
}

// Address returns the server's onion address ("" before Start).
func (s *Server) Address() identity.Address {
	if b := s.Bundle(); b != nil {
		return b.Address
	}
	return ""
}

// Invite returns the server invite text (invite.NewServerInvite).
func (s *Server) Invite() (string, error) {
	b := s.Bundle()
	if b == nil {
		return "", ErrState
	}
	inv, err := invite.NewServerInvite(b)
	if err != nil {
		return "", err
	}
	return inv.Encode(), nil
}

// PrintInvite writes the server's address, invite text and the invite as
// a terminal QR code (style as invite.QRTerminal) to w.
func (s *Server) PrintInvite(w io.Writer, style invite.TerminalStyle) error {
	text, err := s.Invite()
	if err != nil {
		return err
	}
	qr, err := invite.QRTerminal(text, style)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "Nook group server\n  address: %s\n  invite:  %s\n\n%s\n", s.Address(), text, qr)
	return err
}

// Stats returns the counters since Start.
func (s *Server) Stats() Stats {
	st := Stats{
		Connections:        s.c.conns.Load(),
		ConnectionsRefused: s.c.connsRefused.Load(),
		ConnectionsIdle:    s.c.connsIdle.Load(),
		HandshakeFailures:  s.c.hsFail.Load(),
		OpenConnections:    s.c.open.Load(),
		Subscriptions:      s.c.subs.Load(),
		SlowSubscribers:    s.c.slow.Load(),
		TokenBatches:       s.c.batches.Load(),
		TokensIssued:       s.c.issued.Load(),
		TokenRefusals:      s.c.tokRefused.Load(),
		Posts:              s.c.posts.Load(),
		PostsRefused:       s.c.refused.Load(),
		BlobsDropped:       s.c.dropped.Load(),
	}
	if s.blobs != nil {
		st.Head, st.Oldest = s.blobs.bounds()
	}
	return st
}
