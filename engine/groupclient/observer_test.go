package groupclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
	"github.com/nookchat/nook/engine/transport"
)

// What the group server learns (docs/security.md, the "group server"
// column): these tests look at everything a server holds or writes after
// real clients used it: the records it received (TestRecordingServer in
// hostile_test.go and the token path below), its data dir and its log.

// seedRecorder is a Config.Rand that remembers every 32-byte read: the
// seeds of the throwaway identities the client dials with (and keys).
type seedRecorder struct {
	mu    sync.Mutex
	seeds [][]byte
}

func (r *seedRecorder) Read(p []byte) (int, error) {
	n, err := rand.Read(p)
	if n == 32 {
		r.mu.Lock()
		r.seeds = append(r.seeds, bytes.Clone(p))
		r.mu.Unlock()
	}
	return n, err
}

// throwaways returns the identities made from the recorded seeds.
func (r *seedRecorder) throwaways(t testing.TB) []*identity.Identity {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []*identity.Identity
	for _, s := range r.seeds {
		id, err := identity.FromSeed(s)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// newRecordedMember is newMember with a client whose randomness is
// recorded.
func newRecordedMember(t testing.TB, tr transport.Transport, name string, rec *seedRecorder) *member {
	t.Helper()
	key := sha256.Sum256([]byte("store " + name))
	st, err := store.Open(t.TempDir(), store.Options{Key: key[:], Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := &member{t: t, name: name, id: seedIdentity(t, name), st: st, tr: tr, ev: newRecorder()}
	t.Cleanup(func() { m.stop(); st.Close() })
	c, err := New(Config{Store: st, Transport: tr, Self: m.id, Emit: m.ev.emit, Rand: rec,
		Name:       func() string { return m.name },
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, RequestWait: 30 * time.Second,
		PostGap: -1, RefillWithin: -1, NoJoinNotice: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	m.c = c
	return m
}

// lockedLog is a log destination shared by the server's goroutines.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf.Bytes())
}

// needle is a secret and the name a failure shows for it.
type needle struct {
	what string
	b    []byte
}

// forms returns s and its encodings a careless log or file might use.
func forms(what string, b []byte) []needle {
	out := []needle{{what, b}}
	if len(b) >= 16 {
		out = append(out,
			needle{what + " (hex)", []byte(hex.EncodeToString(b))},
			needle{what + " (base64)", []byte(base64.StdEncoding.EncodeToString(b))[:20]},
			needle{what + " (first 16 bytes)", b[:16]})
	}
	return out
}

// TestServerDataDirAndLogHoldNothing: two members use a group on a server
// (create, join, posts in both directions, a restart of the server), with
// the server logging at debug level. Then every byte under the server's
// data dir and every byte of its log is searched for the message texts,
// the group's name, key and ID, the members' names, addresses and keys,
// and the throwaway identities the clients dialled with: none is there.
func TestServerDataDirAndLogHoldNothing(t *testing.T) {
	tr := network()
	dir := t.TempDir()
	var log lockedLog
	cfg := serverConfig(dir, tr)
	cfg.NoSync = false
	cfg.Logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := startServer(t, cfg)
	var rec seedRecorder
	alice := newRecordedMember(t, tr, "Ximena Quartermaine", &rec)
	bob := newRecordedMember(t, tr, "Bartholomew Ozymandias", &rec)
	const groupName = "Lighthouse Keepers Guild"
	info, err := alice.c.CreateGroup(groupName, srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, _ := alice.c.Invite(info.ID)
	inv, err := invite.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	gkey := inv.(*invite.GroupInvite).Key()
	bob.join(t, text)
	bodies := []string{"meet at the north pier at dawn", "bring the ledger with the red cover", "the password is marmalade"}
	post := func(m *member, body string) {
		if _, err := m.c.Post(info.ID, body, model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	post(alice, bodies[0])
	post(bob, bodies[1])
	bob.ev.waitFor(t, "bob receives", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool { return e.Message.Body == bodies[0] }) == 1
	})
	// A restart of the server, then a post and a stranger that fails its
	// handshake (failures are what servers log).
	srv.Close()
	srv = startServer(t, cfg)
	post(alice, bodies[2])
	if c, err := tr.Dial(context.Background(), srv.Address()); err == nil {
		c.Write(bytes.Repeat([]byte("not a handshake "), 600))
		io.Copy(io.Discard, c)
		c.Close()
	}
	bob.ev.waitFor(t, "bob receives after the restart", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageAdded) bool { return e.Message.Body == bodies[2] }) == 1
	})
	alice.ev.waitFor(t, "alice's posts delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) == 2
	})
	alice.stop()
	bob.stop()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	var needles []needle
	for _, b := range bodies {
		needles = append(needles, needle{"message text", []byte(b)}, needle{"message text (start)", []byte(b[:12])})
	}
	needles = append(needles, needle{"group name", []byte(groupName)})
	needles = append(needles, forms("group key", gkey[:])...)
	needles = append(needles, forms("group ID", info.ID[:])...)
	for _, m := range []*member{alice, bob} {
		needles = append(needles, needle{"member name", []byte(m.name)}, needle{"member address", []byte(m.id.Address())},
			needle{"member address (start)", []byte(m.id.Address())[:16]})
		needles = append(needles, forms("member key", m.id.PublicKey())...)
	}
	ids := rec.throwaways(t)
	if len(ids) < 4 {
		t.Fatalf("only %d throwaway identities recorded: the test would prove little", len(ids))
	}
	for _, id := range ids {
		needles = append(needles, needle{"client identity (address)", []byte(id.Address())[:16]})
		needles = append(needles, forms("client identity (key)", id.PublicKey())...)
	}

	files := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, n := range needles {
			if bytes.Contains(b, n.b) {
				t.Errorf("%s holds a %s", path, n.what)
			}
		}
		return nil
	})
	if err != nil || files < 5 {
		t.Fatalf("scanned %d files (%v)", files, err)
	}
	logged := log.Bytes()
	if len(logged) == 0 {
		t.Fatal("the server logged nothing: the test would prove nothing")
	}
	for _, n := range needles {
		if bytes.Contains(logged, n.b) {
			t.Errorf("the server's log holds a %s", n.what)
		}
	}
	// The client's own reports (warnings, failure reasons) never carry
	// message text, names or keys either.
	for _, m := range []*member{alice, bob} {
		evs, _ := m.ev.snapshot()
		for _, ev := range evs {
			var s string
			switch e := ev.(type) {
			case model.GroupWarning:
				s = e.Kind + " " + e.Reason
			case model.MessageStatusChanged:
				s = e.Reason
			default:
				continue
			}
			for _, n := range needles {
				if bytes.Contains([]byte(s), n.b) {
					t.Errorf("a %T event holds a %s", ev, n.what)
				}
			}
		}
	}
	t.Logf("scanned %d files and %d bytes of log for %d needles", files, len(logged), len(needles))
}

