package engine

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/invite"
)

// TestReadInviteFileLarge: a file larger than any invite picture (here a
// sparse 256 MiB file, which costs no disk) is refused after reading at most
// MaxImageBytes of it, not read whole into memory.
func TestReadInviteFileLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("\x89PNG\r\n\x1a\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(256 << 20); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = ReadInviteFile(path)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, invite.ErrImageTooLarge) {
		t.Fatalf("error %v, want ErrImageTooLarge", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 2*invite.MaxImageBytes {
		t.Fatalf("reading a 256 MiB file allocated %d MiB", n>>20)
	}
	// A device that never ends is read only up to the limit.
	if _, err := os.Stat("/dev/zero"); err == nil {
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err = ReadInviteFile("/dev/zero")
		runtime.ReadMemStats(&after)
		if !errors.Is(err, invite.ErrImageTooLarge) {
			t.Fatalf("/dev/zero: error %v, want ErrImageTooLarge", err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4*invite.MaxImageBytes {
			t.Fatalf("reading /dev/zero allocated %d MiB", n>>20)
		}
		t.Logf("/dev/zero: %d MiB allocated", (after.TotalAlloc-before.TotalAlloc)>>20)
	}
	// An ordinary picture is read whole.
	id, err := identity.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := invite.NewContactInvite(id.Address(), "Alice", invite.ContactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	png, err := InviteQR(inv.Encode(), 300)
	if err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(t.TempDir(), "invite.png")
	if err := os.WriteFile(small, png, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadInviteFile(small); err != nil || got != inv.Encode() {
		t.Fatalf("ReadInviteFile = %q, %v", got, err)
	}
	if _, err := ReadInviteFile(filepath.Join(t.TempDir(), "missing.png")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
