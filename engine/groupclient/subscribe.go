package groupclient

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/wire"
)

// maxBatch is the most blobs of the client's groups stored in one
// transaction (a transaction holds at most about 629 KB in the store; a
// message is at most ~4 KiB). Other groups' blobs, which cost the
// transaction nothing but the cursor, do not count: a batch of up to
// maxScan blobs read is stored in as many transactions as it holds
// maxBatch of the client's (sync.go, store).
const (
	maxBatch = 64
	maxScan  = 4 * maxBatch
)

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
		switch r := r.(type) {
		case *protocol.CaughtUp:
			cu = r
			return true
		case *protocol.Blob, *protocol.Blobs:
			// A server that streams its history to a probe (group
			// servers before TestSubscribePastHead's fix did, every
			// stored blob): leave rather than download it for nothing.
			return true
		}
		return false
	}); err != nil || cu == nil {
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
	// Catching up, the server may send its stored blobs several to a
	// record (Blobs); one that predates them ignores AcceptBlobs and sends
	// a Blob each, which reads as well.
	if err := sess.SendAll([]protocol.Record{&protocol.AcceptBlobs{}, &protocol.Subscribe{Cursor: sub.from}}); err != nil {
		s.reached(false)
		return false, err
	}
	s.reached(true)
	if ok && cu.Head >= sub.from+bulkBlobs {
		// A long catch-up (from sub.from, which a backfill or a reread
		// puts before the cursor) is read a larger buffer at a time:
		// fewer system calls and acknowledgements a blob, until CaughtUp.
		sess.SetReadAhead(catchUpReadAhead)
	}
	defer func() {
		if ctx.Err() == nil && !errors.Is(err, errResubscribe) {
			s.reached(false)
		}
	}()
	s.c.cfg.Emit(model.GroupSync{Server: string(s.bundle.Address), Total: sub.total})

	// Room for every record the reader can hold (readyBlobs must be
	// reachable with Blob records, one blob each, too).
	recs := make(chan inbound, maxBlobs+maxRecordBufs)
	// What records were read into goes back to the reader once stored,
	// which reads the next ones into it (a catch-up allocates no blob
	// each, and copies none out of its record).
	free := freeList{bufs: make(chan []byte, maxRecordBufs), blobs: make(chan *protocol.Blob, maxBlobs)}
	readErr := make(chan error, 1)
	quit := make(chan struct{})
	readerDone := make(chan struct{})
	q := &queued{ready: make(chan struct{}, 1)}
	go func() { defer close(readerDone); readRecords(sess, recs, q, free, readErr, quit) }()
	defer func() { close(quit); sess.Close(); <-readerDone }()
	var blobs []protocol.BlobRef
	var held []inbound
	// While catching up, a batch waits up to gatherWait for more records,
	// so that a transaction stores up to maxScan blobs rather than
	// whatever one record held (TestCatchUpBatched).
	gather := time.NewTimer(gatherWait)
	gather.Stop()
	defer gather.Stop()
	for {
		if !sub.caughtUp && q.blobs.Load() < readyBlobs {
			// Catching up: wait until the reader queued a batch's worth
			// (or gatherWait), rather than wake for each record.
			gather.Reset(gatherWait)
			select {
			case <-q.ready:
			case <-gather.C:
			case err := <-readErr:
				return progressed, err
			case <-s.kick:
				return progressed, errResubscribe
			}
			gather.Stop()
		}
		var first inbound
		select {
		case first = <-recs:
		case err := <-readErr:
			return progressed, err
		case <-s.kick:
			return progressed, errResubscribe // a group joined needs its history
		}
		blobs, held = blobs[:0], held[:0]
		var tail protocol.Record
		var after error // a read error or a kick while gathering: once stored
		bufs, waiting := 0, false
		for r := first; ; {
			switch rec := r.r.(type) {
			case *protocol.Blob:
				blobs = append(blobs, protocol.BlobRef{Seq: rec.Seq, Blob: rec.Blob[:]})
				held = append(held, r)
				q.blobs.Add(-1)
			case *protocol.Blobs:
				blobs = append(blobs, rec.Blobs...)
				held = append(held, r)
				bufs++
				q.blobs.Add(-int64(len(rec.Blobs)))
			default:
				tail = r.r
			}
			if tail != nil || len(blobs) >= maxScan || bufs >= maxGatherBufs {
				break
			}
			select {
			case r = <-recs:
				continue
			default:
			}
			if sub.caughtUp || len(blobs) == 0 {
				break // live: each blob as it comes
			}
			if !waiting {
				gather.Reset(gatherWait)
				waiting = true
			}
			select {
			case r = <-recs:
				continue
			case <-gather.C:
				waiting = false
			case err := <-readErr:
				after = err
			case <-s.kick:
				after = errResubscribe
			}
			break
		}
		if waiting {
			gather.Stop()
		}
		if len(blobs) > 0 {
			if err := sub.store(blobs); err != nil {
				return progressed, err
			}
			progressed = true
			for _, r := range held {
				free.put(r)
			}
		}
		if after != nil {
			return progressed, after
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

// inbound is a record the reader read, with what it was read into: the
// buffer a Blobs record's blobs are slices of, the Blob a Blob record was
// decoded into. Both go back to the reader once stored (freeList).
type inbound struct {
	r    protocol.Record
	buf  []byte
	blob *protocol.Blob
}

// What a subscription's reader holds at most: record buffers (a Blobs
// record of up to protocol.MaxBlobs blobs each, about 64 KiB) and Blobs
// (4 KiB each), whether queued for storing, being stored or free. Reading
// waits for one to come back rather than allocate more: a catch-up holds
// at most 20 × 64 KiB + 256 × 4 KiB.
//
// A batch being gathered while catching up holds at most maxGatherBufs
// record buffers (enough for maxScan packed blobs), so that the reader
// still has buffers to read the next records into while it is stored;
// it waits at most gatherWait for more (over Tor a record takes longer
// than that to arrive, and each is stored as it comes, as before).
const (
	// A catch-up of bulkBlobs or more (about 0.5 MB) reads up to
	// catchUpReadAhead bytes at a time instead of wire's default of 64
	// KiB: about 5 % less CPU a blob over loopback (docs/performance.md).
	bulkBlobs        = 128
	catchUpReadAhead = 32 * wire.FrameSize

	maxRecordBufs = 20
	maxGatherBufs = maxRecordBufs - 2
	maxBlobs      = 4 * maxBatch
	recordBufSize = 3 + protocol.MaxBlobs*(8+protocol.BlobSize)
)

// gatherWait is how long a batch being gathered while catching up waits
// for the next record (a variable for TestCatchUpBatched).
var gatherWait = 20 * time.Millisecond

// freeList holds the buffers and Blobs given back to the reader.
type freeList struct {
	bufs  chan []byte
	blobs chan *protocol.Blob
}

// put gives back what r was read into.
func (f freeList) put(r inbound) {
	if r.buf != nil {
		select {
		case f.bufs <- r.buf[:0]:
		default:
		}
	}
	if r.blob != nil {
		select {
		case f.blobs <- r.blob:
		default:
		}
	}
}

// queued counts the blobs the reader queued and the storer has not taken
// yet; the reader signals ready when they reach readyBlobs, or with a
// record that is not blobs (CaughtUp ends a catch-up's batch).
type queued struct {
	blobs atomic.Int64
	ready chan struct{}
}

// readyBlobs is the queue that wakes a catch-up's storer: a batch of
// maxScan blobs less a record's, which the reader can always queue with
// the buffers and Blobs it holds (maxGatherBufs, maxBlobs).
const readyBlobs = maxScan - protocol.MaxBlobs

// readRecords feeds the session's records to recs until it fails or quit
// closes, reading them into the buffers and Blobs free gives back, and
// allocating new ones only up to maxRecordBufs and maxBlobs.
func readRecords(sess *handshake.Session, recs chan<- inbound, q *queued, free freeList, errc chan<- error, quit <-chan struct{}) {
	var (
		buf          []byte
		blob         *protocol.Blob
		nbufs, nblob int
	)
	for {
		if buf == nil {
			if nbufs < maxRecordBufs {
				select {
				case buf = <-free.bufs:
				default:
					buf, nbufs = make([]byte, 0, recordBufSize), nbufs+1
				}
			} else {
				select {
				case buf = <-free.bufs:
				case <-quit:
					return
				}
			}
		}
		if blob == nil {
			if nblob < maxBlobs {
				select {
				case blob = <-free.blobs:
				default:
					blob, nblob = new(protocol.Blob), nblob+1
				}
			} else {
				select {
				case blob = <-free.blobs:
				case <-quit:
					return
				}
			}
		}
		r, b, err := sess.RecvBuf(buf, blob)
		// A buffer grown past the records expected (by a malformed or
		// unknown record of up to wire.MaxRecord) is dropped, not kept:
		// a new one of recordBufSize is made in its place.
		grown := cap(b) > recordBufSize
		if errors.Is(err, protocol.ErrMalformed) {
			buf = b[:0]
			if grown {
				buf, nbufs = nil, nbufs-1
			}
			continue
		}
		if err != nil {
			errc <- err
			return
		}
		got := inbound{r: r}
		n := 0
		switch r := r.(type) {
		case *protocol.Blob:
			got.blob, blob, buf = blob, nil, b[:0] // copied out of b
			n = 1
			if grown {
				buf, nbufs = nil, nbufs-1
			}
		case *protocol.Blobs:
			got.buf, buf = b, nil // its blobs are slices of b
			n = len(r.Blobs)
			if grown {
				got.buf, nbufs = nil, nbufs-1 // not given back
			}
		default:
			if _, ok := r.(*protocol.CaughtUp); ok {
				sess.SetReadAhead(0) // live blobs come one at a time
			}
			buf, nbufs = nil, nbufs-1 // b may be r's: a new one for the next
		}
		q.blobs.Add(int64(n)) // before the storer can take it
		select {
		case recs <- got:
		case <-quit:
			return
		}
		if n == 0 || q.blobs.Load() >= readyBlobs {
			select {
			case q.ready <- struct{}{}:
			default:
			}
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
