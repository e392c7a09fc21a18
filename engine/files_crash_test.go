package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/crashtest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/transport"
	"github.com/nookchat/nook/engine/transport/loopback"
)

const fileCrashChildEnv = "NOOK_FILE_CRASH_CHILD"

// TestFileCrashChild is the child of TestCrashDuringFileTransfer: an
// engine with synced writes that either receives files (ROLE=recv: it
// accepts every offer and saves each complete file into OUT) or sends FILE
// (ROLE=send), its writes held after GATE bytes if set. It prints
//
//	READY <address>      the profile is unlocked and published
//	PROGRESS <bytes>     part of a file is stored (recv)
//	COMPLETE <path>      a file arrived whole and verified, saved at path (recv)
func TestFileCrashChild(t *testing.T) {
	if os.Getenv(fileCrashChildEnv) == "" {
		t.Skip("runs only as the child of a file crash test")
	}
	fail := func(err error) {
		fmt.Println("ERROR", err)
		os.Exit(2)
	}
	var tr transport.Transport = loopback.New(loopback.FileDirectory{Path: os.Getenv("LOOPDIR")})
	if n, err := strconv.ParseInt(os.Getenv("GATE"), 10, 64); err == nil {
		g := newGate(tr)
		g.hold(n)
		tr = g
	}
	e := New(Config{
		DataDir:     os.Getenv("DIR"),
		Transport:   tr,
		Profile:     profile.Options{KDF: enginetest.Profile().KDF}, // synced writes
		PeerBackoff: enginetest.PeerBackoff(),
	})
	events, _ := e.Subscribe()
	ctx := context.Background()
	if err := e.Start(ctx); err != nil {
		fail(err)
	}
	var err error
	if infos, _ := e.Profiles(); len(infos) == 0 {
		_, err = e.CreateProfile(ctx, "child", "pw")
	} else {
		_, err = e.UnlockAny(ctx, "pw")
	}
	if err != nil {
		fail(err)
	}
	peer, err := identity.ParseAddress(os.Getenv("PEER"))
	if err != nil {
		fail(err)
	}
	conv := model.ConversationID(peer)
	if _, err := e.Contact(conv); err != nil {
		if _, err := e.AddContact(string(peer), "parent"); err != nil {
			fail(err)
		}
	}
	self, _, _ := e.Self()
	fmt.Println("READY", self)
	for {
		if c, err := e.Contact(conv); err == nil && c.State == model.ContactAccepted {
			break
		}
		<-events
	}
	if path := os.Getenv("FILE"); os.Getenv("ROLE") == "send" && path != "" {
		if _, err := e.SendFile(conv, path, SendFileOptions{}); err != nil {
			fail(err)
		}
	}
	for ev := range events {
		f, ok := ev.(model.FileChanged)
		if !ok || f.File.Outgoing {
			continue
		}
		switch {
		case f.File.State == model.FileOffered:
			if _, err := e.AcceptFile(conv, f.File.ID); err != nil {
				fail(err)
			}
		case f.File.State == model.FileTransferring && f.File.Done > 0:
			fmt.Println("PROGRESS", f.File.Done)
		case f.File.State == model.FileComplete:
			path, err := e.SaveFile(conv, f.File.ID, os.Getenv("OUT"))
			if err != nil {
				fail(err)
			}
			fmt.Println("COMPLETE", path)
		}
	}
}

// TestCrashDuringFileTransfer kills (SIGKILL) the receiving, then the
// sending, engine in the middle of a 16 MB transfer, with the sender's
// writes held so that the kill lands mid-file. After a restart on the same
// profile the transfer resumes, and the file arrives whole and verified.
func TestCrashDuringFileTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	start := func(t *testing.T, parentTr func(transport.Transport) transport.Transport, env ...string) (*testEngine, identity.Address, string, string, *crashtest.Child, func(...string) *crashtest.Child) {
		loopDir, childDir, out := t.TempDir(), t.TempDir(), t.TempDir()
		parent := newTestEngine(t, t.TempDir(), parentTr(loopback.New(loopback.FileDirectory{Path: loopDir})))
		parent.createProfile("parent", "pw")
		run := func(extra ...string) *crashtest.Child {
			return crashtest.Start(t, "TestFileCrashChild", append([]string{fileCrashChildEnv + "=1", "DIR=" + childDir,
				"LOOPDIR=" + loopDir, "OUT=" + out, "PEER=" + string(parent.self())}, extra...)...)
		}
		c := run(env...)
		addr := mustAddress(t, expectLine(t, c, "READY"))
		if _, err := parent.AddContact(string(addr), "child"); err != nil {
			t.Fatal(err)
		}
		parent.waitContact(model.ConversationID(addr), model.ContactAccepted)
		return parent, addr, childDir, out, c, run
	}
	path, data := writeFile(t, t.TempDir(), "crash.bin", "k", 16<<20)

	t.Run("receiver", func(t *testing.T) {
		var g *gate
		parent, child, _, _, c, run := start(t, func(tr transport.Transport) transport.Transport { g = newGate(tr); return g }, "ROLE=recv")
		defer g.open()
		g.hold(3 << 20)
		if _, err := parent.SendFile(model.ConversationID(child), path, SendFileOptions{}); err != nil {
			t.Fatal(err)
		}
		stored := expectLine(t, c, "PROGRESS")
		c.Kill(t)
		c2 := run("ROLE=recv")
		expectLine(t, c2, "READY")
		g.open()
		saved := expectLine(t, c2, "COMPLETE")
		if b, err := os.ReadFile(saved); err != nil || !bytes.Equal(b, data) {
			t.Fatalf("the file saved after the crash differs (%v)", err)
		}
		t.Logf("killed with %s bytes stored; saved whole as %s", stored, filepath.Base(saved))
	})
	t.Run("sender", func(t *testing.T) {
		id := func(tr transport.Transport) transport.Transport { return tr }
		parent, child, _, _, c, run := start(t, id, "ROLE=send", "FILE="+path, "GATE="+strconv.Itoa(3<<20))
		conv := model.ConversationID(child)
		var f model.FileTransfer
		parent.waitUntil("the child's offer", step, func() bool {
			fs, err := parent.Files(conv)
			if err == nil && len(fs) == 1 {
				f = fs[0]
			}
			return len(fs) == 1
		})
		if _, err := parent.AcceptFile(conv, f.ID); err != nil {
			t.Fatal(err)
		}
		before := parent.waitProgress(conv, f.ID)
		c.Kill(t)
		c2 := run("ROLE=send")
		expectLine(t, c2, "READY")
		parent.waitFile(conv, f.ID, model.FileComplete)
		var buf bytes.Buffer
		op, _ := parent.current()
		if _, err := op.files.WriteTo(conv, f.ID, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("the file received after the sender's crash differs (%v)", err)
		}
		t.Logf("sender killed after %d bytes arrived", before.Done)
	})
}
