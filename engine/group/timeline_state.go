package group

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nookchat/nook/engine/identity"
)

// A Timeline persists as records in a bucket of its own (one per group):
//
//	"a" ‖ author key [32] → version 1 ‖ lastSeq u64 ‖ lastID [32] ‖ count u64
//	"r" ‖ slot u32        → message ID [32]     (the ring of recent IDs)
//	"m"                   → version 1 ‖ next u32 ‖ messages u64 ‖ duplicates u64 ‖
//	                        rejected u64 ‖ head [32]
//
// Save writes only what changed since the last Saved, so persisting after
// every message costs a few small writes.

// ErrState is returned (wrapped) by LoadTimeline for stored state it cannot
// decode.
var ErrState = errors.New("damaged group timeline state")

const stateVersion = 1

// Putter is where Save writes: a *store.BucketTx inside the transaction
// that also stores the messages.
type Putter interface {
	Put(key, value []byte) error
}

// Iterator is what LoadTimeline reads: a *store.Bucket.
type Iterator interface {
	Iterate(prefix []byte, fn func(key, value []byte) error) error
}

// Save writes the state that changed since the last call of Saved. It may
// be called again with the same changes (a retried transaction); call
// Saved once they are committed.
func (t *Timeline) Save(p Putter) error {
	for addr := range t.dirtyAuthors {
		a := t.authors[addr]
		v := []byte{stateVersion}
		v = binary.BigEndian.AppendUint64(v, a.lastSeq)
		v = append(v, a.lastID[:]...)
		v = binary.BigEndian.AppendUint64(v, a.count)
		if err := p.Put(append([]byte("a"), addr.PublicKey()...), v); err != nil {
			return err
		}
	}
	for slot := range t.dirtySlots {
		if err := p.Put(binary.BigEndian.AppendUint32([]byte("r"), uint32(slot)), t.ring[slot][:]); err != nil {
			return err
		}
	}
	if t.dirtyMeta || len(t.dirtySlots) > 0 {
		v := []byte{stateVersion}
		v = binary.BigEndian.AppendUint32(v, uint32(t.next))
		v = binary.BigEndian.AppendUint64(v, t.stats.Messages)
		v = binary.BigEndian.AppendUint64(v, t.stats.Duplicates)
		v = binary.BigEndian.AppendUint64(v, t.stats.Rejected)
		v = append(v, t.head[:]...)
		if err := p.Put([]byte("m"), v); err != nil {
			return err
		}
	}
	return nil
}

// Saved marks the state written by Save as committed.
func (t *Timeline) Saved() {
	clear(t.dirtyAuthors)
	clear(t.dirtySlots)
	t.dirtyMeta = false
}

// LoadTimeline rebuilds a timeline from what Save wrote (an empty timeline
// if nothing was). Errors wrap ErrState or come from it.
func LoadTimeline(it Iterator, opts TimelineOptions) (*Timeline, error) {
	t := NewTimeline(opts)
	slots := map[uint32]MessageID{}
	err := it.Iterate(nil, func(k, v []byte) error {
		switch {
		case len(k) == 33 && k[0] == 'a':
			if len(v) != 1+8+32+8 || v[0] != stateVersion || !validPublicKey(k[1:]) {
				return fmt.Errorf("%w: author record", ErrState)
			}
			a := &authorState{lastSeq: binary.BigEndian.Uint64(v[1:]), count: binary.BigEndian.Uint64(v[41:])}
			copy(a.lastID[:], v[9:41])
			t.authors[identity.AddressFromPublicKey(k[1:])] = a
		case len(k) == 5 && k[0] == 'r':
			if len(v) != 32 {
				return fmt.Errorf("%w: recent id", ErrState)
			}
			slots[binary.BigEndian.Uint32(k[1:])] = MessageID(v)
		case len(k) == 1 && k[0] == 'm':
			if len(v) != 1+4+3*8+32 || v[0] != stateVersion {
				return fmt.Errorf("%w: meta record", ErrState)
			}
			t.next = int(binary.BigEndian.Uint32(v[1:]))
			t.stats = Stats{Messages: binary.BigEndian.Uint64(v[5:]), Duplicates: binary.BigEndian.Uint64(v[13:]),
				Rejected: binary.BigEndian.Uint64(v[21:])}
			copy(t.head[:], v[29:])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Rebuild the ring oldest first: slots next.. then 0..next-1 (when the
	// ring had wrapped), keeping at most the window's newest IDs.
	stored := len(slots)
	order := make([]MessageID, 0, stored)
	if stored > 0 && t.next < stored {
		for i := t.next; i < stored; i++ {
			if id, ok := slots[uint32(i)]; ok {
				order = append(order, id)
			}
		}
	}
	for i := 0; i < t.next && i < stored; i++ {
		if id, ok := slots[uint32(i)]; ok {
			order = append(order, id)
		}
	}
	if len(order) > cap(t.ring) {
		order = order[len(order)-cap(t.ring):]
	}
	t.next = 0
	for _, id := range order {
		t.remember(id)
	}
	// Rewrite the ring in its new layout at the next Save if it moved.
	if stored != len(t.ring) || len(t.ring) == cap(t.ring) && stored > 0 {
		for i := range t.ring {
			t.dirtySlots[i] = struct{}{}
		}
		t.dirtyMeta = true
	} else {
		t.Saved()
	}
	return t, nil
}
