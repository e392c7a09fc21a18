package groupserver

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/wire"
)

// DefaultKeepalive is how often the server sends a keepalive frame on an
// otherwise quiet connection (a subscriber waiting for live blobs).
const DefaultKeepalive = 60 * time.Second

// DefaultWriteTimeout bounds the writing of one frame to a client: a
// client that stops reading is disconnected.
const DefaultWriteTimeout = 2 * time.Minute

// conn is one client connection, served by one goroutine (serveConn) plus
// one for a subscription. Fields are used by the serving goroutine only.
type conn struct {
	s         *Server
	sess      *handshake.Session
	limit     *bucket
	limited   int                           // consecutive rate-limited records
	challenge *[protocol.ChallengeSize]byte // the open challenge, if any
	subbed    bool
	// packed is set by AcceptBlobs: the client reads Blobs records, so a
	// catch-up's stored blobs go several to a record.
	packed bool
	slot   *slot
	subWG  sync.WaitGroup
	done   chan struct{} // closed when serveConn returns
}

// serveConn runs the handshake and the record loop of one connection, and
// closes it.
func (s *Server) serveConn(ctx context.Context, raw net.Conn) {
	defer raw.Close()
	hctx, cancel := context.WithTimeout(ctx, s.cfg.HandshakeTimeout)
	sess, err := handshake.Server(hctx, raw, s.keys.id, &handshake.Config{
		Rand:    s.cfg.Rand,
		Timeout: s.cfg.HandshakeTimeout,
		Replay:  s.replay,
		Wire:    wire.Config{IdleTimeout: max(s.cfg.IdleTimeout, 0), KeepaliveInterval: DefaultKeepalive, WriteTimeout: DefaultWriteTimeout},
	})
	cancel()
	sl := &slot{raw: raw}
	s.mu.Lock()
	s.handshaken(raw)
	if err == nil {
		s.served = append(s.served, sl)
	}
	s.mu.Unlock()
	if err != nil {
		s.c.hsFail.Add(1)
		return
	}
	defer s.unserve(sl)
	if s.observe != nil {
		s.observe(sess.Peer())
	}
	s.c.conns.Add(1)
	c := &conn{s: s, sess: sess, slot: sl, limit: newBucket(s.cfg.RecordRate, s.cfg.RecordBurst), done: make(chan struct{})}
	grace := c.watchGrace()
	defer func() {
		grace.Stop()
		close(c.done)
		sess.Close()
		c.subWG.Wait()
	}()
	for {
		r, err := sess.Recv()
		if err != nil {
			return // EOF, idle, malformed (docs/groups.md: a malformed record closes)
		}
		if !c.limit.allow(s.cfg.Now()) {
			c.limited++
			if c.limited > s.cfg.RecordBurst {
				return
			}
			c.refuseLimited(r)
			continue
		}
		c.limited = 0
		if err := c.handle(r); err != nil {
			return
		}
	}
}

// watchGrace closes the connection once it has gone Config.Grace without
// earning its slot (docs/groups.md, "Limits"). The returned timer is
// stopped when the connection ends.
func (c *conn) watchGrace() *graceTimer {
	g := &graceTimer{}
	var check func()
	check = func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.stopped || c.slot.subbed.Load() {
			return // a subscription holds its slot until it ends
		}
		if w := c.slot.lastWork.Load(); w != 0 {
			if left := c.s.cfg.Grace - time.Since(time.Unix(0, w)); left > 0 {
				g.t = time.AfterFunc(left, check)
				return
			}
		}
		c.s.c.connsIdle.Add(1)
		c.sess.Close()
	}
	g.mu.Lock()
	g.t = time.AfterFunc(c.s.cfg.Grace, check)
	g.mu.Unlock()
	return g
}

// graceTimer is the re-armed timer of watchGrace.
type graceTimer struct {
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
}

func (g *graceTimer) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	g.t.Stop()
}

func (c *conn) refuse(req protocol.Type, why protocol.Reason) error {
	c.s.c.tokRefused.Add(1)
	return c.sess.Send(&protocol.Refused{Request: req, Reason: why})
}

