package handshake

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/wire"
	"github.com/nookchat/nook/engine/wire/wiretest"
)

func TestHandshake(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			cc, sc := tr.Pair(t)
			c, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), nil, localFrom(bob), nil)
			if c.err != nil || s.err != nil {
				t.Fatalf("client: %v, server: %v", c.err, s.err)
			}
			if c.s.Peer() != bob.Address() || s.s.Peer() != alice.Address() {
				t.Fatalf("peers %s and %s", c.s.Peer().Short(), s.s.Peer().Short())
			}
			if c.s.Version() != ProtocolVersion || s.s.Version() != ProtocolVersion {
				t.Fatalf("versions %d and %d", c.s.Version(), s.s.Version())
			}
			if !bytes.Equal(c.s.ChannelBinding(), s.s.ChannelBinding()) || len(c.s.ChannelBinding()) != 32 {
				t.Fatal("channel bindings differ")
			}
			if !c.s.Initiator() || s.s.Initiator() {
				t.Fatal("initiator flags wrong")
			}
			exchangeTexts(t, c.s, s.s)
		})
	}
}

// exchangeTexts sends a Text each way and checks it arrives.
func exchangeTexts(t *testing.T, a, b *Session) {
	t.Helper()
	for _, pair := range [][2]*Session{{a, b}, {b, a}} {
		want := &protocol.Text{ID: model.MessageID{1, 2, 3}, Sent: time.UnixMilli(1_700_000_000_000).UTC(), Body: "hello from " + pair[0].Peer().Short()}
		errc := make(chan error, 1)
		go func() { errc <- pair[0].Send(want) }()
		got, err := pair[1].Recv()
		if err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if g, ok := got.(*protocol.Text); !ok || g.Body != want.Body || g.ID != want.ID || !g.Sent.Equal(want.Sent) {
			t.Fatalf("got %#v", got)
		}
	}
}

// TestWireSizes records every write of a client in a conversation — the
// handshake and tiny, medium and large records — and checks that all have
// the same size.
func TestWireSizes(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			cc, sc := tr.Pair(t)
			rc, rs := wiretest.NewRecorder(cc), wiretest.NewRecorder(sc)
			c, s := runPair(t, rc, rs, localFrom(alice), bob.Address(), nil, localFrom(bob), nil)
			if c.err != nil || s.err != nil {
				t.Fatalf("client: %v, server: %v", c.err, s.err)
			}
			bodies := []string{"", "k", string(bytes.Repeat([]byte("medium "), 300)), string(bytes.Repeat([]byte("L"), protocol.MaxBody))}
			done := make(chan error, 1)
			go func() {
				for i, b := range bodies {
					if err := c.s.Send(&protocol.Text{ID: model.MessageID{byte(i)}, Body: b}); err != nil {
						done <- err
						return
					}
				}
				done <- c.s.Send(&protocol.Ack{IDs: []model.MessageID{{9}}})
			}()
			for range len(bodies) + 1 {
				if _, err := s.s.Recv(); err != nil {
					t.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			for _, r := range []*wiretest.Recorder{rc, rs} {
				for i, n := range r.Sizes() {
					if n != wire.FrameSize {
						t.Fatalf("write %d was %d bytes", i, n)
					}
				}
			}
			if n := len(rc.Sizes()); n < 2+1+1+1+9 {
				t.Fatalf("only %d client writes", n)
			}
		})
	}
}

func TestSessionSkipsUnknownAndSurvivesMalformed(t *testing.T) {
	cc, sc := wiretest.Pipe(t)
	c, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), nil, localFrom(bob), nil)
	if c.err != nil || s.err != nil {
		t.Fatalf("client: %v, server: %v", c.err, s.err)
	}
	go func() {
		c.s.conn.WriteRecord([]byte{0xee, 1, 'x'})               // unknown type
		c.s.conn.WriteRecord([]byte{0x0a, 1, 1, 2})              // malformed Ping
		c.s.Send(&protocol.Pong{Nonce: 7})                       // fine
		c.s.conn.WriteRecord([]byte{byte(protocol.TypeText), 9}) // unknown layout
		c.s.Close()
	}()
	if _, err := s.s.Recv(); !errors.Is(err, protocol.ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
	r, err := s.s.Recv()
	if p, ok := r.(*protocol.Pong); err != nil || !ok || p.Nonce != 7 {
		t.Fatalf("got %#v, %v", r, err)
	}
	if _, err := s.s.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("got %v, want io.EOF", err)
	}
}

