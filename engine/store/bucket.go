package store

import (
	"bytes"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"github.com/nookchat/nook/engine/model"
)

// A Bucket is a namespace of keys and values that a package outside the
// store (groups, invites, tokens) owns: the store keeps its records without
// interpreting them. Two buckets never see each other's keys.
type Bucket struct {
	s      *Store
	name   string
	prefix []byte
}

// Bucket returns the bucket with the given name. Names are checked when the
// bucket is used: an empty or overlong name makes every method return an
// error wrapping ErrInvalid.
func (s *Store) Bucket(name string) *Bucket {
	return &Bucket{s: s, name: name, prefix: bucketPrefix(name)}
}

func (b *Bucket) key(k []byte) ([]byte, error) {
	if err := checkName("bucket name", b.name); err != nil {
		return nil, err
	}
	if err := checkName("bucket key", string(k)); err != nil {
		return nil, err
	}
	return append(append(make([]byte, 0, len(b.prefix)+len(k)), b.prefix...), k...), nil
}

// Get returns the value stored under key, or ErrNotFound.
func (b *Bucket) Get(key []byte) ([]byte, error) {
	var v []byte
	err := b.s.view(func(txn *badger.Txn) error {
		var err error
		v, err = (&BucketTx{b: b, txn: txn}).Get(key)
		return err
	})
	return v, err
}

// Put stores value under key, replacing what was there.
func (b *Bucket) Put(key, value []byte) error {
	return b.Update(func(tx *BucketTx) error { return tx.Put(key, value) })
}

// Delete removes key, if it is there.
func (b *Bucket) Delete(key []byte) error {
	return b.Update(func(tx *BucketTx) error { return tx.Delete(key) })
}

// Iterate calls fn with every key that starts with prefix (all keys for an
// empty prefix) and its value, in key order, until fn returns an error,
// which Iterate returns. fn gets copies it may keep.
func (b *Bucket) Iterate(prefix []byte, fn func(key, value []byte) error) error {
	if err := checkName("bucket name", b.name); err != nil {
		return err
	}
	full := append(append([]byte(nil), b.prefix...), prefix...)
	return b.s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: full})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := fn(bytes.Clone(item.Key()[len(b.prefix):]), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Update runs fn in one transaction: all its changes are stored, or none.
// fn may be run more than once if a concurrent change conflicts with it, so
// it must have no effects outside tx.
func (b *Bucket) Update(fn func(tx *BucketTx) error) error {
	if err := checkName("bucket name", b.name); err != nil {
		return err
	}
	return b.s.update(func(txn *badger.Txn) error { return fn(&BucketTx{b: b, txn: txn}) })
}

// Update runs fn in one read-write transaction that can change several
// buckets and append messages together. Like Bucket.Update, fn may run more
// than once.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.update(func(txn *badger.Txn) error { return fn(&Tx{txn: txn, s: s}) })
}

// Tx is a transaction of Store.Update.
type Tx struct {
	s   *Store
	txn *badger.Txn
}

// Bucket returns the named bucket inside the transaction.
func (tx *Tx) Bucket(name string) *BucketTx {
	return &BucketTx{b: tx.s.Bucket(name), txn: tx.txn}
}

// AppendMessage is Store.AppendMessage inside the transaction.
func (tx *Tx) AppendMessage(m model.Message) (model.Message, error) {
	err := appendMessage(tx.txn, &m)
	return m, err
}

// Enqueue is Store.Enqueue inside the transaction.
func (tx *Tx) Enqueue(conv model.ConversationID, id model.MessageID) error {
	return enqueue(tx.txn, conv, id)
}

// Dequeue is Store.Dequeue inside the transaction.
func (tx *Tx) Dequeue(id model.MessageID) error {
	return dequeue(tx.txn, id)
}

// BucketTx is a bucket inside a transaction.
type BucketTx struct {
	b   *Bucket
	txn *badger.Txn
}

// Get returns the value stored under key, or ErrNotFound.
func (tx *BucketTx) Get(key []byte) ([]byte, error) {
	k, err := tx.b.key(key)
	if err != nil {
		return nil, err
	}
	item, err := tx.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// Put stores value under key.
func (tx *BucketTx) Put(key, value []byte) error {
	k, err := tx.b.key(key)
	if err != nil {
		return err
	}
	return tx.txn.Set(k, bytes.Clone(value))
}

// PutOwned is Put without copying value, which becomes the transaction's:
// the caller must not change it until Update has returned. After that it
// may reuse it (the store keeps copies: TestPutOwned). For large values
// written in bulk, such as a group server's blobs.
func (tx *BucketTx) PutOwned(key, value []byte) error {
	k, err := tx.b.key(key)
	if err != nil {
		return err
	}
	return tx.txn.Set(k, value)
}

// Delete removes key, if it is there.
func (tx *BucketTx) Delete(key []byte) error {
	k, err := tx.b.key(key)
	if err != nil {
		return err
	}
	return tx.txn.Delete(k)
}

// ConversationsWith is Store.ConversationsWith inside the transaction.
func (tx *Tx) ConversationsWith(id model.MessageID) ([]model.ConversationID, error) {
	return conversationsWith(tx.txn, id)
}
