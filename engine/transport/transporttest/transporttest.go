// Package transporttest provides the conformance suite every
// transport.Transport implementation passes: listen, dial, echo, close,
// duplicate listen, and dial an unknown address (transport.ErrUnreachable).
// engine/transport/loopback runs it in milliseconds; engine/tor runs the
// same suite over a private Tor network.
package transporttest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
)

// Env describes the implementation under test.
type Env struct {
	// Server publishes services; Client dials them. They may be the same.
	Server, Client transport.Transport
	// Transient reports whether a Dial error is expected to go away on its
	// own shortly after publication (Tor: descriptor not yet on the
	// directories). The suite retries such errors with backoff. Nil means
	// no error is transient.
	Transient func(error) bool
	// Timeout bounds each subtest (default 10 s).
	Timeout time.Duration
	// DialAfterClose, when true, checks that dialing a closed listener's
	// address fails with transport.ErrUnreachable. (Over Tor the
	// descriptor outlives the service and the failure takes an
	// introduction timeout, so the Tor suite leaves it off.)
	DialAfterClose bool
}

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, env Env) {
	if env.Timeout == 0 {
		env.Timeout = 10 * time.Second
	}
	t.Run("ListenAddr", func(t *testing.T) { testListenAddr(t, env) })
	t.Run("Echo", func(t *testing.T) { testEcho(t, env) })
	t.Run("DuplicateListen", func(t *testing.T) { testDuplicate(t, env) })
	t.Run("Close", func(t *testing.T) { testClose(t, env) })
	t.Run("DialUnknown", func(t *testing.T) { testDialUnknown(t, env) })
}

func newID(t *testing.T) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ctxFor(t *testing.T, env Env) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), env.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// DialRetry dials addr through tr, retrying errors that transient reports
// as transient with exponential backoff until ctx ends.
func DialRetry(ctx context.Context, tr transport.Transport, addr identity.Address, transient func(error) bool) (net.Conn, error) {
	backoff := 100 * time.Millisecond
	for {
		c, err := tr.Dial(ctx, addr)
		if err == nil || transient == nil || !transient(err) {
			return c, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, time.Second)
	}
}

// Echo serves ln until it is closed, echoing every connection; the returned
// function closes ln and waits for all serving goroutines.
func Echo(ln net.Listener) (stop func()) {
	var wg sync.WaitGroup
	var mu sync.Mutex // guards conns
	conns := map[net.Conn]struct{}{}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			wg.Go(func() {
				io.Copy(c, c)
				c.Close()
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			})
		}
	})
	return func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

func testListenAddr(t *testing.T, env Env) {
	id := newID(t)
	ln, err := env.Server.Listen(ctxFor(t, env), id)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	defer ln.Close()
	got, ok := transport.AddressOf(ln.Addr())
	if !ok || got != id.Address() {
		t.Fatalf("listener Addr() = %v, want an *transport.Addr for %s", ln.Addr(), id.Address())
	}
	if ln.Addr().Network() != transport.Network {
		t.Errorf("Network() = %q, want %q", ln.Addr().Network(), transport.Network)
	}
}

func testEcho(t *testing.T, env Env) {
	ctx := ctxFor(t, env)
	id := newID(t)
	ln, err := env.Server.Listen(ctx, id)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	stop := Echo(ln)
	defer stop()
	c, err := DialRetry(ctx, env.Client, id.Address(), env.Transient)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	if got, ok := transport.AddressOf(c.RemoteAddr()); !ok || got != id.Address() {
		t.Errorf("RemoteAddr() = %v, want %s", c.RemoteAddr(), id.Address())
	}
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	for _, n := range []int{32, 16 << 10} {
		msg := bytes.Repeat([]byte{byte(n)}, n)
		if _, err := c.Write(msg); err != nil {
			t.Fatalf("write %d bytes: %v", n, err)
		}
		got := make([]byte, n)
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatalf("read %d bytes: %v", n, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("echo of %d bytes differs", n)
		}
	}
}

func testDuplicate(t *testing.T, env Env) {
	ctx := ctxFor(t, env)
	id := newID(t)
	ln, err := env.Server.Listen(ctx, id)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	defer ln.Close()
	ln2, err := env.Server.Listen(ctx, id)
	if err == nil {
		ln2.Close()
		t.Fatal("second Listen for the same identity succeeded")
	}
	if !errors.Is(err, transport.ErrAddressInUse) {
		t.Fatalf("second Listen: %v, want ErrAddressInUse", err)
	}
}

func testClose(t *testing.T, env Env) {
	ctx := ctxFor(t, env)
	id := newID(t)
	ln, err := env.Server.Listen(ctx, id)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	accepted := make(chan error, 1)
	go func() {
		_, err := ln.Accept()
		accepted <- err
	}()
	if err := ln.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-accepted:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("Accept still blocked after Close")
	}
	ln.Close() // a second Close must not panic
	// The address can be published again.
	ln2, err := env.Server.Listen(ctx, id)
	if err != nil {
		t.Fatalf("Listen after Close: %v", err)
	}
	if env.DialAfterClose {
		ln2.Close()
		_, err = env.Client.Dial(ctx, id.Address())
		if !errors.Is(err, transport.ErrUnreachable) {
			t.Fatalf("Dial after Close: %v, want ErrUnreachable", err)
		}
		return
	}
	ln2.Close()
}

func testDialUnknown(t *testing.T, env Env) {
	ctx := ctxFor(t, env)
	id := newID(t)
	c, err := env.Client.Dial(ctx, id.Address())
	if err == nil {
		c.Close()
		t.Fatal("Dial of an unpublished address succeeded")
	}
	if !errors.Is(err, transport.ErrUnreachable) {
		t.Fatalf("Dial unknown: %v, want ErrUnreachable", err)
	}
}