func (c *conn) refuseLimited(r protocol.Record) {
	switch r.(type) {
	case *protocol.Post:
		c.s.c.refused.Add(1)
		c.sess.Send(&protocol.PostResult{Status: protocol.PostRateLimited})
	case *protocol.TokenChallengeRequest, *protocol.TokenRequest, *protocol.Subscribe:
		c.refuse(r.Type(), protocol.ReasonRateLimited)
	}
}

// handle answers one record; an error ends the connection.
func (c *conn) handle(r protocol.Record) error {
	switch r := r.(type) {
	case *protocol.Ping:
		return c.sess.Send(&protocol.Pong{Nonce: r.Nonce})
	case *protocol.TokenChallengeRequest:
		var ch [protocol.ChallengeSize]byte
		if _, err := io.ReadFull(c.s.rand, ch[:]); err != nil {
			return c.refuse(r.Type(), protocol.ReasonUnavailable)
		}
		c.challenge = &ch
		return c.sess.Send(&protocol.TokenChallenge{Challenge: ch, Bits: uint8(c.s.cfg.PoWBits)})
	case *protocol.TokenRequest:
		return c.tokenRequest(r)
	case *protocol.Post:
		st, seq := c.post(r)
		if st != protocol.PostOK {
			c.s.c.refused.Add(1)
		}
		return c.sess.Send(&protocol.PostResult{Status: st, Seq: seq})
	case *protocol.AcceptBlobs:
		c.packed = true // read by subscribe, on this goroutine
		return nil
	case *protocol.Subscribe:
		return c.subscribe(r.Cursor)
	default:
		return nil // server-to-client records and Pong: ignored
	}
}

func (c *conn) tokenRequest(r *protocol.TokenRequest) error {
	ch := c.challenge
	c.challenge = nil // a challenge is good for one request
	switch {
	case ch == nil || *ch != r.Challenge:
		return c.refuse(r.Type(), protocol.ReasonNoChallenge)
	case len(r.Blinded) > c.s.cfg.MaxBatch:
		return c.refuse(r.Type(), protocol.ReasonBatchTooLarge)
	case !tokens.CheckPoW(r.Challenge, uint8(c.s.cfg.PoWBits), r.Blinded, r.Nonce):
		return c.refuse(r.Type(), protocol.ReasonBadPoW)
	}
	ev, proof, err := c.s.issuer.Issue(r.Blinded)
	if errors.Is(err, tokens.ErrMalformed) {
		return c.refuse(r.Type(), protocol.ReasonInvalidElement)
	} else if err != nil {
		return c.refuse(r.Type(), protocol.ReasonUnavailable)
	}
	c.slot.worked()
	c.s.c.batches.Add(1)
	c.s.c.issued.Add(uint64(len(ev)))
	return c.sess.Send(&protocol.TokenResponse{Evaluated: ev, Proof: proof})
}

// post checks and stores one blob (docs/groups.md, "Posting").
func (c *conn) post(r *protocol.Post) (protocol.PostStatus, uint64) {
	if len(r.Blob) != protocol.BlobSize {
		return protocol.PostWrongSize, 0
	}
	if len(r.Token) == 0 {
		return protocol.PostNoToken, 0
	}
	c.s.blobs.arrive() // a commit about to start waits for this post
	tok, err := tokens.ParseToken(r.Token)
	if err != nil || c.s.issuer.Verify(tok) != nil {
		c.s.blobs.refused()
		return protocol.PostTokenInvalid, 0
	}
	seq, err := c.s.blobs.append(r.Blob, tokens.SpentKey(tok))
	switch {
	case errors.Is(err, errBusy):
		return protocol.PostRateLimited, 0
	case errors.Is(err, errSpent):
		return protocol.PostTokenSpent, 0
	case errors.Is(err, errFull):
		return protocol.PostStorageFull, 0
	case err != nil:
		c.s.log.Warn("storing a blob failed", "error", err)
		return protocol.PostUnavailable, 0
	}
	c.slot.worked()
	return protocol.PostOK, seq
}

