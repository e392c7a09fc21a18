package engine

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// gateTransport is a transport whose Listen, for an address the test
// holds, waits until the test releases it; the listener it then returns
// reports its closing.
type gateTransport struct {
	transport.Transport
	mu    sync.Mutex
	gates map[identity.Address]*listenGate
}

type listenGate struct {
	called  chan struct{} // closed when Listen is called
	release chan struct{} // closed by the test
	closed  chan struct{} // closed when the listener is closed
}

// hold makes the next Listen for addr wait for release.
func (gt *gateTransport) hold(addr identity.Address) *listenGate {
	gt.mu.Lock()
	defer gt.mu.Unlock()
	g := &listenGate{called: make(chan struct{}), release: make(chan struct{}), closed: make(chan struct{})}
	gt.gates[addr] = g
	return g
}

func (gt *gateTransport) Listen(ctx context.Context, id *identity.Identity) (net.Listener, error) {
	gt.mu.Lock()
	g := gt.gates[id.Address()]
	delete(gt.gates, id.Address())
	gt.mu.Unlock()
	if g == nil {
		return gt.Transport.Listen(ctx, id)
	}
	close(g.called)
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	l, err := gt.Transport.Listen(ctx, id)
	if err != nil {
		return nil, err
	}
	return &reportingListener{Listener: l, closed: g.closed}, nil
}

type reportingListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *reportingListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// waitClosed waits until c is closed, up to step.
func waitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(step):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// leaveGroup has te leave the group conv, keeping its messages, and
// waits until the engine says it left.
func (te *testEngine) leaveGroup(conv model.ConversationID) {
	te.t.Helper()
	if err := te.LeaveGroup(conv, false); err != nil {
		te.t.Fatal(err)
	}
	te.waitEvent("the leave", func(ev model.Event) bool {
		gl, ok := ev.(model.GroupLeft)
		return ok && gl.Conversation == conv
	})
}

// stillOpen fails the test, saying msg, if c is closed.
func stillOpen(t *testing.T, c <-chan struct{}, msg string) {
	t.Helper()
	select {
	case <-c:
		t.Fatal(msg)
	default:
	}
}

// gatedGroup is Alice, Bob and Carol in the group Newsroom Alice hosts,
// Bob's engine on a gateTransport.
func gatedGroup(t *testing.T) (alice, bob, carol *testEngine, gt *gateTransport, conv model.ConversationID) {
	t.Helper()
	ctx := context.Background()
	dirNet := loopback.NewMemoryDirectory()
	gt = &gateTransport{Transport: loopback.New(dirNet), gates: map[identity.Address]*listenGate{}}
	alice = newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	alice.cfg.Server = enginetest.Server()
	bob = newTestEngine(t, t.TempDir(), gt)
	carol = newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	_, conv = joinedNewsroom(ctx, []*testEngine{alice, bob, carol}, "Alice", "Bob", "Carol")
	return alice, bob, carol, gt, conv
}

// TestGroupFileServeOffWhileStarting (review F1): Bob fetches Alice's
// file with serving on, and his file service in the group starts; while
// it is still being published, he turns serving what he fetched off.
// Once published, the service sees the change and is closed at once,
// not kept until the next lock: he shared nothing in the group.
func TestGroupFileServeOffWhileStarting(t *testing.T) {
	alice, bob, _, gt, conv := gatedGroup(t)
	bob.cfg.HolderNotes = HolderNoteConfig{AfterFunc: newNoteClock().AfterFunc}
	svc, err := bob.op().files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	gate := gt.hold(svc.Address())

	m, _ := alice.shareFile(conv, "report.pdf", "REPORT", 50_000)
	bob.fetchFile(conv, m.ID)
	waitClosed(t, gate.called, "Bob's file service to be published")
	bob.setServeFetched(false)
	close(gate.release)
	waitClosed(t, gate.closed, "Bob's file service, started as serving was turned off, to close")
	if bob.serving(conv) {
		t.Fatal("Bob's file service runs with serving off, though he shared nothing")
	}
}

