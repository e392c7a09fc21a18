package diskspace_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/nookchat/nook/engine/internal/diskspace"
	"github.com/nookchat/nook/engine/internal/disktest"
)

// TestFree: a folder that does not exist yet is measured where it would be
// created; a small disk reports its size, and less once a file is written.
func TestFree(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("free space is not measured on " + runtime.GOOS)
	}
	dir := t.TempDir()
	if _, ok := diskspace.Free(dir); !ok {
		t.Fatalf("cannot measure %s", dir)
	}
	if _, ok := diskspace.Free(filepath.Join(dir, "not", "yet")); !ok {
		t.Fatal("cannot measure a folder still to be created")
	}

	disk := disktest.Mount(t, 8<<20)
	free, ok := diskspace.Free(filepath.Join(disk, "not", "yet"))
	if !ok || free != 8<<20 {
		t.Fatalf("an empty 8 MiB tmpfs has %d bytes free (%v)", free, ok)
	}
	if err := os.WriteFile(filepath.Join(disk, "f"), make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	if after, _ := diskspace.Free(disk); after != free-1<<20 {
		t.Fatalf("after a 1 MiB file: %d bytes free, want %d", after, free-1<<20)
	}
}

// TestSameDisk tells a tmpfs from the folder it is mounted in.
func TestSameDisk(t *testing.T) {
	dir := t.TempDir()
	if !diskspace.SameDisk(dir, filepath.Join(dir, "not", "yet")) {
		t.Fatal("a folder and a path below it are on different disks")
	}
	disk := disktest.Mount(t, 1<<20)
	if diskspace.SameDisk(disk, filepath.Dir(disk)) {
		t.Fatal("a tmpfs and the folder it is mounted in are on the same disk")
	}
	if !diskspace.SameDisk(filepath.Join(disk, "a"), disk) {
		t.Fatal("a tmpfs and a path in it are on different disks")
	}
}
