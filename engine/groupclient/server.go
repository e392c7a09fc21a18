package groupclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
)

// server is the client's state for one group server: its bundle, its token
// wallet, the wake-up of its poster and its subscriber's lifetime.
//
// The poster runs from the server's first use until Close; it holds a
// connection only while it posts. The subscriber holds the long-lived
// connection and runs only while a group of the profile is on the server:
// leaving the last one stops it (stopSubscriberLocked), joining one again
// starts it.
type server struct {
	c      *Client
	bundle invite.Bundle
	wake   chan struct{} // poster wake-up, capacity 1
	// kick makes the running subscription start again (capacity 1): a
	// group joined needs its history read (backfill).
	kick chan struct{}

	// Guarded by Client.mu.
	posting   bool               // the poster runs
	subCancel context.CancelFunc // stops the subscriber; nil when none runs
	subDone   chan struct{}      // closed when the subscriber has returned
	state     serverState        // what ServerState reports (withheld.go)

	walletMu  sync.Mutex // serialises wallet loads, fetches and persists
	wallet    *tokens.Wallet
	refilling bool // a refill waits (refillLater); guarded by walletMu
	// tried holds the queued posts whose reserved token went out in an
	// attempt of this process: a later attempt takes a fresh token (only a
	// crash makes a post present its reserved token again); guarded by
	// walletMu.
	tried map[model.MessageID]bool

	powWarned atomic.Bool // the too-much-work warning was emitted
}

func newServer(c *Client, b invite.Bundle) *server {
	return &server{c: c, bundle: b, wake: make(chan struct{}, 1), kick: make(chan struct{}, 1)}
}

// startPosterLocked starts the poster if it does not run yet. c.mu is
// held, and the client is started and not closed.
func (s *server) startPosterLocked() {
	if s.posting {
		return
	}
	s.posting = true
	ctx := s.c.ctx
	s.c.wg.Add(1)
	go func() { defer s.c.wg.Done(); s.runPoster(ctx) }()
}

// startSubscriberLocked starts the subscriber if it does not run. c.mu is
// held, and the client is started and not closed.
func (s *server) startSubscriberLocked() {
	if s.subCancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.c.ctx)
	done := make(chan struct{})
	s.subCancel, s.subDone = cancel, done
	s.c.wg.Add(1)
	go func() {
		defer s.c.wg.Done()
		defer close(done)
		s.runSubscriber(ctx)
	}()
}

// stopSubscriberLocked stops the subscriber, if one runs, and returns a
// channel closed once it has returned (and closed its connection). c.mu
// is held; wait on the channel only after releasing it.
func (s *server) stopSubscriberLocked() <-chan struct{} {
	if s.subCancel == nil {
		return closedChan()
	}
	done := s.subDone
	s.subCancel()
	s.subCancel, s.subDone = nil, nil
	return done
}

// kickSubscriber makes the subscription, if one runs, start again.
func (s *server) kickSubscriber() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *server) wakePoster() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// dial connects to the server with a fresh throwaway identity, so that the
// server cannot link this connection to any other.
func (s *server) dial(ctx context.Context) (*handshake.Session, error) {
	throwaway, err := identity.Generate(s.c.cfg.Rand)
	if err != nil {
		return nil, err
	}
	conn, err := s.c.cfg.Transport.Dial(ctx, s.bundle.Address)
	if err != nil {
		return nil, err
	}
	cfg := s.c.cfg.Handshake
	sess, err := handshake.Client(ctx, conn, throwaway, s.bundle.Address, &cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return sess, nil
}

// backoff is an exponential wait between attempts.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) reset() { b.cur = 0 }

// wait waits for the next attempt, for wake, or for ctx; it reports
// whether ctx is still live.
func (b *backoff) wait(ctx context.Context, wake <-chan struct{}) bool {
	if b.cur == 0 {
		b.cur = b.min
	} else if b.cur *= 2; b.cur > b.max {
		b.cur = b.max
	}
	t := time.NewTimer(b.cur)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}

// loadWallet returns the server's wallet, loading it from the store on
// first use. s.walletMu is held.
func (s *server) loadWalletLocked() (*tokens.Wallet, error) {
	if s.wallet != nil {
		return s.wallet, nil
	}
	v, err := s.c.bucket.Get(walletKey(s.bundle.SigningKey))
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.wallet = tokens.NewWallet(tokens.PublicKey(s.bundle.TokenKey))
	case err != nil:
		return nil, err
	default:
		w, err := tokens.ParseWallet(v)
		if err != nil {
			return nil, fmt.Errorf("%w: wallet: %w", ErrCorrupt, err)
		}
		if w.Key() != tokens.PublicKey(s.bundle.TokenKey) {
			w = tokens.NewWallet(tokens.PublicKey(s.bundle.TokenKey))
		}
		s.wallet = w
	}
	return s.wallet, nil
}

func (s *server) saveWalletLocked() error {
	v, err := s.wallet.MarshalBinary()
	if err != nil {
		return err
	}
	return s.c.bucket.Put(walletKey(s.bundle.SigningKey), v)
}
