package transfer

import (
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"sync"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
)

// maxQueuedRequests bounds the chunk requests a session holds for its
// sender goroutine. A receiver that keeps to the window never has more
// than a few outstanding; one that floods is disconnected.
const maxQueuedRequests = 256

// errRequestFlood ends a session whose contact asks for chunks far beyond
// the window.
var errRequestFlood = errors.New("the contact requested too many file chunks at once")

// Session is the file side of one live session with a contact. Its
// methods other than Close are called from the session's goroutine.
type Session struct {
	t    *Transfers
	conv model.ConversationID
	send func(protocol.Record) error
	// want is, per incoming transfer asked for in this session, the
	// first chunk not yet requested; rx its chunks checked and not yet
	// stored.
	want map[model.MessageID]uint32
	rx   map[model.MessageID]*incoming

	reqs chan protocol.FileRequest
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	// Received chunks are stored by a writer goroutine of their own, so
	// that the session keeps reading while a batch is written: over Tor
	// a stream's window is about 250 KB, 60 ms of a transfer, and a
	// read loop that waits for the store stalls the sender. jobs holds
	// at most storeQueue batches (with the one being written, ≈ 4 MiB).
	jobs chan storeJob
	wwg  sync.WaitGroup
	// gone holds the transfers whose batch the writer did not store
	// (stopped or paused meanwhile), werr the writer's first error: the
	// session's goroutine reads both at the next chunk.
	mu   sync.Mutex
	gone map[model.MessageID]bool
	werr error
}

// storeQueue is how many checked batches wait for the writer at most.
const storeQueue = 3

// storeJob is a batch of checked chunks of one transfer for the writer:
// in is a copy of the session's state when the batch was complete.
type storeJob struct {
	id   model.MessageID
	in   *incoming
	done bool
}

// Session starts the file side of a session with the contact of conv;
// send writes a record to it (safe for concurrent use).
func (t *Transfers) Session(conv model.ConversationID, send func(protocol.Record) error) *Session {
	s := &Session{t: t, conv: conv, send: send, want: map[model.MessageID]uint32{}, rx: map[model.MessageID]*incoming{},
		reqs: make(chan protocol.FileRequest, maxQueuedRequests), done: make(chan struct{}),
		jobs: make(chan storeJob, storeQueue), gone: map[model.MessageID]bool{}}
	s.wg.Add(1)
	go s.pump()
	s.wwg.Add(1)
	go s.writer()
	return s
}

// Close stops the session's sender goroutine and waits for it, and
// stores the chunks received and not yet stored. The session's
// connection must be closed first (a send in progress returns); Close is
// called from the session's goroutine, after its last Handle.
func (s *Session) Close() {
	s.once.Do(func() {
		close(s.done)
		s.wg.Wait()
		close(s.jobs)
		s.wwg.Wait()
		s.flush()
	})
}

// writer stores the batches the session checked, in order, and for a
// file's last batch tells the contact it arrived (FileDone).
func (s *Session) writer() {
	defer s.wwg.Done()
	for j := range s.jobs {
		kept, err := s.t.storeChunks(s.conv, j.id, j.in, j.done)
		if err == nil && kept && j.done {
			if err = s.send(&protocol.FileDone{ID: j.id}); err == nil {
				err = s.clearPending(j.id)
			}
		}
		if err != nil || !kept {
			s.mu.Lock()
			s.gone[j.id] = true
			if s.werr == nil {
				s.werr = err
			}
			s.mu.Unlock()
		}
	}
}

// takeGone reports, once, that the writer did not store a batch of id.
func (s *Session) takeGone(id model.MessageID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.gone[id]
	delete(s.gone, id)
	return g
}

// queue hands the checked chunks of in to the writer and moves the
// session's state past them.
func (s *Session) queue(id model.MessageID, in *incoming, done bool) error {
	st, err := in.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return err
	}
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st); err != nil {
		return err
	}
	s.jobs <- storeJob{id: id, in: &incoming{r: in.r, h: h, buf: in.buf}, done: done}
	r := *in.r
	r.Have += uint32(len(in.buf))
	in.r, in.buf = &r, nil
	return nil
}

