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
	budget   *bucket        // server-wide posts (Config.PostsPerDay); nil for none; guarded by mu

	mu     sync.Mutex // guards head, oldest and serialises appends and pruning
	head   uint64     // highest seq assigned, 0 for none
	oldest uint64     // lowest seq stored, head+1 when none
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func openBlobs(st *store.Store, c Config, h *hub) (*blobStore, error) {
	b := &blobStore{st: st, capBlobs: c.capBlobs(), keep: c.Retention, now: c.Now, hub: h}
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
		v, err := blobs.Get(seqKey(oldest))
		if errors.Is(err, store.ErrNotFound) {
			oldest++
			continue
		} else if err != nil {
			return 0, err
		}
		if len(v) < 8 || time.Unix(int64(binary.BigEndian.Uint64(v))*60, 0).After(b.now().Add(-b.keep)) {
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

// append spends the token's key and stores blob under the next seq in one
// transaction, drops what the cap and retention require, and hands the
// blob to the hub. It returns errBusy (the server-wide post cap; nothing
// spent), errSpent, errFull or a store error.
func (b *blobStore) append(blob []byte, spent [32]byte) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.budget != nil && !b.budget.available(b.now()) {
		return 0, errBusy
	}
	seq := b.head + 1
	var oldest uint64
	val := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(blob)), uint64(b.now().Unix()/60))
	val = append(val, blob...)
	err := b.st.Update(func(tx *store.Tx) error {
		if err := tokens.SpendTx(tx.Bucket(spentBucket), spent); err != nil {
			return err
		}
		if err := tx.Bucket(blobBucket).Put(seqKey(seq), val); err != nil {
			return err
		}
		var err error
		if oldest, err = b.pruneBounded(tx, seq, b.oldest); err != nil {
			return err
		}
		return putMeta(tx, seq, oldest)
	})
	switch {
	case errors.Is(err, tokens.ErrSpent):
		return 0, errSpent
	case errors.Is(err, syscall.ENOSPC):
		return 0, errFull
	case err != nil:
		return 0, err
	}
	if b.dropped != nil && oldest > b.oldest {
		b.dropped(oldest - b.oldest)
	}
	b.head, b.oldest = seq, oldest
	if b.budget != nil {
		b.budget.allow(b.now())
	}
	var out protocol.Blob
	out.Seq = seq
	copy(out.Blob[:], blob)
	if n := b.hub.publish(&out); n > 0 {
		b.kicked(n)
	}
	return seq, nil
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
