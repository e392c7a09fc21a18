package groupclient

import (
	"bytes"
	"context"
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
)

// send posts blob with a token taken from the wallet, as a member who
// bypasses the queue would (the tests' forged posts).
func (s *server) send(ctx context.Context, blob []byte) (protocol.PostStatus, error) {
	tok, err := s.takeToken(ctx)
	if err != nil {
		return 0, err
	}
	return s.sendWith(ctx, blob, tok, nil)
}

// storedWallet returns how many tokens m's stored wallet for srv holds.
func (m *member) storedWallet(t *testing.T, srv *server) int {
	t.Helper()
	v, err := m.st.Bucket(bucketName).Get(walletKey(srv.bundle.SigningKey))
	if err != nil {
		t.Fatal(err)
	}
	w, err := tokens.ParseWallet(v)
	if err != nil {
		t.Fatal(err)
	}
	return w.Len()
}

// postTokens returns the tokens of the posts that went through px, in
// order.
func (p *proxy) postTokens() [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out [][]byte
	for _, enc := range p.seen {
		if r, err := protocol.Decode(enc); err == nil {
			if post, ok := r.(*protocol.Post); ok {
				out = append(out, bytes.Clone(post.Token))
			}
		}
	}
	return out
}

// reservedPost queues a post of alice's while the proxy lets nothing
// through, and returns it, its server and the token reserved for it in
// its queue record, checking that the token left the stored wallet in
// the same transaction (one commit for the whole queueing).
func reservedPost(t *testing.T, alice *member, px *proxy, id GroupInfo, body string) (model.Message, *server, []byte) {
	t.Helper()
	alice.c.mu.Lock()
	srv := alice.c.servers[px.bundle.SigningKey]
	alice.c.mu.Unlock()
	before, commits := alice.storedWallet(t, srv), alice.st.Commits()
	px.setPaused(true)
	msg, err := alice.c.Post(id.ID, body, model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	if n := alice.st.Commits() - commits; n != 1 {
		t.Fatalf("queueing a post with its token took %d commits, want 1", n)
	}
	v, err := alice.c.bucket.Get(queueKey(msg.ID))
	if err != nil {
		t.Fatal(err)
	}
	blob, tok := splitQueued(v)
	if len(blob) != protocol.BlobSize || len(tok) != tokens.TokenSize {
		t.Fatalf("queue record of %d bytes: blob %d, token %d", len(v), len(blob), len(tok))
	}
	if after := alice.storedWallet(t, srv); after != before-1 {
		t.Fatalf("stored wallet %d tokens after queueing, %d before: the reserved token must leave it", after, before)
	}
	return msg, srv, tok
}

// TestReservedTokenAfterRestart: a post queued with a token reserved for
// it, whose client stops before sending it (as a crash between queueing
// and sending would), goes out after the restart with that token and no
// other: the wallet gives none more, and no token reaches the server
// twice.
func TestReservedTokenAfterRestart(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("g", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	postAndWait(t, alice, info.ID, "first") // the wallet is filled
	msg, srv, tok := reservedPost(t, alice, px, info, "second")
	left := alice.storedWallet(t, srv)
	alice.stop()
	alice.start()
	px.setPaused(false)
	alice.ev.waitFor(t, "the second post delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.ID == msg.ID && e.Status == model.StatusDelivered }) > 0
	})
	toks := px.postTokens()
	if len(toks) != 2 || !bytes.Equal(toks[1], tok) || bytes.Equal(toks[0], tok) {
		t.Fatalf("%d posts reached the server; the second with the reserved token: %v", len(toks), len(toks) == 2 && bytes.Equal(toks[1], tok))
	}
	alice.c.mu.Lock()
	srv = alice.c.servers[px.bundle.SigningKey]
	alice.c.mu.Unlock()
	if n := alice.storedWallet(t, srv); n != left {
		t.Fatalf("the wallet holds %d tokens after the post went, %d before: it gave another", n, left)
	}
	if _, err := alice.c.bucket.Get(queueKey(msg.ID)); err == nil {
		t.Fatal("the post is still queued after its delivery")
	}
}

// TestReservedTokenSpentBeforeCrash: the reserved token went out and the
// server stored the post, but the client stopped before hearing it (a
// crash after sending). After the restart the post is sent again with the
// same token, never a third post's, the server refuses it as spent, and
// the post takes one fresh token and is stored: the wallet gives exactly
// one more token, and no token but the reserved one reaches the server
// twice.
func TestReservedTokenSpentBeforeCrash(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("g", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	postAndWait(t, alice, info.ID, "first")
	msg, srv, tok := reservedPost(t, alice, px, info, "second")
	left := alice.storedWallet(t, srv)
	v, err := alice.c.bucket.Get(queueKey(msg.ID))
	if err != nil {
		t.Fatal(err)
	}
	blob, _ := splitQueued(v)
	alice.stop()
	// Its subscription must not bring the post back, or the post would be
	// delivered without a resend: the blobs are withheld from now on.
	px.setMangle(func(*protocol.Blob) []*protocol.Blob { return nil })
	px.setPaused(false)
	reserved, err := tokens.ParseToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	// The crashed process's attempt: the server stores the post.
	if status, err := srv.sendWith(t.Context(), blob, reserved, nil); err != nil || status != protocol.PostOK {
		t.Fatalf("the attempt before the crash: %v, %v", status, err)
	}
	alice.start()
	alice.ev.waitFor(t, "the second post sent", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.ID == msg.ID && e.Status == model.StatusSent }) > 0
	})
	toks := px.postTokens()
	// first post, the attempt before the crash, the same token refused, a fresh one.
	if len(toks) != 4 || !bytes.Equal(toks[1], tok) || !bytes.Equal(toks[2], tok) || bytes.Equal(toks[3], tok) || bytes.Equal(toks[3], toks[0]) {
		t.Fatalf("%d posts reached the server, want 4: the first, the reserved token twice, then a fresh one", len(toks))
	}
	alice.c.mu.Lock()
	srv = alice.c.servers[px.bundle.SigningKey]
	alice.c.mu.Unlock()
	if n := alice.storedWallet(t, srv); n != left-1 {
		t.Fatalf("the wallet holds %d tokens after the resend, want %d (one fresh token for it)", n, left-1)
	}
}
