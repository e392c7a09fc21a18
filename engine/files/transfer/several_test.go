package transfer

import (
	"bytes"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
)

// TestSeveralFilesInterleaved: three files accepted at once from one
// contact travel side by side, not one after another. The receiver asks
// for a window of each, the sender answers requests in the order they
// came, so the files take turns: no file sends more than a window of
// chunks in a row while another waits, every file has started once each
// could have sent one window, and all three arrive whole.
func TestSeveralFilesInterleaved(t *testing.T) {
	alice, _ := newTransfers(t, protocol.MinChunkSize, 0)
	bob, _ := newTransfers(t, 0, 0)
	var fs []sent
	for range 3 {
		f := importFile(t, alice, 100*1024) // 100 chunks each
		if _, err := bob.Offered(conv, f.offer); err != nil {
			t.Fatal(err)
		}
		if _, err := bob.Accept(conv, f.id); err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	toAlice, toBob := make(chan protocol.Record, 1024), make(chan protocol.Record, 1024)
	as := alice.Session(conv, func(r protocol.Record) error { toBob <- r; return nil })
	bs := bob.Session(conv, func(r protocol.Record) error { toAlice <- r; return nil })
	defer as.Close()
	defer bs.Close()
	if err := bs.Sync(); err != nil {
		t.Fatal(err)
	}
	var order []model.MessageID // the file of each chunk, as they arrived
	deadline := time.After(30 * time.Second)
	for done := 0; done < len(fs); {
		select {
		case r := <-toAlice:
			if err := as.Handle(r); err != nil {
				t.Fatal(err)
			}
			if _, ok := r.(*protocol.FileDone); ok {
				done++
			}
		case r := <-toBob:
			if c, ok := r.(*protocol.FileChunk); ok {
				order = append(order, c.ID)
			}
			if err := bs.Handle(r); err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatal("the transfers did not finish")
		}
	}
	run, longest := 0, 0
	for i := range order {
		if i > 0 && order[i] == order[i-1] {
			run++
		} else {
			run = 1
		}
		longest = max(longest, run)
	}
	if longest > window {
		t.Fatalf("one file sent %d chunks in a row; the window is %d", longest, window)
	}
	started := map[model.MessageID]bool{}
	for _, id := range order[:len(fs)*window] {
		started[id] = true
	}
	if len(started) != len(fs) {
		t.Fatalf("only %d of %d files started within the first %d windows", len(started), len(fs), len(fs))
	}
	for _, f := range fs {
		var buf bytes.Buffer
		if _, err := bob.WriteTo(conv, f.id, &buf); err != nil || !bytes.Equal(buf.Bytes(), f.data) {
			t.Fatalf("a received file differs (%v)", err)
		}
	}
}
