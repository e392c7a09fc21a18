package groupclient

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// maxBatch is the number of blobs stored in one transaction (a transaction
// holds at most about 1.2 MiB in the store; a message is at most ~4 KiB).
const maxBatch = 64

// errResubscribe asks the subscriber to start again from the stored cursor.
var errResubscribe = errors.New("groupclient: resubscribe")

// errNoGroups is returned by a subscription that outlived the last group
// of its server (it was left): it stores nothing, not even the cursor.
var errNoGroups = errors.New("groupclient: no group on the server")

// runSubscriber follows the server until ctx ends, reconnecting with
// backoff.
func (s *server) runSubscriber(ctx context.Context) {
	b := backoff{min: s.c.cfg.MinBackoff, max: s.c.cfg.MaxBackoff}
	for ctx.Err() == nil {
		progressed, err := s.subscribeOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if progressed || errors.Is(err, errResubscribe) {
			b.reset()
		}
		if errors.Is(err, errResubscribe) {
			continue
		}
		if !b.wait(ctx, nil) {
			return
		}
	}
}

func (s *server) cursor() (uint64, error) {
	v, err := s.c.bucket.Get(cursorKey(s.bundle.SigningKey))
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return parseU64(v)
}

// Resubscribing (docs/groups.md, "Subscribing and catching up"): the
// cursor a client sends would chain its sessions if it were the last
// sequence number the server sent it. The client subscribes from an
// earlier, coarsened cursor instead: from 64 to 319 blobs back, rounded
// down to a multiple of 64, and, while the server holds at most
// fullRereadSpan blobs, from 0 one time in fullRereadOdds. What it already
// stored (sequence numbers up to its real cursor) it skips without opening.
const (
	resubscribeMinBack = 64
	resubscribeSpread  = 256
	resubscribeGrain   = 64
	fullRereadOdds     = 16
	fullRereadSpan     = 2048
	// lostRereadMax bounds how far back a server claiming to have lost
	// its history (CaughtUp with head below the cursor) can send the
	// client: at most this many blobs are read again.
	lostRereadMax = 1024
)

// resubscribeFrom returns the cursor to subscribe from for a client whose
// real cursor is real, when the server held span blobs at the last look
// (0 unknown).
func (s *server) resubscribeFrom(real, span uint64) uint64 {
	if real == 0 {
		return 0
	}
	r := randUint64(s.c.cfg.Rand)
	if span != 0 && span <= fullRereadSpan && r%fullRereadOdds == 0 {
		return 0
	}
	back := resubscribeMinBack + (r/fullRereadOdds)%resubscribeSpread
	if back >= real {
		return 0
	}
	return (real - back) / resubscribeGrain * resubscribeGrain
}

// randUint64 reads a uniformly random uint64 from rnd (0 if it fails, which
// crypto/rand does not).
func randUint64(rnd io.Reader) uint64 {
	var b [8]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return 0
	}
	return binary.BigEndian.Uint64(b[:])
}

// probeHead learns the server's head and oldest blob (for the progress
// total and the resubscription cursor) on a short connection of its own:
// a subscription past any sequence number returns CaughtUp at once.
func (s *server) probeHead(ctx context.Context) (*protocol.CaughtUp, bool) {
	ctx, cancel := context.WithTimeout(ctx, s.c.cfg.RequestWait)
	defer cancel()
	sess, err := s.dial(ctx)
	if err != nil {
		return nil, false
	}
	defer sess.Close()
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	defer stop()
	if err := sess.Send(&protocol.Subscribe{Cursor: math.MaxUint64}); err != nil {
		return nil, false
	}
	var cu *protocol.CaughtUp
	if err := await(sess, protocol.TypeSubscribe, func(r protocol.Record) bool {
		cu, _ = r.(*protocol.CaughtUp)
		return cu != nil
	}); err != nil {
		return nil, false
	}
	return cu, true
}

// subscription is one subscribe session's progress.
type subscription struct {
	s        *server
	cursor   uint64 // last seq stored
	start    uint64 // cursor at subscribe
	from     uint64 // the cursor sent (resubscribeFrom): blobs up to start are skipped
	last     uint64 // last seq received in this session
	total    int    // blobs expected until caught up; 0 unknown
	done     int
	caughtUp bool
	lastSent int // done at the last GroupSync
	// backfill holds the groups whose history this subscription reads
	// again (from 0), with the cursor up to which they need it.
	backfill map[*groupState]uint64
}

