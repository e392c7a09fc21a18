package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/internal/leaktest"
	"github.com/nookchat/nook/engine/invite"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/tor/tortest"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

func TestMain(m *testing.M) { os.Exit(leaktest.Check(tortest.Main(m))) }

const step = 15 * time.Second

// testEngine is an Engine on the loopback transport with cheap key
// derivation, and a subscription that records its events.
type testEngine struct {
	*Engine
	t      testing.TB
	dir    string
	tr     transport.Transport
	events <-chan model.Event
	cancel func()
	seen   []model.Event
	ids    map[model.ConversationID]string // the profile's member IDs in its groups (in)
}

func newTestEngine(t testing.TB, dir string, tr transport.Transport) *testEngine {
	t.Helper()
	e := New(Config{
		DataDir:     dir,
		Transport:   tr,
		Profile:     enginetest.Profile(),
		PeerBackoff: enginetest.PeerBackoff(),
	})
	ch, cancel := e.Subscribe()
	te := &testEngine{Engine: e, t: t, dir: dir, tr: tr, events: ch, cancel: cancel}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { te.Close() })
	return te
}

// waitEvent reads events until match returns true.
func (te *testEngine) waitEvent(what string, match func(model.Event) bool) model.Event {
	te.t.Helper()
	for _, ev := range te.seen {
		if match(ev) {
			return ev
		}
	}
	timeout := time.After(step)
	for {
		select {
		case ev, ok := <-te.events:
			if !ok {
				te.t.Fatalf("event stream closed waiting for %s", what)
			}
			te.seen = append(te.seen, ev)
			if match(ev) {
				return ev
			}
		case <-timeout:
			te.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func (te *testEngine) self() model.ConversationID {
	te.t.Helper()
	a, _, err := te.Self()
	if err != nil {
		te.t.Fatal(err)
	}
	return model.ConversationID(a)
}

// createProfile creates a profile named name with password pw and unlocks
// it.
func (te *testEngine) createProfile(name, pw string) {
	te.t.Helper()
	if _, err := te.CreateProfile(context.Background(), name, pw); err != nil {
		te.t.Fatal(err)
	}
}

// twoProfiles starts two engines on one in-memory loopback network with
// the profiles "Alice" (password "a") and "Bob" ("b"). It also returns the
// network's directory and Bob's folder, to start Bob's engine again.
func twoProfiles(t *testing.T) (alice, bob *testEngine, dirNet *loopback.MemoryDirectory, bobDir string) {
	t.Helper()
	dirNet = loopback.NewMemoryDirectory()
	alice = newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	bobDir = t.TempDir()
	bob = newTestEngine(t, bobDir, loopback.New(dirNet))
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")
	return alice, bob, dirNet, bobDir
}

// acceptInviteOf accepts from's in-person invite: the two become verified
// contacts once they have connected.
func (te *testEngine) acceptInviteOf(from *testEngine) {
	te.t.Helper()
	text, err := from.MyInvite(true)
	if err != nil {
		te.t.Fatal(err)
	}
	if _, err := te.AcceptInvite(text); err != nil {
		te.t.Fatal(err)
	}
}

// inPersonInvite returns te's in-person invite (MyInvite(true)), parsed.
func (te *testEngine) inPersonInvite() *invite.ContactInvite {
	te.t.Helper()
	text, err := te.MyInvite(true)
	if err != nil {
		te.t.Fatal(err)
	}
	inv, err := invite.Parse(text)
	if err != nil {
		te.t.Fatal(err)
	}
	return inv.(*invite.ContactInvite)
}

// hostGroup hosts a group server on te (HostServer with ctx) and creates
// the group name on it.
func (te *testEngine) hostGroup(ctx context.Context, name string) model.Group {
	te.t.Helper()
	serverInvite, err := te.HostServer(ctx)
	if err != nil {
		te.t.Fatal(err)
	}
	g, err := te.CreateGroup(name, serverInvite)
	if err != nil {
		te.t.Fatal(err)
	}
	return g
}

// joinGroupOf has te join the group g of host through the invite
// host makes for it (GroupInvite, then AcceptInvite).
func (te *testEngine) joinGroupOf(host *testEngine, g model.Group) {
	te.t.Helper()
	inv, err := host.GroupInvite(g.Conversation())
	if err != nil {
		te.t.Fatal(err)
	}
	if _, err := te.AcceptInvite(inv); err != nil {
		te.t.Fatal(err)
	}
}

// sendDelivered sends body to to and waits up to timeout until it is
// delivered.
func (te *testEngine) sendDelivered(to model.ConversationID, body string, timeout time.Duration) model.Message {
	te.t.Helper()
	m, err := te.Send(to, body, model.MessageID{})
	if err != nil {
		te.t.Fatal(err)
	}
	te.waitUntil(fmt.Sprintf("delivery of %q", body), timeout, func() bool {
		got, err := te.Message(m.Conversation, m.ID)
		return err == nil && got.Status == model.StatusDelivered
	})
	return m
}

func TestProfileLifecycle(t *testing.T) {
	dir := t.TempDir()
	e := newTestEngine(t, dir, loopback.New(loopback.NewMemoryDirectory()))
	ctx := context.Background()

	if _, _, err := e.Self(); !errors.Is(err, ErrLocked) {
		t.Fatalf("Self with no profile: %v, want ErrLocked", err)
	}
	info, err := e.CreateProfile(ctx, "Reporter", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	addr, name, err := e.Self()
	if err != nil || name != "Reporter" {
		t.Fatalf("Self = %v, %q, %v", addr, name, err)
	}
	if _, err := e.CreateProfile(ctx, "Second", "x"); !errors.Is(err, ErrAlreadyUnlocked) {
		t.Fatalf("second profile while one is open: %v", err)
	}
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UnlockAny(ctx, "wrong"); !errors.Is(err, profile.ErrWrongPassword) {
		t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
	}
	// A second profile with another password: UnlockAny finds the right one.
	other, err := e.CreateProfile(ctx, "Organiser", "another password")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	got, err := e.UnlockAny(ctx, "correct horse battery staple")
	if err != nil || got.ID != info.ID {
		t.Fatalf("UnlockAny = %v, %v; want profile %s", got.ID, err, info.ID)
	}
	if a, _, _ := e.Self(); a != addr {
		t.Fatal("unlocked profile has another address")
	}

	// Settings persist across lock/unlock.
	s := DefaultSettings()
	s.BlockUnknown, s.Theme, s.TextScale, s.AutoLockMinutes = true, "dark", 1.25, 15
	if err := e.SetSettings(s); err != nil {
		t.Fatal(err)
	}
	if err := e.SetSettings(Settings{Theme: "neon", TextScale: 1}); err == nil {
		t.Fatal("an unknown theme was accepted")
	}
	if err := e.SetSettings(Settings{Theme: "dark", TextScale: 1, AutoLockMinutes: 7}); err == nil {
		t.Fatal("an automatic lock time that is not a choice was accepted")
	}
	if err := e.SetDisplayName("Night Reporter"); err != nil {
		t.Fatal(err)
	}
	if err := e.ChangePassword("correct horse battery staple", "new pass"); err != nil {
		t.Fatal(err)
	}
	e.Lock()
	if _, err := e.Unlock(ctx, info.ID, "correct horse battery staple"); !errors.Is(err, profile.ErrWrongPassword) {
		t.Fatalf("old password after change: %v", err)
	}
	if _, err := e.Unlock(ctx, info.ID, "new pass"); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Settings(); got != s {
		t.Fatalf("settings after unlock = %+v, want %+v", got, s)
	}
	if _, name, _ := e.Self(); name != "Night Reporter" {
		t.Fatalf("display name after unlock = %q", name)
	}

	// Export, import under a new password, delete.
	exp := filepath.Join(t.TempDir(), "backup.nook")
	if err := e.ExportProfile(exp, "export pw"); err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteProfile("not the password"); !errors.Is(err, profile.ErrWrongPassword) {
		t.Fatalf("delete with a wrong password: %v", err)
	}
	if _, _, err := e.Self(); err != nil {
		t.Fatal("a failed delete locked the profile")
	}
	if err := e.DeleteProfile("new pass"); err != nil {
		t.Fatal(err)
	}
	infos, _ := e.Profiles()
	if len(infos) != 1 || infos[0].ID != other.ID {
		t.Fatalf("after delete %d profiles remain, want only the other one", len(infos))
	}
	imp, err := e.ImportProfile(exp, "export pw", "imported pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Unlock(ctx, imp.ID, "imported pw"); err != nil {
		t.Fatal(err)
	}
	if a, name, _ := e.Self(); a != addr || name != "Night Reporter" {
		t.Fatalf("imported profile is %s %q", a, name)
	}
}

// TestInPersonInvite: two people exchange an in-person invite; the contact
// is accepted without a request, the inviter's side sees it verified, they talk,
// unread counts follow, and everything survives a restart.
func TestInPersonInvite(t *testing.T) {
	ctx := context.Background()
	dirNet := loopback.NewMemoryDirectory()
	aliceDir, bobDir := t.TempDir(), t.TempDir()
	alice := newTestEngine(t, aliceDir, loopback.New(dirNet))
	bob := newTestEngine(t, bobDir, loopback.New(dirNet))
	alice.createProfile("Alice", "a")
	bob.createProfile("Bob", "b")

	text, err := alice.MyInvite(true)
	if err != nil {
		t.Fatal(err)
	}
	png, err := InviteQR(text, 512)
	if err != nil {
		t.Fatal(err)
	}
	scanned, err := ReadInviteImage(png)
	if err != nil || scanned != text {
		t.Fatalf("QR round trip: %q, %v", scanned, err)
	}
	res, err := bob.AcceptInvite(scanned)
	if err != nil {
		t.Fatal(err)
	}
	if res.Contact.Address != string(alice.self()) || res.Contact.Nickname != "Alice" {
		t.Fatalf("accepted contact %+v", res.Contact)
	}
	alice.waitEvent("bob accepted and verified on alice's side", func(ev model.Event) bool {
		c, ok := ev.(model.ContactChanged)
		return ok && c.Contact.Address == string(bob.self()) && c.Contact.State == model.ContactAccepted && c.Contact.Verified
	})
	// Bob's side is accepted and confirmed, but not verified: Nook cannot
	// tell that the invite he used came from Alice's screen (security
	// finding H-1); comparing safety codes verifies her.
	ca := bob.waitContact(alice.self(), model.ContactAccepted)
	if ca.Verified || !ca.InviteConfirmed {
		t.Fatalf("alice on bob's side: verified %v, invite confirmed %v", ca.Verified, ca.InviteConfirmed)
	}
	// The secret is single-use: a third person with the same invite text
	// becomes an ordinary request, not a verified contact.
	mallory := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
	mallory.createProfile("Mallory", "m")
	if _, err := mallory.AcceptInvite(text); err != nil {
		t.Fatal(err)
	}
	ev := alice.waitEvent("mallory's request", func(ev model.Event) bool {
		c, ok := ev.(model.ContactChanged)
		return ok && c.Contact.Address == string(mallory.self())
	}).(model.ContactChanged)
	if ev.Contact.State != model.ContactRequest || ev.Contact.Verified {
		t.Fatalf("a reused in-person invite gave %v verified=%v", ev.Contact.State, ev.Contact.Verified)
	}

	msg, err := bob.Send(alice.self(), "we met at the café", model.MessageID{})
	if err != nil {
		t.Fatal(err)
	}
	bob.waitEvent("delivery", func(ev model.Event) bool {
		s, ok := ev.(model.MessageStatusChanged)
		return ok && s.ID == msg.ID && s.Status == model.StatusDelivered
	})
	conv := model.ConversationID(bob.self())
	alice.waitEvent("unread count", func(ev model.Event) bool {
		u, ok := ev.(model.UnreadChanged)
		return ok && u.Conversation == conv && u.Unread == 1
	})
	if n, _ := alice.Unread(conv); n != 1 {
		t.Fatalf("unread = %d, want 1", n)
	}
	if err := alice.MarkRead(conv); err != nil {
		t.Fatal(err)
	}
	if n, _ := alice.Unread(conv); n != 0 {
		t.Fatalf("unread after MarkRead = %d", n)
	}

	// Restart alice's whole engine: history and contacts are there.
	alice.Close()
	alice = newTestEngine(t, aliceDir, loopback.New(dirNet))
	if _, err := alice.UnlockAny(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	msgs, err := alice.Messages(conv, 0, 50)
	if err != nil || len(msgs) != 1 || msgs[0].Body != "we met at the café" {
		t.Fatalf("history after restart: %v, %v", msgs, err)
	}
	c, err := alice.Contact(bob.self())
	if err != nil || !c.Verified || c.DisplayName != "Bob" {
		t.Fatalf("contact after restart: %+v, %v", c, err)
	}
}

func TestEventsAfterClose(t *testing.T) {
	e := New(Config{DataDir: t.TempDir(), Transport: loopback.New(loopback.NewMemoryDirectory())})
	ch, _ := e.Subscribe()
	e.Close()
	if _, ok := <-ch; ok {
		// The TorStatus event of Start is not sent: Start never ran.
		t.Fatal("event on a closed engine")
	}
	ch2, cancel := e.Subscribe()
	cancel()
	if _, ok := <-ch2; ok {
		t.Fatal("subscription after Close is open")
	}
	if _, err := e.CreateProfile(context.Background(), "x", "y"); !errors.Is(err, ErrClosed) {
		t.Fatalf("CreateProfile after Close: %v", err)
	}
}

// TestLogsHoldNoSecrets runs a conversation with every log level enabled
// and checks that the log holds no message text, no name, no key and no
// address (not even an address's first characters).
func TestLogsHoldNoSecrets(t *testing.T) {
	var logBuf lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dirNet := loopback.NewMemoryDirectory()
	mk := func() *testEngine {
		e := newTestEngine(t, t.TempDir(), loopback.New(dirNet))
		e.cfg.Logger = logger
		return e
	}
	ctx := context.Background()
	a, b := mk(), mk()
	a.createProfile("Secret Source Name", "pw-a")
	b.createProfile("Investigative Desk", "pw-b")
	b.acceptInviteOf(a)
	b.waitContact(a.self(), model.ContactAccepted)
	const body = "the documents are in the blue folder"
	b.sendDelivered(a.self(), body, step)
	addrs := []string{string(a.self()), string(b.self())}
	// Some failures, which are what get logged: a wrong password, a dial
	// to a contact that is gone.
	aAddr := a.self()
	a.Lock()
	a.UnlockAny(ctx, "wrong")
	b.Send(aAddr, "while you are away", model.MessageID{})
	dials := 0
	b.waitUntil("b to fail a few dials, which it logs", step, func() bool {
		for _, ev := range b.seen {
			if p, ok := ev.(model.PresenceChanged); ok && p.Presence == model.Connecting {
				dials++
			}
		}
		b.seen = b.seen[:0]
		return dials >= 3
	})
	b.Close()

	log := logBuf.String()
	if log == "" {
		t.Fatal("nothing was logged: the test would prove nothing")
	}
	secrets := []string{body, "while you are away", "Secret Source Name", "Investigative Desk", "pw-a", "pw-b"}
	for _, addr := range addrs {
		secrets = append(secrets, addr, addr[:8], strings.ToUpper(addr[:8]))
	}
	for _, s := range secrets {
		if i := strings.Index(log, s); i >= 0 {
			line := log[strings.LastIndex(log[:i], "\n")+1:]
			line, _, _ = strings.Cut(line, "\n")
			t.Errorf("the log contains %q: %s", s, line)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestUnlockCancelled: an unlock whose context is done leaves the profile
// locked and says why.
func TestUnlockCancelled(t *testing.T) {
	e := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	info, err := e.CreateProfile(context.Background(), "Reporter", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Unlock(ctx, info.ID, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Unlock with a cancelled context: %v", err)
	}
	if _, err := e.UnlockAny(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Fatalf("UnlockAny with a cancelled context: %v", err)
	}
	if _, _, err := e.Self(); !errors.Is(err, ErrLocked) {
		t.Fatalf("after cancelled unlocks: %v, want ErrLocked", err)
	}
	if _, err := e.Unlock(context.Background(), info.ID, "pw"); err != nil {
		t.Fatalf("the profile was left unusable: %v", err)
	}
}

// in returns the profile's member ID in the group of conv: the address
// form of its key there (docs/groups.md, "Per-group identities"). The
// answer is kept, so that it can be asked after leaving.
func (te *testEngine) in(conv model.ConversationID) string {
	te.t.Helper()
	if a, ok := te.ids[conv]; ok {
		return a
	}
	op, gid, err := te.groupOf(conv)
	if err != nil {
		te.t.Fatal(err)
	}
	a, err := op.groups.Self(gid)
	if err != nil {
		te.t.Fatal(err)
	}
	if te.ids == nil {
		te.ids = map[model.ConversationID]string{}
	}
	te.ids[conv] = string(a)
	return string(a)
}
