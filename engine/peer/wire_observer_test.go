package peer

import (
	"bytes"
	"context"
	"net"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/wire"
)

// What a network observer between two peers sees (docs/security.md, the
// "network observer" column, below Tor): these tests wrap the transport
// so that every byte written to or read from a connection is recorded.

// recording wraps the transports of a test and keeps every connection's
// two byte streams and the size of every write call.
type recording struct {
	mu    sync.Mutex
	conns []*recConn
}

func (r *recording) wrap(tr transport.Transport) transport.Transport {
	return &recTransport{inner: tr, rec: r}
}

func (r *recording) add(c net.Conn, dialled bool) net.Conn {
	rc := &recConn{Conn: c, dialled: dialled}
	r.mu.Lock()
	r.conns = append(r.conns, rc)
	r.mu.Unlock()
	return rc
}

type recTransport struct {
	inner transport.Transport
	rec   *recording
}

func (t *recTransport) Listen(ctx context.Context, id *identity.Identity) (net.Listener, error) {
	ln, err := t.inner.Listen(ctx, id)
	if err != nil {
		return nil, err
	}
	return &recListener{Listener: ln, rec: t.rec}, nil
}

func (t *recTransport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	c, err := t.inner.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	return t.rec.add(c, true), nil
}

type recListener struct {
	net.Listener
	rec *recording
}

func (l *recListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.rec.add(c, false), nil
}

// recConn records what passes through a connection. The transport's
// net.Conn wrapper (transport.Conn, with the onion addresses) is kept
// underneath, so RemoteAddr still names the peer.
type recConn struct {
	net.Conn
	dialled bool
	mu      sync.Mutex
	written bytes.Buffer
	read    bytes.Buffer
	writes  []int // the size of every write call that succeeded
	partial bool  // a write failed part way (the connection was closing)
}

func (c *recConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.written.Write(p[:n])
	if err == nil {
		c.writes = append(c.writes, n)
	} else if n > 0 {
		c.partial = true
	}
	c.mu.Unlock()
	return n, err
}

func (c *recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.read.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

// looksRandom reports whether an 8192-byte unit is indistinguishable from
// random bytes by a chi-square test of its byte histogram (255 degrees of
// freedom: mean 255, standard deviation 22.6; P(chi-square > 420) is
// about 4·10^-10, so a run of a thousand units raises a false alarm about
// once in two million runs).
func looksRandom(unit []byte) (float64, bool) {
	var hist [256]int
	for _, b := range unit {
		hist[b]++
	}
	exp := float64(len(unit)) / 256
	chi := 0.0
	for _, h := range hist {
		d := float64(h) - exp
		chi += d * d / exp
	}
	return chi, chi < 420
}

// TestWireShowsOnlyFixedSizeRandomFrames runs the whole conversation suite
// (contact request and acceptance, profile names, 200 messages with their
// acknowledgements, a contact offline and back, a queue delivered on
// reconnection, both restarting) over recorded loopback transports. Every
// write on every connection, the handshake included, is a whole number of
// wire.FrameSize units; each connection's streams are whole units; every
// unit looks random but one; and no message text, name, address or key
// appears anywhere in what crossed the wire.
//
// The one exception is the handshake's first message (dialler to
// listener), which is cleartext by construction (docs/protocol.md §3.3:
// "Nook", the format, the version offer, the ephemeral key and zero
// padding): it is checked to be exactly that and to carry no identity.
// Over Tor only the dialled onion service sees it; over any other
// transport it would let an observer recognise Nook (docs/security.md,
// "Known limits").
func TestWireShowsOnlyFixedSizeRandomFrames(t *testing.T) {
	rec := &recording{}
	inner := loopbackNet(t)
	nw := inner
	nw.name = "recorded loopback"
	nw.new = func(tb testing.TB) transport.Transport { return rec.wrap(inner.new(tb)) }
	runConversation(t, nw)

	alice, _ := identity.FromSeed(bytes.Repeat([]byte{1}, 32)) // as runConversation makes them
	bob, _ := identity.FromSeed(bytes.Repeat([]byte{2}, 32))
	plain := [][]byte{[]byte("a→b 0"), []byte("b→a 0"), []byte("while away"), []byte("replying"), []byte("still here"),
		[]byte("alice"), []byte(alice.Address())[:16], []byte(bob.Address())[:16], alice.PublicKey()[:16], bob.PublicKey()[:16]}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.conns) < 4 {
		t.Fatalf("only %d connections recorded: the test would prove little", len(rec.conns))
	}
	units, worst := 0, 0.0
	for i, c := range rec.conns {
		c.mu.Lock()
		for _, n := range c.writes {
			if n%wire.FrameSize != 0 {
				t.Errorf("connection %d: a write of %d bytes, not a multiple of %d", i, n, wire.FrameSize)
			}
		}
		for dir, s := range map[string][]byte{"written": c.written.Bytes(), "read": c.read.Bytes()} {
			if len(s)%wire.FrameSize != 0 && !c.partial {
				// A read stream may end in a partial frame only when the
				// other side's connection was cut mid-write.
				t.Logf("connection %d: %d bytes %s, a partial frame at the end", i, len(s), dir)
			}
			first := c.dialled == (dir == "written") // this stream starts with message 1
			for off := 0; off+wire.FrameSize <= len(s); off += wire.FrameSize {
				unit := s[off : off+wire.FrameSize]
				if off == 0 && first {
					// "Nook", format, offer (22 bytes), ephemeral key (32), then zeros.
					if !bytes.HasPrefix(unit, []byte("Nook")) || len(bytes.Trim(unit[22+32:], "\x00")) != 0 {
						t.Errorf("connection %d: the first %s unit is not a handshake message 1", i, dir)
					}
					continue
				}
				units++
				chi, ok := looksRandom(unit)
				worst = max(worst, chi)
				if !ok {
					t.Errorf("connection %d, %s unit %d does not look random (chi-square %.0f)", i, dir, off/wire.FrameSize, chi)
				}
			}
			for _, p := range plain {
				if bytes.Contains(s, p) {
					t.Errorf("connection %d: %q appears on the wire (%s)", i, p, dir)
				}
			}
		}
		c.mu.Unlock()
	}
	t.Logf("%d connections, %d units of %d bytes, largest chi-square %.0f", len(rec.conns), units, wire.FrameSize, worst)
}
