package groupclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/tokens"
)

// Tests of the group findings of the outside security review;
// docs/security.md lists them.

// TestPoWDifficultyCapped (L-8): a server that asks for a proof of work
// above the client's cap gets none: the client does not solve it, says so
// with a warning, and keeps the post queued.
func TestPoWDifficultyCapped(t *testing.T) {
	tr := network()
	cfg := serverConfig(t.TempDir(), tr)
	cfg.PoWBits = protocol.MaxPoWBits
	srv := startServer(t, cfg)
	defer srv.Close()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("g", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := alice.c.Post(info.ID, "hello", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	evs := alice.ev.waitFor(t, "a proof-of-work warning", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupWarning) bool { return e.Kind == "proof of work" }) > 0
	})
	for _, ev := range evs {
		if w, ok := ev.(model.GroupWarning); ok && w.Kind == "proof of work" && w.Server != string(srv.Address()) {
			t.Errorf("warning without its server: %+v", w)
		}
	}
	if st := srv.Stats(); st.TokenBatches != 0 || st.Posts != 0 {
		t.Fatalf("server stats %+v: the client solved the work", st)
	}
	if m, err := alice.st.GetMessage(msg.Conversation, msg.ID); err != nil || m.Status != model.StatusQueued {
		t.Fatalf("post %v (%v), want still queued", m.Status, err)
	}
}

// TestCursorDoesNotChainSessions (M-5): a server that records every
// subscription cannot chain a reader's sessions by cursor. Each time Alice
// comes back she subscribes from a cursor that is not the last sequence
// number the server sent her, but an earlier one, coarsened to a multiple
// of 64 and at a varying distance; what she already had is skipped
// locally: every message is stored once and nothing raises a warning.
func TestCursorDoesNotChainSessions(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice, bob := newMember(t, tr, "alice"), newMember(t, tr, "bob")
	alice.stop()
	starts := byte(0)
	alice.tune = func(c *Config) { // deterministic, and another stream at every start
		starts++
		c.Rand = mrand.NewChaCha8([32]byte{'m', '5', starts})
	}
	alice.start()
	info, err := bob.c.CreateGroup("g", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := bob.c.Invite(info.ID)
	alice.join(t, text)
	alice.stop()
	bob.stop()
	const rounds, per = 4, 200
	var bodies []string
	warnings := 0
	for r := range rounds {
		bob.start()
		for i := range per {
			body := fmt.Sprintf("r%d m%d", r, i)
			bodies = append(bodies, body)
			if _, err := bob.c.Post(info.ID, body, model.MessageID{}); err != nil {
				t.Fatal(err)
			}
		}
		bob.ev.waitFor(t, "bob's posts delivered", func(evs []model.Event) bool {
			return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) == per
		})
		bob.stop()
		px.mu.Lock()
		px.label = "alice"
		px.mu.Unlock()
		alice.start()
		want := len(bodies)
		evs := alice.ev.waitFor(t, "alice caught up", func(evs []model.Event) bool {
			return count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0 &&
				len(alice.messages(info.Conversation)) >= want
		})
		warnings += count(evs, func(model.GroupWarning) bool { return true })
		alice.stop()
		px.mu.Lock()
		px.label = ""
		px.mu.Unlock()
	}
	var got []string
	for _, m := range alice.messages(info.Conversation) {
		got = append(got, m.Body)
	}
	if fmt.Sprint(got) != fmt.Sprint(bodies) {
		t.Fatalf("alice stored %d messages, want each of %d once, in order", len(got), len(bodies))
	}
	if n := warnings; n != 0 {
		t.Fatalf("%d warnings while re-reading", n)
	}

	px.mu.Lock()
	defer px.mu.Unlock()
	var sessions []recordedSub
	for _, s := range px.subs {
		if s.label == "alice" {
			sessions = append(sessions, s)
		}
	}
	if len(sessions) != rounds {
		t.Fatalf("%d subscriptions of alice recorded, want %d", len(sessions), rounds)
	}
	distances := map[uint64]bool{}
	for i := 1; i < len(sessions); i++ {
		last, cur := px.sent[sessions[i-1].conn], sessions[i].cursor
		t.Logf("session %d: server sent up to %d, next subscription from %d", i, last, cur)
		if cur >= last {
			t.Errorf("session %d subscribes from %d, the previous one ended at %d: chained", i, cur, last)
		}
		if cur%64 != 0 {
			t.Errorf("cursor %d is not coarsened", cur)
		}
		distances[last-cur] = true
	}
	if len(distances) < 2 {
		t.Errorf("every session went back by the same distance %v: a fingerprint", distances)
	}
}

