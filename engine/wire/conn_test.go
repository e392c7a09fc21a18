package wire

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/nookchat/nook/engine/wire/wiretest"
)

var recordSizes = []int{0, 1, 32, MaxFragment - 1, MaxFragment, MaxFragment + 1, 3*MaxFragment + 5, 100_000, MaxRecord}

func TestRoundTrip(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			a, b := tr.Pair(t)
			ka, kb := testKeys()
			ca, err := Open(a, ka, Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer ca.Close()
			cb, err := Open(b, kb, Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer cb.Close()

			// Both directions at once: one writer and one reader per Conn.
			errs := make(chan error, 2)
			for _, c := range []*Conn{ca, cb} {
				go func() {
					for _, n := range recordSizes {
						if err := c.WriteRecord(pattern(n)); err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			for _, c := range []*Conn{ca, cb} {
				for _, n := range recordSizes {
					got, err := c.ReadRecord()
					if err != nil {
						t.Fatalf("read %d: %v", n, err)
					}
					if !bytes.Equal(got, pattern(n)) {
						t.Fatalf("record of %d bytes came back as %d different bytes", n, len(got))
					}
				}
			}
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			// A clean close at a record boundary is io.EOF for the peer.
			ca.Close()
			if _, err := cb.ReadRecord(); !errors.Is(err, io.EOF) {
				t.Fatalf("after peer close: %v, want io.EOF", err)
			}
		})
	}
}

// TestFrameSizes records every write on the wire during a conversation of
// tiny, medium and large records and checks they are all FrameSize bytes.
func TestFrameSizes(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			a, b := tr.Pair(t)
			rec := wiretest.NewRecorder(a)
			ka, kb := testKeys()
			ca, _ := Open(rec, ka, Config{})
			defer ca.Close()
			cb, _ := Open(b, kb, Config{})
			defer cb.Close()
			sizes := []int{0, 1, 5, 200, 4000, MaxFragment, 20_000, 65_536, MaxRecord}
			go func() {
				for _, n := range sizes {
					if ca.WriteRecord(pattern(n)) != nil {
						return
					}
				}
			}()
			for range sizes {
				if _, err := cb.ReadRecord(); err != nil {
					t.Fatal(err)
				}
			}
			total := 0
			for i, n := range rec.Sizes() {
				if n != FrameSize {
					t.Fatalf("write %d was %d bytes, want %d", i, n, FrameSize)
				}
				total += n
			}
			if len(rec.Bytes()) != total {
				t.Fatalf("recorded %d bytes, writes sum to %d", len(rec.Bytes()), total)
			}
		})
	}
}

