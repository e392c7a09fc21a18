package groupserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"math"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/handshake"
	"github.com/nookchat/nook/engine/identity"
	"github.com/nookchat/nook/engine/protocol"
	"github.com/nookchat/nook/engine/wire"
)

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// TestPackedCatchUp checks both sides of AcceptBlobs: a client that sent
// it catches up with Blobs records of 15 blobs (8 frames each) and gets
// live blobs as Blob records; a client that did not (an older one) gets a
// Blob record, one frame, per blob. Both read the same blobs in the same
// order, and the bytes each read are counted.
func TestPackedCatchUp(t *testing.T) {
	tr := newLoopback()
	s := startServer(t, testConfig(t, t.TempDir(), tr))
	poster := dial(t, tr, s)
	postN(t, poster, 0, 43)

	for i, tt := range []struct {
		name   string
		packed bool
		frames int64 // frames of the catch-up, CaughtUp included
	}{
		// 40 blobs after cursor 3: 15 + 15 + 10 in 8 + 8 + 6 frames.
		{"packed", true, 8 + 8 + 6 + 1},
		// 41 (the first's live blob too).
		{"one blob a record", false, 41 + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			raw, err := tr.Dial(ctx, s.Bundle().Address)
			if err != nil {
				t.Fatal(err)
			}
			cc := &countingConn{Conn: raw}
			id, _ := identity.Generate(rand.Reader)
			sess, err := handshake.Client(ctx, cc, id, s.Bundle().Address, nil)
			if err != nil {
				raw.Close()
				t.Fatal(err)
			}
			defer sess.Close()
			before := cc.read.Load()
			if tt.packed {
				if err := sess.Send(&protocol.AcceptBlobs{}); err != nil {
					t.Fatal(err)
				}
			}
			if err := sess.Send(&protocol.Subscribe{Cursor: 3}); err != nil {
				t.Fatal(err)
			}
			var seqs []uint64
			records := 0
			for done := false; !done; {
				r, err := sess.Recv()
				if err != nil {
					t.Fatal(err)
				}
				switch r := r.(type) {
				case *protocol.Blob:
					if tt.packed {
						t.Fatal("a Blob record in a packed catch-up")
					}
					if !bytes.Equal(r.Blob[:], blob(int(r.Seq-1))) {
						t.Fatalf("blob %d differs", r.Seq)
					}
					seqs = append(seqs, r.Seq)
				case *protocol.Blobs:
					if !tt.packed {
						t.Fatal("a Blobs record for a client that did not accept them")
					}
					if n := len(r.Blobs); n != packBlobs && records < 2 {
						t.Fatalf("record %d holds %d blobs", records, n)
					}
					for _, b := range r.Blobs {
						if !bytes.Equal(b.Blob, blob(int(b.Seq-1))) {
							t.Fatalf("blob %d differs", b.Seq)
						}
						seqs = append(seqs, b.Seq)
					}
				case *protocol.CaughtUp:
					if r.Head != uint64(43+i) {
						t.Fatalf("head %d", r.Head)
					}
					done = true
				default:
					t.Fatalf("unexpected %s", r.Type())
				}
				records++
			}
			if len(seqs) != 40+i || seqs[0] != 4 || seqs[len(seqs)-1] != uint64(43+i) {
				t.Fatalf("caught up with %d blobs, %v…", len(seqs), seqs[:min(3, len(seqs))])
			}
			for i := 1; i < len(seqs); i++ {
				if seqs[i] != seqs[i-1]+1 {
					t.Fatalf("seq %d after %d", seqs[i], seqs[i-1])
				}
			}
			if got := cc.read.Load() - before; got != tt.frames*wire.FrameSize {
				t.Errorf("read %d bytes (%.2f frames), want %d frames", got, float64(got)/wire.FrameSize, tt.frames)
			}
			// Live blobs stay one to a record.
			postN(t, poster, 43+i, 1)
			r, err := sess.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if b, ok := r.(*protocol.Blob); !ok || !bytes.Equal(b.Blob[:], blob(43+i)) {
				t.Fatalf("live: %T", r)
			}
		})
	}
}

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
