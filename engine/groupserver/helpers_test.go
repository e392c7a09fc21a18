package groupserver

import (
	"context"
	"crypto/rand"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/leaktest"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

func TestMain(m *testing.M) { os.Exit(leaktest.Check(tortest.Main(m))) }

// clock is a settable clock for retention tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testConfig is a fast configuration over a private loopback directory.
func testConfig(t testing.TB, dir string, tr transport.Transport) Config {
	return Config{DataDir: dir, Transport: tr, PoWBits: 4, NoSync: true, RecordRate: 1e6, RecordBurst: 1e6}
}

func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// client is a minimal group-server client for tests: a throwaway identity
// per connection, as docs/groups.md requires.
type client struct {
	t    testing.TB
	sess *handshake.Session
	raw  net.Conn
	id   *identity.Identity
	key  tokens.PublicKey
}

func dial(t testing.TB, tr transport.Transport, s *Server) *client {
	t.Helper()
	return dialBundle(t, tr, s.Bundle())
}

// dialBundle connects to the server of bundle b (one in another process).
func dialBundle(t testing.TB, tr transport.Transport, b *invite.Bundle) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	id, err := identity.Generate(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var raw net.Conn
	for {
		raw, err = tr.Dial(ctx, b.Address)
		if err == nil || ctx.Err() != nil {
			break
		}
		select { // Tor: the descriptor may not be there yet
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	raw.SetDeadline(time.Now().Add(60 * time.Second))
	sess, err := handshake.Client(ctx, raw, id, b.Address, nil)
	if err != nil {
		raw.Close()
		t.Fatal(err)
	}
	c := &client{t: t, sess: sess, raw: raw, id: id, key: tokens.PublicKey(b.TokenKey)}
	t.Cleanup(func() { sess.Close() })
	return c
}

func (c *client) send(r protocol.Record) {
	c.t.Helper()
	if err := c.sess.Send(r); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) recv() protocol.Record {
	c.t.Helper()
	r, err := c.sess.Recv()
	if err != nil {
		c.t.Fatal(err)
	}
	return r
}

// tokens obtains n tokens over this connection.
func (c *client) tokens(n int) []tokens.Token {
	c.t.Helper()
	c.send(&protocol.TokenChallengeRequest{})
	ch, ok := c.recv().(*protocol.TokenChallenge)
	if !ok {
		c.t.Fatal("no challenge")
	}
	req, err := tokens.NewRequest(c.key, n, rand.Reader)
	if err != nil {
		c.t.Fatal(err)
	}
	nonce, err := tokens.SolvePoW(context.Background(), ch.Challenge, ch.Bits, req.Blinded())
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(&protocol.TokenRequest{Challenge: ch.Challenge, Blinded: req.Blinded(), Nonce: nonce})
	resp, ok := c.recv().(*protocol.TokenResponse)
	if !ok {
		c.t.Fatalf("token request not answered with tokens")
	}
	toks, err := req.Finalize(resp.Evaluated, resp.Proof)
	if err != nil {
		c.t.Fatal(err)
	}
	return toks
}

// ping waits for the answer to a Ping (Ping does not earn a slot).
func (c *client) ping(nonce uint64) {
	c.t.Helper()
	c.send(&protocol.Ping{Nonce: nonce})
	for {
		if p, ok := c.recv().(*protocol.Pong); ok && p.Nonce == nonce {
			return
		}
	}
}

func (c *client) post(blob []byte, tok *tokens.Token) *protocol.PostResult {
	c.t.Helper()
	p := &protocol.Post{Blob: blob}
	if tok != nil {
		p.Token, _ = tok.MarshalBinary()
	}
	c.send(p)
	for {
		if r, ok := c.recv().(*protocol.PostResult); ok {
			return r
		}
	}
}

func blob(i int) []byte {
	b := make([]byte, protocol.BlobSize)
	for j := range b {
		b[j] = byte(i*7 + j)
	}
	return b
}

// postN posts n blobs (numbered from first) with fresh tokens and returns
// their seqs.
func postN(t testing.TB, c *client, first, n int) []uint64 {
	t.Helper()
	var seqs []uint64
	for len(seqs) < n {
		toks := c.tokens(min(n-len(seqs), tokens.MaxBatch))
		for i := range toks {
			r := c.post(blob(first+len(seqs)), &toks[i])
			if r.Status != protocol.PostOK {
				t.Fatalf("post: %v", r.Status)
			}
			seqs = append(seqs, r.Seq)
		}
	}
	return seqs
}

// expectBlobs reads Blob records until CaughtUp and returns their seqs and
// the CaughtUp.
func (c *client) expectCatchUp() ([]*protocol.Blob, *protocol.CaughtUp) {
	c.t.Helper()
	var got []*protocol.Blob
	for {
		switch r := c.recv().(type) {
		case *protocol.Blob:
			got = append(got, r)
		case *protocol.CaughtUp:
			return got, r
		default:
			c.t.Fatalf("unexpected %s during catch-up", r.Type())
		}
	}
}

func newLoopback() *loopback.Transport { return loopback.New(loopback.NewMemoryDirectory()) }