// TestRecordingServerTokenPath: along the token path, what a server
// receives cannot link a post to the connection that fetched its token:
// tokens are fetched on connections of their own (no connection both
// asks for tokens and posts), every connection comes from a fresh
// identity, and no posted token shares bytes with any blinded element
// the server saw at issuance.
func TestRecordingServerTokenPath(t *testing.T) {
	tr, px, stop := proxiedServer(t)
	defer stop()
	alice := newMember(t, tr, "alice")
	info, err := alice.c.CreateGroup("club", px.bundle)
	if err != nil {
		t.Fatal(err)
	}
	const n = 5
	for i := range n {
		if _, err := alice.c.Post(info.ID, fmt.Sprint("post ", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	alice.ev.waitFor(t, "posts delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) == n
	})
	alice.stop()
	px.mu.Lock()
	defer px.mu.Unlock()
	var blinded [][]byte
	var posted []tokens.Token
	requests := 0
	for _, enc := range px.seen {
		r, err := protocol.Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		switch r := r.(type) {
		case *protocol.TokenRequest:
			requests++
			for _, b := range r.Blinded {
				blinded = append(blinded, bytes.Clone(b[:]))
			}
		case *protocol.Post:
			tok, err := tokens.ParseToken(r.Token)
			if err != nil {
				t.Fatalf("posted token: %v", err)
			}
			posted = append(posted, tok)
		}
	}
	if requests == 0 || len(posted) != n {
		t.Fatalf("%d token requests, %d posts recorded", requests, len(posted))
	}
	// Each post and each token request on a connection of its own, and
	// every connection from a different identity.
	if len(px.peers) < n+requests {
		t.Errorf("%d connections for %d posts and %d token requests: some were shared", len(px.peers), n, requests)
	}
	for conn, k := range px.perCon {
		if k > 1 {
			t.Errorf("connection %d carried %d posts", conn, k)
		}
	}
	seen := map[identity.Address]bool{}
	for _, p := range px.peers {
		if seen[p] || p == alice.id.Address() {
			t.Fatal("a dialler identity was used twice or is the profile's")
		}
		seen[p] = true
	}
	// No 8-byte run of a posted token appears in what was sent at
	// issuance.
	for _, tok := range posted {
		b, _ := tok.MarshalBinary()
		for _, bl := range blinded {
			if sharedRun(bl, b) >= 0 {
				t.Fatalf("a posted token shares bytes with a blinded element")
			}
		}
	}
}