func TestTooLargeWrite(t *testing.T) {
	ka, _ := testKeys()
	bc := newBufConn(nil)
	c, _ := Open(bc, ka, Config{})
	defer c.Close()
	if err := c.WriteRecord(make([]byte, MaxRecord+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if len(bc.written()) != 0 {
		t.Fatal("a refused record wrote bytes")
	}
	if err := c.WriteRecord([]byte("still usable")); err != nil {
		t.Fatalf("conn not usable after a refused record: %v", err)
	}
}

func TestAttacks(t *testing.T) {
	ka, kb := testKeys()
	frames := seal(t, ka, []byte("one"), []byte("two"), pattern(2*MaxFragment+10), []byte("four"))
	nFrames := len(frames) / FrameSize
	if nFrames != 6 {
		t.Fatalf("got %d frames, want 6", nFrames)
	}
	frame := func(i int) []byte { return frames[i*FrameSize : (i+1)*FrameSize] }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	tests := []struct {
		name  string
		wire  []byte
		nGood int   // records that must come through before the error
		want  error // the error that must end the stream
	}{
		{"intact", frames, 4, io.EOF},
		{"replayed frame", cat(frame(0), frame(0), frame(1)), 1, ErrAuth},
		{"reordered", cat(frame(1), frame(0)), 0, ErrAuth},
		{"dropped frame", cat(frame(0), frame(2)), 1, ErrAuth},
		{"truncated frame", frames[:FrameSize+100], 1, ErrTruncated},
		{"truncated record", cat(frame(0), frame(1), frame(2)), 2, ErrTruncated},
		{"wrong key", seal(t, kb, []byte("x")), 0, ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := readAll(t, kb, tt.wire)
			if len(recs) != tt.nGood || !errors.Is(err, tt.want) {
				t.Fatalf("got %d records and %v, want %d and %v", len(recs), err, tt.nGood, tt.want)
			}
		})
	}

	// Every single bit flip anywhere in a frame is caught. Flipping each
	// byte of each frame is 49k decryptions; test every byte of the first
	// frame and a stride through the others.
	for i := 0; i < len(frames); i++ {
		if i >= FrameSize && i%61 != 0 {
			continue
		}
		w := bytes.Clone(frames)
		w[i] ^= 0x01 << (i % 8)
		recs, err := readAll(t, kb, w)
		before := []int{0, 1, 2, 2, 2, 3}[i/FrameSize] // records complete before the frame
		if !errors.Is(err, ErrAuth) || len(recs) != before {
			t.Fatalf("flip at %d: %d records, %v", i, len(recs), err)
		}
	}
}

// sealFrames builds wire bytes frame by frame, so tests can send what a
// well-behaved Conn never would.
func sealFrames(t testing.TB, k Keys, plains ...[]byte) []byte {
	t.Helper()
	d, err := newDirection(k.Send[:])
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, p := range plains {
		f := make([]byte, FrameSize)
		copy(f, p)
		if err := d.seal(f); err != nil {
			t.Fatal(err)
		}
		out = append(out, f...)
	}
	return out
}

func plain(t frameType, data []byte) []byte {
	p := make([]byte, PlaintextSize)
	encodePlaintext(p, t, data)
	return p
}

func TestMalformedFrames(t *testing.T) {
	ka, kb := testKeys()
	badPad := plain(typeFinal, []byte("x"))
	badPad[PlaintextSize-1] = 1
	badLen := plain(typeFinal, nil)
	badLen[1], badLen[2] = 0xff, 0xff
	kaData := plain(typeKeepalive, nil)
	kaData[2] = 1
	tests := []struct {
		name   string
		plains [][]byte
		want   error
	}{
		{"unknown type", [][]byte{plain(0x09, nil)}, ErrMalformed},
		{"type zero", [][]byte{make([]byte, PlaintextSize)}, ErrMalformed},
		{"non-zero padding", [][]byte{badPad}, ErrMalformed},
		{"length too large", [][]byte{badLen}, ErrMalformed},
		{"keepalive with data", [][]byte{kaData}, ErrMalformed},
	}
	var tooBig [][]byte
	for range MaxRecord/MaxFragment + 1 {
		tooBig = append(tooBig, plain(typeMore, make([]byte, MaxFragment)))
	}
	tests = append(tests, struct {
		name   string
		plains [][]byte
		want   error
	}{"record over the cap", tooBig, ErrTooLarge})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, kb, sealFrames(t, ka, tt.plains...))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestKeepalivesInterleave(t *testing.T) {
	ka, kb := testKeys()
	wire := sealFrames(t, ka,
		plain(typeKeepalive, nil),
		plain(typeMore, []byte("hel")),
		plain(typeKeepalive, nil),
		plain(typeFinal, []byte("lo")),
		plain(typeKeepalive, nil),
	)
	recs, err := readAll(t, kb, wire)
	if !errors.Is(err, io.EOF) || len(recs) != 1 || string(recs[0]) != "hello" {
		t.Fatalf("got %q, %v", recs, err)
	}
}

func TestStickyErrors(t *testing.T) {
	ka, kb := testKeys()
	w := seal(t, ka, []byte("a"), []byte("b"))
	w[FrameSize+5] ^= 0xff
	c, _ := Open(newBufConn(w), kb, Config{})
	defer c.Close()
	if _, err := c.ReadRecord(); err != nil {
		t.Fatal(err)
	}
	_, err1 := c.ReadRecord()
	_, err2 := c.ReadRecord()
	if !errors.Is(err1, ErrAuth) || err1 != err2 {
		t.Fatalf("errors %v then %v, want the same ErrAuth", err1, err2)
	}
}

// TestKeepalive checks that an idle Conn writes keepalive frames and that
// the reader skips them.
func TestKeepalive(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			a, b := tr.Pair(t)
			rec := wiretest.NewRecorder(a)
			ka, kb := testKeys()
			ca, _ := Open(rec, ka, Config{KeepaliveInterval: time.Millisecond})
			defer ca.Close()
			cb, _ := Open(b, kb, Config{})
			defer cb.Close()
			got := make(chan []byte, 1)
			go func() {
				r, err := cb.ReadRecord()
				if err != nil {
					r = []byte(err.Error())
				}
				got <- r
			}()
			timeout := time.After(10 * time.Second)
			for range 5 {
				select {
				case n := <-rec.Writes:
					if n != FrameSize {
						t.Fatalf("keepalive of %d bytes", n)
					}
				case <-timeout:
					t.Fatal("no keepalives")
				}
			}
			select {
			case r := <-got:
				t.Fatalf("reader returned %q on keepalives", r)
			default:
			}
			if err := ca.WriteRecord([]byte("after")); err != nil {
				t.Fatal(err)
			}
			if r := <-got; string(r) != "after" {
				t.Fatalf("got %q", r)
			}
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			a, b := tr.Pair(t)
			ka, kb := testKeys()
			ca, _ := Open(a, ka, Config{})
			defer ca.Close()
			// The injected clock says an hour has passed, so the deadline
			// is already over when the read starts.
			past := func() time.Time { return time.Now().Add(-time.Hour) }
			cb, _ := Open(b, kb, Config{IdleTimeout: time.Minute, Now: past})
			defer cb.Close()
			if _, err := cb.ReadRecord(); !errors.Is(err, ErrIdle) {
				t.Fatalf("got %v, want ErrIdle", err)
			}
		})
	}
}

