package groupserver

import (
	"bytes"
	"context"
	"crypto/rand"
	mrand "math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
)

func TestPostRefusals(t *testing.T) {
	tr := newLoopback()
	s := startServer(t, testConfig(t, t.TempDir(), tr))
	c := dial(t, tr, s)
	toks := c.tokens(3)
	if r := c.post(blob(1), &toks[0]); r.Status != protocol.PostOK || r.Seq != 1 {
		t.Fatalf("valid post: %+v", r)
	}
	forged := toks[1]
	forged.Output[0] ^= 1
	other, _ := tokens.GenerateIssuerKey(nil2rand())
	foreign := issueLocal(t, other)
	tests := []struct {
		name string
		blob []byte
		tok  *tokens.Token
		want protocol.PostStatus
	}{
		{"no token", blob(2), nil, protocol.PostNoToken},
		{"spent token", blob(2), &toks[0], protocol.PostTokenSpent},
		{"forged token", blob(2), &forged, protocol.PostTokenInvalid},
		{"another issuer's token", blob(2), &foreign, protocol.PostTokenInvalid},
		{"short blob", blob(2)[:100], &toks[1], protocol.PostWrongSize},
		{"long blob", append(blob(2), 0), &toks[1], protocol.PostWrongSize},
	}
	for _, tt := range tests {
		if r := c.post(tt.blob, tt.tok); r.Status != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, r.Status, tt.want)
		}
	}
	// Refusals spent nothing: the genuine token still works.
	if r := c.post(blob(3), &toks[1]); r.Status != protocol.PostOK || r.Seq != 2 {
		t.Fatalf("post after refusals: %+v", r)
	}
	// Garbage in the token field.
	c.send(&protocol.Post{Blob: blob(4), Token: []byte{1, 2, 3}})
	if r := c.recv().(*protocol.PostResult); r.Status != protocol.PostTokenInvalid {
		t.Fatalf("garbage token: %v", r.Status)
	}
}

func nil2rand() *mrand.ChaCha8 { return mrand.NewChaCha8([32]byte{42}) }

// issueLocal makes a genuine token of another issuer.
func issueLocal(t *testing.T, k *tokens.IssuerKey) tokens.Token {
	iss := tokens.NewIssuer(k, tokens.NewMemorySpent())
	req, _ := tokens.NewRequest(k.Public(), 1, nil2rand())
	ev, proof, err := iss.Issue(req.Blinded())
	if err != nil {
		t.Fatal(err)
	}
	toks, err := req.Finalize(ev, proof)
	if err != nil {
		t.Fatal(err)
	}
	return toks[0]
}

func TestTokenRequestRefusals(t *testing.T) {
	tr := newLoopback()
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.PoWBits = 16
	cfg.MaxBatch = 10
	s := startServer(t, cfg)
	c := dial(t, tr, s)
	req, _ := tokens.NewRequest(c.key, 11, nil2rand())
	refused := func(name string, want protocol.Reason) {
		t.Helper()
		r, ok := c.recv().(*protocol.Refused)
		if !ok || r.Reason != want || r.Request != protocol.TypeTokenRequest {
			t.Fatalf("%s: got %+v, want %v", name, r, want)
		}
	}
	c.send(&protocol.TokenRequest{Blinded: req.Blinded()})
	refused("without challenge", protocol.ReasonNoChallenge)
	c.send(&protocol.TokenChallengeRequest{})
	ch := c.recv().(*protocol.TokenChallenge)
	if ch.Bits != 16 {
		t.Fatalf("bits %d", ch.Bits)
	}
	c.send(&protocol.TokenRequest{Challenge: ch.Challenge, Blinded: req.Blinded()})
	refused("batch too large", protocol.ReasonBatchTooLarge)
	c.send(&protocol.TokenChallengeRequest{})
	ch = c.recv().(*protocol.TokenChallenge)
	bl := req.Blinded()[:10]
	nonce := uint64(0)
	for tokens.CheckPoW(ch.Challenge, 16, bl, nonce) {
		nonce++
	}
	c.send(&protocol.TokenRequest{Challenge: ch.Challenge, Blinded: bl, Nonce: nonce})
	refused("bad pow", protocol.ReasonBadPoW)
	c.send(&protocol.TokenRequest{Challenge: ch.Challenge, Blinded: bl, Nonce: nonce})
	refused("reused challenge", protocol.ReasonNoChallenge)
	c.send(&protocol.TokenChallengeRequest{})
	ch = c.recv().(*protocol.TokenChallenge)
	bad := [][32]byte{{}}
	n, _ := tokens.SolvePoW(context.Background(), ch.Challenge, 16, bad)
	c.send(&protocol.TokenRequest{Challenge: ch.Challenge, Blinded: bad, Nonce: n})
	refused("identity element", protocol.ReasonInvalidElement)
	if got := c.tokens(10); len(got) != 10 {
		t.Fatal("no tokens after refusals")
	}
}