// TestGroupFileServeOffKeepsOwn (review F1): a service started as
// serving is turned off stays when the profile shared a file in the
// group.
func TestGroupFileServeOffKeepsOwn(t *testing.T) {
	_, bob, carol, gt, conv := gatedGroup(t)
	svc, err := bob.op().files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	gate := gt.hold(svc.Address())
	mb, data := bob.shareFile(conv, "notes.txt", "BOBSNOTES", 30_000)
	waitClosed(t, gate.called, "Bob's file service to be published")
	bob.setServeFetched(false)
	close(gate.release)
	if f := carol.fetchFile(conv, mb.ID); f.Size != int64(len(data)) {
		t.Fatalf("Bob's file at Carol: %+v", f)
	}
	stillOpen(t, gate.closed, "Bob's file service closed, though he shared a file")
}

// TestHolderNoteOffBeforePost (review F2): serving what Bob fetched is
// turned off after his holder note's time came, while it is being
// readied: the note does not go out, and stays due.
func TestHolderNoteOffBeforePost(t *testing.T) {
	f := bobFetched(t, 50_000)
	bob, conv := f.bob, f.conv
	note := f.clock.next(t, "bob's fetch")
	turned := false
	bob.op().gfiles.beforePost = func() {
		bob.setServeFetched(false)
		turned = true
	}
	note.fire()
	if !turned {
		t.Fatal("the note was not readied")
	}
	if due, err := bob.op().files.HolderDue(); err != nil || len(due[conv]) != 1 {
		t.Fatalf("Bob's note due: %v, %v; want it still due (not posted)", due, err)
	}
}

// TestGroupFileUpperCaseConversation (review F4): a file shared in a
// group named by its conversation ID in upper-case hex is kept under
// the group's conversation ID as the engine writes it, so the sweep at
// the next unlock keeps the key of the profile's file service there.
func TestGroupFileUpperCaseConversation(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 1)
	alice := es[0]
	g := newsroom(ctx, es, "Alice")
	conv := g.Conversation()
	alice.waitJoinNotice(conv)
	upper := model.ConversationID("g:" + strings.ToUpper(strings.TrimPrefix(string(conv), "g:")))
	if upper == conv {
		t.Fatal("the conversation ID has no letter")
	}
	m, _ := alice.shareFile(upper, "report.pdf", "REPORT", 20_000)
	if f, err := alice.File(conv, m.ID); err != nil || !f.Outgoing {
		t.Fatalf("the file under the group's conversation: %+v, %v", f, err)
	}
	if f, err := alice.File(upper, m.ID); err != nil || f.ID != m.ID {
		t.Fatalf("the file named in upper case: %+v, %v", f, err)
	}
	svc, err := alice.op().files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.UnlockAny(ctx, "Alice"); err != nil {
		t.Fatal(err)
	}
	again, err := alice.op().files.ServiceIdentity(conv)
	if err != nil || again.Address() != svc.Address() {
		t.Fatal("the key of Alice's file service in her group was swept at unlock")
	}
	if fs, err := alice.Files(conv); err != nil || len(fs) != 1 {
		t.Fatalf("Alice's files in the group after unlock: %v, %v", fs, err)
	}
}

// TestGroupFileRejoin (review F5): Bob leaves the group and joins it
// again in the same session: his file service there has a new key, he
// fetches a file shared after, and one he shares is served (Alice gets
// it from his new service).
func TestGroupFileRejoin(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 2)
	alice, bob := es[0], es[1]
	bob.cfg.HolderNotes = HolderNoteConfig{AfterFunc: newNoteClock().AfterFunc}
	g, conv := joinedNewsroom(ctx, es, "Alice", "Bob")
	m1, _ := bob.shareFile(conv, "first.pdf", "FIRST", 20_000)
	old, err := bob.op().files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitFile(conv, m1.ID, model.FileOffered)

	bob.leaveGroup(conv)
	bob.joinGroupOf(alice, g)

	m, _ := alice.shareFile(conv, "report.pdf", "REPORT", 20_000)
	bob.fetchFile(conv, m.ID)

	mb, data := bob.shareFile(conv, "notes.txt", "BOBSNOTES", 30_000)
	svc, err := bob.op().files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Address() == old.Address() {
		t.Fatal("Bob's file service in the group joined again has the key of his earlier membership")
	}
	if f := alice.fetchFile(conv, mb.ID); f.Size != int64(len(data)) {
		t.Fatalf("Bob's file at Alice: %+v", f)
	}
	if srcs, err := alice.op().files.Sources(conv, mb.ID); err != nil || len(srcs) != 1 || srcs[0] != svc.Address() {
		t.Fatalf("sources of Bob's new file at Alice: %v, %v; want his new service", srcs, err)
	}
}

