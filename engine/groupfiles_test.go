package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/files/filestest"
	"github.com/nookchat/nook/engine/files/transfer"
	"github.com/nookchat/nook/engine/group"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// newsroom creates a profile on each of es, named names in turn (each
// with its name as password), and has the first host a group server and
// create the group "Newsroom" on it; the others have yet to join.
func newsroom(ctx context.Context, es []*testEngine, names ...string) model.Group {
	es[0].t.Helper()
	for i, te := range es {
		te.createProfile(names[i], names[i])
	}
	return es[0].hostGroup(ctx, "Newsroom")
}

// joinedNewsroom is newsroom with the group's creation settled (the
// first's join notice on the server) and the others of es joined; it
// returns the group and its conversation.
func joinedNewsroom(ctx context.Context, es []*testEngine, names ...string) (model.Group, model.ConversationID) {
	es[0].t.Helper()
	g := newsroom(ctx, es, names...)
	conv := g.Conversation()
	es[0].waitJoinNotice(conv)
	for _, te := range es[1:] {
		te.joinGroupOf(es[0], g)
	}
	return g, conv
}

// shareFile has te share in conv a new file of n bytes named name
// (writeFile's, marked marker); it returns the message and the bytes.
func (te *testEngine) shareFile(conv model.ConversationID, name, marker string, n int) (model.Message, []byte) {
	te.t.Helper()
	path, data := writeFile(te.t, te.t.TempDir(), name, marker, n)
	m, err := te.SendFile(conv, path, SendFileOptions{})
	if err != nil {
		te.t.Fatal(err)
	}
	return m, data
}

// fetchFile waits for the offer of the file id in conv at te, accepts
// it and waits until te has it whole.
func (te *testEngine) fetchFile(conv model.ConversationID, id model.MessageID) model.FileTransfer {
	te.t.Helper()
	te.waitFile(conv, id, model.FileOffered)
	if _, err := te.AcceptFile(conv, id); err != nil {
		te.t.Fatal(err)
	}
	return te.waitFile(conv, id, model.FileComplete)
}

// waitJoinNotice waits until the join notice te's profile wrote on
// creating the group conv, its only message, is on the server.
func (te *testEngine) waitJoinNotice(conv model.ConversationID) {
	te.t.Helper()
	te.waitUntil("the creator's join notice on the server", step, func() bool {
		msgs, _ := te.Messages(conv, 0, 10)
		return len(msgs) == 1 && msgs[0].Status == model.StatusDelivered
	})
}

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
	bob.cfg.HolderNotes.Delay = func() time.Duration { return 0 } // his note at once
	g := newsroom(ctx, es, "Carol", "Alice", "Bob")
	conv := g.Conversation()
	alice.joinGroupOf(carol, g)
	bob.joinGroupOf(carol, g)
	for _, te := range []*testEngine{alice, bob} {
		te.waitConv("the joined group", conv, func(c model.Conversation) bool { return c.Kind == model.KindGroup && !c.Left })
	}

	m, data := alice.shareFile(conv, "leak.pdf", "GROUPFILEMARKER", 400_000)
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
	g := newsroom(ctx, es, "Alice", "Bob", "Dave")
	conv := g.Conversation()
	// Members joining from a G1 invite take the author of the group's
	// first message as its owner: Alice's join notice goes first.
	alice.waitJoinNotice(conv)
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
	m1, _ := alice.shareFile(conv, "before.pdf", "BEFORE", 20_000)
	// Dave fetches the first file, so that he serves it from his file
	// service in the group; a second one he is offered and leaves.
	dave.waitFile(conv, m1.ID, model.FileOffered)
	if _, err := dave.AcceptFile(conv, m1.ID); err != nil {
		t.Fatal(err)
	}
	dave.waitFile(conv, m1.ID, model.FileComplete)
	m0, _ := alice.shareFile(conv, "pending.pdf", "PENDING", 20_000)
	dave.waitFile(conv, m0.ID, model.FileOffered)
	op, err := dave.current()
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := op.files.Sources(conv, m1.ID)
	if err != nil || len(srcs) != 1 {
		t.Fatalf("Dave's sources of the first file: %v, %v", srcs, err)
	}
	svc, err := op.files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	daveService := svc.Address()
	c, err := transfer.Dialer(bob.transport(), nil)(ctx, daveService)
	if err != nil {
		t.Fatalf("Dave's file service before his removal: %v", err)
	}
	c.Close()

	if err := alice.RemoveMember(conv, dave.in(conv)); err != nil {
		t.Fatal(err)
	}
	dave.waitEvent("dave's group left", func(ev model.Event) bool {
		l, ok := ev.(model.GroupLeft)
		return ok && l.Conversation == conv
	})
	// His file service stopped at the removal, not at his next lock.
	if c, err := transfer.Dialer(bob.transport(), nil)(ctx, daveService); err == nil {
		c.Close()
		t.Fatal("Dave's file service still answers after his removal")
	}
	// The file he was offered ends as unavailable, after his service's
	// key and the files' sources were deleted (ForgetGroup).
	dave.waitFile(conv, m0.ID, model.FileUnavailable)
	if s, err := op.files.Sources(conv, m1.ID); err != nil || len(s) != 0 {
		t.Fatalf("Dave still keeps sources of the group's file: %v, %v", s, err)
	}
	if again, err := op.files.ServiceIdentity(conv); err != nil || again.Address() == daveService {
		t.Fatalf("Dave's file service key in the group was kept: %v", err)
	}
	if got, err := dave.File(conv, m1.ID); err != nil || got.State != model.FileComplete {
		t.Fatalf("the file Dave had: %+v, %v", got, err)
	}
	m2, _ := alice.shareFile(conv, "after.pdf", "AFTER", 20_000)
	bob.waitFile(conv, m2.ID, model.FileOffered)
	if _, err := dave.File(conv, m2.ID); !errors.Is(err, transfer.ErrNotFound) {
		t.Fatalf("Dave knows of the file shared after his removal: %v", err)
	}
	c, err = transfer.Dialer(dave.transport(), nil)(ctx, srcs[0])
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

