package groupserver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
)

// Buckets of the server's store.
const (
	blobBucket  = "groupserver.blobs" // seq u64 → stored u64 (Unix minutes) ‖ blob
	metaBucket  = "groupserver.meta"  // "head", "oldest" → u64
	spentBucket = "groupserver.spent" // tokens.SpentKey → empty
)

// metaVersion is stored under "version" in metaBucket.
const metaVersion = 1

var (
	errSpent = errors.New("token spent")
	errFull  = errors.New("storage full")
	errBusy  = errors.New("server-wide post cap reached")
)

// blobStore keeps blobs in sequence order and fans new ones out. Appends
// are serialised by mu, so sequence numbers are contiguous from oldest to
// head and live blobs reach the hub in order.
type blobStore struct {
	st       *store.Store
	capBlobs uint64
	keep     time.Duration // retention; negative: forever
	now      func() time.Time
	hub      *hub
	kicked   func(n int)    // counts subscribers cut off
	dropped  func(n uint64) // counts blobs dropped when posting
	stored   func(n uint64) // counts blobs committed, before subscribers see them
	budget   *bucket        // server-wide posts (Config.PostsPerDay); nil for none; guarded by mu

	mu     sync.Mutex // guards head, oldest and serialises commits and pruning
	head   uint64     // highest seq assigned, 0 for none
	oldest uint64     // lowest seq stored, head+1 when none
	vals   []byte     // the stored values (stamp ‖ blob) of the commit running, reused by the next: guarded by mu
	// stampSeq's blob, committed, was stored at Unix minute stamp (0: none
	// known), so that the retention check of each commit need not read
	// the oldest blob again: a stored blob never changes. Guarded by mu.
	stampSeq, stamp uint64

	batchMax int        // most posts in one commit (Config.CommitBatch)
	qmu      sync.Mutex // guards queue, leading, checking and settled
	queue    []*postReq // posts waiting for a commit, in arrival order
	leading  bool       // a poster is committing; it hands over the queue
	checking int        // posts received whose token is being checked (arrive)
	settled  uint64     // posts that have left checking: queued or refused
	joined   sync.Cond  // on qmu: settled grew
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func openBlobs(st *store.Store, c Config, h *hub) (*blobStore, error) {
	b := &blobStore{st: st, capBlobs: c.capBlobs(), keep: c.Retention, now: c.Now, hub: h, batchMax: c.CommitBatch}
	b.joined.L = &b.qmu
	if c.PostsPerDay > 0 {
		b.budget = newBucket(float64(c.PostsPerDay)/(24*60*60), c.PostBurst)
	}
	meta := st.Bucket(metaBucket)
	get := func(name string) (uint64, error) {
		v, err := meta.Get([]byte(name))
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		if len(v) != 8 {
			return 0, fmt.Errorf("groupserver: store meta %s damaged", name)
		}
		return binary.BigEndian.Uint64(v), nil
	}
	ver, err := get("version")
	if err != nil {
		return nil, err
	}
	if ver > metaVersion {
		return nil, fmt.Errorf("groupserver: store written by a newer version (%d)", ver)
	}
	if b.head, err = get("head"); err != nil {
		return nil, err
	}
	if b.oldest, err = get("oldest"); err != nil {
		return nil, err
	}
	if ver == 0 {
		b.oldest = 1
		err = st.Update(func(tx *store.Tx) error {
			return tx.Bucket(metaBucket).Put([]byte("version"), binary.BigEndian.AppendUint64(nil, metaVersion))
		})
		if err != nil {
			return nil, err
		}
	}
	if b.oldest == 0 || b.oldest > b.head+1 {
		return nil, fmt.Errorf("groupserver: store meta inconsistent")
	}
	return b, nil
}

// bounds returns head and oldest.
func (b *blobStore) bounds() (head, oldest uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.head, b.oldest
}

// prune deletes, inside tx, the oldest blobs beyond the cap and those
// older than the retention, stopping at seq limit, and returns the new
// oldest seq.
func (b *blobStore) prune(tx *store.Tx, head, oldest, limit uint64) (uint64, error) {
	blobs := tx.Bucket(blobBucket)
	for oldest <= head && oldest < limit {
		if head-oldest+1 > b.capBlobs {
			if err := blobs.Delete(seqKey(oldest)); err != nil {
				return 0, err
			}
			oldest++
			continue
		}
		if b.keep < 0 {
			break
		}
		var stamp uint64
		if oldest == b.stampSeq {
			stamp = b.stamp
		} else {
			v, err := blobs.Get(seqKey(oldest))
			if errors.Is(err, store.ErrNotFound) {
				oldest++
				continue
			} else if err != nil {
				return 0, err
			}
			if len(v) < 8 {
				break
			}
			stamp = binary.BigEndian.Uint64(v)
			if oldest <= b.head { // committed: not undone if tx fails
				b.stampSeq, b.stamp = oldest, stamp
			}
		}
		if time.Unix(int64(stamp)*60, 0).After(b.now().Add(-b.keep)) {
			break
		}
		if err := blobs.Delete(seqKey(oldest)); err != nil {
			return 0, err
		}
		oldest++
	}
	return oldest, nil
}

// maxPrunePerTx bounds the deletions of one pruning transaction.
const maxPrunePerTx = 1000

// A postReq is one post waiting for the commit that stores it: the blob
// and its token's spent key, then the result.
type postReq struct {
	blob  []byte
	spent [32]byte
	seq   uint64
	err   error
	done  chan struct{} // closed when seq and err are set, or lead is
	lead  bool          // set before done is closed: commit the next batch
}

// arrive counts a post whose token is now being checked: the post will
// append or, refused, call refused. A commit about to start waits for
// such posts (see append).
func (b *blobStore) arrive() {
	b.qmu.Lock()
	b.checking++
	b.qmu.Unlock()
}

// refused is called instead of append for a post counted by arrive that
// will not be stored.
func (b *blobStore) refused() {
	b.qmu.Lock()
	b.settle()
	b.qmu.Unlock()
}

// settle moves one post out of checking; qmu must be held.
func (b *blobStore) settle() {
	b.checking--
	b.settled++
	b.joined.Broadcast()
}

// append spends the token's key and stores blob under the next seq,
// drops what the cap and retention require, and hands the blob to the
// hub. It returns only once the blob is durable (a synced commit, unless
// Config.NoSync): the seq it returns is never reused, even after a crash.
// It returns errBusy (the server-wide post cap; nothing spent), errSpent,
// errFull or a store error.
//
// Group commit: posts that arrive together share one transaction and so
// one sync. The first poster with no commit running becomes the leader:
// it commits what is queued (at most batchMax posts, its own first),
// releases those posters, and hands the lead to the first still queued,
// if any, so no poster waits for more than the commits ahead of it.
// Before it commits, the leader waits for the posts whose tokens were
// being checked when it took the lead (arrive) to join the queue or be
// refused, unless the queue is full: those are already received, each
// check is a bounded computation, and the commit and its sync are then
// shared by more posts. It never waits for posts not yet received, so a
// lone post is committed at once. The post must have been counted by
// arrive.
func (b *blobStore) append(blob []byte, spent [32]byte) (uint64, error) {
	r := &postReq{blob: blob, spent: spent, done: make(chan struct{})}
	b.qmu.Lock()
	b.settle()
	b.queue = append(b.queue, r)
	lead := !b.leading
	b.leading = true
	b.qmu.Unlock()
	if !lead {
		<-r.done
		if !r.lead {
			return r.seq, r.err
		}
	}
	b.qmu.Lock()
	for target := b.settled + uint64(b.checking); b.settled < target && len(b.queue) < b.batchMax; {
		b.joined.Wait()
	}
	n := min(len(b.queue), b.batchMax)
	batch := append([]*postReq(nil), b.queue[:n]...) // r is batch[0]
	b.queue = append(b.queue[:0], b.queue[n:]...)
	b.qmu.Unlock()

	b.commit(batch)
	for _, o := range batch[1:] {
		close(o.done)
	}
	b.qmu.Lock()
	if len(b.queue) > 0 {
		next := b.queue[0]
		next.lead = true
		close(next.done)
	} else {
		b.leading = false
	}
	b.qmu.Unlock()
	return r.seq, r.err
}

// commit stores batch in one transaction and sets each post's result.
func (b *blobStore) commit(batch []*postReq) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	stamp := uint64(now.Unix() / 60)
	var take []*postReq // within the server-wide cap
	for _, r := range batch {
		if b.budget != nil && !b.budget.allow(now) {
			r.err = errBusy
			continue
		}
		take = append(take, r)
	}
	if len(take) == 0 {
		return
	}
	// The values are cut from one buffer, given to the store without a
	// copy (PutOwned) and reused by the next commit: the store holds them
	// only until Update returns, and commits are serialised by mu.
	size := 0
	for _, r := range take {
		size += 8 + len(r.blob)
	}
	if cap(b.vals) < size {
		b.vals = make([]byte, 0, size)
	}
	var head, oldest uint64
	err := b.st.Update(func(tx *store.Tx) error {
		spentB, blobs := tx.Bucket(spentBucket), tx.Bucket(blobBucket)
		head = b.head
		vals := b.vals[:0] // fn may run again after a conflict
		for _, r := range take {
			r.seq, r.err = 0, nil
			err := tokens.SpendTx(spentB, r.spent)
			if errors.Is(err, tokens.ErrSpent) {
				r.err = errSpent
				continue
			} else if err != nil {
				return err
			}
			head++
			n := len(vals)
			vals = append(binary.BigEndian.AppendUint64(vals, stamp), r.blob...)
			if err := blobs.PutOwned(seqKey(head), vals[n:len(vals):len(vals)]); err != nil {
				return err
			}
			r.seq = head
		}
		if head == b.head {
			return nil
		}
		var err error
		if oldest, err = b.pruneBounded(tx, head, b.oldest); err != nil {
			return err
		}
		return putMeta(tx, head, oldest)
	})
	if errors.Is(err, syscall.ENOSPC) {
		err = errFull
	}
	for _, r := range take {
		if err != nil {
			r.seq, r.err = 0, err
		}
		if r.err != nil && b.budget != nil {
			b.budget.refund() // nothing stored: the post does not count
		}
	}
	if err != nil || head == b.head {
		return
	}
	if b.dropped != nil && oldest > b.oldest {
		b.dropped(oldest - b.oldest)
	}
	b.head, b.oldest = head, oldest
	if b.stored != nil {
		var n uint64
		for _, r := range take {
			if r.err == nil {
				n++
			}
		}
		b.stored(n)
	}
	for _, r := range take {
		if r.err != nil {
			continue
		}
		var out protocol.Blob
		out.Seq = r.seq
		copy(out.Blob[:], r.blob)
		if n := b.hub.publish(&out); n > 0 {
			b.kicked(n)
		}
	}
}

