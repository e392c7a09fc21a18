package groupclient

import (
	"context"
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
)

// ErrRefused is returned (wrapped, with the reason) when the server refuses
// a request.
var ErrRefused = errors.New("groupclient: server refused")

// ErrNoTokens is returned (wrapped) when no token could be had to post.
var ErrNoTokens = errors.New("groupclient: no posting tokens")

// ErrTooMuchWork is returned (wrapped) when a server asks for a proof of
// work above Config.MaxPoWBits.
var ErrTooMuchWork = errors.New("groupclient: the server asks for too much proof of work")

// takeToken returns a token for one post. Only an empty wallet is filled
// right away; one left below the low-water mark is refilled later, at a
// random time (refillLater), so that fetching tokens does not mark the
// time of a post. The wallet is persisted without the token before the
// token is returned: a token handed to the server is never used again,
// even after a crash.
func (s *server) takeToken(ctx context.Context) (tokens.Token, error) {
	s.walletMu.Lock()
	defer s.walletMu.Unlock()
	w, err := s.loadWalletLocked()
	if err != nil {
		return tokens.Token{}, err
	}
	if w.Len() == 0 {
		toks, ferr := s.fetchTokens(ctx)
		if ferr != nil {
			return tokens.Token{}, fmt.Errorf("%w: %w", ErrNoTokens, ferr)
		}
		w.Add(toks...)
	}
	t, ok := w.Take()
	if !ok {
		return tokens.Token{}, ErrNoTokens
	}
	if err := s.saveWalletLocked(); err != nil {
		return tokens.Token{}, err
	}
	if w.Len() < s.c.cfg.LowWater {
		s.refillLater()
	}
	return t, nil
}

// refillLater starts, unless one is waiting, a refill of the wallet after
// a random wait below Config.RefillWithin. s.walletMu is held.
func (s *server) refillLater() {
	if s.refilling {
		return
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.c.closed || s.c.ctx == nil {
		return
	}
	s.refilling = true
	ctx := s.c.ctx
	s.c.wg.Add(1)
	go func() {
		defer s.c.wg.Done()
		ok := s.c.cfg.sleep(ctx, "refill", randBelow(s.c.cfg.Rand, s.c.cfg.RefillWithin))
		s.walletMu.Lock()
		defer s.walletMu.Unlock()
		s.refilling = false
		if !ok {
			return
		}
		w, err := s.loadWalletLocked()
		if err != nil || w.Len() >= s.c.cfg.LowWater {
			return
		}
		toks, err := s.fetchTokens(ctx)
		if err != nil {
			return // the next post tries again (or fetches at once when the wallet is empty)
		}
		w.Add(toks...)
		s.saveWalletLocked()
	}()
}

// fetchTokens gets one batch of tokens on a connection of its own.
func (s *server) fetchTokens(ctx context.Context) ([]tokens.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, s.c.cfg.RequestWait)
	defer cancel()
	sess, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	defer stop()

	if err := sess.Send(&protocol.TokenChallengeRequest{}); err != nil {
		return nil, err
	}
	var ch *protocol.TokenChallenge
	if err := await(sess, protocol.TypeTokenChallengeRequest, func(r protocol.Record) bool {
		ch, _ = r.(*protocol.TokenChallenge)
		return ch != nil
	}); err != nil {
		return nil, err
	}
	if int(ch.Bits) > s.c.cfg.MaxPoWBits {
		if s.powWarned.CompareAndSwap(false, true) {
			s.c.cfg.Emit(model.GroupWarning{Server: string(s.bundle.Address), Kind: "proof of work",
				Reason: fmt.Sprintf("the group server asks for far more work per posting token than servers need "+
					"(%d bits, Nook does at most %d); messages to its groups wait until it asks less", ch.Bits, s.c.cfg.MaxPoWBits)})
		}
		return nil, fmt.Errorf("%w: %d bits", ErrTooMuchWork, ch.Bits)
	}
	req, err := tokens.NewRequest(tokens.PublicKey(s.bundle.TokenKey), s.c.cfg.Batch, s.c.cfg.Rand)
	if err != nil {
		return nil, err
	}
	nonce, err := tokens.SolvePoW(ctx, ch.Challenge, ch.Bits, req.Blinded())
	if err != nil {
		return nil, err
	}
	if err := sess.Send(&protocol.TokenRequest{Challenge: ch.Challenge, Blinded: req.Blinded(), Nonce: nonce}); err != nil {
		return nil, err
	}
	var resp *protocol.TokenResponse
	if err := await(sess, protocol.TypeTokenRequest, func(r protocol.Record) bool {
		resp, _ = r.(*protocol.TokenResponse)
		return resp != nil
	}); err != nil {
		return nil, err
	}
	return req.Finalize(resp.Evaluated, resp.Proof)
}

// await reads records until want accepts one, or the server refuses the
// request of type req.
func await(sess *handshake.Session, req protocol.Type, want func(protocol.Record) bool) error {
	for {
		r, err := sess.Recv()
		if err != nil {
			return err
		}
		if ref, ok := r.(*protocol.Refused); ok && ref.Request == req {
			return fmt.Errorf("%w: %s", ErrRefused, ref.Reason)
		}
		if want(r) {
			return nil
		}
	}
}
