package wire

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/wire/wiretest"
)

// chunkReader returns its bytes in chunks of the sizes given (in turn),
// and its last bytes together with io.EOF.
type chunkReader struct {
	b      []byte
	chunks []int
	i      int
	reads  int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	r.reads++
	n := min(len(p), len(r.b), r.chunks[r.i%len(r.chunks)])
	r.i++
	copy(p, r.b[:n])
	r.b = r.b[n:]
	if len(r.b) == 0 {
		return n, io.EOF
	}
	return n, nil
}

// TestFrameReader reads frames arriving in pieces of every size, while
// the buffer's size changes between frames (growing, shrinking below what
// it holds, back to the default): every frame comes out whole and in
// order, and the last bytes, fewer than a frame, come with io.EOF.
func TestFrameReader(t *testing.T) {
	const frames = 40
	stream := pattern(frames*FrameSize + 100)
	sizes := []int{0, 3 * FrameSize, FrameSize, 1, MaxReadAhead * 2, 32 * FrameSize, 8*FrameSize + 5}
	for _, chunks := range [][]int{{1 << 30}, {1}, {FrameSize}, {FrameSize - 1, 3, FrameSize + 7}, {100, 20_000, 5 * FrameSize}} {
		src := &chunkReader{b: stream, chunks: chunks}
		f := newFrameReader(src)
		for i := range frames {
			if n := sizes[i%len(sizes)]; n > 0 {
				f.setSize(n)
			}
			got, err := f.peek()
			if err != nil {
				t.Fatalf("chunks %v, frame %d: %v", chunks, i, err)
			}
			if !bytes.Equal(got, stream[i*FrameSize:(i+1)*FrameSize]) {
				t.Fatalf("chunks %v: frame %d differs", chunks, i)
			}
			if len(f.buf) > MaxReadAhead || len(f.buf) < FrameSize {
				t.Fatalf("buffer of %d bytes", len(f.buf))
			}
			f.discard()
		}
		rest, err := f.peek()
		if !errors.Is(err, io.EOF) || !bytes.Equal(rest, stream[frames*FrameSize:]) {
			t.Fatalf("chunks %v: end %d bytes, %v; want 100 bytes and io.EOF", chunks, len(rest), err)
		}
	}

	// A buffer of 32 frames reads a stream that is all there in far fewer
	// reads than the default one.
	for _, tc := range []struct{ size, maxReads int }{{0, frames/8 + 2}, {32 * FrameSize, frames/32 + 2}} {
		src := &chunkReader{b: stream, chunks: []int{1 << 30}}
		f := newFrameReader(src)
		if tc.size > 0 {
			f.setSize(tc.size)
		}
		for range frames {
			if _, err := f.peek(); err != nil {
				t.Fatal(err)
			}
			f.discard()
		}
		if src.reads > tc.maxReads {
			t.Fatalf("buffer of %d: %d reads, want at most %d", tc.size, src.reads, tc.maxReads)
		}
	}
}

// emptyReader returns no bytes and no error, forever.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestFrameReaderNoProgress(t *testing.T) {
	if _, err := newFrameReader(emptyReader{}).peek(); !errors.Is(err, io.ErrNoProgress) {
		t.Fatalf("got %v, want io.ErrNoProgress", err)
	}
}

// TestSetReadAheadWhileReading changes a Conn's read buffer size from
// another goroutine, at random and often, while records of every size (a
// few near MaxRecord) arrive with keepalives between their frames: every
// record comes out whole and in order (run under -race).
func TestSetReadAheadWhileReading(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			a, b := tr.Pair(t)
			ka, kb := testKeys()
			rng := rand.New(rand.NewPCG(1, 2))
			var recs [][]byte
			for i := range 600 {
				n := rng.IntN(4 * PlaintextSize)
				if i%50 == 0 {
					n = rng.IntN(MaxRecord)
				}
				r := make([]byte, n)
				for j := range r {
					r[j] = byte(rng.Uint32())
				}
				recs = append(recs, r)
			}
			w, err := Open(a, ka, Config{KeepaliveInterval: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			go func() {
				for i := 0; i < len(recs); i += 7 {
					if w.WriteRecords(recs[i:min(i+7, len(recs))]) != nil {
						return
					}
				}
			}()
			c, err := Open(b, kb, Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var stop atomic.Bool
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(3, 4))
				for !stop.Load() {
					c.SetReadAhead(r.IntN(MaxReadAhead+2*FrameSize) - FrameSize)
					time.Sleep(time.Duration(r.IntN(50)) * time.Microsecond)
				}
			}()
			defer func() { stop.Store(true); wg.Wait() }()
			buf := make([]byte, 0, 3*PlaintextSize)
			for i, want := range recs {
				got, err := c.ReadRecordInto(buf)
				if err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("record %d differs", i)
				}
			}
		})
	}
}
