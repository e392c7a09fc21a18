package engine

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/crashtest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// The crash tests run one engine in a child process (this test binary,
// re-executed by crashtest to run TestCrashChild with crashChildEnv set),
// kill it with SIGKILL in the middle of its work, start it again on the
// same profile, and check that nothing the user saw as sent or received is
// lost and nothing is duplicated. The two engines find each other through
// a loopback directory on disk.

const crashChildEnv = "NOOK_CRASH_CHILD"

// TestCrashChild is the child's main: it reports on stdout, one line each:
//
//	READY <address>            the profile is unlocked and published
//	QUEUED <message id>        Send returned (the user saw the message)
//	RECEIVED <message id>      an incoming message was stored
//	OUTBOX-EMPTY               every outgoing message is delivered
//	HISTORY <n>                how many incoming messages are stored (role count)
func TestCrashChild(t *testing.T) {
	if os.Getenv(crashChildEnv) == "" {
		t.Skip("runs only as the child of a crash test")
	}
	role, dir, peerText, loopDir := os.Getenv("ROLE"), os.Getenv("DIR"), os.Getenv("PEER"), os.Getenv("LOOPDIR")
	count, _ := strconv.Atoi(os.Getenv("COUNT"))
	fail := func(err error) {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	e := New(Config{
		DataDir:   dir,
		Transport: loopback.New(loopback.FileDirectory{Path: loopDir}),
		// Synced writes: the test kills this process.
		Profile:     profile.Options{KDF: enginetest.Profile().KDF},
		PeerBackoff: enginetest.PeerBackoff(),
	})
	events, _ := e.Subscribe()
	ctx := context.Background()
	if err := e.Start(ctx); err != nil {
		fail(err)
	}
	infos, _ := e.Profiles()
	var err error
	if len(infos) == 0 {
		_, err = e.CreateProfile(ctx, "child", "pw")
	} else {
		_, err = e.UnlockAny(ctx, "pw")
	}
	if err != nil {
		fail(err)
	}
	peer, err := identity.ParseAddress(peerText)
	if err != nil {
		fail(err)
	}
	if _, err := e.Contact(model.ConversationID(peer)); err != nil {
		if _, err := e.AddContact(peerText, "parent"); err != nil {
			fail(err)
		}
	}
	self, _, _ := e.Self()
	fmt.Println("READY", self)

	accepted := func() bool {
		c, err := e.Contact(model.ConversationID(peer))
		return err == nil && c.State == model.ContactAccepted
	}
	outboxEmpty := func() bool {
		msgs, _ := e.Messages(model.ConversationID(peer), 0, 1<<20)
		for _, m := range msgs {
			if m.Outgoing && m.Status != model.StatusDelivered {
				return false
			}
		}
		return true
	}
	for !accepted() {
		<-events
	}
	switch role {
	case "send":
		for i := 0; i < count; i++ {
			m, err := e.Send(model.ConversationID(peer), fmt.Sprintf("message %d", i), model.MessageID{})
			if err != nil {
				fail(err)
			}
			fmt.Println("QUEUED", m.ID)
			if i >= 100 {
				// After a burst, a person's pace, so the kill lands mid-send
				// with messages in every state.
				time.Sleep(5 * time.Millisecond)
			}
		}
	case "count":
		msgs, _ := e.Messages(model.ConversationID(peer), 0, 1<<20)
		n := 0
		for _, m := range msgs {
			if !m.Outgoing {
				n++
			}
		}
		fmt.Println("HISTORY", n)
	}
	reportedEmpty := false
	for ev := range events {
		if m, ok := ev.(model.MessageAdded); ok && !m.Message.Outgoing {
			fmt.Println("RECEIVED", m.Message.ID)
		}
		if !reportedEmpty && outboxEmpty() {
			reportedEmpty = true
			fmt.Println("OUTBOX-EMPTY")
		}
	}
}

// childTimeout bounds each wait for a line of the child.
const childTimeout = 60 * time.Second

// startChild runs TestCrashChild in a child process with env added.
func startChild(t *testing.T, env ...string) *crashtest.Child {
	t.Helper()
	return crashtest.Start(t, "TestCrashChild", append([]string{crashChildEnv + "=1"}, env...)...)
}

// expectLine waits for the child's line that starts with prefix and returns
// the rest of it.
func expectLine(t *testing.T, c *crashtest.Child, prefix string) string {
	t.Helper()
	return strings.TrimSpace(strings.TrimPrefix(c.Expect(t, prefix, childTimeout), prefix))
}

// crashSetup starts the in-process engine and the child, and makes them
// contacts.
func crashSetup(t *testing.T, role string, count int) (parent *testEngine, childAddr identity.Address, childDir, loopDir string, c *crashtest.Child) {
	loopDir, childDir = t.TempDir(), t.TempDir()
	parent = newTestEngine(t, t.TempDir(), loopback.New(loopback.FileDirectory{Path: loopDir}))
	if _, err := parent.CreateProfile(context.Background(), "parent", "pw"); err != nil {
		t.Fatal(err)
	}
	c = startChild(t, "ROLE="+role, "DIR="+childDir, "PEER="+string(parent.self()), "LOOPDIR="+loopDir, "COUNT="+strconv.Itoa(count))
	addr := expectLine(t, c, "READY")
	if _, err := parent.AddContact(addr, "child"); err != nil {
		t.Fatal(err)
	}
	return parent, mustAddress(t, addr), childDir, loopDir, c
}

func mustAddress(t *testing.T, s string) identity.Address {
	t.Helper()
	a, err := identity.ParseAddress(s)
	if err != nil {
		t.Fatalf("child printed a bad address %q: %v", s, err)
	}
	return a
}

// waitUntil reads the engine's events until check holds.
func (te *testEngine) waitUntil(what string, timeout time.Duration, check func() bool) {
	te.t.Helper()
	deadline := time.After(timeout)
	// check is also run every poll: what it looks at may change without
	// an event after it (a group file's sources, learned from a holder
	// note, emit none).
	poll := time.NewTicker(20 * time.Millisecond)
	defer poll.Stop()
	for !check() {
		select {
		case ev, ok := <-te.events:
			if !ok {
				te.t.Fatalf("event stream closed waiting for %s", what)
			}
			te.seen = append(te.seen, ev)
		case <-poll.C:
		case <-deadline:
			te.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestCrashDuringSend kills the sending engine while it sends 300
// messages; after a restart every message it reported as queued arrives
// exactly once.
func TestCrashDuringSend(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const n = 300
	parent, _, childDir, loopDir, c := crashSetup(t, "send", n)
	queued := map[string]bool{}
	collect := func(line string) {
		if id, ok := strings.CutPrefix(line, "QUEUED "); ok {
			queued[id] = true
		}
	}
	// Kill it once the parent has received some, while it is still sending.
	received := 0
	parent.waitEvent("some messages", func(ev model.Event) bool {
		if m, ok := ev.(model.MessageAdded); ok && !m.Message.Outgoing {
			received++
		}
		return received >= 20
	})
	for _, l := range c.Kill(t) {
		collect(l)
	}
	if len(queued) == n {
		t.Logf("the child had queued all %d before the kill; the kill hit delivery only", n)
	}

	c2 := startChild(t, "ROLE=resume", "DIR="+childDir, "PEER="+string(parent.self()), "LOOPDIR="+loopDir)
	childAddr := mustAddress(t, expectLine(t, c2, "READY"))
	expectLine(t, c2, "OUTBOX-EMPTY")

	msgs, err := parent.Messages(model.ConversationID(childAddr), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range msgs {
		got[m.ID.String()]++
	}
	for id := range queued {
		if got[id] != 1 {
			t.Fatalf("message %s the child showed as queued arrived %d times", id, got[id])
		}
	}
	for id, k := range got {
		if k != 1 {
			t.Fatalf("message %s stored %d times", id, k)
		}
	}
	t.Logf("killed after %d queued; %d arrived, each once", len(queued), len(got))
}

// TestCrashDuringReceive kills the receiving engine while 300 messages
// arrive; after a restart it has every message exactly once and the sender
// sees all delivered.
func TestCrashDuringReceive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const n = 300
	parent, child, childDir, loopDir, c := crashSetup(t, "receive", 0)
	parent.waitUntil("the child accepted", step, func() bool {
		cc, err := parent.Contact(model.ConversationID(child))
		return err == nil && cc.State == model.ContactAccepted
	})
	for i := 0; i < n; i++ {
		if _, err := parent.Send(model.ConversationID(child), fmt.Sprintf("to the child %d", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	for seen := 0; seen < 30; seen++ {
		expectLine(t, c, "RECEIVED")
	}
	c.Kill(t)

	c2 := startChild(t, "ROLE=count", "DIR="+childDir, "PEER="+string(parent.self()), "LOOPDIR="+loopDir)
	expectLine(t, c2, "READY")
	parent.waitUntil("every message delivered after the restart", 60*time.Second, func() bool {
		msgs, _ := parent.Messages(model.ConversationID(child), 0, 1<<20)
		done := 0
		for _, m := range msgs {
			if m.Status == model.StatusDelivered {
				done++
			}
		}
		return done == n
	})
	c2.Kill(t)
	// A third start counts what the child stored.
	c3 := startChild(t, "ROLE=count", "DIR="+childDir, "PEER="+string(parent.self()), "LOOPDIR="+loopDir)
	expectLine(t, c3, "READY")
	if got := expectLine(t, c3, "HISTORY"); got != strconv.Itoa(n) {
		t.Fatalf("the child stored %s messages, want %d", got, n)
	}
}