func TestCloseUnblocks(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			a, b := tr.Pair(t)
			ka, kb := testKeys()
			ca, _ := Open(a, ka, Config{KeepaliveInterval: time.Hour})
			_, _ = Open(b, kb, Config{}) // never read
			errs := make(chan error, 2)
			go func() { _, err := ca.ReadRecord(); errs <- err }()
			go func() {
				// Fills any socket buffer, then blocks.
				for {
					if err := ca.WriteRecord(make([]byte, MaxRecord)); err != nil {
						errs <- err
						return
					}
				}
			}()
			ca.Close()
			for range 2 {
				if err := <-errs; !errors.Is(err, ErrClosed) {
					t.Fatalf("got %v, want ErrClosed", err)
				}
			}
			if err := ca.WriteRecord(nil); !errors.Is(err, ErrClosed) {
				t.Fatalf("write after close: %v", err)
			}
		})
	}
}

func ExampleConn() {
	a, b := net.Pipe()
	ka, kb := testKeys()
	ca, _ := Open(a, ka, Config{})
	cb, _ := Open(b, kb, Config{})
	go ca.WriteRecord([]byte("hello"))
	r, _ := cb.ReadRecord()
	fmt.Println(string(r))
	ca.Close()
	cb.Close()
	// Output: hello
}

// TestWriteRecords writes records of several sizes with WriteRecords: the
// reader gets each as it was, in order, and every write on the wire is a
// whole number of frames, at most batchFrames of them, fewer writes than
// frames. A record over MaxRecord in the list makes it write nothing.
func TestWriteRecords(t *testing.T) {
	for _, tr := range wiretest.Transports() {
		t.Run(tr.Name, func(t *testing.T) {
			a, b := tr.Pair(t)
			rec := wiretest.NewRecorder(a)
			ka, kb := testKeys()
			ca, _ := Open(rec, ka, Config{})
			defer ca.Close()
			cb, _ := Open(b, kb, Config{})
			defer cb.Close()
			if err := ca.WriteRecords([][]byte{pattern(1), pattern(MaxRecord + 1)}); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("WriteRecords with a record too large: %v, want ErrTooLarge", err)
			}
			var recs [][]byte
			for i := range 40 {
				recs = append(recs, pattern(i*997%20_000))
			}
			recs = append(recs, nil, pattern(MaxRecord))
			go func() {
				if ca.WriteRecords(recs) == nil {
					ca.WriteRecord(pattern(3)) // and a record after, on its own
				}
			}()
			for i, want := range append(recs, pattern(3)) {
				got, err := cb.ReadRecord()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("record %d: %d bytes, want %d", i, len(got), len(want))
				}
			}
			sizes := rec.Sizes()
			total := 0
			for i, n := range sizes {
				if n == 0 || n%FrameSize != 0 || n > batchFrames*FrameSize {
					t.Fatalf("write %d was %d bytes, want 1 to %d whole frames", i, n, batchFrames)
				}
				total += n
			}
			if frames := total / FrameSize; len(sizes) >= frames || len(rec.Bytes()) != total {
				t.Fatalf("%d writes for %d frames (%d bytes recorded)", len(sizes), frames, len(rec.Bytes()))
			}
		})
	}
}

