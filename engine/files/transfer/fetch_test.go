package transfer

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// testSource is a file service of the fetch tests: it serves data's
// chunks as asked, each through lie (nil: it stops serving and only
// reads), after calling first once with its first request.
type testSource struct {
	addr identity.Address

	mu     sync.Mutex
	reqs   []protocol.FileRequest
	served int
}

func (s *testSource) requests() []protocol.FileRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]protocol.FileRequest(nil), s.reqs...)
}

func (s *testSource) chunks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served
}

func startSource(t *testing.T, tr *loopback.Transport, id model.MessageID, data []byte, first func(), lie func(c *protocol.FileChunk) *protocol.FileChunk) *testSource {
	t.Helper()
	src := &testSource{}
	var once sync.Once
	src.addr = fakeService(t, tr, func(s *handshake.Session) {
		stopped := false
		for {
			q, ok := nextRequest(s)
			if !ok {
				return
			}
			src.mu.Lock()
			src.reqs = append(src.reqs, *q)
			src.mu.Unlock()
			once.Do(first)
			for i := q.First; i < q.First+uint32(q.Count) && !stopped; i++ {
				c := lie(chunkOf(id, data, groupChunk, int(i)))
				if c == nil {
					stopped = true // reads on until the fetcher closes
					break
				}
				if s.Send(c) != nil {
					return
				}
				src.mu.Lock()
				src.served++
				src.mu.Unlock()
			}
		}
	})
	return src
}

func honest(c *protocol.FileChunk) *protocol.FileChunk { return c }

// barrier returns first-request hooks for n sources: each waits until
// all n were asked for something (or the test's step passed).
func barrier(t *testing.T, n int) func() {
	var asked sync.WaitGroup
	asked.Add(n)
	all := make(chan struct{})
	go func() { asked.Wait(); close(all) }()
	return func() {
		asked.Done()
		select {
		case <-all:
		case <-time.After(30 * time.Second):
			t.Error("the fetch did not ask every source at once")
		}
	}
}

// TestGroupFetchSeveralSources: three sources, one of which lies about
// every chunk. No source sends a chunk before all three were asked, so
// the fetch asks them for different ranges at once; the liar is dropped
// at its first chunk, its ranges go to the two honest sources, which
// both serve part of the file, and the file arrives whole and verified.
func TestGroupFetchSeveralSources(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	data, o := alice.share(t, 600_000) // 147 chunks, 10 units
	wait := barrier(t, 3)
	a := startSource(t, alice.net, o.ID, data, wait, honest)
	b := startSource(t, alice.net, o.ID, data, wait, honest)
	liar := startSource(t, alice.net, o.ID, data, wait, func(c *protocol.FileChunk) *protocol.FileChunk {
		c.Data = append([]byte(nil), c.Data...)
		c.Data[0] ^= 1
		return c
	})
	if err := carol.fetch(t, o, liar.addr, a.addr, b.addr); err != nil {
		t.Fatalf("fetch from three sources: %v", err)
	}
	carol.holds(t, o, data)
	if a.chunks() == 0 || b.chunks() == 0 {
		t.Fatalf("the honest sources served %d and %d chunks; want both a part", a.chunks(), b.chunks())
	}
	if a.chunks()+b.chunks() < 147 {
		t.Fatalf("the honest sources served %d chunks of 147", a.chunks()+b.chunks())
	}
	firsts := map[uint32]bool{}
	for _, s := range []*testSource{a, b, liar} {
		r := s.requests()
		if len(r) == 0 {
			t.Fatal("a source was never asked")
		}
		firsts[r[0].First] = true
	}
	if len(firsts) != 3 {
		t.Fatalf("the three sources were first asked for the same ranges: %v", firsts)
	}
}

// TestGroupFetchStalledSource: a source that is asked and never sends
// holds nothing back: the other source takes over its ranges, and the
// file arrives whole from it.
func TestGroupFetchStalledSource(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	data, o := alice.share(t, 300_000)
	wait := barrier(t, 2)
	stall := startSource(t, alice.net, o.ID, data, wait, func(*protocol.FileChunk) *protocol.FileChunk { return nil })
	a := startSource(t, alice.net, o.ID, data, wait, honest)
	if err := carol.fetch(t, o, stall.addr, a.addr); err != nil {
		t.Fatalf("fetch beside a stalled source: %v", err)
	}
	carol.holds(t, o, data)
	if len(stall.requests()) == 0 || stall.chunks() != 0 {
		t.Fatalf("the stalled source was asked %d times and sent %d chunks", len(stall.requests()), stall.chunks())
	}
}