// noteClock is the injected clock of holder notes: each note armed is
// sent on armed with its delay, and fires when the test calls it.
type noteClock struct{ armed chan armedNote }

type armedNote struct {
	d    time.Duration
	fire func()
}

func newNoteClock() *noteClock { return &noteClock{armed: make(chan armedNote, 16)} }

func (c *noteClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.armed <- armedNote{d, f}
	return func() bool { return true }
}

func (c *noteClock) next(t *testing.T, who string) armedNote {
	t.Helper()
	select {
	case n := <-c.armed:
		return n
	case <-time.After(step):
		t.Fatalf("no holder note armed at %s", who)
		return armedNote{}
	}
}

// TestGroupFileHolderNote: a member who fetched a group file tells the
// group after a random delay (HolderDelayMin to HolderDelayMax, drawn
// afresh at unlock for a note still due), not when the fetch ends, and
// not at all when enough members are known to hold the file (Enough 2
// here: the author and one member).
func TestGroupFileHolderNote(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	alice, bob, carol := es[0], es[1], es[2]
	clocks := map[*testEngine]*noteClock{}
	for _, te := range es {
		clocks[te] = newNoteClock()
		te.cfg.HolderNotes = HolderNoteConfig{AfterFunc: clocks[te].AfterFunc, Enough: 2}
	}
	_, conv := joinedNewsroom(ctx, es, "Alice", "Bob", "Carol")
	m, _ := alice.shareFile(conv, "notes.pdf", "NOTES", 100_000)
	sources := func(te *testEngine) int {
		op, err := te.current()
		if err != nil {
			t.Fatal(err)
		}
		s, err := op.files.Sources(conv, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(s)
	}
	// noNoteBy checks that te posted no holder note: its post after the
	// fetch reaches Alice, and her file still has holders sources.
	noNoteBy := func(te *testEngine, body string, holders int) {
		t.Helper()
		te.postReceived(conv, body, alice)
		if n := sources(alice); n != holders {
			t.Fatalf("after %s, Alice knows %d holders, want %d", body, n, holders)
		}
	}

	bob.waitFile(conv, m.ID, model.FileOffered)
	if _, err := bob.AcceptFile(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	bob.waitFile(conv, m.ID, model.FileComplete)
	note := clocks[bob].next(t, "bob")
	if note.d < HolderDelayMin || note.d > HolderDelayMax {
		t.Fatalf("Bob's note waits %v, not within [%v, %v]", note.d, HolderDelayMin, HolderDelayMax)
	}
	noNoteBy(bob, "fetched", 0)

	// Locked before its time, the note is due again at unlock, with a
	// delay drawn afresh.
	if err := bob.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.UnlockAny(ctx, "Bob"); err != nil {
		t.Fatal(err)
	}
	note = clocks[bob].next(t, "bob after unlock")
	if note.d < HolderDelayMin || note.d > HolderDelayMax {
		t.Fatalf("Bob's note waits %v after unlock", note.d)
	}
	note.fire()
	alice.waitUntil("Bob's holder note", step, func() bool { return sources(alice) == 1 })
	carol.waitUntil("Bob's holder note at Carol", step, func() bool { return sources(carol) == 2 })

	// Carol knows two holders (Alice and Bob): when her note's time
	// comes, she posts none.
	if _, err := carol.AcceptFile(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	carol.waitFile(conv, m.ID, model.FileComplete)
	clocks[carol].next(t, "carol").fire()
	carol.waitUntil("carol's note settled", step, func() bool {
		op, err := carol.current()
		if err != nil {
			return false
		}
		due, err := op.files.HolderDue()
		return err == nil && len(due[conv]) == 0
	})
	noNoteBy(carol, "fetched too", 1)
	if len(clocks[bob].armed) != 0 || len(clocks[carol].armed) != 0 {
		t.Fatal("a settled note was armed again")
	}

	// Carol leaves the group: her file service's key and the files'
	// sources go, the file she was only offered ends as unavailable,
	// the file she has stays.
	m2, _ := alice.shareFile(conv, "later.pdf", "LATER", 20_000)
	carol.waitFile(conv, m2.ID, model.FileOffered)
	op, err := carol.current()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := op.files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	if err := carol.LeaveGroup(conv, false); err != nil {
		t.Fatal(err)
	}
	carol.waitFile(conv, m2.ID, model.FileUnavailable)
	if n := sources(carol); n != 0 {
		t.Fatalf("Carol keeps %d sources of the group's file after leaving", n)
	}
	if again, err := op.files.ServiceIdentity(conv); err != nil || again.Address() == svc.Address() {
		t.Fatalf("Carol's file service key in the group was kept: %v", err)
	}
	if f, err := carol.File(conv, m.ID); err != nil || f.State != model.FileComplete {
		t.Fatalf("the file Carol had: %+v, %v", f, err)
	}
}

// TestGroupFileHostileHolderNotes: Mallory, a member, posts one holder
// note after another, each naming an invented onion address. Each
// replaces the one before (one source per member), so Carol, who knows
// the author's source and Mallory's latest only, still posts her own
// note once she has the file, and the others learn her source.
func TestGroupFileHostileHolderNotes(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 3)
	alice, mallory, carol := es[0], es[1], es[2]
	clock := newNoteClock()
	carol.cfg.HolderNotes = HolderNoteConfig{AfterFunc: clock.AfterFunc}
	_, conv := joinedNewsroom(ctx, es, "Alice", "Mallory", "Carol")
	m, _ := alice.shareFile(conv, "leak.pdf", "LEAK", 50_000)
	sources := func(te *testEngine) []identity.Address {
		op, err := te.current()
		if err != nil {
			t.Fatal(err)
		}
		s, err := op.files.Sources(conv, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	mallory.waitFile(conv, m.ID, model.FileOffered)
	gid, _ := group.ParseConversation(conv)
	op, err := mallory.current()
	if err != nil {
		t.Fatal(err)
	}
	var fake identity.Address
	for range 2 * HolderEnough {
		id, err := identity.Generate(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		fake = id.Address()
		if err := op.groups.PostHolder(gid, m.ID, fake); err != nil {
			t.Fatal(err)
		}
	}
	carol.waitUntil("Mallory's last note", step, func() bool { return slices.Contains(sources(carol), fake) })
	if n := len(sources(carol)); n != 2 {
		t.Fatalf("Carol knows %d sources after Mallory's notes, want 2 (Alice's and Mallory's last)", n)
	}
	if _, err := carol.AcceptFile(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	carol.waitFile(conv, m.ID, model.FileComplete)
	clock.next(t, "carol").fire()
	cop, err := carol.current()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := cop.files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitUntil("Carol's holder note", step, func() bool { return slices.Contains(sources(alice), svc.Address()) })
}
