package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/internal/disktest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// incompressible returns a message body of 32 KiB that does not compress.
func incompressible() string {
	b := make([]byte, 16<<10)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// addAbsentContact adds a contact that is never online, to queue messages
// for, and returns its address.
func (te *testEngine) addAbsentContact() identity.Address {
	te.t.Helper()
	other, err := identity.Generate(nil)
	if err != nil {
		te.t.Fatal(err)
	}
	if _, err := te.AddContact(string(other.Address()), "away"); err != nil {
		te.t.Fatal(err)
	}
	return other.Address()
}

// TestFullDisk: a profile on a small disk that fills up while messages
// are being stored. Send returns a clear error (store.ErrDiskFull, which
// is ENOSPC) instead of the process dying; every message stored before is
// still there; once space is freed, Send works again, and the profile
// locks and unlocks with everything in it.
func TestFullDisk(t *testing.T) {
	disk := disktest.Mount(t, 96<<20)
	ctx := context.Background()
	e := newTestEngine(t, disk, loopback.New(loopback.NewMemoryDirectory()))
	e.createProfile("Full Disk", "pw")
	to := e.addAbsentContact()
	filler := disktest.Fill(t, disk, store.DefaultMinFree+4<<20)

	var sent []model.Message
	var full error
	for len(sent) < 1000 {
		m, err := e.Send(model.ConversationID(to), incompressible(), model.MessageID{})
		if err != nil {
			full = err
			break
		}
		sent = append(sent, m)
	}
	if full == nil {
		t.Fatal("1000 messages of 32 KiB fitted on a full disk: the test filled nothing")
	}
	if !errors.Is(full, store.ErrDiskFull) || !errors.Is(full, syscall.ENOSPC) {
		t.Fatalf("Send on a full disk: %v, want store.ErrDiskFull (ENOSPC)", full)
	}
	t.Logf("%d messages stored, then: %v", len(sent), full)
	conv := model.ConversationID(to)
	check := func(when string, want int) {
		t.Helper()
		got, err := e.Messages(conv, 0, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if len(got) != want {
			t.Fatalf("%s: %d messages, want %d", when, len(got), want)
		}
		for i, m := range sent {
			if got[i].ID != m.ID || got[i].Body != m.Body {
				t.Fatalf("%s: message %d differs", when, i)
			}
		}
	}
	check("while the disk is full", len(sent))

	// Free the space: Send works again, and the profile reopens whole.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	m, err := e.Send(model.ConversationID(to), "after freeing space", model.MessageID{})
	if err != nil {
		t.Fatalf("Send after space was freed: %v", err)
	}
	sent = append(sent, m)
	if err := e.Lock(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UnlockAny(ctx, "pw"); err != nil {
		t.Fatal(err)
	}
	check("after unlocking again", len(sent))
}

// TestImportFullDisk: importing a profile into a data folder whose disk
// lacks room for it fails at once with a message for the user (a
// profile.SpaceError: profile.ErrDiskFull, ENOSPC) and leaves nothing
// behind; once space is freed the same file imports and opens with every
// message in it.
func TestImportFullDisk(t *testing.T) {
	disk := disktest.Mount(t, 192<<20)
	ctx := context.Background()

	// The profile to import: 4 MiB of messages that do not compress,
	// exported on an ordinary disk.
	src := newTestEngine(t, t.TempDir(), loopback.New(loopback.NewMemoryDirectory()))
	src.createProfile("Moving House", "pw")
	to := src.addAbsentContact()
	const n = 128
	for range n {
		if _, err := src.Send(model.ConversationID(to), incompressible(), model.MessageID{}); err != nil {
			t.Fatal(err)
		}
	}
	export := filepath.Join(t.TempDir(), "moving.nook")
	if err := src.ExportProfile(export, "export pw"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(export)
	if err != nil {
		t.Fatal(err)
	}

	// A data folder on a disk with 100 MiB free: more than the file, less
	// than the import needs (the file, a quarter more, 64 MiB for Badger
	// to work and 64 MiB to leave free).
	e := newTestEngine(t, disk, loopback.New(loopback.NewMemoryDirectory()))
	filler := disktest.Fill(t, disk, 100<<20)
	free := disktest.Free(t, disk)
	start := time.Now()
	_, err = e.ImportProfile(export, "export pw", "new pw")
	took := time.Since(start)
	var space *profile.SpaceError
	if !errors.As(err, &space) || !errors.Is(err, profile.ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("import onto a full disk: %v, want a *profile.SpaceError (ErrDiskFull, ENOSPC)", err)
	}
	if space.Op != "import" || space.Need <= space.Free || space.Need < fi.Size()+2*store.DefaultMinFree {
		t.Errorf("space error %+v for a file of %d bytes", space, fi.Size())
	}
	t.Logf("%d-byte export, %d MiB free: refused in %v: %v", fi.Size(), free>>20, took, err)
	if infos, err := e.Profiles(); err != nil || len(infos) != 0 {
		t.Fatalf("after the refused import: profiles %v, %v", infos, err)
	}
	if left, _ := os.ReadDir(filepath.Join(disk, "profiles")); len(left) != 0 {
		t.Fatalf("the refused import left %d entries in the profiles folder", len(left))
	}
	if after := disktest.Free(t, disk); after < free-1<<20 {
		t.Fatalf("the refused import took %d bytes of the disk", free-after)
	}

	// Space freed: the same file imports, and the profile opens whole.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ImportProfile(export, "export pw", "new pw"); err != nil {
		t.Fatalf("import after space was freed: %v", err)
	}
	if _, err := e.UnlockAny(ctx, "new pw"); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.Messages(model.ConversationID(to), 0, 1<<20)
	if err != nil || len(msgs) != n {
		t.Fatalf("imported profile: %d messages, %v; want %d", len(msgs), err, n)
	}
}