// subscribeOnce runs one subscription; progressed reports whether it
// stored anything (the backoff starts again).
func (s *server) subscribeOnce(ctx context.Context) (progressed bool, err error) {
	cursor, err := s.cursor()
	if err != nil {
		return false, err
	}
	sub := &subscription{s: s, cursor: cursor, start: cursor}
	cu, ok := s.probeHead(ctx)
	var span uint64
	if ok && cu.Head >= cu.Oldest {
		span = cu.Head - cu.Oldest + 1
	}
	sub.from = s.resubscribeFrom(cursor, span)
	select {
	case <-s.kick: // this subscription reads what the group joined needs
	default:
	}
	s.c.mu.Lock()
	for _, gs := range s.c.groupsOnLocked(s.bundle.SigningKey) {
		if gs.backfill > 0 {
			if sub.backfill == nil {
				sub.backfill = map[*groupState]uint64{}
			}
			sub.backfill[gs] = gs.backfill
		}
	}
	s.c.mu.Unlock()
	if sub.backfill != nil {
		sub.from = 0 // a group joined needs the history the server holds
	}
	sub.last = sub.from
	if ok && cu.Head > cursor {
		sub.total = int(cu.Head - cursor)
	}
	sess, err := s.dial(ctx)
	if err != nil {
		s.reached(false)
		return false, err
	}
	defer sess.Close()
	stop := context.AfterFunc(ctx, func() { sess.Close() })
	defer stop()
	if err := sess.Send(&protocol.Subscribe{Cursor: sub.from}); err != nil {
		s.reached(false)
		return false, err
	}
	s.reached(true)
	defer func() {
		if ctx.Err() == nil && !errors.Is(err, errResubscribe) {
			s.reached(false)
		}
	}()
	s.c.cfg.Emit(model.GroupSync{Server: string(s.bundle.Address), Total: sub.total})

	recs := make(chan protocol.Record, 2*maxBatch)
	// Blobs stored go back to the reader, which decodes the next ones
	// into them (a catch-up allocates no blob each).
	free := make(chan *protocol.Blob, 4*maxBatch)
	readErr := make(chan error, 1)
	quit := make(chan struct{})
	readerDone := make(chan struct{})
	go func() { defer close(readerDone); readRecords(sess, recs, free, readErr, quit) }()
	defer func() { close(quit); sess.Close(); <-readerDone }()
	for {
		var first protocol.Record
		select {
		case first = <-recs:
		case err := <-readErr:
			return progressed, err
		case <-s.kick:
			return progressed, errResubscribe // a group joined needs its history
		}
		var blobs []*protocol.Blob
		var tail protocol.Record
		for r := first; ; {
			if b, ok := r.(*protocol.Blob); ok {
				blobs = append(blobs, b)
			} else {
				tail = r
				break
			}
			if len(blobs) == maxBatch {
				break
			}
			select {
			case r = <-recs:
				continue
			default:
			}
			break
		}
		if len(blobs) > 0 {
			if err := sub.store(blobs); err != nil {
				return progressed, err
			}
			progressed = true
			for _, b := range blobs {
				select {
				case free <- b:
				default:
				}
			}
		}
		switch r := tail.(type) {
		case *protocol.CaughtUp:
			if err := sub.caughtUpWith(r); err != nil {
				return progressed, err
			}
		case *protocol.Refused:
			return progressed, fmt.Errorf("%w: %s", ErrRefused, r.Reason)
		}
	}
}

// readRecords feeds the session's records to recs until it fails,
// decoding blobs into those free gives back.
func readRecords(sess *handshake.Session, recs chan<- protocol.Record, free <-chan *protocol.Blob, errc chan<- error, quit <-chan struct{}) {
	var blob *protocol.Blob
	var buf []byte // the record buffer, kept while records are Blobs (copied out)
	for {
		if blob == nil {
			select {
			case blob = <-free:
			default:
				blob = new(protocol.Blob)
			}
		}
		r, b, err := sess.RecvBuf(buf, blob)
		buf = nil
		if r == protocol.Record(blob) {
			blob, buf = nil, b[:0] // blob given away with r, its bytes copied out of b
		}
		if errors.Is(err, protocol.ErrMalformed) {
			continue
		}
		if err != nil {
			errc <- err
			return
		}
		select {
		case recs <- r:
		case <-quit:
			return
		}
	}
}

// caughtUpWith handles the end of the stored blobs.
func (sub *subscription) caughtUpWith(cu *protocol.CaughtUp) error {
	s := sub.s
	if err := sub.finishBackfill(); err != nil {
		return err
	}
	if sub.cursor > cu.Head {
		// The server lost its history (restored from an old backup, or a
		// new server at the address), or says so: go back to its head, but
		// at most lostRereadMax blobs, so that a server cannot make the
		// client download everything again at will. What is read again is
		// recognised as duplicates.
		back := max(cu.Head, sub.cursor-min(sub.cursor, lostRereadMax))
		s.c.mu.Lock()
		s.state.lostHistory = s.c.cfg.Now()
		s.c.mu.Unlock()
		s.warnServer(model.NewGroupWarning("", string(s.bundle.Address), "", "history lost", model.Say("groupwarning.history_lost", "Count", lostRereadMax)))
		if err := s.c.bucket.Put(cursorKey(s.bundle.SigningKey), u64(back)); err != nil {
			return err
		}
		return errResubscribe
	}
	if sub.start+1 < cu.Oldest {
		s.warnServer(model.NewGroupWarning("", string(s.bundle.Address), "", "expired", model.Say("groupwarning.expired", "Count", int(cu.Oldest-sub.start-1))))
	}
	sub.caughtUp = true
	s.c.mu.Lock()
	s.state.caughtUp, s.state.live = s.c.cfg.Now(), true
	s.c.caughtUpOn(s.bundle.SigningKey)
	s.c.mu.Unlock()
	if sub.total < sub.done {
		sub.total = sub.done
	}
	s.c.cfg.Emit(model.GroupSync{Server: string(s.bundle.Address), Done: sub.done, Total: sub.done, CaughtUp: true})
	return nil
}

// finishBackfill records that the groups whose history this subscription
// read again from 0 have it now: their posts may go.
func (sub *subscription) finishBackfill() error {
	if len(sub.backfill) == 0 {
		return nil
	}
	c := sub.s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.bucket.Update(func(tx *store.BucketTx) error {
		for gs := range sub.backfill {
			if err := tx.Delete(backfillKey(gs.g.ID())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for gs := range sub.backfill {
		gs.backfill = 0
	}
	sub.backfill = nil
	sub.s.wakePoster()
	return nil
}