// TestGroupFetchBounded: however far a fast source could go, a fetch asks
// for no chunk more than unitsAhead units beyond the first it has not
// stored: here a stalled source holds the first units until the fast one
// takes them over, and the fast one's requests stay within the bound.
func TestGroupFetchBounded(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	data, o := alice.share(t, 1_000_000) // 245 chunks, 16 units
	var stallAsked sync.WaitGroup
	stallAsked.Add(1)
	stall := startSource(t, alice.net, o.ID, data, stallAsked.Done, func(*protocol.FileChunk) *protocol.FileChunk { return nil })
	// The fast source starts only once the stalled one holds the first
	// units: it was dialled alone.
	a := startSource(t, alice.net, o.ID, data, func() {}, honest)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := carol.tr.OfferedGroup(gconv, o); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.tr.Accept(gconv, o.ID); err != nil {
		t.Fatal(err)
	}
	dial := Dialer(carol.net, nil)
	gated := func(ctx context.Context, src identity.Address) (GroupConn, error) {
		if src == a.addr {
			stallAsked.Wait()
		}
		return dial(ctx, src)
	}
	if err := carol.tr.FetchGroup(ctx, gconv, o.ID, []identity.Address{stall.addr, a.addr}, gated); err != nil {
		t.Fatal(err)
	}
	carol.holds(t, o, data)
	if r := stall.requests(); len(r) == 0 || r[0].First != 0 {
		t.Fatalf("the stalled source was asked %v", r)
	}
	// Until the fast source took over unit 0 (its request from chunk 0),
	// nothing past unitsAhead units was asked of it.
	for _, q := range a.requests() {
		if q.First == 0 {
			break
		}
		if end := q.First + uint32(q.Count); end > unitsAhead*batch {
			t.Fatalf("asked for chunks up to %d while chunk 0 was not here (bound %d)", end, unitsAhead*batch)
		}
	}
}

// TestGroupFetchIdleSource: a lone source that is asked and never sends
// is dropped after SourceIdle; the fetch ends with ErrNoSource (and
// waits for the next try) instead of holding on to it until the profile
// locks.
func TestGroupFetchIdleSource(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	carol.tr.cfg.SourceIdle = 200 * time.Millisecond
	data, o := alice.share(t, 100_000)
	stall := startSource(t, alice.net, o.ID, data, func() {}, func(*protocol.FileChunk) *protocol.FileChunk { return nil })
	if err := carol.fetch(t, o, stall.addr); !errors.Is(err, ErrNoSource) {
		t.Fatalf("fetch from a stalled source: %v", err)
	}
	if len(stall.requests()) == 0 {
		t.Fatal("the stalled source was never asked")
	}
}

// TestGroupFetchMismatch: an announcement whose chunk tree matches the
// file but whose SHA-256 does not (the author's own announcement was
// inconsistent) fails the file once every chunk arrived: ErrMismatch,
// the file failed, nothing of it kept, never reported complete.
func TestGroupFetchMismatch(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	data, o := alice.share(t, 300_000)
	o.SHA256[0] ^= 1
	a := startSource(t, alice.net, o.ID, data, func() {}, honest)
	b := startSource(t, alice.net, o.ID, data, func() {}, honest)
	if err := carol.fetch(t, o, a.addr, b.addr); !errors.Is(err, ErrMismatch) {
		t.Fatalf("fetch of an inconsistent announcement: %v", err)
	}
	if ft, err := carol.tr.File(gconv, o.ID); err != nil || ft.State != model.FileFailed || ft.Done != 0 {
		t.Fatalf("after the mismatch: %+v, %v", ft, err)
	}
	if n := chunksStored(t, carol.tr); n != 0 {
		t.Fatalf("%d chunks kept of a file that did not match", n)
	}
}

// TestGroupFetchLiveSource: a member's holder note that arrives while a
// fetch waits on a stalled source adds it to the running fetch
// (FetchGroupLive), which completes from it at once rather than after
// the stalled source's idle time and the next try.
func TestGroupFetchLiveSource(t *testing.T) {
	m := newMembers(t, 2)
	alice, carol := m[0], m[1]
	data, o := alice.share(t, 300_000)
	asked := make(chan struct{})
	stall := startSource(t, alice.net, o.ID, data, func() { close(asked) }, func(*protocol.FileChunk) *protocol.FileChunk { return nil })
	if _, err := carol.tr.OfferedGroup(gconv, o); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.tr.Accept(gconv, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.tr.AddSource(gconv, o.ID, stall.addr, stall.addr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // below SourceIdle + a retry
	defer cancel()
	more := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- carol.tr.FetchGroupLive(ctx, gconv, o.ID, more, Dialer(carol.net, nil)) }()
	select {
	case <-asked:
	case <-ctx.Done():
		t.Fatal("the stalled source was never asked")
	}
	a := startSource(t, alice.net, o.ID, data, func() {}, honest)
	if _, err := carol.tr.AddSource(gconv, o.ID, a.addr, a.addr); err != nil {
		t.Fatal(err)
	}
	more <- struct{}{}
	if err := <-done; err != nil {
		t.Fatalf("fetch after a holder note arrived: %v", err)
	}
	carol.holds(t, o, data)
	if a.chunks() == 0 {
		t.Fatal("the new source served nothing")
	}
}
