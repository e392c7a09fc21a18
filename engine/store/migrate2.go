package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// migrateBatch bounds the keys one transaction of a migration rewrites.
const migrateBatch = 500

// indexPerConversation is migration 1 → 2. Schema 1 indexed messages by ID
// alone (i messageID → conv, seq), so one conversation's message could make
// another conversation's message of the same ID a "duplicate". Schema 2
// keys the index by conversation (i conv messageID → seq), records which
// conversations hold an ID (I messageID conv), and gives each running
// disappearing timer (x expiry messageID) its conversation and Seq as
// value, since an ID no longer finds a message by itself.
//
// The timers go first (they read the old index), then the index entries,
// each rewritten and its old key deleted in one transaction: run again
// after an interruption, the migration finds only what is left to do.
func indexPerConversation(db *badger.DB) error {
	if err := migrateBatches(db, []byte{kindExpiry}, func(txn *badger.Txn, k, v []byte) error {
		if len(v) > 0 || len(k) != 1+8+len(model.MessageID{}) {
			return nil // done already (or not a timer: left to DeleteExpired)
		}
		var id model.MessageID
		copy(id[:], k[9:])
		item, err := txn.Get(idKey(kindMsgIndex, id))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return txn.Delete(k) // its message is gone
		} else if err != nil {
			return err
		}
		ptr, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if _, _, err := decodePointer(ptr); err != nil {
			return err
		}
		return txn.Set(k, ptr)
	}); err != nil {
		return err
	}
	return migrateBatches(db, []byte{kindMsgIndex}, func(txn *badger.Txn, k, v []byte) error {
		if len(k) != 1+len(model.MessageID{}) {
			return nil // a schema-2 entry
		}
		var id model.MessageID
		copy(id[:], k[1:])
		conv, seq, err := decodePointer(v)
		if err != nil {
			return err
		}
		if err := txn.Set(msgIndexKey(conv, id), encodeSeq(seq)); err != nil {
			return err
		}
		if err := txn.Set(idConvKey(id, conv), nil); err != nil {
			return err
		}
		return txn.Delete(k)
	})
}

// migrateBatches calls fn on every key with prefix (and its value), at most
// migrateBatch keys per transaction. fn must leave a key it has handled so
// that a second call on it does nothing.
func migrateBatches(db *badger.DB, prefix []byte, fn func(txn *badger.Txn, k, v []byte) error) error {
	var after []byte // the last key handled
	for {
		type kv struct{ k, v []byte }
		var batch []kv
		err := db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			defer it.Close()
			it.Rewind()
			if after != nil {
				it.Seek(after)
				if it.Valid() && string(it.Item().Key()) == string(after) {
					it.Next()
				}
			}
			for ; it.Valid() && len(batch) < migrateBatch; it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				batch = append(batch, kv{it.Item().KeyCopy(nil), v})
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		err = db.Update(func(txn *badger.Txn) error {
			for _, e := range batch {
				if err := fn(txn, e.k, e.v); err != nil {
					return fmt.Errorf("key kind %q: %w", prefix[0], err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		after = batch[len(batch)-1].k
	}
}
