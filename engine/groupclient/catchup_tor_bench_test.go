package groupclient

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/groupserver"
	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
)

// Sizes of BenchmarkCatchUpTor (issue 20, item 4).
const (
	torCatchUpBlobs = 20_000           // blobs the server holds
	torCatchUpEvery = 100              // every 100th is the member's group's
	torBandwidth    = 1 << 20          // bytes/s of every node of the network
	torServicePort  = 7326             // the group server's virtual port
	torRawPort      = 7327             // the raw download's, on the same service
	torSlow         = 30 * time.Minute // bounds each wait: 164 MB at 0.1 MB/s
)

// BenchmarkCatchUpTor catches up with a group server holding 20 000 blobs
// (1 % of them the member's group's, the others random, as other groups'
// are to it) over a private Tor network whose every node is limited to
// 1 MiB/s (tortest Options.Bandwidth), and compares it with raw downloads
// over the same circuit in the same iteration.
//
// The server is a real groupserver on disk. Its blobs are posted through
// the normal path (tokens, Post) over a local connection before Tor starts;
// then a tor of the network publishes it as an onion service with two
// virtual ports: the server's, and a raw one whose listener writes as many
// bytes as asked. The member's client dials through a second tor's SOCKS
// port with the same SOCKS credentials for every connection of an
// iteration (tor isolates streams by credentials, so all of them take one
// rendezvous circuit; the client checks it with GETINFO stream-status).
// Each iteration, a fresh member (its own store on disk) joins from an
// invite and catches up from the first blob, which is what a member coming
// back reads too; then, on the same circuit, it downloads raw the number of
// bytes the catch-up received, and then 20 000 × 4 KiB (the blobs' bytes
// alone). The circuit is built before the catch-up, untimed.
//
// Metrics: s/catchup, MB-received (all the member's connections), blobs/s,
// catchup-MB/s, raw-MB/s, catchup/raw (issue 20's target: at least 0.8)
// and catchup/raw-blobs (time of the raw download of the blobs' bytes over
// the catch-up's time: what the framing costs). Timings are reported,
// never asserted. Skipped without tor.
func BenchmarkCatchUpTor(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the private Tor network")
	}
	tortest.Require(b)
	monitor := tortest.StartMonitor(500 * time.Millisecond)
	defer func() {
		monitor.Stop()
		_, _, violations, err := monitor.Result()
		if err != nil {
			b.Error(err)
		}
		for _, v := range violations {
			b.Errorf("a tor connected outside 127.0.0.0/8: %v", v)
		}
		if left := tortest.TorChildren(); len(left) > 0 {
			b.Errorf("tor processes still running: %v", left)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Minute)
	defer cancel()

	// The server, its blobs posted over a local connection.
	host := &hostTransport{}
	cfg := serverConfig(b.TempDir(), host)
	cfg.PostsPerDay = groupserver.NoPostCap
	srv := startServer(b, cfg)
	defer srv.Close()
	bundle := srv.Bundle()
	g, inv := benchGroup(b, bundle)
	start := time.Now()
	if err := fillGroupServer(ctx, host, bundle, g, seedIdentity(b, "author")); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d blobs posted in %s", torCatchUpBlobs, time.Since(start).Round(time.Millisecond))

	// The raw service: writes as many bytes as the 8-byte count asks.
	rawLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var rawWG sync.WaitGroup
	defer func() { rawLn.Close(); rawWG.Wait() }()
	rawWG.Go(func() { serveRaw(rawLn, &rawWG) })

	// The network, limited; the server's tor and the member's.
	start = time.Now()
	n, err := tortest.Start(ctx, tortest.Options{Bandwidth: torBandwidth})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := n.Close(); err != nil {
			b.Error(err)
		}
	}()
	hsDir := filepath.Join(b.TempDir(), "hs")
	if err := tortest.WriteHiddenServiceDir(hsDir, host.id().PrivateKey()); err != nil {
		b.Fatal(err)
	}
	if _, err := n.StartTor(ctx, "HiddenServiceDir "+hsDir,
		fmt.Sprintf("HiddenServicePort %d %s", torServicePort, host.addr()),
		fmt.Sprintf("HiddenServicePort %d %s", torRawPort, rawLn.Addr())); err != nil {
		b.Fatal(err)
	}
	socksPort, err := freeLocalPort()
	if err != nil {
		b.Fatal(err)
	}
	// One circuit carries an iteration's streams for up to an hour
	// (MaxCircuitDirtiness): the raw downloads follow the catch-up on it.
	client, err := n.StartTor(ctx, fmt.Sprintf("SocksPort 127.0.0.1:%d", socksPort), "MaxCircuitDirtiness 3600")
	if err != nil {
		b.Fatal(err)
	}
	if err := tortest.WaitBootstrapped(ctx, client.DataDir, 100); err != nil {
		b.Fatal(err)
	}
	ctrl, err := tortest.Control(ctx, client.DataDir)
	if err != nil {
		b.Fatal(err)
	}
	defer ctrl.Close()
	socks := &socksTransport{proxy: fmt.Sprintf("127.0.0.1:%d", socksPort)}
	if err := socks.warm(ctx, bundle.Address); err != nil {
		b.Fatal(err)
	}
	b.Logf("network limited to %d B/s per node, service reachable %s after its start", torBandwidth, time.Since(start).Round(time.Millisecond))
	// circuits returns the circuit of each open stream to port (GETINFO
	// stream-status: "ID STATUS CIRCUIT TARGET").
	circuits := func(port int) []string {
		kv, err := ctrl.GetInfo("stream-status")
		if err != nil || len(kv) != 1 {
			b.Fatalf("stream-status: %v", err)
		}
		var circs []string
		for line := range strings.Lines(kv[0].Val) {
			if f := strings.Fields(line); len(f) >= 4 && strings.HasSuffix(f[3], ":"+strconv.Itoa(port)) {
				circs = append(circs, f[2])
			}
		}
		return circs
	}

	blobBytes := int64(torCatchUpBlobs * protocol.BlobSize)
	var catchUp, raw, rawBlobs time.Duration
	var received int64
	for b.Loop() {
		socks.newCircuit()
		if err := socks.warm(ctx, bundle.Address); err != nil {
			b.Fatal(err)
		}
		socks.reset()
		m := newMember(b, socks, "bench")
		start := time.Now()
		if _, err := m.c.JoinGroup(inv); err != nil {
			b.Fatal(err)
		}
		waitCaughtUp(b, m.ev, torSlow)
		took := time.Since(start)
		got := socks.read.Load()
		evs, _ := m.ev.snapshot()
		total := 0 // the first GroupSync's: the head the probe learnt
		for _, e := range evs {
			if gs, ok := e.(model.GroupSync); ok {
				total = gs.Total
				break
			}
		}
		b.Logf("catch-up: its connections read %v bytes; progress total %d", socks.connBytes(), total)
		if total != torCatchUpBlobs {
			b.Fatalf("the catch-up's progress total is %d, want %d", total, torCatchUpBlobs)
		}
		if msgs := len(m.messages(g.ID().Conversation())); msgs != torCatchUpBlobs/torCatchUpEvery {
			b.Fatalf("stored %d messages, want %d", msgs, torCatchUpBlobs/torCatchUpEvery)
		}
		// The same bytes, raw, on the subscription's circuit (its
		// stream still open).
		var sub, rawOn []string
		r, err := socks.rawDownload(ctx, bundle.Address, got, func() { sub, rawOn = circuits(torServicePort), circuits(torRawPort) })
		if err != nil {
			b.Fatal(err)
		}
		if len(sub) == 0 || len(rawOn) != 1 || slices.ContainsFunc(sub, func(c string) bool { return c != rawOn[0] }) {
			b.Fatalf("the subscription's stream on circuits %v, the raw download's on %v: not one circuit", sub, rawOn)
		}
		m.stop()
		m.st.Close()
		rb, err := socks.rawDownload(ctx, bundle.Address, blobBytes, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("catch-up %.1f s, %.1f MB received (%.0f blobs/s, %.2f MB/s); raw %.2f MB/s, raw blobs' bytes %.2f MB/s; catchup/raw %.2f, catchup/raw-blobs %.2f",
			took.Seconds(), float64(got)/1e6, torCatchUpBlobs/took.Seconds(), float64(got)/1e6/took.Seconds(),
			float64(got)/1e6/r.Seconds(), float64(blobBytes)/1e6/rb.Seconds(), r.Seconds()/took.Seconds(), rb.Seconds()/took.Seconds())
		catchUp, raw, rawBlobs, received = catchUp+took, raw+r, rawBlobs+rb, received+got
	}
	iters := float64(b.N)
	b.ReportMetric(catchUp.Seconds()/iters, "s/catchup")
	b.ReportMetric(float64(received)/1e6/iters, "MB-received")
	b.ReportMetric(torCatchUpBlobs*iters/catchUp.Seconds(), "blobs/s")
	b.ReportMetric(float64(received)/1e6/catchUp.Seconds(), "catchup-MB/s")
	b.ReportMetric(float64(received)/1e6/raw.Seconds(), "raw-MB/s")
	b.ReportMetric(raw.Seconds()/catchUp.Seconds(), "catchup/raw")
	b.ReportMetric(rawBlobs.Seconds()/catchUp.Seconds(), "catchup/raw-blobs")
}

