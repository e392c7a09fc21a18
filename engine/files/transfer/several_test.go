package transfer

import (
	"bytes"
	"math/bits"
	"testing"

	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/wire"
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
	var order []model.MessageID // the file of each chunk, as they arrived
	relay(t, alice, bob, len(fs), func(toBob bool, r protocol.Record) {
		if c, ok := r.(*protocol.FileChunk); ok && toBob {
			order = append(order, c.ID)
		}
	})
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

// TestDefaultChunkFitsEightFrames: a FileChunk of the default size, with
// the longest audit path a file up to protocol.MaxFileSize can have,
// takes 8 frames and no more, so that a chunk costs 8 × 8 192 bytes on
// the wire for 64 512 of data (1.6 % padding; 60 KiB chunks cost 6.3 %).
func TestDefaultChunkFitsEightFrames(t *testing.T) {
	n := (protocol.MaxFileSize + DefaultChunkSize - 1) / DefaultChunkSize
	depth := bits.Len64(uint64(n - 1))
	b, err := protocol.Encode(&protocol.FileChunk{Proof: make([][32]byte, depth), Data: make([]byte, DefaultChunkSize)})
	if err != nil {
		t.Fatal(err)
	}
	if frames := (len(b) + wire.MaxFragment - 1) / wire.MaxFragment; frames != 8 {
		t.Fatalf("a chunk of %d bytes with %d hashes is %d bytes: %d frames", DefaultChunkSize, depth, len(b), frames)
	}
	bigger, err := protocol.Encode(&protocol.FileChunk{Proof: make([][32]byte, depth), Data: make([]byte, DefaultChunkSize+1024)})
	if err != nil {
		t.Fatal(err)
	}
	if len(bigger) <= 8*wire.MaxFragment {
		t.Fatalf("a chunk 1 KiB larger (%d bytes) would still fit 8 frames: the default is not the largest", len(bigger))
	}
}
