//go:build linux

package groupserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
)

// smallDisk mounts a tmpfs of size bytes for the test and unmounts it at
// the end. It skips, saying why, where that is not possible.
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

// TestFullDisk: a server whose data dir fills up refuses posts with
// "storage full" (and does not die), keeps serving catch-up of everything
// it stored, and accepts posts again once space is freed.
func TestFullDisk(t *testing.T) {
	disk := smallDisk(t, 96<<20)
	tr := newLoopback()
	s := startServer(t, testConfig(t, filepath.Join(disk, "server"), tr))
	c := dial(t, tr, s)

	var st syscall.Statfs_t
	if err := syscall.Statfs(disk, &st); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(disk, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for n := int64(st.Bavail)*st.Bsize - store.DefaultMinFree - 2<<20; n > 0; n -= int64(len(chunk)) {
		if _, err := f.Write(chunk[:min(int64(len(chunk)), n)]); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()

	posted := 0
	var refused protocol.PostStatus
	for refused == 0 && posted < 5000 {
		toks := c.tokens(tokens.MaxBatch)
		for i := range toks {
			r := c.post(blob(posted), &toks[i])
			if r.Status != protocol.PostOK {
				refused = r.Status
				break
			}
			posted++
		}
	}
	if refused != protocol.PostStorageFull {
		t.Fatalf("after %d posts on a full disk: status %v, want storage full", posted, refused)
	}
	t.Logf("%d posts stored, then %v", posted, refused)

	// Catch-up of everything stored still works.
	sub := dial(t, tr, s)
	sub.send(&protocol.Subscribe{})
	got, cu := sub.expectCatchUp()
	if len(got) != posted || cu.Head != uint64(posted) {
		t.Fatalf("catch-up on a full disk: %d blobs, head %d; want %d", len(got), cu.Head, posted)
	}

	// Space freed: posting works again and the subscriber gets it live.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	toks := c.tokens(1)
	if r := c.post(blob(posted), &toks[0]); r.Status != protocol.PostOK {
		t.Fatalf("post after space was freed: %v", r.Status)
	}
	if b, ok := sub.recv().(*protocol.Blob); !ok || b.Seq != uint64(posted+1) {
		t.Fatal("the live blob after space was freed did not arrive")
	}
}