// waitCaughtUp waits for the member's first caught-up GroupSync.
func waitCaughtUp(b *testing.B, ev *recorder, timeout time.Duration) {
	b.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		evs, changed := ev.snapshot()
		if count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0 {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			b.Fatalf("not caught up after %s", timeout)
		}
	}
}

// fillGroupServer posts torCatchUpBlobs blobs over four connections: every
// torCatchUpEvery-th a message of g by author, the others random.
func fillGroupServer(ctx context.Context, tr transport.Transport, bundle *invite.Bundle, g *group.Group, author *identity.Identity) error {
	ours, err := benchMessages(g, author, torCatchUpBlobs/torCatchUpEvery)
	if err != nil {
		return err
	}
	// Four connections post a quarter each; the first posts the group's
	// messages, in their order, among its random blobs.
	const conns = 4
	per := torCatchUpBlobs / conns
	spread := per / len(ours)
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for k := range conns {
		wg.Go(func() {
			i := 0
			if err := postBlobs(ctx, tr, bundle, func() ([]byte, bool) {
				if i++; i > per {
					return nil, false
				}
				if k == 0 && i%spread == 0 {
					return ours[i/spread-1], true
				}
				blob := make([]byte, protocol.BlobSize)
				rand.Read(blob)
				return blob, true
			}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// postBlobs posts the blobs next gives over one connection, with tokens it
// is issued on it, until next says there are no more.
func postBlobs(ctx context.Context, tr transport.Transport, bundle *invite.Bundle, next func() ([]byte, bool)) error {
	sess, err := enginetest.DialServer(ctx, tr, bundle.Address)
	if err != nil {
		return err
	}
	defer sess.Close()
	var toks [][]byte
	for {
		blob, ok := next()
		if !ok {
			return nil
		}
		if len(toks) == 0 {
			if toks, err = issueTokens(ctx, sess, bundle); err != nil {
				return err
			}
		}
		if err := sess.Send(&protocol.Post{Blob: blob, Token: toks[0]}); err != nil {
			return err
		}
		toks = toks[1:]
		r, err := sess.Recv()
		if err != nil {
			return err
		}
		if res, ok := r.(*protocol.PostResult); !ok || res.Status != protocol.PostOK {
			return fmt.Errorf("post: %T %+v", r, r)
		}
	}
}

// issueTokens asks the server for a batch of posting tokens (as a
// client does, with no bound on the proof of work) and returns them
// marshalled for Post.
func issueTokens(ctx context.Context, sess *handshake.Session, bundle *invite.Bundle) ([][]byte, error) {
	toks, err := requestTokens(ctx, sess, tokens.PublicKey(bundle.TokenKey), tokens.MaxBatch, rand.Reader, func(uint8) error { return nil })
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(toks))
	for i := range toks {
		if out[i], err = toks[i].MarshalBinary(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// serveRaw answers each connection with as many bytes as its 8-byte
// big-endian count asks, then closes it.
func serveRaw(ln net.Listener, wg *sync.WaitGroup) {
	buf := make([]byte, 64<<10)
	rand.Read(buf)
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		wg.Go(func() {
			defer c.Close()
			var n [8]byte
			if _, err := io.ReadFull(c, n[:]); err != nil {
				return
			}
			for left := int64(binary.BigEndian.Uint64(n[:])); left > 0; {
				k, err := c.Write(buf[:min(left, int64(len(buf)))])
				if err != nil {
					return
				}
				left -= int64(k)
			}
		})
	}
}

// hostTransport publishes the group server on 127.0.0.1 only: the
// benchmark's own tor makes it an onion service (HiddenServiceDir, with the
// identity Listen was given), and Dial reaches it directly (the fill).
type hostTransport struct {
	mu       sync.Mutex
	identity *identity.Identity
	ln       net.Listener
}

func (h *hostTransport) Listen(_ context.Context, id *identity.Identity) (net.Listener, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ln != nil {
		return nil, transport.ErrAddressInUse
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h.identity, h.ln = id, ln
	return &hostListener{Listener: ln, addr: &transport.Addr{Address: id.Address(), Port: torServicePort}}, nil
}

func (h *hostTransport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	h.mu.Lock()
	ln, id := h.ln, h.identity
	h.mu.Unlock()
	if ln == nil || id.Address() != addr {
		return nil, transport.ErrUnreachable
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", ln.Addr().String())
}

func (h *hostTransport) id() *identity.Identity {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.identity
}

func (h *hostTransport) addr() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ln.Addr().String()
}

type hostListener struct {
	net.Listener
	addr *transport.Addr
}

func (l *hostListener) Addr() net.Addr { return l.addr }

// socksTransport dials onion services through a tor's SOCKS port, every
// connection with the same credentials until newCircuit (so on one
// circuit), and counts the bytes its connections read.
type socksTransport struct {
	proxy string
	user  atomic.Pointer[string]
	read  atomic.Int64
	mu    sync.Mutex
	conns []*countingConn
}

// reset forgets the connections dialled so far and their bytes.
func (s *socksTransport) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read.Store(0)
	s.conns = nil
}

// connBytes returns what each connection dialled so far read.
func (s *socksTransport) connBytes() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n []int64
	for _, c := range s.conns {
		n = append(n, c.own.Load())
	}
	return n
}

func (s *socksTransport) newCircuit() {
	var b [12]byte
	rand.Read(b[:])
	u := fmt.Sprintf("%x", b)
	s.user.Store(&u)
}

func (s *socksTransport) Listen(context.Context, *identity.Identity) (net.Listener, error) {
	return nil, errors.New("socksTransport: no listening")
}

func (s *socksTransport) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	c, err := s.dial(ctx, addr, torServicePort)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", transport.ErrUnreachable, err)
	}
	cc := &countingConn{Conn: c, read: &s.read, own: new(atomic.Int64)}
	s.mu.Lock()
	s.conns = append(s.conns, cc)
	s.mu.Unlock()
	return cc, nil
}

func (s *socksTransport) dial(ctx context.Context, addr identity.Address, port int) (net.Conn, error) {
	if s.user.Load() == nil {
		s.newCircuit()
	}
	user := *s.user.Load()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", s.proxy)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := socksConnect(c, user, addr.String(), port); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// socksConnect asks for a stream to host:port with user as the SOCKS5
// user name and password (tor's stream isolation).
func socksConnect(c net.Conn, user, host string, port int) error {
	var reply [10]byte
	step := func(msg []byte, want int) error {
		if _, err := c.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(c, reply[:want]); err != nil {
			return err
		}
		return nil
	}
	if err := step([]byte{5, 1, 2}, 2); err != nil {
		return err
	}
	if reply[1] != 2 {
		return fmt.Errorf("socks method %d", reply[1])
	}
	auth := append([]byte{1, byte(len(user))}, user...)
	if err := step(append(append(auth, byte(len(user))), user...), 2); err != nil {
		return err
	}
	if reply[1] != 0 {
		return errors.New("socks authentication refused")
	}
	req := append([]byte{5, 1, 0, 3, byte(len(host))}, host...)
	if err := step(binary.BigEndian.AppendUint16(req, uint16(port)), 10); err != nil {
		return err // tor's replies carry an IPv4 address: 10 bytes
	}
	if reply[1] != 0 {
		return fmt.Errorf("socks reply %d", reply[1])
	}
	return nil
}

// warm dials the raw service with the current credentials until it
// answers (the service being published, the circuit built), untimed.
func (s *socksTransport) warm(ctx context.Context, addr identity.Address) error {
	ctx, cancel := context.WithTimeout(ctx, torSlow)
	defer cancel()
	for {
		_, err := s.rawDownload(ctx, addr, 1, nil)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("raw service unreachable: %w", err)
		case <-time.After(time.Second):
		}
	}
}

// rawDownload reads n bytes from the raw service and returns how long it
// took from the request; once the first byte is in, it calls during (if
// set).
func (s *socksTransport) rawDownload(ctx context.Context, addr identity.Address, n int64, during func()) (time.Duration, error) {
	c, err := s.dial(ctx, addr, torRawPort)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	start := time.Now()
	var req [8]byte
	binary.BigEndian.PutUint64(req[:], uint64(n))
	if _, err := c.Write(req[:]); err != nil {
		return 0, err
	}
	first := min(n, 1)
	if _, err := io.CopyN(io.Discard, c, first); err != nil {
		return 0, err
	}
	if during != nil {
		during()
	}
	if _, err := io.CopyN(io.Discard, c, n-first); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

type countingConn struct {
	net.Conn
	read *atomic.Int64
	own  *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	c.own.Add(int64(n))
	return n, err
}

// freeLocalPort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freeLocalPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
