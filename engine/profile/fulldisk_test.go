package profile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/internal/disktest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/store"
)

// fillBulk stores mib MiB of messages in p: random ones, which do not
// compress, or text, which Badger compresses about twentyfold (an export
// does not).
func fillBulk(t *testing.T, p *Profile, mib int, random bool) {
	t.Helper()
	for i := range mib * 32 {
		b := make([]byte, 16<<10)
		rand.Read(b)
		body := hex.EncodeToString(b)
		if !random {
			body = strings.Repeat(fmt.Sprintf("message %d, much like the one before. ", i), 1000)[:32<<10]
		}
		if _, err := p.Store().AppendMessage(model.Message{ID: model.NewMessageID(), Conversation: "bulk",
			Body: body, Status: model.StatusReceived}); err != nil {
			t.Fatal(err)
		}
	}
}

// wantSpaceError fails t unless err is a *SpaceError of op, which is
// ErrDiskFull and ENOSPC.
func wantSpaceError(t *testing.T, err error, op string) *SpaceError {
	t.Helper()
	var se *SpaceError
	if !errors.As(err, &se) || !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) || se.Op != op {
		t.Fatalf("%s on a full disk: %v, want a *SpaceError (ErrDiskFull, ENOSPC)", op, err)
	}
	return se
}

// pausingReader passes r through and, once after bytes have been read,
// closes paused and waits until resume is closed.
type pausingReader struct {
	r      io.Reader
	after  int64
	paused chan struct{}
	resume chan struct{}
}

func (p *pausingReader) Read(b []byte) (int, error) {
	if p.after <= 0 && p.paused != nil {
		close(p.paused)
		p.paused = nil
		<-p.resume
	}
	n, err := p.r.Read(b)
	p.after -= int64(n)
	return n, err
}

// TestImportDiskFillsUp: while a profile is being imported, something else
// fills the disk until less than store.DefaultMinFree is left. The import
// stops (Badger is fed nothing more, so it cannot die of SIGBUS), returns a
// *SpaceError, and leaves nothing behind: the disk has as much free as
// before. With the space freed, the same file imports whole.
func TestImportDiskFillsUp(t *testing.T) {
	disk := disktest.Mount(t, 256<<20)
	p := create(t, t.TempDir(), "Alice", "pw")
	m := fill(t, p)
	fillBulk(t, p, 16, true)
	export := filepath.Join(t.TempDir(), "alice.nook")
	if err := p.ExportFile(export, "export pw"); err != nil {
		t.Fatal(err)
	}
	closeP(t, p)
	root := filepath.Join(disk, "profiles")
	free := disktest.Free(t, disk)

	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := &pausingReader{r: f, after: 4 << 20, paused: make(chan struct{}), resume: make(chan struct{})}
	paused := r.paused
	done := make(chan error, 1)
	go func() {
		q, err := Import(root, r, "export pw", "pw", testOpts)
		if err == nil {
			q.Close()
		}
		done <- err
	}()
	select {
	case <-paused:
	case err := <-done:
		t.Fatalf("the import ended before it had read 4 MiB: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("timed out waiting for the import to read 4 MiB")
	}
	filler := disktest.Fill(t, disk, store.DefaultMinFree-8<<20)
	close(r.resume)
	var err2 error
	select {
	case err2 = <-done:
	case <-time.After(time.Minute):
		t.Fatal("timed out waiting for the import to stop")
	}
	se := wantSpaceError(t, err2, "import")
	if se.Free >= store.DefaultMinFree {
		t.Errorf("stopped with %d bytes free", se.Free)
	}
	t.Logf("the disk filled after 4 MiB of a 16 MiB import: %v", err2)
	if left, _ := os.ReadDir(root); len(left) != 0 {
		t.Fatalf("the stopped import left %d entries under its root", len(left))
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if after := disktest.Free(t, disk); after < free-1<<20 {
		t.Fatalf("the stopped import left %d bytes on the disk", free-after)
	}

	q, err := ImportFile(root, export, "export pw", "pw", testOpts)
	if err != nil {
		t.Fatalf("import after space was freed: %v", err)
	}
	checkFilled(t, q, m)
	closeP(t, q)
}

// TestExportFullDisk: an export to the profile's own disk keeps
// store.DefaultMinFree free for the profile: on a disk short of space it is
// refused up front or stopped as it writes, with a *SpaceError and no file
// left, and the profile goes on working. To another disk the same export
// succeeds.
func TestExportFullDisk(t *testing.T) {
	disk := disktest.Mount(t, 160<<20)
	p := create(t, filepath.Join(disk, "profiles"), "Alice", "pw")
	m := fill(t, p)
	// 16 MiB of text: an export of 16 MiB from a database of 1, whose
	// flushes and compactions hardly change the free space the test
	// measures.
	fillBulk(t, p, 16, false)
	closeP(t, p)
	p, err := Unlock(p.Info().Dir, "pw", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer closeP(t, p)

	// Less than the floor free: refused before the file is created.
	filler := disktest.Fill(t, disk, store.DefaultMinFree-8<<20)
	path := filepath.Join(disk, "alice.nook")
	se := wantSpaceError(t, p.ExportFile(path, "export pw"), "export")
	t.Logf("up front: %v", se)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused export left its file: %v", err)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}

	// Room for the floor and 8 MiB, for an export of 16: stopped on the
	// way.
	disktest.Fill(t, disk, store.DefaultMinFree+8<<20)
	se = wantSpaceError(t, p.ExportFile(path, "export pw"), "export")
	t.Logf("as it wrote: %v", se)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a stopped export left its file: %v", err)
	}
	if _, err := p.Store().AppendMessage(model.Message{ID: model.NewMessageID(), Conversation: "after",
		Body: "still works", Status: model.StatusReceived}); err != nil {
		t.Fatalf("the profile after a stopped export: %v", err)
	}

	// Another disk: the export is whole.
	other := filepath.Join(t.TempDir(), "alice.nook")
	if err := p.ExportFile(other, "export pw"); err != nil {
		t.Fatalf("export to another disk while the profile's is full: %v", err)
	}
	q, err := ImportFile(t.TempDir(), other, "export pw", "pw", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	checkFilled(t, q, m)
	closeP(t, q)
}
