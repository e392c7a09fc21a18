package tokens

import (
	"errors"
	"fmt"
	"sync"

	"github.com/nookchat/nook/engine/store"
)

// SpentSet remembers redeemed tokens by SpentKey, forever.
type SpentSet interface {
	// Spend records key; it returns ErrSpent if key was recorded before.
	// Concurrent calls with one key succeed at most once.
	Spend(key [32]byte) error
}

// BucketSpent is a SpentSet kept in a store bucket (one key per redeemed
// token, empty value).
type BucketSpent struct {
	b *store.Bucket
}

// NewBucketSpent returns the spent set kept in b.
func NewBucketSpent(b *store.Bucket) *BucketSpent { return &BucketSpent{b: b} }

// Spend implements SpentSet in one transaction.
func (s *BucketSpent) Spend(key [32]byte) error {
	return s.b.Update(func(tx *store.BucketTx) error { return SpendTx(tx, key) })
}

// SpendTx records key in the bucket of tx, so that a caller can spend a
// token and store what it paid for in one transaction. It returns ErrSpent
// if key is there already.
func SpendTx(tx *store.BucketTx, key [32]byte) error {
	_, err := tx.Get(key[:])
	switch {
	case err == nil:
		return ErrSpent
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("tokens: spent set: %w", err)
	}
	if err := tx.Put(key[:], nil); err != nil {
		return fmt.Errorf("tokens: spent set: %w", err)
	}
	return nil
}

// MemorySpent is a SpentSet in memory, for tests and benchmarks.
type MemorySpent struct {
	mu   sync.Mutex
	keys map[[32]byte]struct{} // guarded by mu
}

// NewMemorySpent returns an empty in-memory spent set.
func NewMemorySpent() *MemorySpent { return &MemorySpent{keys: make(map[[32]byte]struct{})} }

// Spend implements SpentSet.
func (s *MemorySpent) Spend(key [32]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[key]; ok {
		return ErrSpent
	}
	s.keys[key] = struct{}{}
	return nil
}
