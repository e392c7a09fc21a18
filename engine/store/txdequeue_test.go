package store

import (
	"errors"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
)

// TestTxDequeue: a transaction dequeues messages together with other
// changes, or nothing when it fails.
func TestTxDequeue(t *testing.T) {
	s := openTest(t, t.TempDir())
	now := time.Now()
	a, b := msg("conv-a", "one", now), msg("conv-a", "two", now)
	for _, m := range []model.Message{a, b} {
		if _, err := s.QueueMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	failed := errors.New("failed")
	err := s.Update(func(tx *Tx) error {
		if err := tx.Dequeue(a.ID); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	if got, _ := s.Outbox("conv-a"); len(got) != 2 {
		t.Fatalf("a failed transaction dequeued: %v", got)
	}
	err = s.Update(func(tx *Tx) error {
		if err := tx.Dequeue(a.ID); err != nil {
			return err
		}
		if err := tx.Dequeue(a.ID); err != nil { // twice: nothing more
			return err
		}
		return tx.Bucket("other").Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Outbox("conv-a"); len(got) != 1 || got[0] != b.ID {
		t.Fatalf("outbox after Tx.Dequeue: %v", got)
	}
	if v, err := s.Bucket("other").Get([]byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("the other change of the transaction: %q, %v", v, err)
	}
	// Enqueued again, it goes to the end.
	if err := s.Enqueue("conv-a", a.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Outbox("conv-a"); len(got) != 2 || got[0] != b.ID || got[1] != a.ID {
		t.Fatalf("outbox after enqueuing again: %v", got)
	}
}