// Sync writes what waits for the contact: stops and completions made
// while it was away, and the requests of accepted files not yet asked for
// in this session (from the first chunk not stored: a resume).
func (s *Session) Sync() error {
	type item struct {
		id model.MessageID
		r  *record
	}
	var items []item
	err := s.t.b.Iterate(convPrefix(s.conv), func(k, v []byte) error {
		conv, id, ok := parseRecordKey(k)
		if !ok || conv != s.conv {
			return nil
		}
		r, err := decodeRecord(v)
		if err != nil {
			s.t.cfg.Logger.Warn("a file transfer record is damaged; skipped", "err", err)
			return nil
		}
		if r.Pending != pendNone || (!r.Outgoing && r.State == model.FileTransferring) {
			items = append(items, item{id, r})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, it := range items {
		switch {
		case it.r.Pending == pendStop:
			if err := s.send(&protocol.FileStop{ID: it.id, Reason: it.r.Reason, Limit: it.r.Limit}); err != nil {
				return err
			}
			if err := s.clearPending(it.id); err != nil {
				return err
			}
		case it.r.Pending == pendDone:
			if err := s.send(&protocol.FileDone{ID: it.id}); err != nil {
				return err
			}
			if err := s.clearPending(it.id); err != nil {
				return err
			}
		default:
			if s.takeGone(it.id) {
				delete(s.want, it.id)
				delete(s.rx, it.id)
			}
			if _, asked := s.want[it.id]; asked {
				continue // paused transfers (no disk space) are not
			}
			s.want[it.id] = it.r.Have
			if err := s.request(it.id, it.r, window); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Session) clearPending(id model.MessageID) error {
	_, err := s.t.change(s.conv, id, func(r *record) (bool, error) {
		if r.Pending == pendNone {
			return false, nil
		}
		r.Pending = pendNone
		return true, nil
	})
	return err
}

// request asks for up to n more chunks of an incoming transfer.
func (s *Session) request(id model.MessageID, r *record, n uint32) error {
	first := s.want[id]
	count := min(n, r.chunks()-first, protocol.MaxRequestChunks)
	if count == 0 {
		return nil
	}
	s.want[id] = first + count
	return s.send(&protocol.FileRequest{ID: id, First: first, Count: uint16(count)})
}

// Handle acts on one file record from the contact. An error ends the
// session.
func (s *Session) Handle(rec protocol.Record) error {
	switch r := rec.(type) {
	case *protocol.FileRequest:
		return s.onRequest(r)
	case *protocol.FileChunk:
		return s.onChunk(r)
	case *protocol.FileStop:
		return s.onStop(r)
	case *protocol.FileDone:
		return s.onDone(r)
	}
	return nil
}

// onRequest queues the chunks the receiver asked for; the first request
// accepts the offer.
func (s *Session) onRequest(q *protocol.FileRequest) error {
	r, err := s.t.get(s.conv, q.ID)
	if errors.Is(err, ErrNotFound) {
		return s.send(&protocol.FileStop{ID: q.ID, Reason: protocol.StopUnavailable})
	}
	if err != nil {
		return err
	}
	if !r.Outgoing {
		return nil // they cannot ask us for their own file
	}
	switch r.State {
	case model.FileCancelled:
		return s.send(&protocol.FileStop{ID: q.ID, Reason: protocol.StopCancelled})
	case model.FileOffered:
		if _, err := s.t.change(s.conv, q.ID, func(r *record) (bool, error) {
			if r.State != model.FileOffered {
				return false, nil
			}
			r.State = model.FileTransferring
			return true, nil
		}); err != nil {
			return err
		}
	case model.FileTransferring:
	default:
		return nil
	}
	if uint64(q.First)+uint64(q.Count) > uint64(r.chunks()) {
		return nil // out of range: ignored
	}
	select {
	case s.reqs <- *q:
		return nil
	default:
		return errRequestFlood
	}
}

// pump sends the requested chunks, in order, until Close.
func (s *Session) pump() {
	defer s.wg.Done()
	trees := map[model.MessageID]*files.Tree{}
	for {
		var q protocol.FileRequest
		select {
		case <-s.done:
			return
		case q = <-s.reqs:
		}
		r, err := s.t.get(s.conv, q.ID)
		if err != nil || r.State != model.FileTransferring {
			continue
		}
		tree, ok := trees[q.ID]
		if !ok {
			ls, err := s.t.leaves(r)
			if err != nil {
				s.t.cfg.Logger.Warn("reading a file's tree failed", "err", err)
				if s.send(&protocol.FileStop{ID: q.ID, Reason: protocol.StopUnavailable}) != nil {
					return
				}
				continue
			}
			tree = files.NewTree(ls)
			trees[q.ID] = tree
		}
		for i := q.First; i < q.First+uint32(q.Count); i++ {
			select {
			case <-s.done:
				return
			default:
			}
			if i%batch == 0 && i != q.First {
				// A cancel may have come in meanwhile.
				if r, err = s.t.get(s.conv, q.ID); err != nil || r.State != model.FileTransferring {
					break
				}
			}
			v, err := s.t.b.Get(chunkKey(r.Key, i))
			var c []byte
			if err == nil {
				c, err = chunkData(v, r.chunkLen(i))
			}
			if err != nil {
				s.t.cfg.Logger.Warn("reading a file's chunk failed", "err", err)
				if s.send(&protocol.FileStop{ID: q.ID, Reason: protocol.StopUnavailable}) != nil {
					return
				}
				break
			}
			proof := tree.Proof(int(i))
			p := make([][32]byte, len(proof))
			copy(p, proof)
			if s.send(&protocol.FileChunk{ID: q.ID, Index: i, Proof: p, Data: c}) != nil {
				return
			}
			s.t.progressMu.Lock()
			s.t.sent[q.ID] = min(int64(r.Size), int64(i+1)*int64(r.ChunkSize))
			s.t.progressMu.Unlock()
			s.t.progress(s.conv, q.ID, r, false)
		}
	}
}

// leaves reads a sent file's leaf hashes.
func (t *Transfers) leaves(r *record) ([]files.Hash, error) {
	n := r.chunks()
	out := make([]files.Hash, 0, n)
	for blk := uint32(0); blk*leavesPerBlock < n; blk++ {
		v, err := t.b.Get(leafKey(r.Key, blk))
		if err != nil {
			return nil, err
		}
		want := int(min(n, (blk+1)*leavesPerBlock)-blk*leavesPerBlock) * files.HashSize
		if len(v) != want {
			return nil, ErrDamaged
		}
		for j := 0; j < len(v); j += files.HashSize {
			out = append(out, files.Hash(v[j:j+files.HashSize]))
		}
	}
	return out, nil
}

// incoming is a received file's state within a session: the record as
// last stored, the running SHA-256 and the verified chunks not yet
// stored (at most batch: they are written in one transaction, so a crash
// loses at most those, which are asked for again).
type incoming struct {
	r   *record
	h   hash.Hash
	buf [][]byte
}

// next is the index of the chunk expected next.
func (in *incoming) next() uint32 { return in.r.Have + uint32(len(in.buf)) }

// incoming returns the session's state of an accepted incoming file, or
// nil if it is not one.
func (s *Session) incoming(id model.MessageID) (*incoming, error) {
	if in := s.rx[id]; in != nil {
		return in, nil
	}
	r, err := s.t.get(s.conv, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.Outgoing || r.State != model.FileTransferring {
		return nil, nil
	}
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(r.HashState); err != nil {
		return nil, fmt.Errorf("file transfer: %w", errCorrupt)
	}
	in := &incoming{r: r, h: h}
	s.rx[id] = in
	return in, nil
}

// onChunk checks the next chunk of an accepted incoming file
// (docs/files.md §5), stores the chunks checked so far every batch
// chunks, then asks for more or finishes.
func (s *Session) onChunk(c *protocol.FileChunk) error {
	s.mu.Lock()
	werr := s.werr
	s.mu.Unlock()
	if werr != nil {
		return werr
	}
	if s.takeGone(c.ID) {
		// Stopped or paused while a batch waited for the writer: asked
		// again from what is stored at the next Sync.
		delete(s.want, c.ID)
		delete(s.rx, c.ID)
		return nil
	}
	want, asked := s.want[c.ID]
	if !asked || c.Index >= want {
		return nil // not requested in this session: dropped
	}
	in, err := s.incoming(c.ID)
	if err != nil || in == nil || c.Index != in.next() {
		return err // stale (cancelled, or already stored): dropped
	}
	r := in.r
	proof := make([]files.Hash, len(c.Proof))
	copy(proof, c.Proof)
	if len(c.Data) != r.chunkLen(c.Index) || files.VerifyChunk(r.Root, int(r.chunks()), int(c.Index), c.Data, proof) != nil {
		return s.fail(c.ID)
	}
	in.h.Write(c.Data)
	in.buf = append(in.buf, c.Data)
	last := in.next() == r.chunks()
	if last {
		var sum [32]byte
		if in.h.Sum(sum[:0]); sum != r.SHA256 {
			return s.fail(c.ID)
		}
	}
	if len(in.buf) == batch || last {
		if err := s.queue(c.ID, in, last); err != nil {
			return err
		}
	}
	if last {
		// The writer tells the contact once the last batch is stored.
		delete(s.want, c.ID)
		delete(s.rx, c.ID)
		return nil
	}
	if s.want[c.ID]-in.next() <= window-batch {
		return s.request(c.ID, r, batch)
	}
	return nil
}

// store writes the checked chunks of in (Transfers.storeChunks); a
// transfer stopped or paused meanwhile is forgotten by the session.
func (s *Session) store(id model.MessageID, in *incoming, done bool) error {
	kept, err := s.t.storeChunks(s.conv, id, in, done)
	if !kept {
		delete(s.rx, id)
		delete(s.want, id)
	}
	return err
}

// storeChunks writes the checked chunks of in with the progress that
// counts them, in one transaction; done marks the file complete. It
// reports false when the transfer was stopped meanwhile (cancelled from
// this side: it keeps its stop, and the chunks are dropped) or paused for
// lack of disk space (the person is told; the chunks are asked for again
// later).
func (t *Transfers) storeChunks(conv model.ConversationID, id model.MessageID, in *incoming, done bool) (kept bool, err error) {
	t.mu.Lock()
	r, err := t.get(conv, id)
	if err != nil || r.State != model.FileTransferring || r.Have != in.r.Have {
		t.mu.Unlock()
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		return false, err
	}
	first := r.Have
	r.Have += uint32(len(in.buf))
	if done {
		r.State, r.Pending, r.HashState = model.FileComplete, pendDone, nil
		if r.Group {
			r.Pending = pendNone // nobody to tell: a group's sources keep no state of a fetch
		}
	} else if r.HashState, err = in.h.(encoding.BinaryMarshaler).MarshalBinary(); err != nil {
		t.mu.Unlock()
		return true, err
	}
	err = t.b.Update(func(tx *store.BucketTx) error {
		for j, c := range in.buf {
			if err := tx.Put(chunkKey(r.Key, first+uint32(j)), chunkValue(c)); err != nil {
				return err
			}
		}
		return tx.Put(recordKey(conv, id), encodeRecord(r))
	})
	t.mu.Unlock()
	if errors.Is(err, store.ErrDiskFull) {
		// Paused: asked again from what is stored at the next session,
		// once there is room.
		t.emit(conv, id, in.r, model.ProblemDiskFull)
		return false, nil
	}
	if err != nil {
		return true, err
	}
	in.r, in.buf = r, nil
	t.progress(conv, id, r, done)
	return true, nil
}

// flush stores what the session checked and holds of every incoming
// file: the session ended.
func (s *Session) flush() {
	for id, in := range s.rx {
		if len(in.buf) == 0 {
			continue
		}
		if err := s.store(id, in, false); err != nil {
			s.t.cfg.Logger.Warn("storing a file's last chunks failed", "err", err)
		}
	}
}

// fail ends an incoming transfer whose data did not match its offer:
// nothing of it is kept, and the sender is told.
func (s *Session) fail(id model.MessageID) error {
	delete(s.rx, id)
	delete(s.want, id)
	_, err := s.t.change(s.conv, id, func(r *record) (bool, error) {
		if r.State != model.FileTransferring {
			return false, nil
		}
		r.State, r.Pending, r.Reason = model.FileFailed, pendStop, protocol.StopFailed
		s.t.dropPartial(r)
		return true, nil
	})
	if err != nil {
		return err
	}
	if err := s.send(&protocol.FileStop{ID: id, Reason: protocol.StopFailed}); err != nil {
		return err
	}
	return s.clearPending(id)
}

// onStop ends a transfer the contact stopped.
func (s *Session) onStop(q *protocol.FileStop) error {
	_, err := s.t.change(s.conv, q.ID, func(r *record) (bool, error) {
		if r.State.Final() {
			return false, nil
		}
		state := model.FileCancelled
		switch {
		case q.Reason == protocol.StopUnavailable && !r.Outgoing:
			state = model.FileUnavailable
		case r.Outgoing && q.Reason == protocol.StopDeclined:
			state = model.FileDeclined
		case r.Outgoing && q.Reason == protocol.StopTooLarge:
			state, r.Limit = model.FileTooLarge, q.Limit
		case r.Outgoing && q.Reason == protocol.StopFailed:
			state = model.FileFailed
		}
		r.State, r.ByContact, r.Pending = state, true, pendNone
		s.t.dropPartial(r)
		return true, nil
	})
	delete(s.want, q.ID)
	delete(s.rx, q.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// onDone marks a sent file received.
func (s *Session) onDone(q *protocol.FileDone) error {
	_, err := s.t.change(s.conv, q.ID, func(r *record) (bool, error) {
		if !r.Outgoing || r.State == model.FileComplete {
			return false, nil
		}
		r.State = model.FileComplete
		return true, nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
