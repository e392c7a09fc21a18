// Package disktest gives a test a small disk of its own that it can fill:
// a tmpfs mounted on a temporary folder, to check what code does when the
// disk fills up.
//
// Mounting needs Linux and root. Where that is not possible the test is
// skipped with a message in capitals, so that a skipped full-disk test is
// noticed; with NOOK_REQUIRE_FULLDISK=1 in the environment (for CI, which
// runs as root) it fails instead.
package disktest

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/nookchat/nook/engine/internal/diskspace"
)

// RequireEnv is the environment variable that turns a full-disk test that
// cannot mount its disk into a failure instead of a skip.
const RequireEnv = "NOOK_REQUIRE_FULLDISK"

// Mount mounts a tmpfs of size bytes on a new temporary folder, returns the
// folder, and unmounts it when the test ends. It skips t, saying why, where
// that is not possible (not Linux, not root, no permission to mount), or
// fails it when NOOK_REQUIRE_FULLDISK=1.
func Mount(t testing.TB, size int64) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		skip(t, "a small tmpfs needs Linux")
	}
	if os.Geteuid() != 0 {
		skip(t, "mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		skip(t, fmt.Sprintf("cannot mount a tmpfs: %v: %s", err, out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// skip skips t, loudly, because of why, or fails it when
// NOOK_REQUIRE_FULLDISK=1.
func skip(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("the full-disk test cannot run, and %s=1: %s", RequireEnv, why)
	}
	t.Skip("FULL-DISK TEST SKIPPED: " + why)
}

// Fill writes a file into dir that leaves about leave bytes free on dir's
// file system (to the MiB; nothing if less is free already) and returns its
// path. Removing the file frees the space again.
func Fill(t testing.TB, dir string, leave int64) string {
	t.Helper()
	n := Free(t, dir) - leave
	f, err := os.CreateTemp(dir, "filler-*")
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for ; n > 0 && err == nil; n -= int64(len(chunk)) {
		_, err = f.Write(chunk[:min(int64(len(chunk)), n)])
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("fill %s: %v", dir, err)
	}
	return f.Name()
}

// Free returns the bytes free on dir's file system.
func Free(t testing.TB, dir string) int64 {
	t.Helper()
	free, ok := diskspace.Free(dir)
	if !ok {
		t.Fatalf("cannot measure the free space of %s", dir)
	}
	return int64(free)
}