// TestGroupFileRejoinWhileStarting (second review, item 1): Bob shares
// a file and his file service in the group is held while it is being
// published; he leaves the group and joins it again meanwhile. Once
// published, the service of the membership that ended closes, and one
// under the new membership's key runs in its place: a file Bob shares
// after joining again reaches Carol from it.
func TestGroupFileRejoinWhileStarting(t *testing.T) {
	alice, bob, carol, gt, conv := gatedGroup(t)
	old, err := bob.op().files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	gate := gt.hold(old.Address())
	bob.shareFile(conv, "first.pdf", "FIRST", 20_000)
	waitClosed(t, gate.called, "Bob's file service to be published")

	bob.leaveGroup(conv)
	inv, err := alice.GroupInvite(conv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.AcceptInvite(inv); err != nil {
		t.Fatal(err)
	}
	svc, err := bob.op().files.ServiceIdentity(conv)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Address() == old.Address() {
		t.Fatal("Bob's file service key in the group joined again is the earlier membership's")
	}
	again := gt.hold(svc.Address())
	close(gate.release)
	waitClosed(t, gate.closed, "the file service of Bob's earlier membership to close")
	waitClosed(t, again.called, "Bob's file service under his new membership's key to be published")
	close(again.release)

	mb, data := bob.shareFile(conv, "notes.txt", "BOBSNOTES", 30_000)
	if f := carol.fetchFile(conv, mb.ID); f.Size != int64(len(data)) {
		t.Fatalf("Bob's file at Carol: %+v", f)
	}
	if srcs, err := carol.op().files.Sources(conv, mb.ID); err != nil || len(srcs) != 1 || srcs[0] != svc.Address() {
		t.Fatalf("sources of Bob's file at Carol: %v, %v; want his new service", srcs, err)
	}
	stillOpen(t, again.closed, "Bob's file service of the new membership closed")
}

// TestJoinTwiceAtOnce (second review, item 2): Bob accepts the invite
// of a group twice at once (a double tap). The second join waits for
// the first and, the profile in the group by then, forgets none of the
// files of the membership the first began: the offer of a file Alice
// shared before he joined keeps its source, and he fetches it.
func TestJoinTwiceAtOnce(t *testing.T) {
	ctx := context.Background()
	es := groupEngines(t, 2)
	alice, bob := es[0], es[1]
	bob.cfg.HolderNotes = HolderNoteConfig{AfterFunc: newNoteClock().AfterFunc}
	g := newsroom(ctx, es, "Alice", "Bob")
	conv := g.Conversation()
	alice.waitJoinNotice(conv)
	m, data := alice.shareFile(conv, "report.pdf", "REPORT", 20_000)
	inv, err := alice.GroupInvite(conv)
	if err != nil {
		t.Fatal(err)
	}

	// The first join lets the second start, and goes on once the second
	// waits for it, or (without the lock) has checked that Bob is not in
	// the group; the second then goes on once the first ended and
	// Alice's offer is at Bob.
	op := bob.op()
	secondIn := make(chan struct{}, 2)
	offered := make(chan struct{})
	op.joinWaits = func() { secondIn <- struct{}{} }
	var calls int
	var mu sync.Mutex
	second := make(chan error, 1)
	op.joinChecked = func() {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			go func() {
				_, err := bob.AcceptInvite(inv)
				second <- err
			}()
			select {
			case <-secondIn:
			case <-time.After(step):
				t.Error("timed out waiting for the second join to start")
			}
			return
		}
		secondIn <- struct{}{}
		<-offered
	}
	if _, err := bob.AcceptInvite(inv); err != nil {
		t.Fatal(err)
	}
	bob.waitUntil("Alice's offer and its source at Bob", step, func() bool {
		srcs, err := op.files.Sources(conv, m.ID)
		return err == nil && len(srcs) == 1
	})
	close(offered)
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if srcs, err := op.files.Sources(conv, m.ID); err != nil || len(srcs) != 1 {
		t.Fatalf("sources of Alice's file at Bob after the second join: %v, %v", srcs, err)
	}
	if _, err := bob.AcceptFile(conv, m.ID); err != nil {
		t.Fatal(err)
	}
	if f := bob.waitFile(conv, m.ID, model.FileComplete); f.Size != int64(len(data)) {
		t.Fatalf("Alice's file at Bob: %+v", f)
	}
}

