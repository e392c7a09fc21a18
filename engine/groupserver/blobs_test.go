package groupserver

import (
	"bytes"
	"testing"
	"time"
)

// TestCommitWaitsForPostsBeingChecked: a lone post is committed at once;
// a commit about to start waits for the posts whose tokens are being
// checked (arrive) and stores them with its own, in one commit; a post
// refused after its check releases the waiting commit too.
func TestCommitWaitsForPostsBeingChecked(t *testing.T) {
	s := startServer(t, testConfig(t, t.TempDir(), newLoopback()))
	b := s.blobs
	type result struct {
		seq uint64
		err error
	}
	post := func(i int) <-chan result {
		ch := make(chan result, 1)
		go func() {
			seq, err := b.append(blob(i), [32]byte{byte(i)})
			ch <- result{seq, err}
		}()
		return ch
	}
	wait := func(ch <-chan result, seq uint64) {
		t.Helper()
		select {
		case r := <-ch:
			if r.err != nil || r.seq != seq {
				t.Fatalf("post: seq %d, %v; want seq %d", r.seq, r.err, seq)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("post %d not committed", seq)
		}
	}
	// settled waits until n posts have left checking.
	settled := func(n uint64) {
		t.Helper()
		done := make(chan struct{})
		go func() {
			defer close(done)
			b.qmu.Lock()
			defer b.qmu.Unlock()
			for b.settled < n {
				b.joined.Wait()
			}
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("fewer than %d posts queued", n)
		}
	}
	commits := s.st.Commits()

	b.arrive()
	wait(post(0), 1)
	if got := s.st.Commits() - commits; got != 1 {
		t.Fatalf("a lone post took %d commits", got)
	}

	b.arrive()
	b.arrive()
	first := post(1)
	settled(2) // the first is queued and leads; the second is being checked
	select {
	case r := <-first:
		t.Fatalf("committed (seq %d) without the post being checked", r.seq)
	default:
	}
	second := post(2)
	wait(first, 2)
	wait(second, 3)
	if got := s.st.Commits() - commits; got != 2 {
		t.Fatalf("two posts checked together took %d commits, not 1", got-1)
	}

	b.arrive()
	b.arrive()
	third := post(3)
	settled(4)
	b.refused()
	wait(third, 4)
	if got := s.st.Commits() - commits; got != 3 {
		t.Fatalf("%d commits, want 3", got)
	}
	for seq := uint64(1); seq <= 4; seq++ {
		if v, err := b.get(seq); err != nil || !bytes.Equal(v, blob(int(seq)-1)) {
			t.Fatalf("stored blob %d: %v", seq, err)
		}
	}
}
