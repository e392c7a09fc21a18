package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nookchat/nook/engine/files"
	"github.com/nookchat/nook/engine/files/filestest"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/disktest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// contacts makes a and b accepted contacts of each other (b uses a's
// in-person invite).
func contacts(a, b *testEngine) {
	b.acceptInviteOf(a)
	a.waitContact(b.self(), model.ContactAccepted)
	b.waitContact(a.self(), model.ContactAccepted)
}

// waitFile waits until te's transfer of id is in state, with its message
// stored, and returns it.
func (te *testEngine) waitFile(conv model.ConversationID, id model.MessageID, state model.FileState) model.FileTransfer {
	te.t.Helper()
	var f model.FileTransfer
	te.waitUntil("file "+state.String(), step, func() bool {
		var err error
		f, err = te.File(conv, id)
		if err != nil || f.State != state {
			return false
		}
		_, err = te.Message(conv, id)
		return err == nil
	})
	return f
}

// waitProgress waits until te has stored (or sent) some but not all of
// the file id.
func (te *testEngine) waitProgress(conv model.ConversationID, id model.MessageID) model.FileTransfer {
	te.t.Helper()
	var f model.FileTransfer
	te.waitUntil("part of the file", step, func() bool {
		var err error
		f, err = te.File(conv, id)
		return err == nil && f.Done > 0
	})
	if f.Done >= f.Size {
		te.t.Fatalf("the whole file arrived before the test could interrupt it")
	}
	return f
}

// gate is a transport whose connections stop writing once a budget of
// bytes is spent, until the gate opens: a transfer held in the middle,
// without timing.
type gate struct {
	transport.Transport
	mu     sync.Mutex
	budget int64         // bytes still allowed; negative: no limit
	opened chan struct{} // closed by open; held writes wait on it
}

func newGate(tr transport.Transport) *gate {
	g := &gate{Transport: tr, budget: -1, opened: make(chan struct{})}
	close(g.opened)
	return g
}

// hold lets n more bytes through, then holds every write until open.
func (g *gate) hold(n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.budget = n
	select {
	case <-g.opened:
		g.opened = make(chan struct{})
	default:
	}
}

// open lets every write through until the next hold.
func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.budget = -1
	select {
	case <-g.opened:
	default:
		close(g.opened)
	}
}

func (g *gate) Listen(ctx context.Context, id *identity.Identity) (net.Listener, error) {
	ln, err := g.Transport.Listen(ctx, id)
	if err != nil {
		return nil, err
	}
	return gatedListener{ln, g}, nil
}

func (g *gate) Dial(ctx context.Context, addr identity.Address) (net.Conn, error) {
	c, err := g.Transport.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: c, g: g, closed: make(chan struct{})}, nil
}

type gatedListener struct {
	net.Listener
	g *gate
}

func (l gatedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: c, g: l.g, closed: make(chan struct{})}, nil
}

type gatedConn struct {
	net.Conn
	g      *gate
	once   sync.Once
	closed chan struct{}
}

func (c *gatedConn) Write(p []byte) (int, error) {
	c.g.mu.Lock()
	free := c.g.budget < 0 || c.g.budget >= int64(len(p))
	if free && c.g.budget >= 0 {
		c.g.budget -= int64(len(p))
	}
	opened := c.g.opened
	c.g.mu.Unlock()
	if !free {
		select {
		case <-opened:
		case <-c.closed:
			return 0, net.ErrClosed
		}
	}
	return c.Conn.Write(p)
}