// TestReadRecordIntoBuffers reads the same records, keepalives between
// their fragments, into buffers of every kind: none, too small, with room
// for some fragments' plaintexts and not others, and large. After a
// record's first fragment each later one is opened into the buffer itself
// when it has room (its header over the buffer's last bytes, put back):
// the records must come back byte for byte, and a large buffer must be
// used as it is, not replaced.
func TestReadRecordIntoBuffers(t *testing.T) {
	ka, kb := testKeys()
	sizes := []int{0, 1, 2, 3, 4, MaxFragment, MaxFragment + 1, MaxFragment + 3, 2*MaxFragment + 2, 7*MaxFragment + 100, 100_000}
	var plains [][]byte
	for i, n := range sizes {
		data := pattern(n)
		for len(data) > MaxFragment {
			plains = append(plains, plain(typeMore, data[:MaxFragment]))
			if i%2 == 1 {
				plains = append(plains, plain(typeKeepalive, nil))
			}
			data = data[MaxFragment:]
		}
		plains = append(plains, plain(typeFinal, data))
	}
	frames := sealFrames(t, ka, plains...)
	for _, bufCap := range []int{-1, 0, 2, 3, PlaintextSize, PlaintextSize + 1, 2 * PlaintextSize, 65_667, MaxRecord + PlaintextSize} {
		recs, err := readAllInto(t, kb, frames, bufCap)
		if !errors.Is(err, io.EOF) || len(recs) != len(sizes) {
			t.Fatalf("buffer of %d: %d records, %v", bufCap, len(recs), err)
		}
		for i, n := range sizes {
			if !bytes.Equal(recs[i], pattern(n)) {
				t.Fatalf("buffer of %d: record of %d bytes came back different (%d bytes)", bufCap, n, len(recs[i]))
			}
		}
	}
	c, err := Open(newBufConn(frames), kb, Config{})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, MaxRecord+PlaintextSize)
	for _, n := range sizes {
		if got, err := c.ReadRecordInto(buf); err != nil || n > 0 && &got[0] != &buf[:1][0] {
			t.Fatalf("record of %d bytes not read into the buffer given (%v)", n, err)
		}
	}
	c.Close()

	// A malformed or forged fragment after the first is still refused,
	// whichever way it was opened, and the bytes of the record read so far
	// are left as they were.
	badPad := plain(typeFinal, []byte("x"))
	badPad[PlaintextSize-1] = 1
	forged := sealFrames(t, ka, plain(typeMore, pattern(MaxFragment)), plain(typeFinal, []byte("x")))
	forged[FrameSize+100] ^= 1
	for _, tc := range []struct {
		name   string
		frames []byte
		want   error
	}{
		{"malformed", sealFrames(t, ka, plain(typeMore, pattern(MaxFragment)), badPad), ErrMalformed},
		{"forged", forged, ErrAuth},
	} {
		for _, bufCap := range []int{0, 4 * PlaintextSize} {
			c, err := Open(newBufConn(tc.frames), kb, Config{})
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 0, bufCap)
			if _, err := c.ReadRecordInto(buf); !errors.Is(err, tc.want) {
				t.Fatalf("%s, buffer of %d: %v, want %v", tc.name, bufCap, err, tc.want)
			}
			if bufCap > 0 && !bytes.Equal(buf[:MaxFragment], pattern(MaxFragment)) {
				t.Fatalf("%s: the first fragment's bytes changed", tc.name)
			}
			c.Close()
		}
	}
}
