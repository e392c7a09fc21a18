package transfer

import (
	"context"
	"crypto/sha256"
	"encoding"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// A group fetch from several sources at once (docs/files.md §8,
// "Multi-source"). What is missing of the file is cut into units of
// batch chunks; each source connected is asked for perSource units at a
// time, the lowest not yet asked for, so that a faster source asks
// again sooner and serves more of the file. Units are asked for at most
// unitsAhead beyond the first unit not yet stored, and held in memory
// until the units before them arrived: the file's SHA-256 and the stored
// prefix (record.Have) go in order. A source with nothing left to ask
// for takes a unit another source was asked for and has not finished
// (at most two sources per unit): a stalled or slow source does not hold
// the file back, and whichever copy of a chunk arrives first is kept.
const (
	// fetchSources is how many sources a fetch dials and asks at once.
	fetchSources = 3
	// perSource is how many units one source is asked for at once: the
	// window of a one-to-one transfer.
	perSource = window / batch
	// unitsAhead bounds the units asked for or held beyond the first
	// not stored: with storeQueue batches waiting for the writer, a fetch
	// holds at most (unitsAhead + storeQueue + 1) × batch chunks (12 MiB
	// of 63 KiB chunks).
	unitsAhead = 8
	// maxHolders is how many sources are asked for one unit at most.
	maxHolders = 2
)

// errSource wraps what ends a fetch from one source: the source is
// dropped for this file and the others go on.
var errSource = errors.New("file source dropped")

// fetch is one run of FetchGroup.
type fetch struct {
	t     *Transfers
	conv  model.ConversationID
	id    model.MessageID
	dial  GroupDialer
	queue []identity.Address // sources not dialled yet, in order
	// seen holds every source queued; more, if not nil, says that the
	// file's stored sources changed (FetchGroupLive).
	seen map[identity.Address]bool
	more <-chan struct{}

	n     uint32 // the file's chunks
	base  uint32 // the first chunk not stored when the run began
	units []*unit
	low   int // the first unit not handed to the writer
	next  int // the first unit never asked for

	// cur is the stored state as the writer will have it once it wrote
	// every job handed to it: the record and the SHA-256 of the chunks
	// before unit low.
	cur *incoming

	srcs    []*fetchSrc // connected, not dropped
	dialing int
	// mismatch: every chunk matched the tree, the whole file not the
	// announcement's SHA-256; its last batch was not stored.
	mismatch bool

	ev   chan fetchEvent
	quit chan struct{}
	wg   sync.WaitGroup
	// The writer: jobs in order; wstop is closed when it stops early
	// (an error, or a batch not kept), wdone gets how it ended once jobs
	// is closed.
	jobs  chan storeJob
	wstop chan struct{}
	wdone chan writerResult
}

// unit is a range of batch chunks (fewer at the end of the file).
type unit struct {
	first, end uint32
	chunks     [][]byte // the verified chunks, by index from first; nil until asked for
	got        int
	holders    []*fetchSrc
}

func (u *unit) complete() bool { return u.got == int(u.end-u.first) }

// fetchSrc is a source connected to a fetch.
type fetchSrc struct {
	addr  identity.Address
	c     GroupConn
	reqs  chan *protocol.FileRequest
	asked []span // ranges asked, in the order their chunks must come
	units []*unit
	// last is when it last sent a chunk asked for, or was first asked.
	last    time.Time
	dropped bool
}

type span struct{ next, end uint32 }

// fetchEvent is what a source's reader or a dial reports.
type fetchEvent struct {
	src  *fetchSrc
	addr identity.Address
	conn GroupConn // a dial succeeded
	rec  protocol.Record
	err  error
}

// writerResult is how the writer ended: err, or kept false (the
// transfer was stopped or paused meanwhile).
type writerResult struct {
	kept bool
	err  error
}

func newFetch(t *Transfers, conv model.ConversationID, id model.MessageID, r *record, sources []identity.Address, dial GroupDialer) (*fetch, error) {
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(r.HashState); err != nil {
		return nil, fmt.Errorf("file transfer: %w", errCorrupt)
	}
	f := &fetch{t: t, conv: conv, id: id, dial: dial, queue: append([]identity.Address(nil), sources...),
		n: r.chunks(), base: r.Have, cur: &incoming{r: r, h: h},
		ev: make(chan fetchEvent), quit: make(chan struct{}),
		jobs: make(chan storeJob, storeQueue), wstop: make(chan struct{}), wdone: make(chan writerResult, 1)}
	f.seen = map[identity.Address]bool{}
	for _, a := range sources {
		f.seen[a] = true
	}
	for first := f.base; first < f.n; first += batch {
		f.units = append(f.units, &unit{first: first, end: min(f.n, first+batch)})
	}
	return f, nil
}

// run fetches the file; see FetchGroup.
func (f *fetch) run(ctx context.Context) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go f.writer()
	var res *writerResult
	finish := func() writerResult {
		if res == nil {
			close(f.jobs)
			r := <-f.wdone
			res = &r
		}
		return *res
	}
	defer func() {
		close(f.quit)
		for _, s := range append([]*fetchSrc(nil), f.srcs...) {
			f.drop(s, nil)
		}
		cancel()
		f.wg.Wait()
		if res == nil {
			// Keep what arrived verified and in order.
			f.flushPartial()
			if r := finish(); r.err != nil && err == nil {
				err = r.err
			}
		}
	}()
	idle := time.NewTicker(f.t.cfg.SourceIdle / 4)
	defer idle.Stop()
	for f.low < len(f.units) && f.dialMore(ctx) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case now := <-idle.C:
			f.dropIdle(now)
		case <-f.more:
			f.refresh()
		case <-f.wstop:
			return f.stopped(finish())
		case e := <-f.ev:
			if err := f.handle(e); err != nil {
				return err
			}
		}
	}
	if f.low < len(f.units) {
		return ErrNoSource
	}
	switch r := finish(); {
	case r.err != nil || !r.kept:
		return f.stopped(r)
	case f.mismatch:
		return f.t.failGroup(f.conv, f.id)
	}
	return nil
}

