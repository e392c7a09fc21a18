//go:build unix

package groupclient

import (
	"crypto/sha256"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/internal/crashtest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// The catch-up crash test runs a member's client in a child process (this
// test binary, re-executed by crashtest to run TestCatchUpCrashChild with
// catchUpChildEnv set), kills it with SIGKILL in the middle of a catch-up,
// and restarts the member on the same store. Server and child find each
// other through a loopback directory on disk.

const (
	catchUpChildEnv = "NOOK_GROUPCLIENT_CRASH_STORE" // the member's store folder
	catchUpLoopEnv  = "NOOK_GROUPCLIENT_CRASH_LOOP"  // the loopback directory
)

// crashMemberKey is the member's store key (as newMember makes them).
func crashMemberKey(name string) []byte {
	k := sha256.Sum256([]byte("store " + name))
	return k[:]
}

// TestCatchUpCrashChild is the child's main: it opens the member's store,
// starts the client and reports every GroupSync on stdout as
// "SYNC <done> <total> <caught up>", until killed.
func TestCatchUpCrashChild(t *testing.T) {
	dir := os.Getenv(catchUpChildEnv)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashDuringCatchUp")
	}
	st, err := store.Open(dir, store.Options{Key: crashMemberKey("carol")})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	c, err := New(Config{Store: st, Transport: loopback.New(loopback.FileDirectory{Path: os.Getenv(catchUpLoopEnv)}),
		Self: seedIdentity(t, "carol"), ProgressEvery: 1, NoJoinNotice: true, MinBackoff: 5 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Emit: func(ev model.Event) {
			if s, ok := ev.(model.GroupSync); ok {
				fmt.Println("SYNC", s.Done, s.Total, s.CaughtUp)
			}
		}})
	if err == nil {
		err = c.Start()
	}
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	select {} // until killed
}

// TestCrashDuringCatchUp: carol is offline while alice posts; carol's
// client is killed with SIGKILL a third of the way through catching up;
// restarted on the same store it completes the catch-up, and carol has
// every message exactly once, in order.
func TestCrashDuringCatchUp(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	const n = 90
	loopDir := t.TempDir()
	tr := loopback.New(loopback.FileDirectory{Path: loopDir})
	srv := startServer(t, serverConfig(t.TempDir(), tr))
	defer srv.Close()
	alice := newMember(t, tr, "alice")
	carolDir := t.TempDir()
	st, err := store.Open(carolDir, store.Options{Key: crashMemberKey("carol"), Create: true, NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	carol := &member{t: t, name: "carol", id: seedIdentity(t, "carol"), st: st, tr: tr}
	t.Cleanup(func() { carol.stop(); carol.st.Close() })
	carol.start()
	info, err := alice.c.CreateGroup("club", srv.Bundle())
	if err != nil {
		t.Fatal(err)
	}
	text, _ := alice.c.Invite(info.ID)
	carol.join(t, text)
	carol.stop()
	carol.st.Close()
	for i := range n {
		if _, err := alice.c.Post(info.ID, fmt.Sprintf("m%03d", i), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	alice.ev.waitFor(t, "alice's posts delivered", func(evs []model.Event) bool {
		return count(evs, func(e model.MessageStatusChanged) bool { return e.Status == model.StatusDelivered }) == n
	})

	// Carol's client in a child process, killed during the catch-up.
	child := crashtest.Start(t, "TestCatchUpCrashChild", catchUpChildEnv+"="+carolDir, catchUpLoopEnv+"="+loopDir)
	killedAt := -1
	child.WaitFor(t, "catch-up", waitTimeout, func(l string) bool {
		var done, total int
		var caught bool
		_, err := fmt.Sscanf(l, "SYNC %d %d %t", &done, &total, &caught)
		if err == nil && done >= n/3 {
			killedAt = done
		}
		return killedAt >= 0
	})
	last := ""
	for _, l := range child.Kill(t) {
		last = l
	}
	if strings.HasSuffix(last, "true") {
		t.Logf("the kill came after the catch-up had finished (%s)", last)
	}

	// What the killed client stored, then the restarted client.
	st, err = store.Open(carolDir, store.Options{Key: crashMemberKey("carol"), NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	carol.st = st
	before, err := st.LatestMessages(info.Conversation, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	carol.start()
	carol.ev.waitFor(t, "carol caught up after the restart", func(evs []model.Event) bool {
		return count(evs, func(e model.GroupSync) bool { return e.CaughtUp }) > 0
	})
	carol.stop()
	got := carol.messages(info.Conversation)
	seen := map[model.MessageID]bool{}
	for i, m := range got {
		if seen[m.ID] {
			t.Fatalf("message %q stored twice", m.Body)
		}
		seen[m.ID] = true
		if want := fmt.Sprintf("m%03d", i); m.Body != want {
			t.Fatalf("message %d is %q, want %q", i, m.Body, want)
		}
	}
	if len(got) != n {
		t.Fatalf("carol has %d messages after the restart, want %d", len(got), n)
	}
	t.Logf("killed at %d of %d blobs received, %d messages stored by then; after the restart %d, none twice",
		killedAt, n, len(before), len(got))
}