func TestSubscribeCatchUpAndLive(t *testing.T) {
	tr := newLoopback()
	s := startServer(t, testConfig(t, t.TempDir(), tr))
	poster := dial(t, tr, s)
	postN(t, poster, 0, 5)
	sub := dial(t, tr, s)
	sub.send(&protocol.Subscribe{Cursor: 0})
	got, cu := sub.expectCatchUp()
	if len(got) != 5 || cu.Head != 5 || cu.Oldest != 1 {
		t.Fatalf("catch-up: %d blobs, %+v", len(got), cu)
	}
	for i, b := range got {
		if b.Seq != uint64(i+1) || !bytes.Equal(b.Blob[:], blob(i)) {
			t.Fatalf("blob %d: seq %d", i, b.Seq)
		}
	}
	postN(t, poster, 5, 2)
	for i := 5; i < 7; i++ {
		b, ok := sub.recv().(*protocol.Blob)
		if !ok || b.Seq != uint64(i+1) || !bytes.Equal(b.Blob[:], blob(i)) {
			t.Fatalf("live blob %d", i)
		}
	}
	// From a cursor, on another connection; a second Subscribe is refused.
	sub2 := dial(t, tr, s)
	sub2.send(&protocol.Subscribe{Cursor: 4})
	got, cu = sub2.expectCatchUp()
	if len(got) != 3 || got[0].Seq != 5 || cu.Head != 7 {
		t.Fatalf("from cursor 4: %d blobs, %+v", len(got), cu)
	}
	sub2.send(&protocol.Subscribe{})
	if r := sub2.recv().(*protocol.Refused); r.Reason != protocol.ReasonAlreadySubbed {
		t.Fatal(r.Reason)
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	tr := newLoopback()
	dir := t.TempDir()
	s := startServer(t, testConfig(t, dir, tr))
	c := dial(t, tr, s)
	toks := c.tokens(4)
	for i := range 3 {
		c.post(blob(i), &toks[i])
	}
	bundle := s.Bundle()
	inv, _ := s.Invite()
	c.sess.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := startServer(t, testConfig(t, dir, tr))
	if !s2.Bundle().Equal(bundle) {
		t.Fatal("bundle changed across a restart")
	}
	if inv2, _ := s2.Invite(); inv2 != inv {
		t.Fatal("invite changed")
	}
	c2 := dial(t, tr, s2)
	if r := c2.post(blob(9), &toks[0]); r.Status != protocol.PostTokenSpent {
		t.Fatalf("spent set lost: %v", r.Status)
	}
	if r := c2.post(blob(3), &toks[3]); r.Status != protocol.PostOK || r.Seq != 4 {
		t.Fatalf("token from before the restart: %+v", r)
	}
	c2.send(&protocol.Subscribe{Cursor: 2})
	got, cu := c2.expectCatchUp()
	if len(got) != 2 || got[0].Seq != 3 || !bytes.Equal(got[0].Blob[:], blob(2)) || cu.Head != 4 || cu.Oldest != 1 {
		t.Fatalf("after restart: %d blobs, %+v", len(got), cu)
	}
}

func TestCapAndRetention(t *testing.T) {
	tr := newLoopback()
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.MaxBlobs = 3
	cfg.Retention = time.Hour
	cfg.Now = clk.Now
	s := startServer(t, cfg)
	c := dial(t, tr, s)
	postN(t, c, 0, 5)
	sub := dial(t, tr, s)
	sub.send(&protocol.Subscribe{})
	got, cu := sub.expectCatchUp()
	if len(got) != 3 || got[0].Seq != 3 || cu.Head != 5 || cu.Oldest != 3 {
		t.Fatalf("cap: %d blobs, %+v", len(got), cu)
	}
	clk.Add(30 * time.Minute)
	postN(t, c, 5, 1) // seq 6; drops 4 by the cap
	clk.Add(45 * time.Minute)
	sub2 := dial(t, tr, s)
	sub2.send(&protocol.Subscribe{})
	got, cu = sub2.expectCatchUp()
	if len(got) != 1 || got[0].Seq != 6 || cu.Head != 6 || cu.Oldest != 6 {
		t.Fatalf("retention: %d blobs, %+v", len(got), cu)
	}
	clk.Add(2 * time.Hour)
	sub3 := dial(t, tr, s)
	sub3.send(&protocol.Subscribe{Cursor: 1})
	got, cu = sub3.expectCatchUp()
	if len(got) != 0 || cu.Head != 6 || cu.Oldest != 7 {
		t.Fatalf("everything expired: %d blobs, %+v", len(got), cu)
	}
	if st := s.Stats(); st.BlobsDropped != 6 || st.Posts != 6 {
		t.Fatalf("stats %+v", st)
	}
}

func TestSlowSubscriberDoesNotBlockPosting(t *testing.T) {
	tr := newLoopback()
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.LiveBuffer = 2
	s := startServer(t, cfg)
	slow := dial(t, tr, s)
	slow.send(&protocol.Subscribe{})
	slow.expectCatchUp()
	// slow never reads again. Post far more than socket buffers hold.
	c := dial(t, tr, s)
	done := make(chan struct{})
	go func() {
		defer close(done)
		postN(t, c, 0, 600)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("posting blocked behind a slow subscriber")
	}
	if st := s.Stats(); st.SlowSubscribers != 1 || st.Posts != 600 {
		t.Fatalf("stats %+v", st)
	}
}

func TestIdleConnectionsDoNotCrowdOut(t *testing.T) {
	tr := newLoopback()
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.MaxConns = 64
	s := startServer(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 1000 {
		c, err := tr.Dial(ctx, s.Address())
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	c := dial(t, tr, s)
	postN(t, c, 0, 3)
	c.send(&protocol.Subscribe{})
	if got, _ := c.expectCatchUp(); len(got) != 3 {
		t.Fatal("catch-up")
	}
	st := s.Stats()
	if st.OpenConnections > 64 || st.Posts != 3 {
		t.Fatalf("stats %+v", st)
	}
	t.Logf("1000 idle: %d refused, %d open", st.ConnectionsRefused, st.OpenConnections)
}

// TestServerView records what the server sees: every stored blob is
// exactly BlobSize bytes, and two posts by one client over two
// connections arrive from two different identities.
func TestServerView(t *testing.T) {
	tr := newLoopback()
	dir := t.TempDir()
	s, err := New(testConfig(t, dir, tr))
	if err != nil {
		t.Fatal(err)
	}
	var peers []identity.Address
	s.observe = func(a identity.Address) { peers = append(peers, a) }
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 2 {
		c := dial(t, tr, s)
		postN(t, c, i, 1)
		c.sess.Close()
	}
	c := dial(t, tr, s)
	c.send(&protocol.Post{Blob: make([]byte, protocol.BlobSize-1)})
	c.recv()
	c.sess.Close()
	s.Close()
	if len(peers) != 3 || peers[0] == peers[1] || peers[1] == peers[2] {
		t.Fatalf("client identities %v", peers)
	}
	key, err := readKeyFile(dir+"/"+storeKeyFile, kindStoreKey)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir+"/"+storeDir, store.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	err = st.Bucket(blobBucket).Iterate(nil, func(k, v []byte) error {
		n++
		if len(v) != 8+protocol.BlobSize {
			t.Errorf("stored blob of %d bytes", len(v)-8)
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Fatalf("%d blobs stored (%v)", n, err)
	}
}

func TestLifecycle(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("empty config accepted")
	}
	tr := newLoopback()
	s, _ := New(testConfig(t, t.TempDir(), tr))
	if err := s.Close(); err != nil {
		t.Fatal("close before start:", err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Fatal("start after close")
	}
}

// TestIdleHandshakenConnectionsDoNotLockOut (security review M-3):
// connections that completed the handshake but do nothing (no
// subscription, no post, no token batch) hold every slot. A member still
// gets through: the oldest of them is closed for the newcomer. Connections
// that earned their slot (subscribed) are not closed for it.
func TestIdleHandshakenConnectionsDoNotLockOut(t *testing.T) {
	tr := newLoopback()
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.MaxConns = 4
	cfg.Grace = time.Hour // eviction, not the grace period, is tested here
	s := startServer(t, cfg)
	var idle []*client
	for i := range cfg.MaxConns {
		c := dial(t, tr, s)
		c.ping(uint64(i)) // the server has served it: idle[0] is the oldest
		idle = append(idle, c)
	}
	member := dial(t, tr, s)
	postN(t, member, 0, 2)
	member.send(&protocol.Subscribe{})
	if got, _ := member.expectCatchUp(); len(got) != 2 {
		t.Fatalf("member caught up with %d blobs, want 2", len(got))
	}
	if _, err := idle[0].sess.Recv(); err == nil {
		t.Fatal("the oldest idle connection was not closed")
	}
	// Fill every slot with subscribers: a newcomer then gets no slot, and
	// no subscriber is closed for it.
	var subs []*client
	for len(subs) < cfg.MaxConns-1 {
		c := dial(t, tr, s)
		c.send(&protocol.Subscribe{})
		c.expectCatchUp()
		subs = append(subs, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw, err := tr.Dial(ctx, s.Address())
	if err == nil {
		id, _ := identity.Generate(rand.Reader)
		if _, err = handshake.Client(ctx, raw, id, s.Address(), nil); err == nil {
			t.Fatal("a newcomer got a slot held by a subscriber")
		}
		raw.Close()
	}
	member.ping(7) // still subscribed, still served
	if st := s.Stats(); st.ConnectionsIdle == 0 || st.Subscriptions != int64(cfg.MaxConns) {
		t.Fatalf("stats %+v", st)
	}
}

// TestGraceClosesIdleConnection (M-3): a handshaken connection that does
// not earn its slot within the grace period is closed; a subscriber is
// not.
func TestGraceClosesIdleConnection(t *testing.T) {
	tr := newLoopback()
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.Grace = 200 * time.Millisecond
	s := startServer(t, cfg)
	sub := dial(t, tr, s)
	sub.send(&protocol.Subscribe{})
	sub.expectCatchUp()
	idle := dial(t, tr, s)
	idle.raw.SetDeadline(time.Time{})
	closed := make(chan error, 1)
	go func() { _, err := idle.sess.Recv(); closed <- err }()
	select {
	case err := <-closed:
		if err == nil {
			t.Fatal("a record instead of the end of the connection")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("an idle connection outlived its grace period by far")
	}
	// The subscriber, older than the grace period, still gets live blobs.
	poster := dial(t, tr, s)
	postN(t, poster, 0, 1)
	poster.sess.Close()
	if b, ok := sub.recv().(*protocol.Blob); !ok || b.Seq != 1 {
		t.Fatal("the subscriber did not get the live blob")
	}
	if st := s.Stats(); st.ConnectionsIdle == 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestServerWidePostCap (security review L-6): tokens cost a proof of work,
// but ≈5 CPU-minutes of them used to buy enough posts to push every stored
// blob out of the storage cap. The server now stores at most PostsPerDay
// posts a day, all clients together (a bucket of PostBurst): a post over
// it is refused as rate limited without spending its token, and is stored
// once the budget has refilled.
func TestServerWidePostCap(t *testing.T) {
	tr := newLoopback()
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	cfg := testConfig(t, t.TempDir(), tr)
	cfg.Now = clk.Now
	cfg.PostsPerDay, cfg.PostBurst = 24, 3
	s := startServer(t, cfg)
	a, b := dial(t, tr, s), dial(t, tr, s)
	postN(t, a, 0, 3)
	toks := b.tokens(1)
	if r := b.post(blob(3), &toks[0]); r.Status != protocol.PostRateLimited {
		t.Fatalf("a post over the server-wide cap: %v, want rate limited", r.Status)
	}
	clk.Add(time.Hour) // one post a hour
	if r := b.post(blob(3), &toks[0]); r.Status != protocol.PostOK || r.Seq != 4 {
		t.Fatalf("the same token after the budget refilled: %v %d, want stored as 4", r.Status, r.Seq)
	}
	if r := a.post(blob(4), &a.tokens(1)[0]); r.Status != protocol.PostRateLimited {
		t.Fatalf("a second post in that hour: %v, want rate limited", r.Status)
	}
	if st := s.Stats(); st.Posts != 4 || st.PostsRefused != 2 {
		t.Fatalf("stats %+v", st)
	}
	if c, err := (Config{DataDir: "d", Transport: tr}).withDefaults(); err != nil || c.PostsPerDay != DefaultMaxBlobs/4 || c.PostBurst != c.PostsPerDay/24 {
		t.Fatalf("default post cap %d, burst %d (%v)", c.PostsPerDay, c.PostBurst, err)
	}
}