func (c *gatedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// writeFile writes a test file of n bytes: random bytes with a marker
// every 4 KiB, so that no part of it compresses and the marker can be
// searched for on disk.
func writeFile(t testing.TB, dir, name, marker string, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	for off := 0; off+len(marker) <= n; off += 4096 {
		copy(b[off:], marker)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, b
}

// TestFileTransfer: Alice sends Bob a photo with GPS tags and a 1.5 MB
// document; Bob accepts both, each arrives whole and verified, the photo
// without any of its metadata, and both save out under their names. Then
// neither profile folder holds the files' bytes or names once locked.
func TestFileTransfer(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	contacts(alice, bob)
	toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
	src := t.TempDir()

	photoPath := filepath.Join(src, "Holiday-Zanzibar-Beach.jpg")
	photo := filestest.Photo(t, 96, 64, 1)
	if err := os.WriteFile(photoPath, photo, 0o600); err != nil {
		t.Fatal(err)
	}
	const marker = "PLAINTEXT-MARKER-Quokka-Umbrella-8871"
	docPath, doc := writeFile(t, src, "Leaked-Memo-Ostrich-Report.pdf", marker, 1_500_000)

	pm, err := alice.SendFile(toBob, photoPath, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dm, err := alice.SendFile(toBob, docPath, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pm.Kind != model.KindFile || pm.Body != "Holiday-Zanzibar-Beach.jpg" {
		t.Fatalf("photo message %+v", pm)
	}
	offer := bob.waitFile(toAlice, dm.ID, model.FileOffered)
	if offer.Name != "Leaked-Memo-Ostrich-Report.pdf" || offer.Size != int64(len(doc)) || offer.SHA256 != sha256.Sum256(doc) || offer.Outgoing {
		t.Fatalf("offer as Bob sees it: %+v", offer)
	}
	if got, err := bob.Message(toAlice, dm.ID); err != nil || got.Kind != model.KindFile {
		t.Fatalf("Bob's file message: %+v, %v", got, err)
	}
	if _, err := bob.SaveFile(toAlice, dm.ID, t.TempDir()); err == nil {
		t.Fatal("a file not yet received was saved")
	}
	for _, id := range []model.MessageID{pm.ID, dm.ID} {
		if _, err := bob.AcceptFile(toAlice, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []model.MessageID{pm.ID, dm.ID} {
		bob.waitFile(toAlice, id, model.FileComplete)
		alice.waitFile(toBob, id, model.FileComplete)
	}

	out := t.TempDir()
	got := func(id model.MessageID, want string) []byte {
		path, err := bob.SaveFile(toAlice, id, out)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(path) != want {
			t.Fatalf("saved as %s, want %s", path, want)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := got(dm.ID, "Leaked-Memo-Ostrich-Report.pdf"); !bytes.Equal(b, doc) {
		t.Fatal("the document arrived changed")
	}
	// Saving again never replaces the first copy.
	if b := got(dm.ID, "Leaked-Memo-Ostrich-Report (2).pdf"); !bytes.Equal(b, doc) {
		t.Fatal("the second copy differs")
	}
	received := got(pm.ID, "Holiday-Zanzibar-Beach.jpg")
	for what, n := range filestest.Metadata() {
		if bytes.Contains(received, n) {
			t.Errorf("the photo's %s arrived", what)
		}
	}
	if img, err := files.DecodePicture(received); err != nil || img.Bounds().Dx() != 96 {
		t.Fatalf("received photo: %v", err)
	}
	if th, err := bob.FileThumbnail(toAlice, pm.ID); err != nil || th.Bounds().Dx() != 96 {
		t.Fatalf("thumbnail: %v", err)
	}
	list, err := bob.Files(toAlice)
	if err != nil || len(list) != 2 {
		t.Fatalf("Bob's files: %d, %v", len(list), err)
	}

	// Nothing of the files is readable in either profile folder.
	for _, te := range []*testEngine{alice, bob} {
		if err := te.Lock(); err != nil {
			t.Fatal(err)
		}
	}
	needles := map[string][]byte{
		"marker": []byte(marker), "document name": []byte("Ostrich-Report"), "photo name": []byte("Zanzibar"),
		"document bytes": doc[100:164], "photo bytes": received[len(received)/2 : len(received)/2+64],
	}
	scanned := 0
	for _, te := range []*testEngine{alice, bob} {
		filepath.WalkDir(te.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			scanned++
			for what, n := range needles {
				if bytes.Contains(b, n) {
					t.Errorf("%s found in %s", what, path)
				}
			}
			return nil
		})
	}
	if scanned < 8 {
		t.Fatalf("scanned only %d files", scanned)
	}
}

// TestFileTooLarge: Bob's limit is 1 MiB; Alice's 2 MiB file is refused
// without a byte of it moving, and Alice is told the limit.
func TestFileTooLarge(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	contacts(alice, bob)
	s, err := bob.Settings()
	if err != nil {
		t.Fatal(err)
	}
	s.FileLimitMiB = 1
	if err := bob.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	path, _ := writeFile(t, t.TempDir(), "big.bin", "x", 2<<20)
	m, err := alice.SendFile(model.ConversationID(bob.self()), path, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := alice.waitFile(model.ConversationID(bob.self()), m.ID, model.FileTooLarge)
	if !f.ByContact || f.Limit != 1<<20 {
		t.Fatalf("Alice sees %+v", f)
	}
	g := bob.waitFile(model.ConversationID(alice.self()), m.ID, model.FileTooLarge)
	if g.ByContact || g.Done != 0 {
		t.Fatalf("Bob sees %+v", g)
	}
	if _, err := bob.AcceptFile(model.ConversationID(alice.self()), m.ID); err == nil {
		t.Fatal("a refused file was accepted")
	}
}

// TestFileCancel: Bob declines one file, Alice cancels another before Bob
// answers, Bob cancels a third and Alice a fourth while they arrive; each
// side sees who stopped it, and Bob keeps no part of any.
func TestFileCancel(t *testing.T) {
	dirNet := loopback.NewMemoryDirectory()
	g := newGate(loopback.New(dirNet))
	alice := newTestEngine(t, t.TempDir(), g)
	bob := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	contacts(alice, bob)
	toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
	dir := t.TempDir()
	send := func(name string, n int) model.MessageID {
		path, _ := writeFile(t, dir, name, "m", n)
		m, err := alice.SendFile(toBob, path, SendFileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bob.waitFile(toAlice, m.ID, model.FileOffered)
		return m.ID
	}

	declined := send("declined.bin", 10_000)
	if _, err := bob.DeclineFile(toAlice, declined); err != nil {
		t.Fatal(err)
	}
	if f := alice.waitFile(toBob, declined, model.FileDeclined); !f.ByContact {
		t.Fatalf("Alice sees %+v", f)
	}

	withdrawn := send("withdrawn.bin", 10_000)
	if _, err := alice.CancelFile(toBob, withdrawn); err != nil {
		t.Fatal(err)
	}
	if f := bob.waitFile(toAlice, withdrawn, model.FileCancelled); !f.ByContact {
		t.Fatalf("Bob sees %+v", f)
	}
	if _, err := bob.AcceptFile(toAlice, withdrawn); err == nil {
		t.Fatal("a withdrawn file was accepted")
	}

	big := send("big.bin", 8<<20)
	g.hold(3 << 20) // Alice stops writing after 3 MB of it
	defer g.open()
	if _, err := bob.AcceptFile(toAlice, big); err != nil {
		t.Fatal(err)
	}
	bob.waitProgress(toAlice, big)
	f, err := bob.CancelFile(toAlice, big)
	if err != nil {
		t.Fatal(err)
	}
	if f.State != model.FileCancelled || f.ByContact || f.Done != 0 {
		t.Fatalf("Bob after cancelling: %+v", f)
	}
	if g := alice.waitFile(toBob, big, model.FileCancelled); !g.ByContact {
		t.Fatalf("Alice sees %+v", g)
	}
	if _, err := bob.SaveFile(toAlice, big, t.TempDir()); err == nil {
		t.Fatal("a cancelled file was saved")
	}
	g.open()

	// Alice cancels while it arrives.
	stopped := send("stopped.bin", 8<<20)
	g.hold(3 << 20)
	if _, err := bob.AcceptFile(toAlice, stopped); err != nil {
		t.Fatal(err)
	}
	bob.waitProgress(toAlice, stopped)
	if f, err := alice.CancelFile(toBob, stopped); err != nil || f.State != model.FileCancelled || f.ByContact {
		t.Fatalf("Alice after cancelling: %+v, %v", f, err)
	}
	g.open() // her stop queues behind the held chunks
	if f := bob.waitFile(toAlice, stopped, model.FileCancelled); !f.ByContact || f.Done != 0 {
		t.Fatalf("Bob sees %+v", f)
	}
}

// TestFileResume: a transfer interrupted by closing the receiver's engine,
// then the sender's (each reopens its real Badger profile), resumes where
// it stopped and arrives whole and verified.
func TestFileResume(t *testing.T) {
	for _, who := range []string{"receiver", "sender"} {
		t.Run(who, func(t *testing.T) {
			ctx := context.Background()
			dirNet := loopback.NewMemoryDirectory()
			aliceDir, bobDir := t.TempDir(), t.TempDir()
			g := newGate(loopback.New(dirNet))
			alice := newTestEngine(t, aliceDir, g)
			bob := newTestEngine(t, bobDir, loopback.New(dirNet))
			alice.createProfile("Alice", "a")
			bob.createProfile("Bob", "b")
			contacts(alice, bob)
			toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
			path, data := writeFile(t, t.TempDir(), "resume.bin", "r", 8<<20)
			m, err := alice.SendFile(toBob, path, SendFileOptions{})
			if err != nil {
				t.Fatal(err)
			}
			bob.waitFile(toAlice, m.ID, model.FileOffered)
			g.hold(3 << 20) // Alice stops writing after 3 MB of it
			if _, err := bob.AcceptFile(toAlice, m.ID); err != nil {
				t.Fatal(err)
			}
			restart := func(te **testEngine, dir, pw string) {
				(*te).Close()
				*te = newTestEngine(t, dir, loopback.New(dirNet))
				if _, err := (*te).UnlockAny(ctx, pw); err != nil {
					t.Fatal(err)
				}
			}
			before := bob.waitProgress(toAlice, m.ID)
			if who == "receiver" {
				restart(&bob, bobDir, "b")
			} else {
				restart(&alice, aliceDir, "a") // on an open transport
			}
			g.open()
			after, err := bob.File(toAlice, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.State != model.FileTransferring || after.Done < before.Done {
				t.Fatalf("after the restart: %+v (before %d bytes)", after, before.Done)
			}
			bob.waitFile(toAlice, m.ID, model.FileComplete)
			alice.waitFile(toBob, m.ID, model.FileComplete)
			var buf bytes.Buffer
			op, _ := bob.current()
			if _, err := op.files.WriteTo(toAlice, m.ID, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
				t.Fatalf("resumed file differs (%v)", err)
			}
			t.Logf("%s restarted after %d of %d bytes; %d stored when it reopened", who, before.Done, len(data), after.Done)
		})
	}
}

// TestFileAutoAccept: a picture under the setting (2 MiB by default) from
// a verified contact arrives without asking; a document, or a picture
// from a contact not verified, waits to be accepted.
func TestFileAutoAccept(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	contacts(alice, bob) // Alice verified Bob in person; Bob has not verified Alice
	toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
	dir := t.TempDir()
	photoPath := filepath.Join(dir, "p.jpg")
	if err := os.WriteFile(photoPath, filestest.Photo(t, 32, 32, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	docPath, _ := writeFile(t, dir, "d.bin", "d", 5000)

	fromBob, err := bob.SendFile(toAlice, photoPath, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFile(toBob, fromBob.ID, model.FileComplete)
	bob.waitFile(toAlice, fromBob.ID, model.FileComplete)

	docFromBob, err := bob.SendFile(toAlice, docPath, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fromAlice, err := alice.SendFile(toBob, photoPath, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFile(toBob, docFromBob.ID, model.FileOffered)
	bob.waitFile(toAlice, fromAlice.ID, model.FileOffered)
}

// TestFileDeletedWithConversation: deleting the conversation deletes its
// files' transfers and chunks too.
func TestFileDeletedWithConversation(t *testing.T) {
	alice, bob, _, _ := twoProfiles(t)
	contacts(alice, bob)
	toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
	path, _ := writeFile(t, t.TempDir(), "gone.bin", "g", 300_000)
	m, err := alice.SendFile(toBob, path, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFile(toAlice, m.ID, model.FileOffered)
	if _, err := bob.AcceptFile(toAlice, m.ID); err != nil {
		t.Fatal(err)
	}
	bob.waitFile(toAlice, m.ID, model.FileComplete)
	op, _ := bob.current()
	keys := func() int {
		n := 0
		op.st.Bucket("files").Iterate(nil, func(k, v []byte) error { n++; return nil })
		return n
	}
	if keys() < 5 {
		t.Fatalf("only %d keys for a received file", keys())
	}
	if err := bob.DeleteConversation(toAlice); err != nil {
		t.Fatal(err)
	}
	if n := keys(); n != 0 {
		t.Fatalf("%d keys of the file left after deleting the conversation", n)
	}
}

// TestFileFullDisk: the receiver's disk fills up in the middle of a
// transfer. The transfer pauses with a plain sentence, nothing stored is
// lost or damaged, and once space is freed, accepting again resumes it
// to a whole, verified file. (A small tmpfs: root only, else skipped
// loudly, a failure with NOOK_REQUIRE_FULLDISK=1.)
func TestFileFullDisk(t *testing.T) {
	disk := disktest.Mount(t, 120<<20)
	dirNet := loopback.NewMemoryDirectory()
	g := newGate(loopback.New(dirNet))
	alice := newTestEngine(t, t.TempDir(), g)
	bob := newTestEngine(t, disk, loopback.New(dirNet))
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	contacts(alice, bob)
	toBob, toAlice := model.ConversationID(bob.self()), model.ConversationID(alice.self())
	path, data := writeFile(t, t.TempDir(), "big.bin", "f", 24<<20)
	m, err := alice.SendFile(toBob, path, SendFileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bob.waitFile(toAlice, m.ID, model.FileOffered)
	g.hold(3 << 20)
	defer g.open()
	if _, err := bob.AcceptFile(toAlice, m.ID); err != nil {
		t.Fatal(err)
	}
	before := bob.waitProgress(toAlice, m.ID)
	// Leave the store's margin and 4 MiB: the transfer stops part way.
	filler := disktest.Fill(t, disk, store.DefaultMinFree+4<<20)
	g.open()
	ev := bob.waitEvent("the transfer paused", func(ev model.Event) bool {
		f, ok := ev.(model.FileChanged)
		return ok && f.File.ID == m.ID && f.File.Problem != ""
	}).(model.FileChanged)
	paused, err := bob.File(toAlice, m.ID)
	if err != nil || paused.State != model.FileTransferring || paused.Done < before.Done || paused.Done >= paused.Size {
		t.Fatalf("paused: %+v, %v", paused, err)
	}
	t.Logf("paused after %d of %d bytes: %s", paused.Done, paused.Size, ev.File.Problem)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AcceptFile(toAlice, m.ID); err != nil {
		t.Fatal(err)
	}
	bob.waitFile(toAlice, m.ID, model.FileComplete)
	var buf bytes.Buffer
	op, _ := bob.current()
	if _, err := op.files.WriteTo(toAlice, m.ID, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("the file differs after the pause (%v)", err)
	}
}
