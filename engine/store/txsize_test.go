package store

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/nookchat/nook/engine/model"
)

// The largest transactions the engine writes, as engine/files/transfer
// writes them: a batch of 16 received chunks (its batch) with the
// transfer's record; a chunk of 16 KiB or more is padded to 64 KiB (its
// padFrom and vlogValue) and so goes to the value log, a smaller one stays
// in the tree.
const (
	fileBatch   = 16
	chunkPadded = 64 << 10
	chunkInTree = 16<<10 - 1
)

// writeFileBatch stores, in one transaction, fileBatch chunks of size
// bytes and a record, as the file transfer does.
func writeFileBatch(update func(fn func(tx *BucketTx) error) error, size int) error {
	return update(func(tx *BucketTx) error {
		for i := range fileBatch {
			key := append(bytes.Repeat([]byte{'c'}, 17), byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
			if err := tx.Put(key, bytes.Repeat([]byte{byte(i)}, size)); err != nil {
				return err
			}
		}
		return tx.Put([]byte("record"), make([]byte, 512))
	})
}

// TestLargestTransactions: with the store's Badger options (Badger
// refuses a transaction holding more than 15 % of MemTableSize,
// ErrTxnTooBig) the largest transactions the engine writes fit: a file's
// batch of received chunks, whatever their size (up to 16 small chunks
// in the tree), and DeleteConversation's batches (3 deletions for each
// of 1000 messages). With a memtable of 1 MiB the file batch is refused,
// so the test sees a memtable too small for it.
func TestLargestTransactions(t *testing.T) {
	s := openTest(t, t.TempDir())
	b := s.Bucket("files")
	for _, size := range []int{chunkInTree, chunkPadded} {
		if err := writeFileBatch(b.Update, size); err != nil {
			t.Fatalf("%d chunks of %d bytes: %v", fileBatch, size, err)
		}
	}

	conv := model.ConversationID("a-conversation-with-many-messages")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2*deleteBatch + 1 {
		if _, err := s.AppendMessage(msg(conv, fmt.Sprint("message ", i), at)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteConversation(conv); err != nil {
		t.Fatalf("DeleteConversation of %d messages: %v", 2*deleteBatch+1, err)
	}

	db, err := badger.Open(badgerOptions(t.TempDir(), s.key, s.opts).WithMemTableSize(1 << 20))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	small := func(fn func(tx *BucketTx) error) error {
		return db.Update(func(txn *badger.Txn) error { return fn(&BucketTx{b: b, txn: txn}) })
	}
	if err := writeFileBatch(small, chunkInTree); !errors.Is(err, badger.ErrTxnTooBig) {
		t.Fatalf("with a memtable of 1 MiB a file batch gave %v, want ErrTxnTooBig", err)
	}
}