// pruneBounded prunes at most maxPrunePerTx blobs; later transactions
// drop the rest.
func (b *blobStore) pruneBounded(tx *store.Tx, head, oldest uint64) (uint64, error) {
	return b.prune(tx, head, oldest, oldest+maxPrunePerTx)
}

func putMeta(tx *store.Tx, head, oldest uint64) error {
	meta := tx.Bucket(metaBucket)
	if err := meta.Put([]byte("head"), binary.BigEndian.AppendUint64(nil, head)); err != nil {
		return err
	}
	return meta.Put([]byte("oldest"), binary.BigEndian.AppendUint64(nil, oldest))
}

// pruneNow applies the cap and retention without appending, in bounded
// transactions, and returns the number of blobs dropped.
func (b *blobStore) pruneNow() (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	start := b.oldest
	for {
		var oldest uint64
		err := b.st.Update(func(tx *store.Tx) error {
			var err error
			if oldest, err = b.pruneBounded(tx, b.head, b.oldest); err != nil {
				return err
			}
			return putMeta(tx, b.head, oldest)
		})
		if err != nil {
			return b.oldest - start, err
		}
		done := oldest == b.oldest || oldest < b.oldest+maxPrunePerTx
		b.oldest = oldest
		if done {
			return b.oldest - start, nil
		}
	}
}

// get returns the blob stored under seq, or store.ErrNotFound.
func (b *blobStore) get(seq uint64) ([]byte, error) {
	v, err := b.st.Bucket(blobBucket).Get(seqKey(seq))
	if err != nil {
		return nil, err
	}
	if len(v) != 8+protocol.BlobSize {
		return nil, fmt.Errorf("groupserver: stored blob %d damaged", seq)
	}
	return v[8:], nil
}

// subscribe registers a live subscriber and returns the head at that
// moment: every blob after head reaches the subscriber's buffer.
func (b *blobStore) subscribe(onKick func()) (*subscriber, uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hub.add(onKick), b.head
}