// TestSetSettingsAtOnce (second review, item 3): Bob fetched Alice's
// file, so his holder note is armed. He turns serving what he fetched
// off and, while that call has stored the setting and not yet applied
// it, on again in a second call. The calls run one after the other: the
// setting stored last (on) is the one applied, and his note is armed.
func TestSetSettingsAtOnce(t *testing.T) {
	f := bobFetched(t, 20_000)
	bob, conv, m := f.bob, f.conv, f.file
	f.clock.next(t, "Bob's fetch")

	op := bob.op()
	off, err := bob.Settings()
	if err != nil {
		t.Fatal(err)
	}
	off.ServeFetchedFiles = false
	on := off
	on.ServeFetchedFiles = true
	waiting, stored := make(chan struct{}, 1), make(chan struct{}, 1)
	op.settingsWait = func() { waiting <- struct{}{} }
	var mu sync.Mutex
	calls := 0
	second := make(chan error, 1)
	op.settingsStored = func() {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n > 1 {
			stored <- struct{}{}
			return
		}
		// The first call (off) has stored: the second (on) starts, and
		// the first applies once the second waits for it, or (without
		// the lock) has ended.
		go func() { second <- bob.SetSettings(on) }()
		select {
		case <-waiting:
		case <-stored:
			if err := <-second; err != nil {
				t.Error(err)
			}
			second <- nil
		case <-time.After(step):
			t.Error("timed out waiting for the second call")
		}
	}
	if err := bob.SetSettings(off); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if s, err := bob.Settings(); err != nil || !s.ServeFetchedFiles {
		t.Fatalf("Bob's setting: %+v, %v; want on, as stored last", s, err)
	}
	if stored, err := loadSettings(op.st); err != nil || !stored.ServeFetchedFiles {
		t.Fatalf("Bob's stored setting: %+v, %v; want on", stored, err)
	}
	gf := op.gfiles
	gf.mu.Lock()
	_, armed := gf.notes[fileRef{conv, m.ID}]
	gf.mu.Unlock()
	if !armed {
		t.Fatal("Bob's holder note is not armed, though serving what he fetched is on (the off was applied last)")
	}
	if !bob.serving(conv) {
		t.Fatal("Bob's file service does not run, though serving what he fetched is on")
	}
}

// fetched is Alice and Bob in a group, after Bob fetched a file Alice
// shared; Bob's holder notes are armed on clock.
type fetched struct {
	alice, bob *testEngine
	clock      *noteClock
	conv       model.ConversationID
	file       model.Message
}

// bobFetched returns Alice and Bob in a new group after Bob fetched the
// file of size bytes Alice shared.
func bobFetched(t *testing.T, size int) fetched {
	t.Helper()
	es := groupEngines(t, 2)
	f := fetched{alice: es[0], bob: es[1], clock: newNoteClock()}
	f.bob.cfg.HolderNotes = HolderNoteConfig{AfterFunc: f.clock.AfterFunc}
	_, f.conv = joinedNewsroom(context.Background(), es, "Alice", "Bob")
	f.file, _ = f.alice.shareFile(f.conv, "report.pdf", "REPORT", size)
	f.bob.fetchFile(f.conv, f.file.ID)
	return f
}