// TestWrongPeer: the dialled side holds another key than the address dialled.
func TestWrongPeer(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			cc, sc := tr.Pair(t)
			c, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), nil, localFrom(mallory), nil)
			if !errors.Is(c.err, ErrWrongPeer) {
				t.Fatalf("client: %v, want ErrWrongPeer", c.err)
			}
			if s.err == nil {
				t.Fatal("server completed a handshake the client refused")
			}
		})
	}
}

// negate returns the ed25519 public key of -P: the same X25519 key, another
// onion address.
func negate(pub ed25519.PublicKey) ed25519.PublicKey {
	n := bytes.Clone(pub)
	n[31] ^= 0x80
	return n
}

// TestClaimedAddress: a dialler claims an address whose key it does not hold.
func TestClaimedAddress(t *testing.T) {
	neg := negate(mallory.PublicKey())
	if _, err := identity.ParseAddress(string(identity.AddressFromPublicKey(neg))); err != nil {
		t.Fatalf("negated key is not a valid address: %v", err)
	}
	if !bytes.Equal(identity.X25519Public(identity.AddressFromPublicKey(neg)), identity.X25519Public(mallory.Address())) {
		t.Fatal("negated key has another X25519 key")
	}
	tests := []struct {
		name  string
		claim local
		want  error
	}{
		{
			// Mallory sends Alice's ed25519 key with her own Noise key.
			name:  "other address",
			claim: local{key: alice.PublicKey(), sign: mallory.Sign, static: localFrom(mallory).static},
			want:  ErrKeyMismatch,
		},
		{
			// Mallory claims the address of -P, which has her X25519 key;
			// only the signature can tell.
			name:  "negated key",
			claim: local{key: neg, sign: mallory.Sign, static: localFrom(mallory).static},
			want:  ErrBadSignature,
		},
		{
			name:  "small-order key",
			claim: local{key: append([]byte{1}, make([]byte, 31)...), sign: mallory.Sign, static: localFrom(mallory).static},
			want:  ErrMalformed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, sc := wiretest.Pipe(t)
			_, s := runPair(t, cc, sc, tt.claim, bob.Address(), nil, localFrom(bob), nil)
			if !errors.Is(s.err, tt.want) {
				t.Fatalf("server: %v, want %v", s.err, tt.want)
			}
		})
	}
}

// TestResponderNegatedKey: a listener that holds P but presents the address
// of -P to a dialler who dials -P.
func TestResponderNegatedKey(t *testing.T) {
	neg := negate(bob.PublicKey())
	target := identity.AddressFromPublicKey(neg)
	cc, sc := wiretest.Pipe(t)
	claim := local{key: neg, sign: bob.Sign, static: localFrom(bob).static}
	c, _ := runPair(t, cc, sc, localFrom(alice), target, nil, claim, nil)
	if !errors.Is(c.err, ErrBadSignature) {
		t.Fatalf("client: %v, want ErrBadSignature", c.err)
	}
}

func TestDowngrade(t *testing.T) {
	both := []uint16{1, 2}
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			// The attacker removes version 2 from the offer.
			cc, sc := mitmPair(t, tr, func(dir, i int, u []byte) []byte {
				if dir == 0 && i == 0 {
					copy(u[headerSize:msg1Prefix], appendOffer(nil, offer{1}))
				}
				return u
			})
			c, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), &Config{versions: both}, localFrom(bob), &Config{versions: both})
			if !errors.Is(c.err, ErrDowngrade) {
				t.Fatalf("client: %v, want ErrDowngrade", c.err)
			}
			if s.err == nil {
				t.Fatal("server completed")
			}
		})
	}
	t.Run("untouched", func(t *testing.T) {
		cc, sc := wiretest.Pipe(t)
		c, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), &Config{versions: both}, localFrom(bob), &Config{versions: []uint16{1, 2, 3}})
		if c.err != nil || s.err != nil || c.s.Version() != 2 || s.s.Version() != 2 {
			t.Fatalf("%v %v", c.err, s.err)
		}
	})
	t.Run("no common version", func(t *testing.T) {
		cc, sc := wiretest.Pipe(t)
		_, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), &Config{versions: []uint16{3}}, localFrom(bob), nil)
		if !errors.Is(s.err, ErrVersion) {
			t.Fatalf("server: %v, want ErrVersion", s.err)
		}
	})
	t.Run("other format", func(t *testing.T) {
		cc, sc := mitmPair(t, wiretest.Transports()[0], func(dir, i int, u []byte) []byte {
			if dir == 0 && i == 0 {
				u[4] = Format + 1
			}
			return u
		})
		_, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), nil, localFrom(bob), nil)
		if !errors.Is(s.err, ErrVersion) {
			t.Fatalf("server: %v, want ErrVersion", s.err)
		}
	})
}

