package groupserver

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nookchat/nook/engine/internal/disktest"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/store"
	"github.com/nookchat/nook/engine/tokens"
)

// TestFullDisk: a server whose data dir fills up refuses posts with
// "storage full" (and does not die), keeps serving catch-up of everything
// it stored, and accepts posts again once space is freed.
func TestFullDisk(t *testing.T) {
	disk := disktest.Mount(t, 96<<20)
	tr := newLoopback()
	s := startServer(t, testConfig(t, filepath.Join(disk, "server"), tr))
	c := dial(t, tr, s)

	filler := disktest.Fill(t, disk, store.DefaultMinFree+2<<20)

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
