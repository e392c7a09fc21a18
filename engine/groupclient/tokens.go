package groupclient

import (
	"context"
	"errors"
	"fmt"
	"io"

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

// reserveToken takes a token from the wallet for a post being queued,
// without waiting: it returns the token's encoding and the wallet's
// without it, which the caller stores in the transaction that queues the
// post (the queue record carries the token it will spend, so sending
// needs no commit of its own), and done, to call with whether that
// transaction committed (if not, the token goes back into the wallet).
// s.walletMu stays held until done, so that no other persist of the
// wallet comes in between. ok is false when the wallet is empty or busy
// (a batch being fetched, a token being taken): the post then takes its
// token when it is sent (takeToken). The caller may hold c.mu: walletMu
// is only tried, never waited for (refillLater takes c.mu under it).
func (s *server) reserveToken() (tok, wallet []byte, done func(committed bool), ok bool) {
	if !s.walletMu.TryLock() {
		return nil, nil, nil, false
	}
	fail := func() ([]byte, []byte, func(bool), bool) {
		s.walletMu.Unlock()
		return nil, nil, nil, false
	}
	w, err := s.loadWalletLocked()
	if err != nil {
		return fail()
	}
	t, ok := w.Take()
	if !ok {
		return fail()
	}
	if tok, err = t.MarshalBinary(); err != nil {
		w.Add(t)
		return fail()
	}
	if wallet, err = w.MarshalBinary(); err != nil {
		w.Add(t)
		return fail()
	}
	return tok, wallet, func(committed bool) {
		if !committed {
			w.Add(t) // it never left the wallet on disk
		}
		s.walletMu.Unlock()
	}, true
}

// tokenFor returns the token for an attempt to send queued post id: the
// token reserved for it when it was queued (reserved, nil when none)
// unless that token went out in an earlier attempt of this process
// (markTried), else a fresh one (takeToken). A reserved token goes out a
// second time only after a crash cut an attempt short before its answer
// was recorded, and then for the same post, never another: the server
// refuses it as spent if the first attempt reached it, and post takes a
// fresh one.
func (s *server) tokenFor(ctx context.Context, id model.MessageID, reserved []byte) (tokens.Token, error) {
	if reserved != nil {
		s.walletMu.Lock()
		tried := s.tried[id]
		if !tried && s.wallet != nil && s.wallet.Len() < s.c.cfg.LowWater {
			s.refillLater() // reservations took the wallet below the mark
		}
		s.walletMu.Unlock()
		if !tried {
			if t, err := tokens.ParseToken(reserved); err == nil {
				return t, nil
			}
			// A damaged reservation is spent on nothing: take another.
		}
	}
	return s.takeToken(ctx)
}

// markTried records that the reserved token of queued post id went out.
func (s *server) markTried(id model.MessageID) {
	s.walletMu.Lock()
	defer s.walletMu.Unlock()
	if s.tried == nil {
		s.tried = map[model.MessageID]bool{}
	}
	s.tried[id] = true
}

// forgetTried forgets markTried's record of post id (it left the queue).
func (s *server) forgetTried(id model.MessageID) {
	s.walletMu.Lock()
	delete(s.tried, id)
	s.walletMu.Unlock()
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

	return requestTokens(ctx, sess, tokens.PublicKey(s.bundle.TokenKey), s.c.cfg.Batch, s.c.cfg.Rand, func(bits uint8) error {
		if int(bits) > s.c.cfg.MaxPoWBits {
			if s.powWarned.CompareAndSwap(false, true) {
				s.c.cfg.Emit(model.NewGroupWarning("", string(s.bundle.Address), "", "proof of work",
					model.Say("groupwarning.proof_of_work", "Bits", int(bits), "Max", int(s.c.cfg.MaxPoWBits))))
			}
			return fmt.Errorf("%w: %d bits", ErrTooMuchWork, bits)
		}
		return nil
	})
}

// requestTokens asks the server at the other end of sess for a batch of
// n tokens under its key pub: it asks for a challenge, has allow judge
// the proof of work it demands (in bits) before doing any, and sends the
// blinded batch with the work done.
func requestTokens(ctx context.Context, sess *handshake.Session, pub tokens.PublicKey, n int, rnd io.Reader, allow func(bits uint8) error) ([]tokens.Token, error) {
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
	if err := allow(ch.Bits); err != nil {
		return nil, err
	}
	req, err := tokens.NewRequest(pub, n, rnd)
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
