package engine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/nookchat/nook/engine/transport/loopback"
)

// openFixture copies testdata/profile-v1 (see TestWriteFixture) into a
// fresh data folder and unlocks it with this version of the engine.
func openFixture(t *testing.T) *testEngine {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "profiles"), os.DirFS(filepath.Join("testdata", "profile-v1"))); err != nil {
		t.Fatal(err)
	}
	e := newTestEngine(t, dir, loopback.New(loopback.NewMemoryDirectory()))
	if _, err := e.UnlockAny(context.Background(), "bob pw"); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestLegacyUnreadCounts: the unread counts an earlier version kept in the
// engine's bucket are the conversations' counts after an unlock, and the
// bucket is emptied.
func TestLegacyUnreadCounts(t *testing.T) {
	e := openFixture(t)
	convs, err := e.op().st.ListConversations()
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations %+v, %v; want the one with Alice", convs, err)
	}
	if convs[0].Unread != 2 {
		t.Fatalf("unread %d after the move, want 2", convs[0].Unread)
	}
	if n, err := e.Unread(convs[0].ID); err != nil || n != 2 {
		t.Fatalf("Unread = %d, %v; want 2", n, err)
	}
	left := 0
	e.op().st.Bucket(legacyUnreadBucket).Iterate(nil, func(k, v []byte) error { left++; return nil })
	if left != 0 {
		t.Fatalf("%d entries left in the old bucket", left)
	}
	if err := e.MarkRead(convs[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.Unread(convs[0].ID); n != 0 {
		t.Fatalf("unread %d after MarkRead", n)
	}
	// Locked and unlocked again, the count is not brought over twice.
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UnlockAny(context.Background(), "bob pw"); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.Unread(convs[0].ID); n != 0 {
		t.Fatalf("unread %d after a second unlock", n)
	}
}

// op returns the unlocked profile.
func (te *testEngine) op() *openProfile {
	te.t.Helper()
	op, err := te.current()
	if err != nil {
		te.t.Fatal(err)
	}
	return op
}