// TestReplay replays messages recorded from an earlier session.
func TestReplay(t *testing.T) {
	old := record(t, testConfig(1), testConfig(2))

	t.Run("message 1 to the same server", func(t *testing.T) {
		cache := NewReplayCache(0)
		s := newResponder(&Config{Replay: cache}, localFrom(bob))
		if err := s.readMessage1(old.m1); err != nil {
			t.Fatal(err)
		}
		s = newResponder(&Config{Replay: cache}, localFrom(bob))
		if err := s.readMessage1(old.m1); !errors.Is(err, ErrReplay) {
			t.Fatalf("got %v, want ErrReplay", err)
		}
	})
	t.Run("messages 1 and 3 to a fresh server", func(t *testing.T) {
		cc, sc := wiretest.Pipe(t)
		errc := make(chan error, 1)
		go func() {
			_, err := server(context.Background(), sc, localFrom(bob), testConfig(9))
			errc <- err
		}()
		cc.Write(old.m1)
		io.ReadFull(cc, make([]byte, MessageSize))
		cc.Write(old.m3)
		if err := <-errc; !errors.Is(err, ErrAuth) {
			t.Fatalf("server: %v, want ErrAuth", err)
		}
	})
	t.Run("message 2 to a client", func(t *testing.T) {
		cc, sc := wiretest.Pipe(t)
		errc := make(chan error, 1)
		go func() {
			_, err := client(context.Background(), cc, localFrom(alice), bob.Address(), testConfig(8))
			errc <- err
		}()
		io.ReadFull(sc, make([]byte, MessageSize))
		sc.Write(old.m2)
		if err := <-errc; !errors.Is(err, ErrAuth) {
			t.Fatalf("client: %v, want ErrAuth", err)
		}
	})
	t.Run("cache evicts oldest", func(t *testing.T) {
		c := NewReplayCache(2)
		for _, e := range [][32]byte{{1}, {2}, {3}} {
			if c.check(e) {
				t.Fatal("fresh key reported")
			}
		}
		if !c.check([32]byte{3}) || c.check([32]byte{1}) {
			t.Fatal("eviction order wrong")
		}
	})
}

// sentinels is every error a failed handshake may wrap.
var sentinels = []error{ErrMalformed, ErrVersion, ErrDowngrade, ErrAuth, ErrReplay, ErrWrongPeer, ErrKeyMismatch, ErrBadSignature}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// TestTamper flips every byte of every handshake message in turn: each
// flip must make the handshake fail with one of the sentinels.
func TestTamper(t *testing.T) {
	// Every byte takes ~25k handshakes; the race detector makes that
	// minutes, so under it (and with -short) a stride samples all offsets
	// of every field.
	stride := 1
	if raceEnabled {
		stride = 13
	}
	if testing.Short() {
		stride = 37
	}
	for msg := 1; msg <= 3; msg++ {
		for i := 0; i < MessageSize; i += stride {
			if err := tamperedRun(msg, i); !isSentinel(err) {
				t.Fatalf("message %d byte %d flipped: %v", msg, i, err)
			}
		}
	}
}

// tamperedRun runs a handshake between state machines, flipping byte i of
// message msg on the way, and returns the first error.
func tamperedRun(msg, i int) error {
	flip := func(n int, m []byte) []byte {
		if n == msg {
			m[i] ^= 0xff
		}
		return m
	}
	c, err := newInitiator(testConfig(1), localFrom(alice), bob.Address())
	if err != nil {
		return err
	}
	s := newResponder(testConfig(2), localFrom(bob))
	m1, err := c.message1()
	if err != nil {
		return err
	}
	if err := s.readMessage1(flip(1, m1)); err != nil {
		return err
	}
	m2, err := s.message2()
	if err != nil {
		return err
	}
	if err := c.readMessage2(flip(2, m2)); err != nil {
		return err
	}
	m3, _, err := c.message3()
	if err != nil {
		return err
	}
	_, err = s.readMessage3(flip(3, m3))
	return err
}

func TestTimeoutAndCancel(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		cc, sc := wiretest.Pipe(t)
		go io.Copy(io.Discard, sc) // swallows message 1, never answers
		// The injected clock is an hour behind, so every deadline has
		// already passed when it is set.
		cfg := &Config{Now: func() time.Time { return time.Now().Add(-time.Hour) }, Timeout: time.Minute}
		_, err := client(context.Background(), cc, localFrom(alice), bob.Address(), cfg)
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want ErrTimeout", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		cc, sc := wiretest.Pipe(t)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := server(ctx, sc, localFrom(bob), nil)
			errc <- err
		}()
		cancel() // the server is blocked reading message 1, or not started
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		cc.Close()
	})
}

