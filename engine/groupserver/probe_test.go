package groupserver

import (
	"math"
	"testing"

	"github.com/nookchat/nook/engine/protocol"
)

// TestSubscribePastHead: a Subscribe whose cursor is past every sequence
// number, as a client's probe of the head (math.MaxUint64) and a client
// ahead of a server that lost its history send, is answered with CaughtUp
// first and no stored blob, then live blobs. With math.MaxUint64 the
// stream's first sequence number wrapped to 0 and the server sent
// everything it held before CaughtUp (over slow Tor, a probe of a server
// holding 20 000 blobs downloaded 12 MB in the 30 s it waited).
func TestSubscribePastHead(t *testing.T) {
	tr := newLoopback()
	s := startServer(t, testConfig(t, t.TempDir(), tr))
	poster := dial(t, tr, s)
	postN(t, poster, 0, 5)
	head := uint64(5)
	for _, cursor := range []uint64{math.MaxUint64, math.MaxUint64 - 1, 9} {
		sub := dial(t, tr, s)
		sub.send(&protocol.Subscribe{Cursor: cursor})
		cu, ok := sub.recv().(*protocol.CaughtUp)
		if !ok || cu.Head != head || cu.Oldest != 1 {
			t.Fatalf("cursor %d: first record %+v, want CaughtUp{Head: %d, Oldest: 1}", cursor, cu, head)
		}
		postN(t, poster, int(head), 1)
		head++
		if b, ok := sub.recv().(*protocol.Blob); !ok || b.Seq != head {
			t.Fatalf("cursor %d: live blob %+v, want seq %d", cursor, b, head)
		}
	}
}