// TestHistoryLostBounded (L-11): a server that answers with a head below
// the client's cursor ("I lost my history") makes the client read again
// at most lostRereadMax blobs, not everything, and the client says so.
func TestHistoryLostBounded(t *testing.T) {
	tr := network()
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice := newMember(t, tr, "alice")
	if _, err := alice.c.CreateGroup("g", srv.Bundle()); err != nil {
		t.Fatal(err)
	}
	alice.c.mu.Lock()
	s := alice.c.servers[srv.Bundle().SigningKey]
	alice.c.mu.Unlock()
	const cursor = 50_000
	sub := &subscription{s: s, cursor: cursor, start: cursor}
	if err := sub.caughtUpWith(&protocol.CaughtUp{Head: 0, Oldest: 1}); !errors.Is(err, errResubscribe) {
		t.Fatalf("caught up with a lost history: %v", err)
	}
	got, err := s.cursor()
	if err != nil {
		t.Fatal(err)
	}
	if got != cursor-lostRereadMax {
		t.Fatalf("cursor %d after the server claimed to have lost everything, want %d", got, cursor-lostRereadMax)
	}
	// An honest server restored from a recent backup: the client goes back
	// to its head, no further.
	sub = &subscription{s: s, cursor: got, start: got}
	if err := sub.caughtUpWith(&protocol.CaughtUp{Head: got - 10, Oldest: 1}); !errors.Is(err, errResubscribe) {
		t.Fatal(err)
	}
	if c, _ := s.cursor(); c != got-10 {
		t.Fatalf("cursor %d, want the server's head %d", c, got-10)
	}
	alice.ev.waitFor(t, "two history-lost warnings", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupWarning) bool { return e.Kind == "history lost" }) == 2
	})
}

// TestServerBundlesCompared (M-4): a server operator who hands each group
// creator its own onion address or token key, under one signing key, can
// tell the groups' blobs apart. The client notices when two of its groups
// are on "the same" server (one signing key) with different addresses or
// token keys: it warns, and GroupInfo says so and carries a fingerprint of
// the bundle that members can compare. A bundle signed again with the same
// keys is the same bundle.
func TestServerBundlesCompared(t *testing.T) {
	tr := network()
	alice := newMember(t, tr, "alice")
	op := seedIdentity(t, "operator")
	bundle := func(addr string, tokenKey [32]byte, created time.Time) *invite.Bundle {
		b := &invite.Bundle{Address: seedIdentity(t, addr).Address(), TokenKey: tokenKey, Created: created}
		if err := b.Sign(op); err != nil {
			t.Fatal(err)
		}
		return b
	}
	key := func(s string) [32]byte { // a valid ristretto255 element: a token public key
		seed := sha256.Sum256([]byte(s))
		k, err := tokens.DeriveIssuerKey(seed[:], []byte("test"))
		if err != nil {
			t.Fatal(err)
		}
		return [32]byte(k.Public())
	}
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	a, err := alice.c.CreateGroup("a", bundle("x", key("1"), t0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := alice.c.CreateGroup("b", bundle("x", key("1"), t0.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if a.ServerConflict || b.ServerConflict || a.ServerFingerprint != b.ServerFingerprint {
		t.Fatalf("one bundle signed twice: %+v / %+v", a, b)
	}
	if ok, _ := regexp.MatchString(`^[a-z2-7]{4}( [a-z2-7]{4}){4}$`, a.ServerFingerprint); !ok {
		t.Fatalf("fingerprint %q", a.ServerFingerprint)
	}
	c, err := alice.c.CreateGroup("c", bundle("y", key("2"), t0))
	if err != nil {
		t.Fatal(err)
	}
	if !c.ServerConflict || c.ServerFingerprint == a.ServerFingerprint {
		t.Fatalf("another bundle of one signing key: %+v", c)
	}
	alice.ev.waitFor(t, "a warning", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupWarning) bool {
			return e.Kind == "server bundles differ" && e.Conversation == c.Conversation
		}) == 1
	})
	for _, g := range alice.c.Groups() {
		if !g.ServerConflict {
			t.Errorf("group %s not marked", g.Name)
		}
	}
	// The warning comes again after a restart: the groups are still there.
	alice.stop()
	alice.start()
	alice.ev.waitFor(t, "the warning after a restart", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupWarning) bool { return e.Kind == "server bundles differ" }) > 0
	})
}