// stopped is what a run returns when the writer stopped early.
func (f *fetch) stopped(res writerResult) error {
	if res.err != nil {
		return res.err
	}
	// Stopped here meanwhile (cancelled, deleted), or paused for lack of
	// disk space (the person was told).
	if r, err := f.t.get(f.conv, f.id); err == nil && r.State == model.FileTransferring {
		return ErrNoSpace
	}
	return ErrNotGroupFile
}

// refresh queues the file's stored sources not seen yet.
func (f *fetch) refresh() {
	srcs, err := f.t.Sources(f.conv, f.id)
	if err != nil {
		f.t.cfg.Logger.Warn("reading a group file's sources failed", "err", err)
		return
	}
	for _, a := range srcs {
		if !f.seen[a] {
			f.seen[a] = true
			f.queue = append(f.queue, a)
		}
	}
}

// dialMore dials sources from the queue while fewer than fetchSources
// are connected or being dialled; it reports whether the fetch can go
// on (a source connected or a dial pending).
func (f *fetch) dialMore(ctx context.Context) bool {
	for len(f.srcs)+f.dialing < fetchSources && len(f.queue) > 0 {
		addr := f.queue[0]
		f.queue = f.queue[1:]
		f.dialing++
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			c, err := f.dial(ctx, addr)
			select {
			case f.ev <- fetchEvent{addr: addr, conn: c, err: err}:
			case <-f.quit:
				if c != nil {
					c.Close()
				}
			}
		}()
	}
	return len(f.srcs)+f.dialing > 0
}

// handle acts on one event.
func (f *fetch) handle(e fetchEvent) error {
	if e.src == nil { // a dial ended
		f.dialing--
		if e.err != nil {
			f.t.cfg.Logger.Info("a group file's source could not be reached", "err", e.err)
			return nil
		}
		return f.connected(e.addr, e.conn)
	}
	s := e.src
	if s.dropped {
		return nil
	}
	if e.err != nil {
		f.drop(s, fmt.Errorf("%w: %v", errSource, e.err))
		return nil
	}
	switch m := e.rec.(type) {
	case *protocol.FileStop:
		if m.ID == f.id {
			f.drop(s, fmt.Errorf("%w: it stopped (reason %d)", errSource, m.Reason))
		}
	case *protocol.FileChunk:
		return f.chunk(s, m)
	}
	return nil
}