func TestMessageLayout(t *testing.T) {
	tr := record(t, testConfig(1), testConfig(2))
	for i, m := range [][]byte{tr.m1, tr.m2, tr.m3} {
		if len(m) != MessageSize {
			t.Fatalf("message %d has %d bytes", i+1, len(m))
		}
	}
	if string(tr.m1[:4]) != "Nook" || tr.m1[4] != Format || tr.m1[5] != 1 || binary.BigEndian.Uint16(tr.m1[6:]) != 1 {
		t.Fatalf("message 1 header %x", tr.m1[:22])
	}
	if !allZero(tr.m1[msg1Prefix+dhLen:]) {
		t.Fatal("message 1 payload not zero")
	}
	if tr.client.keys.Send != tr.server.keys.Recv || tr.client.keys.Recv != tr.server.keys.Send || tr.client.keys.Send == tr.client.keys.Recv {
		t.Fatal("direction keys do not pair up")
	}
	// Nothing of either identity appears in clear.
	for _, m := range [][]byte{tr.m1, tr.m2, tr.m3} {
		for _, secret := range [][]byte{alice.PublicKey(), bob.PublicKey(), identity.X25519Public(alice.Address()), identity.X25519Public(bob.Address()), []byte(alice.Address()), []byte(bob.Address())} {
			if bytes.Contains(m, secret) {
				t.Fatal("an identity appears in clear in a handshake message")
			}
		}
	}
}

// TestSendAllAndBlobBuffer sends blobs and a file chunk with SendAll (an
// invalid record in the list first makes it send nothing): they arrive in
// order and intact, the blobs after the first read into Recv's reused
// buffer.
func TestSendAllAndBlobBuffer(t *testing.T) {
	cc, sc := wiretest.Pipe(t)
	c, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), nil, localFrom(bob), nil)
	if c.err != nil || s.err != nil {
		t.Fatalf("client: %v, server: %v", c.err, s.err)
	}
	defer c.s.Close()
	defer s.s.Close()
	blob := func(seq uint64) *protocol.Blob {
		b := &protocol.Blob{Seq: seq}
		for i := range b.Blob {
			b.Blob[i] = byte(seq) + byte(i)
		}
		return b
	}
	if err := c.s.SendAll([]protocol.Record{blob(1), &protocol.Blob{}}); !errors.Is(err, protocol.ErrInvalid) {
		t.Fatalf("SendAll with a blob of seq 0: %v, want ErrInvalid", err)
	}
	chunk := &protocol.FileChunk{ID: model.MessageID{9}, Index: 3, Data: bytes.Repeat([]byte("chunk"), 100)}
	want := []protocol.Record{blob(1), blob(2), chunk, blob(3), blob(4), blob(5)}
	errc := make(chan error, 1)
	go func() { errc <- c.s.SendAll(want) }()
	var got []protocol.Record
	for range want {
		r, err := s.s.Recv()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		a, _ := protocol.Encode(r)
		b, _ := protocol.Encode(want[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("record %d (%T) differs from what was sent", i, r)
		}
	}
}

// TestRecvBufDropsGrownBuffer (second review, item 4): an unknown record
// larger than the buffer a reader hands RecvBuf grows a buffer to read
// it; the record is skipped, and the next one is read into the reader's
// buffer again, not into the grown one.
func TestRecvBufDropsGrownBuffer(t *testing.T) {
	cc, sc := wiretest.Pipe(t)
	c, s := runPair(t, cc, sc, localFrom(alice), bob.Address(), nil, localFrom(bob), nil)
	if c.err != nil || s.err != nil {
		t.Fatalf("client: %v, server: %v", c.err, s.err)
	}
	go func() {
		c.s.Send(&protocol.Unknown{RecordType: 0xee, Version: 1, Body: make([]byte, 200<<10)})
		c.s.Send(&protocol.Pong{Nonce: 7})
		c.s.Close()
	}()
	buf := make([]byte, 0, 2*wire.FrameSize)
	r, b, err := s.s.RecvBuf(buf, nil)
	if p, ok := r.(*protocol.Pong); err != nil || !ok || p.Nonce != 7 {
		t.Fatalf("got %#v, %v", r, err)
	}
	if cap(b) != cap(buf) || &b[:1][0] != &buf[:1][0] {
		t.Fatalf("the record after a 200 KiB unknown one came in a buffer of %d bytes, not the reader's of %d", cap(b), cap(buf))
	}
}