// TestResendIsResealed (L-10): a post whose answer was lost is sent again,
// sealed afresh: the server sees two blobs that share no bytes (it cannot
// link the two tokens through them), and the message is still one message.
func TestResendIsResealed(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("g", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	px.dropNextResults(1)
	// The first attempt's blob is kept from the subscription until the
	// resend reached the server: a post seen back is not sent again
	// (TestDeliveredNotPostedAgain), and here alice must not know yet.
	px.setMangle(func(b *protocol.Blob) []*protocol.Blob {
		if px.count(protocol.TypePost) < 2 {
			return nil
		}
		return []*protocol.Blob{b}
	})
	msg, err := alice.c.Post(info.ID, "said once", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	alice.ev.waitFor(t, "the post delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.ID == msg.ID && e.Status == model.StatusDelivered }) > 0
	})
	px.waitCount(t, protocol.TypePost, 2) // the resend
	// A later post, delivered in order after the resend's blob: by then
	// the resend came back too and was recognised.
	after, err := alice.c.Post(info.ID, "after", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	evs := alice.ev.waitFor(t, "the later post delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.ID == after.ID && e.Status == model.StatusDelivered }) > 0
	})
	posts := px.firstPosts(2)
	if len(posts) != 2 {
		t.Fatalf("%d posts reached the server, want the post and its resend", len(posts))
	}
	if i := sharedRun(posts[0], posts[1]); i >= 0 {
		t.Fatalf("the resend shares bytes %d..%d with the first attempt", i, i+8)
	}
	if ms := alice.messages(info.Conversation); len(ms) != 2 || ms[0].Body != "said once" || ms[1].Body != "after" {
		t.Fatalf("stored %+v, want the message once", ms)
	}
	if n := count(evs, func(model.GroupWarning) bool { return true }); n != 0 {
		t.Fatalf("%d warnings", n)
	}
}

// TestDeliveredNotPostedAgain: the server stores a post and the post comes
// back through the subscription, but the connection that posted it closes
// before its answer arrives (the server went down, as in TestLeaveGroup).
// The post is on the server: it is not posted again. The server sees two
// posts, this one and the next, not three.
func TestDeliveredNotPostedAgain(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("g", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	px.dropNextResultsAfter(1, gate)
	msg := postAndWait(t, alice, info.ID, "said once")
	close(gate) // the answer is lost after the post came back
	if out, err := alice.st.Outbox(info.Conversation); err != nil || len(out) != 0 {
		t.Fatalf("outbox after the post came back: %v, %v", out, err)
	}
	// The next post leaves after any resend of the first (oldest first).
	postAndWait(t, alice, info.ID, "after")
	if n := px.count(protocol.TypePost); n != 2 {
		t.Fatalf("%d posts reached the server, want 2 (the first was sent again)", n)
	}
	if m, err := alice.st.GetMessage(info.Conversation, msg.ID); err != nil || m.Status != model.StatusDelivered {
		t.Fatalf("the first post: %+v, %v", m, err)
	}
}

// TestPostGapsAndRefill (L-10): queued posts leave with a random pause
// between them, and a wallet that runs low is refilled after a random
// wait, not right before a post. The pauses are observed through the
// client's sleep hook (no timing is measured).
func TestPostGapsAndRefill(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	type pause struct {
		kind string
		d    time.Duration
	}
	var (
		mu      sync.Mutex
		pauses  []pause
		release = make(chan struct{})
	)
	const gapMax, refillMax = 7 * time.Second, time.Hour
	alice := newMember(t, tr, "alice")
	alice.stop()
	alice.tune = func(c *Config) {
		c.Batch, c.LowWater, c.PostGap, c.RefillWithin = 3, 2, gapMax, refillMax
		c.sleep = func(ctx context.Context, kind string, d time.Duration) bool {
			mu.Lock()
			pauses = append(pauses, pause{kind, d})
			mu.Unlock()
			if kind == "refill" {
				select {
				case <-release:
				case <-ctx.Done():
					return false
				}
			}
			return ctx.Err() == nil
		}
	}
	alice.start()
	info, err := alice.c.CreateGroup("g", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	px.setPaused(true) // the three posts queue up
	for i := range 3 {
		if _, err := alice.c.Post(info.ID, fmt.Sprint("m", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	px.setPaused(false)
	alice.ev.waitFor(t, "the three posts stored by the server", func(evs []model.Event) bool {
		done := map[model.MessageID]bool{}
		for _, ev := range evs {
			if e, ok := ev.(model.MessageStatusChanged); ok && (e.Status == model.StatusSent || e.Status == model.StatusDelivered) {
				done[e.ID] = true
			}
		}
		return len(done) == 3
	})
	mu.Lock()
	var gaps, refills []time.Duration
	for _, p := range pauses {
		switch p.kind {
		case "gap":
			gaps = append(gaps, p.d)
		case "refill":
			refills = append(refills, p.d)
		}
	}
	mu.Unlock()
	if len(gaps) != 2 || gaps[0] >= gapMax || gaps[1] >= gapMax || gaps[0] == gaps[1] {
		t.Fatalf("pauses between the three posts: %v, want two random ones below %v", gaps, gapMax)
	}
	if len(refills) != 1 || refills[0] >= refillMax {
		t.Fatalf("refill waits %v, want one below %v", refills, refillMax)
	}
	// One batch so far: the one an empty wallet needed for the first post.
	// The refill waits for its timer, not for a post.
	if n := px.count(protocol.TypeTokenRequest); n != 1 {
		t.Fatalf("%d token requests before the refill timer fired, want 1", n)
	}
	close(release)
	px.waitCount(t, protocol.TypeTokenRequest, 2) // the refill, when its timer fired
}

// TestLeaveNoticeResendUsesAnotherCopy (L-10): a leave notice cannot be
// sealed again (the leaving forgot the group key), so the leaving seals it
// several times; a resend after a lost answer takes another copy: the
// server sees two blobs that share no bytes.
func TestLeaveNoticeResendUsesAnotherCopy(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("g", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	px.dropNextResults(1)
	_ = alice.as(info.ID) // its key, read while it is a member
	if err := alice.c.Leave(info.ID, false); err != nil {
		t.Fatal(err)
	}
	px.waitCount(t, protocol.TypePost, 2)
	posts := px.firstPosts(2)
	if i := sharedRun(posts[0], posts[1]); i >= 0 {
		t.Fatalf("the notice's resend shares bytes %d..%d with the first attempt", i, i+8)
	}
}

// TestNoticeRecordVersion1: a leave notice stored by the previous version
// (one sealed copy; testdata/notice-v1.bin was written by it) still reads,
// and its copy is the notice.
func TestNoticeRecordVersion1(t *testing.T) {
	v, err := os.ReadFile("testdata/notice-v1.bin")
	if err != nil {
		t.Fatal(err)
	}
	srv := seedIdentity(t, "server")
	g, err := group.New([32]byte{7}, [32]byte(srv.PublicKey()))
	if err != nil {
		t.Fatal(err)
	}
	n, err := decodeNoticeRecord(g.ID(), v)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.blobs) != 1 || n.bundle.Address != srv.Address() {
		t.Fatalf("decoded %d copies for %s", len(n.blobs), n.bundle.Address)
	}
	m, err := g.Open(n.blobs[0])
	if err != nil || m.Kind != group.KindLeft || m.Author != seedIdentity(t, "alice").Address() || m.Seq != 3 {
		t.Fatalf("the stored notice opens to %+v, %v", m, err)
	}
	again, err := n.encode() // written again in the current version
	if err != nil {
		t.Fatal(err)
	}
	if n2, err := decodeNoticeRecord(g.ID(), again); err != nil || len(n2.blobs) != 1 || !bytes.Equal(n2.blobs[0], n.blobs[0]) {
		t.Fatalf("re-encoded: %v", err)
	}
}