// connected starts fetching from a source whose dial succeeded: it
// proves the file key, and is asked for its first units.
func (f *fetch) connected(addr identity.Address, c GroupConn) error {
	s := &fetchSrc{addr: addr, c: c, reqs: make(chan *protocol.FileRequest, perSource*maxHolders+unitsAhead)}
	f.srcs = append(f.srcs, s)
	ff := &protocol.FileFetch{ID: f.id, Proof: FetchProof(f.cur.r.FileKey, c.ChannelBinding())}
	f.wg.Add(2)
	go func() { // its sender: a source busy sending chunks reads no request
		defer f.wg.Done()
		if c.Send(ff) != nil {
			return
		}
		for q := range s.reqs {
			if c.Send(q) != nil {
				return
			}
		}
	}()
	go func() { // its reader
		defer f.wg.Done()
		for {
			rec, err := c.Recv()
			select {
			case f.ev <- fetchEvent{src: s, rec: rec, err: err}:
			case <-f.quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	f.assign(s)
	return nil
}

// dropIdle drops the sources asked for chunks that sent none for
// SourceIdle: a stalled source with no other to take over its units
// would hold the fetch until the profile locks.
func (f *fetch) dropIdle(now time.Time) {
	for _, s := range append([]*fetchSrc(nil), f.srcs...) {
		if len(s.asked) > 0 && now.Sub(s.last) >= f.t.cfg.SourceIdle {
			f.drop(s, fmt.Errorf("%w: no chunk for %v", errSource, f.t.cfg.SourceIdle))
		}
	}
}

// drop ends a source: its connection is closed and its units are asked
// of the others. why nil: the fetch ended.
func (f *fetch) drop(s *fetchSrc, why error) {
	if s.dropped {
		return
	}
	s.dropped = true
	close(s.reqs)
	s.c.Close()
	for _, u := range s.units {
		u.holders = removeSrc(u.holders, s)
	}
	s.units, s.asked = nil, nil
	for i, o := range f.srcs {
		if o == s {
			f.srcs = append(f.srcs[:i], f.srcs[i+1:]...)
			break
		}
	}
	if why == nil {
		return
	}
	f.t.cfg.Logger.Info("a group file's source was dropped", "err", why)
	for _, o := range f.srcs {
		f.assign(o)
	}
}

func removeSrc(l []*fetchSrc, s *fetchSrc) []*fetchSrc {
	for i, o := range l {
		if o == s {
			return append(l[:i], l[i+1:]...)
		}
	}
	return l
}

// assign asks s for units until it holds perSource: first a unit no
// source holds (dropped by another), then the lowest never asked for
// within unitsAhead of the first not stored, then a unit another source
// holds and has not finished.
func (f *fetch) assign(s *fetchSrc) {
	for !s.dropped && len(s.units) < perSource {
		u := f.pick(s)
		if u == nil {
			return
		}
		from := u.first
		for from < u.end && u.chunks[from-u.first] != nil {
			from++
		}
		if len(s.asked) == 0 {
			s.last = time.Now()
		}
		u.holders = append(u.holders, s)
		s.units = append(s.units, u)
		s.asked = append(s.asked, span{from, u.end})
		s.reqs <- &protocol.FileRequest{ID: f.id, First: from, Count: uint16(u.end - from)}
	}
}

func (f *fetch) pick(s *fetchSrc) *unit {
	for _, u := range f.units[f.low:f.next] {
		if len(u.holders) == 0 && !u.complete() {
			return u
		}
	}
	if f.next < len(f.units) && f.next < f.low+unitsAhead {
		u := f.units[f.next]
		f.next++
		u.chunks = make([][]byte, u.end-u.first)
		return u
	}
	for _, u := range f.units[f.low:f.next] {
		if !u.complete() && len(u.holders) < maxHolders && !containsSrc(u.holders, s) {
			return u
		}
	}
	return nil
}

func containsSrc(l []*fetchSrc, s *fetchSrc) bool {
	for _, o := range l {
		if o == s {
			return true
		}
	}
	return false
}

// chunk checks a chunk from s: it must be the next one s was asked for
// and verify against the chunk tree, else s is dropped.
func (f *fetch) chunk(s *fetchSrc, m *protocol.FileChunk) error {
	i := m.Index
	if m.ID != f.id || len(s.asked) == 0 || i != s.asked[0].next {
		f.drop(s, fmt.Errorf("%w: chunk %d not asked for", errSource, i))
		return nil
	}
	u := f.units[(i-f.base)/batch]
	stored := (i-f.base)/batch < uint32(f.low)
	if !stored && u.chunks[i-u.first] == nil {
		r := f.cur.r
		proof := make([]files.Hash, len(m.Proof))
		copy(proof, m.Proof)
		if len(m.Data) != r.chunkLen(i) || files.VerifyChunk(r.Root, int(f.n), int(i), m.Data, proof) != nil {
			f.drop(s, fmt.Errorf("%w: chunk %d does not match the file", errSource, i))
			return nil
		}
		u.chunks[i-u.first] = m.Data
		u.got++
	}
	// A copy of a chunk another source sent first is dropped unchecked:
	// it was asked for, and is not used.
	s.last = time.Now()
	s.asked[0].next++
	if s.asked[0].next == s.asked[0].end {
		s.asked = s.asked[1:]
		done := s.units[0]
		s.units = s.units[1:]
		done.holders = removeSrc(done.holders, s)
	}
	if u.complete() && !stored {
		if err := f.advance(); err != nil {
			return err
		}
		for _, o := range f.srcs {
			f.assign(o)
		}
	} else if len(s.units) < perSource {
		f.assign(s)
	}
	return nil
}

// advance hands the complete units from low on to the writer, in order,
// adding them to the file's SHA-256.
func (f *fetch) advance() error {
	for f.low < len(f.units) && f.units[f.low].complete() {
		u := f.units[f.low]
		for _, c := range u.chunks {
			f.cur.h.Write(c)
		}
		last := f.low == len(f.units)-1
		if last {
			// The whole file is checked before its last batch is stored,
			// which marks it complete.
			var sum [32]byte
			if f.cur.h.Sum(sum[:0]); sum != f.cur.r.SHA256 {
				f.mismatch = true
				u.chunks = nil
				f.low++
				return nil
			}
		}
		if err := f.hand(u.chunks, last); err != nil {
			return err
		}
		u.chunks = nil
		f.low++
	}
	return nil
}

// hand gives the writer a batch that continues what it stored; done
// marks the file's last.
func (f *fetch) hand(chunks [][]byte, done bool) error {
	h, err := cloneHash(f.cur.h)
	if err != nil {
		return err
	}
	job := storeJob{id: f.id, in: &incoming{r: f.cur.r, h: h, buf: chunks}, done: done}
	r := *f.cur.r
	r.Have += uint32(len(chunks))
	f.cur.r = &r
	select {
	case f.jobs <- job:
	case <-f.wstop: // run sees it next
	}
	return nil
}

// flushPartial hands the writer the verified chunks at the start of the
// first unit not stored: a run that ends keeps what arrived in order.
func (f *fetch) flushPartial() {
	if f.low >= len(f.units) || f.units[f.low].chunks == nil {
		return
	}
	u := f.units[f.low]
	k := 0
	for k < len(u.chunks) && u.chunks[k] != nil {
		f.cur.h.Write(u.chunks[k])
		k++
	}
	if k > 0 {
		f.hand(u.chunks[:k], false)
	}
}

// writer stores the batches handed to it, in order, off the loop that
// reads the sources (as a one-to-one Session does): it ends at the
// first error or batch not kept (the transfer stopped or paused),
// reporting it, or when jobs is closed.
func (f *fetch) writer() {
	res := writerResult{kept: true}
	for j := range f.jobs {
		if !res.kept || res.err != nil {
			continue // drained
		}
		kept, err := f.t.storeChunks(f.conv, j.id, j.in, j.done)
		if err != nil || !kept {
			res = writerResult{kept: kept, err: err}
			close(f.wstop)
		}
	}
	f.wdone <- res
}

// cloneHash copies a SHA-256 state.
func cloneHash(h hash.Hash) (hash.Hash, error) {
	st, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, err
	}
	c := sha256.New()
	if err := c.(encoding.BinaryUnmarshaler).UnmarshalBinary(st); err != nil {
		return nil, err
	}
	return c, nil
}
