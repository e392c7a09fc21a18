package store

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// A migration brings a database from one schema version to the next. It may
// use as many transactions as it needs and must be idempotent: if it is
// interrupted, it runs again from the start at the next Open.
type migration func(db *badger.DB) error

// migrations[i] migrates schema version i+1 to i+2. The current version is
// len(migrations)+1. Append here, never edit or remove an entry, and add a
// test that opens a fixture of the old version.
var migrations = []migration{
	indexPerConversation, // 1 → 2
}

// CurrentSchema is the schema version this code writes.
func CurrentSchema() int { return len(migrations) + 1 }

var schemaKey = metaKey("schema")

func readSchema(txn *badger.Txn) (uint32, error) {
	item, err := txn.Get(schemaKey)
	if err != nil {
		return 0, err
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return 0, err
	}
	if len(v) != 4 || binary.BigEndian.Uint32(v) == 0 {
		return 0, fmt.Errorf("%w: bad schema version", ErrCorrupt)
	}
	return binary.BigEndian.Uint32(v), nil
}

func writeSchema(txn *badger.Txn, v uint32) error {
	return txn.Set(schemaKey, binary.BigEndian.AppendUint32(nil, v))
}

// isEmpty reports whether the database holds no key at all.
func isEmpty(txn *badger.Txn) bool {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	it := txn.NewIterator(opts)
	defer it.Close()
	it.Rewind()
	return !it.Valid()
}

// prepareSchema checks the schema version and runs the migrations it needs.
// An empty database is stamped with the current version if initEmpty is set.
func prepareSchema(db *badger.DB, migs []migration, initEmpty bool) error {
	current := uint32(len(migs) + 1)
	var v uint32
	err := db.Update(func(txn *badger.Txn) error {
		var err error
		v, err = readSchema(txn)
		if errors.Is(err, badger.ErrKeyNotFound) {
			if !initEmpty || !isEmpty(txn) {
				return fmt.Errorf("%w: no schema version", ErrCorrupt)
			}
			v = current
			return writeSchema(txn, v)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > current {
		return fmt.Errorf("%w (schema %d, this version reads up to %d)", ErrNewerSchema, v, current)
	}
	for ; v < current; v++ {
		if err := migs[v-1](db); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
		next := v + 1
		if err := db.Update(func(txn *badger.Txn) error { return writeSchema(txn, next) }); err != nil {
			return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
		}
	}
	return nil
}

// Schema returns the database's schema version.
func (s *Store) Schema() (int, error) {
	var v uint32
	err := s.view(func(txn *badger.Txn) error {
		var err error
		v, err = readSchema(txn)
		return err
	})
	return int(v), err
}
