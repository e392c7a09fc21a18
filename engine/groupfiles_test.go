package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nookchat/nook/engine/files/filestest"
	"github.com/nookchat/nook/engine/files/transfer"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestGroupFileAfterAuthorOffline is issue 17's test of files in groups:
// three members' engines on the loopback transport, with a real group
// server hosted by Carol's. Alice shares a file in the group; Bob
// accepts it and fetches it from Alice's file service; Alice goes
// offline; Carol accepts it then, and gets it from Bob (his holder
// note), verified: it saves out byte for byte. A small picture arrives
// by itself, as from a verified contact.
func TestGroupFileAfterAuthorOffline(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	carol, alice, bob := es[0], es[1], es[2]
	carol.createProfile("Carol", "c")
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	g := carol.hostGroup(ctx, "Newsroom")
	conv := g.Conversation()
	alice.joinGroupOf(carol, g)
	bob.joinGroupOf(carol, g)
	for _, te := range []*testEngine{alice, bob} {
		te.waitConv("the joined group", conv, func(c model.Conversation) bool { return c.Kind == model.KindGroup && !c.Left })
	}

	path, data := writeFile(t, t.TempDir(), "leak.pdf", "GROUPFILEMARKER", 400_000)
	m, err := alice.SendFile(conv, path, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != model.KindFile || m.Body != "leak.pdf" {
		t.Fatalf("sent %+v", m)
	}
	if f, err := alice.File(conv, m.ID); err != nil || !f.Outgoing || f.Size != int64(len(data)) {
		t.Fatalf("Alice's file: %+v, %v", f, err)
	}
	offered := bob.waitFile(conv, m.ID, model.FileOffered)
	if offered.Name != "leak.pdf" || offered.Size != int64(len(data)) || offered.Outgoing {
		t.Fatalf("Bob was offered %+v", offered)
	}
	carol.waitFile(conv, m.ID, model.FileOffered)
	if _, err := bob.AcceptFile(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	bob.waitFile(conv, m.ID, model.FileComplete)

	// Bob's holder note reaches Carol's profile (reported as a
	// FileChanged); then Alice goes offline.
	carol.waitUntil("Bob's holder note", step, func() bool {
		op, err := carol.current()
		if err != nil {
			return false
		}
		srcs, err := op.files.Sources(conv, m.ID)
		return err == nil && len(srcs) == 2
	})
	if err := alice.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.AcceptFile(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	got := carol.waitFile(conv, m.ID, model.FileComplete)
	if got.Done != int64(len(data)) {
		t.Fatalf("Carol's file: %+v", got)
	}
	dir := t.TempDir()
	saved, err := carol.SaveFile(conv, m.ID, dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(saved); err != nil || !bytes.Equal(b, data) || filepath.Base(saved) != "leak.pdf" {
		t.Fatalf("saved %s: %d bytes, %v", saved, len(b), err)
	}

	// A small picture from a member arrives by itself.
	pic := filepath.Join(t.TempDir(), "photo.jpg")
	if err := os.WriteFile(pic, filestest.Photo(t, 32, 32, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	pm, err := bob.SendFile(conv, pic, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f := carol.waitFile(conv, pm.ID, model.FileComplete); !strings.HasPrefix(f.MediaType, "image/") {
		t.Fatalf("the picture arrived as %+v", f)
	}
}

// TestGroupFileAfterRemoval: a member removed by a rotation cannot fetch
// a file announced after it. Dave was offered Alice's first file; Alice
// removes him and shares a second: Bob is offered it, Dave's profile
// never learns of it, and Alice's file service, which Dave can still
// reach (its address came with the first file), refuses his fetch of the
// second without its key as if it held no such file.
func TestGroupFileAfterRemoval(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	alice, bob, dave := es[0], es[1], es[2]
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	dave.createProfile("Dave", "d")
	g := alice.hostGroup(ctx, "Newsroom")
	conv := g.Conversation()
	// Members joining from a G1 invite take the author of the group's
	// first message as its owner: Alice's join notice goes first.
	alice.waitUntil("alice's join notice on the server", step, func() bool {
		msgs, _ := alice.Messages(conv, 0, 10)
		return len(msgs) == 1 && msgs[0].Status == model.StatusDelivered
	})
	for _, m := range []*testEngine{bob, dave} {
		m.joinGroupOf(alice, g)
		if _, err := m.SendMessage(conv, "here"); err != nil {
			t.Fatal(err)
		}
	}
	alice.waitUntil("bob's and dave's posts at alice", step, func() bool {
		msgs, _ := alice.Messages(conv, 0, 20)
		n := 0
		for _, m := range msgs {
			if m.Body == "here" {
				n++
			}
		}
		return n == 2
	})
	first, _ := writeFile(t, t.TempDir(), "before.pdf", "BEFORE", 20_000)
	m1, err := alice.SendFile(conv, first, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dave.waitFile(conv, m1.ID, model.FileOffered)
	if err := alice.RemoveMember(conv, dave.in(conv)); err != nil {
		t.Fatal(err)
	}
	dave.waitEvent("dave's group left", func(ev model.Event) bool {
		l, ok := ev.(model.GroupLeft)
		return ok && l.Conversation == conv
	})
	second, _ := writeFile(t, t.TempDir(), "after.pdf", "AFTER", 20_000)
	m2, err := alice.SendFile(conv, second, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFile(conv, m2.ID, model.FileOffered)
	if _, err := dave.File(conv, m2.ID); !errors.Is(err, transfer.ErrNotFound) {
		t.Fatalf("Dave knows of the file shared after his removal: %v", err)
	}
	op, err := dave.current()
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := op.files.Sources(conv, m1.ID)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("Dave's sources of the first file: %v, %v", srcs, err)
	}
	c, err := transfer.Dialer(dave.transport(), nil)(ctx, srcs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var guess [32]byte
	rand.Read(guess[:])
	if err := c.Send(&protocol.FileFetch{ID: m2.ID, Proof: transfer.FetchProof(guess, c.ChannelBinding())}); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Recv(); err != nil {
		t.Fatal(err)
	} else if st, ok := r.(*protocol.FileStop); !ok || st.Reason != protocol.StopUnavailable {
		t.Fatalf("Alice's service answered %T %+v", r, r)
	}
}
