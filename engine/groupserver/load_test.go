package groupserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport"
)

// Load test parameters: 1,000 subscribed clients and a sustained post rate
// for a bounded time. Every post is 1,000 deliveries (8 KiB frames sealed
// by the server and opened by a client, both in this process), so under
// the race detector the rate and the duration are lower.
const loadClients = 1000

func loadParams() (rate int, d time.Duration) {
	if raceEnabled {
		return 2, 5 * time.Second
	}
	return 10, 20 * time.Second
}

// loadBlob is the blob of post i: its number in the first bytes, so a
// subscriber can check what it got, the rest fixed.
func loadBlob(i int) []byte {
	b := bytes.Repeat([]byte{0xA5}, protocol.BlobSize)
	binary.BigEndian.PutUint64(b, uint64(i))
	return b
}

// dialSession is dial without testing.TB, for use from goroutines.
func dialSession(ctx context.Context, tr transport.Transport, addr identity.Address) (*handshake.Session, error) {
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		return nil, err
	}
	raw, err := tr.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	sess, err := handshake.Client(ctx, raw, id, addr, nil)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return sess, nil
}

// loadSub is one subscriber's view: what it received, in order.
type loadSub struct {
	sess   *handshake.Session
	caught chan struct{} // closed at CaughtUp
	mu     sync.Mutex
	seqs   []uint64
	posts  []int // the post number carried by each blob
	bad    int   // blobs whose content is not a post's
	more   chan struct{}
	err    error
}

func (s *loadSub) run() {
	defer close(s.more)
	for {
		r, err := s.sess.Recv()
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
			return
		}
		switch r := r.(type) {
		case *protocol.CaughtUp:
			close(s.caught)
		case *protocol.Blob:
			n := int(binary.BigEndian.Uint64(r.Blob[:8]))
			s.mu.Lock()
			if !bytes.Equal(r.Blob[:], loadBlob(n)) {
				s.bad++
			}
			s.seqs = append(s.seqs, r.Seq)
			s.posts = append(s.posts, n)
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
		}
	}
}

func (s *loadSub) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seqs)
}

// rss returns the process's resident set size in bytes (Linux; 0 elsewhere).
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLoad1000Subscribers holds loadClients subscribed connections on
// loopback while one poster posts loadRate blobs per second for
// loadDuration, then checks that every subscriber received every blob
// exactly once, in order, and that memory stayed bounded.
func TestLoad1000Subscribers(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped with -short")
	}
	tr := newLoopback()
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.MaxConns = loadClients + 10
	cfg.MaxSubs = loadClients
	s := startServer(t, cfg)
	addr := s.Address()
	heap0, rss0 := heap(), rss()

	// Connect and subscribe the clients, a few at a time.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	subs := make([]*loadSub, loadClients)
	var wg sync.WaitGroup
	errs := make(chan error, loadClients)
	next := make(chan int)
	start := time.Now()
	for range 8 {
		wg.Go(func() {
			for i := range next {
				sess, err := dialSession(ctx, tr, addr)
				if err != nil {
					errs <- fmt.Errorf("client %d: %w", i, err)
					continue
				}
				subs[i] = &loadSub{sess: sess, caught: make(chan struct{}), more: make(chan struct{}, 1)}
				if err := sess.Send(&protocol.Subscribe{}); err != nil {
					errs <- fmt.Errorf("client %d subscribe: %w", i, err)
				}
			}
		})
	}
	for i := range loadClients {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var readers sync.WaitGroup
	defer func() {
		for _, sub := range subs {
			if sub != nil {
				sub.sess.Close()
			}
		}
		readers.Wait()
	}()
	for _, sub := range subs {
		readers.Go(sub.run)
	}
	for i, sub := range subs {
		select {
		case <-sub.caught:
		case <-ctx.Done():
			t.Fatalf("client %d never caught up", i)
		}
	}
	connected := time.Since(start)
	heap1, rss1 := heap(), rss()
	if st := s.Stats(); st.Subscriptions != loadClients {
		t.Fatalf("%d subscriptions, want %d", st.Subscriptions, loadClients)
	}

	// Post at a steady rate for loadDuration.
	poster := dial(t, tr, s)
	var toks []tokens.Token
	rate, dur := loadParams()
	total := rate * int(dur/time.Second)
	for len(toks) < total {
		toks = append(toks, poster.tokens(min(total-len(toks), tokens.MaxBatch))...)
	}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	seqOf := make(map[uint64]int, total)
	postStart := time.Now()
	for i := range total {
		<-tick.C
		r := poster.post(loadBlob(i), &toks[i])
		if r.Status != protocol.PostOK {
			t.Fatalf("post %d: %v", i, r.Status)
		}
		seqOf[r.Seq] = i
	}
	postTime := time.Since(postStart)

	// Every subscriber gets every blob, once, in order.
	deliverStart := time.Now()
	for i, sub := range subs {
		for sub.count() < total {
			select {
			case _, ok := <-sub.more:
				if !ok {
					t.Fatalf("client %d: connection ended after %d of %d blobs: %v", i, sub.count(), total, sub.err)
				}
			case <-ctx.Done():
				t.Fatalf("client %d: %d of %d blobs", i, sub.count(), total)
			}
		}
	}
	drain := time.Since(deliverStart)
	heap2, rss2 := heap(), rss()
	lost, dup, bad := 0, 0, 0
	for _, sub := range subs {
		sub.mu.Lock()
		seen := make(map[uint64]bool, len(sub.seqs))
		for j, seq := range sub.seqs {
			if seen[seq] {
				dup++
			}
			seen[seq] = true
			if p, ok := seqOf[seq]; !ok || p != sub.posts[j] || (j > 0 && seq <= sub.seqs[j-1]) {
				bad++
			}
		}
		lost += total - len(seen)
		bad += sub.bad
		sub.mu.Unlock()
	}
	st := s.Stats()
	t.Logf("%d subscribers connected and caught up in %v", loadClients, connected.Round(time.Millisecond))
	t.Logf("%d posts in %v (%.1f posts/s, target %d/s), %d blob deliveries, the last %v after the last post",
		total, postTime.Round(time.Millisecond), float64(total)/postTime.Seconds(), rate, total*loadClients, drain.Round(time.Millisecond))
	t.Logf("lost %d, duplicated %d, wrong %d; server: %d slow subscribers cut off, %d open connections", lost, dup, bad, st.SlowSubscribers, st.OpenConnections)
	t.Logf("heap: %d MiB before, %d MiB with %d subscribers, %d MiB after the load (clients and server in one process)",
		heap0>>20, heap1>>20, loadClients, heap2>>20)
	t.Logf("RSS:  %d MiB before, %d MiB with %d subscribers, %d MiB after the load", rss0>>20, rss1>>20, loadClients, rss2>>20)
	if lost != 0 || dup != 0 || bad != 0 || st.SlowSubscribers != 0 {
		t.Fatalf("lost %d, duplicated %d, wrong %d blobs; %d subscribers cut off", lost, dup, bad, st.SlowSubscribers)
	}
	// Bounded memory: the load itself must not grow the heap by more
	// than the buffers it is allowed (LiveBuffer blobs per subscriber).
	if limit := heap1 + uint64(loadClients)*uint64(cfg.LiveBuffer)*protocol.BlobSize/4 + 64<<20; heap2 > limit {
		t.Fatalf("heap grew from %d MiB to %d MiB under load", heap1>>20, heap2>>20)
	}
}
