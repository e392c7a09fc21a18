package tor_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/tor"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/transporttest"
)

// engine is a Tor transport under test with its status history.
type engine struct {
	*tor.Tor
	started time.Time

	mu       sync.Mutex // guards statuses
	statuses []tor.Status
	changed  chan struct{} // closed and replaced at every status
}

// startEngine starts a Tor transport in the private network with its data
// in dataDir, and closes it when the test ends.
func startEngine(t testing.TB, n *tortest.Network, dataDir string, opts ...func(*tor.Config)) *engine {
	t.Helper()
	e, err := newEngine(n, dataDir, opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// newEngine starts a Tor transport in the private network; the caller
// closes it.
func newEngine(n *tortest.Network, dataDir string, opts ...func(*tor.Config)) (*engine, error) {
	e := &engine{changed: make(chan struct{})}
	cfg := tor.Config{
		DataDir:        dataDir,
		TorPath:        n.Tor,
		PrivateNetwork: n.Client(),
		RestartBackoff: 100 * time.Millisecond,
		StopGrace:      2 * time.Second,
		OnStatus: func(s tor.Status) {
			e.mu.Lock()
			e.statuses = append(e.statuses, s)
			close(e.changed)
			e.changed = make(chan struct{})
			e.mu.Unlock()
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.Tor = tor.New(cfg)
	e.started = time.Now()
	if err := e.Start(context.Background()); err != nil {
		return nil, err
	}
	return e, nil
}

// waitStatus waits until a status satisfying ok was reported after the
// first skip statuses; it returns its index.
func (e *engine) waitStatus(ctx context.Context, skip int, ok func(tor.Status) bool) (int, error) {
	for {
		e.mu.Lock()
		for i := skip; i < len(e.statuses); i++ {
			if ok(e.statuses[i]) {
				e.mu.Unlock()
				return i, nil
			}
		}
		ch := e.changed
		e.mu.Unlock()
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-ch:
		}
	}
}

func (e *engine) history() []tor.Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]tor.Status(nil), e.statuses...)
}

// transient reports errors worth retrying right after a publication.
func transient(err error) bool {
	var se *tor.SOCKSError
	return errors.As(err, &se) && errors.Is(err, transport.ErrUnreachable)
}

// dialRetry dials with retries; each attempt gets 8 s, and after an attempt
// that hung the client forgets its cached descriptors (see
// ForgetOnionDescriptors).
func dialRetry(ctx context.Context, tr *engine, addr identity.Address) (net.Conn, error) {
	for {
		actx, cancel := context.WithTimeout(ctx, 8*time.Second)
		c, err := transporttest.DialRetry(actx, tr, addr, transient)
		cancel()
		if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
			return c, err
		}
		tr.ForgetOnionDescriptors()
	}
}

// echoService publishes an echo service as a new identity on srv and
// dials it from cl; both end with the test.
func echoService(tb testing.TB, ctx context.Context, srv, cl *engine) (*identity.Identity, net.Conn) {
	tb.Helper()
	id := newID(tb)
	ln, err := srv.Listen(ctx, id)
	if err != nil {
		tb.Fatalf("Listen: %v", err)
	}
	tb.Cleanup(transporttest.Echo(ln))
	c, err := dialRetry(ctx, cl, id.Address())
	if err != nil {
		tb.Fatalf("Dial: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	return id, c
}

func newID(t testing.TB) *identity.Identity {
	id, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// pair is two engines, A (server) and B (client), shared by the tests and
// benchmarks that need an established pair; closePair (from TestMain)
// closes them before the network stops.
var pair struct {
	once sync.Once
	dir  string
	a, b *engine
	err  error
	// readyA and readyB are the engines' first-start bootstrap times.
	readyA, readyB time.Duration
}

func sharedPair(t testing.TB) (a, b *engine) {
	t.Helper()
	n := tortest.Shared(t)
	pair.once.Do(func() {
		if pair.dir, pair.err = os.MkdirTemp("", "nook-tor-pair-"); pair.err != nil {
			return
		}
		if pair.a, pair.err = newEngine(n, filepath.Join(pair.dir, "a")); pair.err != nil {
			return
		}
		if pair.b, pair.err = newEngine(n, filepath.Join(pair.dir, "b")); pair.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if pair.err = pair.a.WaitReady(ctx); pair.err != nil {
			return
		}
		pair.readyA = time.Since(pair.a.started)
		if pair.err = pair.b.WaitReady(ctx); pair.err != nil {
			return
		}
		pair.readyB = time.Since(pair.b.started)
	})
	if pair.err != nil {
		t.Fatalf("engines: %v\nA's log:\n%s\nB's log:\n%s", pair.err,
			logTail(filepath.Join(pair.dir, "a", "notice.log")), logTail(filepath.Join(pair.dir, "b", "notice.log")))
	}
	return pair.a, pair.b
}

func closePair() {
	for _, e := range []*engine{pair.a, pair.b} {
		if e != nil {
			e.Close()
		}
	}
	if pair.dir != "" {
		os.RemoveAll(pair.dir)
	}
}

// logTail returns the end of a tor notice log, for failure messages.
func logTail(file string) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 25 {
		lines = lines[len(lines)-25:]
	}
	return strings.Join(lines, "\n")
}