func (c *conn) subscribe(cursor uint64) error {
	if c.subbed {
		return c.refuse(protocol.TypeSubscribe, protocol.ReasonAlreadySubbed)
	}
	if n := c.s.c.subs.Add(1); n > int64(c.s.cfg.MaxSubs) {
		c.s.c.subs.Add(-1)
		return c.refuse(protocol.TypeSubscribe, protocol.ReasonTooManySubs)
	}
	c.subbed = true
	c.slot.subbed.Store(true)
	c.s.prune()
	sub, head := c.s.blobs.subscribe(func() { c.sess.Close() })
	packed := c.packed
	c.subWG.Add(1)
	go func() {
		defer c.subWG.Done()
		defer c.s.c.subs.Add(-1)
		defer c.s.hub.remove(sub)
		if err := c.stream(sub, cursor, head, packed); err != nil {
			c.sess.Close() // ends the record loop too
		}
	}()
	return nil
}

var errKicked = errors.New("subscriber fell behind")

// streamBatch is the number of stored blobs a subscription sends with one
// write as Blob records (a client that did not send AcceptBlobs).
const streamBatch = 8

// packBlobs is the number of stored blobs a subscription sends in one
// Blobs record: 15 blobs (61 563 bytes) fill 8 frames (65 384 bytes of
// data), 0.53 frames a blob where a Blob record takes one; 16, the most a
// record may carry, would take 9. The record goes out in one write.
const packBlobs = 15

// stream sends the stored blobs after cursor up to head (packed: in Blobs
// records), CaughtUp, then live blobs, one Blob record each, until the
// connection ends or the subscriber falls behind. What it holds at a time
// is bounded: one record's blobs (packBlobs × 4 KiB), its encoding and
// the wire's frames waiting for their write (64 KiB).
func (c *conn) stream(sub *subscriber, cursor, head uint64, packed bool) error {
	_, oldest := c.s.blobs.bounds()
	// Stored blobs go out streamBatch to a write (a catch-up of 100 000
	// blobs costs the server and the client a system call per eight
	// frames, not per frame), or packBlobs to a record.
	n := streamBatch
	if packed {
		n = packBlobs
	}
	batch := make([]protocol.Record, 0, streamBatch)
	refs := make([]protocol.BlobRef, 0, packBlobs)
	send := func() error {
		if packed {
			if len(refs) == 0 {
				return nil
			}
			batch = append(batch[:0], &protocol.Blobs{Blobs: refs})
		}
		err := c.sess.SendAll(batch)
		batch, refs = batch[:0], refs[:0]
		return err
	}
	from := head + 1 // nothing stored after a cursor at or past head
	if cursor < head {
		from = max(cursor+1, oldest) // cursor+1 does not wrap
	}
	for seq := from; seq <= head; seq++ {
		select {
		case <-c.done:
			return nil
		case <-sub.kicked:
			return errKicked // counted by the hub that cut it off
		default:
		}
		blob, err := c.s.blobs.get(seq)
		if errors.Is(err, store.ErrNotFound) {
			continue // dropped by the cap or retention meanwhile
		} else if err != nil {
			return err
		}
		if packed {
			refs = append(refs, protocol.BlobRef{Seq: seq, Blob: blob})
		} else {
			out := &protocol.Blob{Seq: seq}
			copy(out.Blob[:], blob)
			batch = append(batch, out)
		}
		if len(batch) == n || len(refs) == n || seq == head {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := send(); err != nil { // the last, if head's blob was gone
		return err
	}
	_, oldest = c.s.blobs.bounds()
	if err := c.sess.Send(&protocol.CaughtUp{Head: head, Oldest: min(oldest, head+1)}); err != nil {
		return err
	}
	for {
		select {
		case <-c.done:
			return nil
		case <-sub.kicked:
			return errKicked // counted by the hub that cut it off
		case b := <-sub.live:
			if err := c.sess.Send(b); err != nil {
				return err
			}
		}
	}
}
