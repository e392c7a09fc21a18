//go:build linux

package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// smallDisk mounts a tmpfs of size bytes for the test and unmounts it at
// the end. It skips, saying why, where that is not possible (not root, no
// mount permission).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("FULL-DISK TEST SKIPPED: mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("FULL-DISK TEST SKIPPED: cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file that leaves about leave bytes free on dir's file
// system and returns its path.
func fillDisk(t *testing.T, dir string, leave int64) string {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 1<<20)
	for n := free - leave; n > 0; n -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), n)]); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestFullDisk: a profile on a small disk that fills up while messages
// are being stored. Send returns a clear error (store.ErrDiskFull, which
// is ENOSPC) instead of the process dying; every message stored before is
// still there; once space is freed, Send works again, and the profile
// locks and unlocks with everything in it.
func TestFullDisk(t *testing.T) {
	disk := smallDisk(t, 96<<20)
	ctx := context.Background()
	e := newTestEngine(t, disk, loopback.New(loopback.NewMemoryDirectory()))
	if _, err := e.CreateProfile(ctx, "Full Disk", "pw"); err != nil {
		t.Fatal(err)
	}
	other, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	to := other.Address()
	if _, err := e.AddContact(string(to), "away"); err != nil {
		t.Fatal(err)
	}
	filler := fillDisk(t, disk, store.DefaultMinFree+4<<20)

	body := func() string { // 32 KiB that do not compress
		b := make([]byte, 16<<10)
		rand.Read(b)
		return hex.EncodeToString(b)
	}
	var sent []model.Message
	var full error
	for len(sent) < 1000 {
		m, err := e.Send(to, body(), model.MessageID{})
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
	m, err := e.Send(to, "after freeing space", model.MessageID{})
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
