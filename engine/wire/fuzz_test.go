package wire

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/fuzz seeds")

// FuzzOpenFrame feeds arbitrary frames to the receiver: none may
// authenticate, and nothing may panic.
func FuzzOpenFrame(f *testing.F) {
	for _, s := range wireSeeds(f)["FuzzOpenFrame"] {
		f.Add(s)
	}
	ka, kb := testKeys()
	genuine := seal(f, ka, []byte("hi"))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := readAll(t, kb, b)
		if len(b) >= FrameSize && bytes.Equal(b[:FrameSize], genuine) {
			return
		}
		if len(recs) != 0 || err == nil {
			t.Fatalf("forged frame accepted: %q, %v", recs, err)
		}
		if len(b) > 0 && !errors.Is(err, ErrAuth) && !errors.Is(err, ErrTruncated) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// FuzzParsePlaintext checks the authenticated-plaintext parser and that a
// parsed frame encodes back to the same bytes.
func FuzzParsePlaintext(f *testing.F) {
	for _, s := range wireSeeds(f)["FuzzParsePlaintext"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := make([]byte, PlaintextSize)
		copy(p, b)
		typ, data, err := parsePlaintext(p)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatal(err)
			}
			return
		}
		q := make([]byte, PlaintextSize)
		encodePlaintext(q, typ, data)
		if !bytes.Equal(p, q) {
			t.Fatal("plaintext does not round-trip")
		}
	})
}

// FuzzReassembly turns the input into a sequence of authentic frames (each
// input byte pair picks a type and a fragment length) and checks the
// reassembled records against a model of the rules.
func FuzzReassembly(f *testing.F) {
	for _, s := range wireSeeds(f)["FuzzReassembly"] {
		f.Add(s)
	}
	ka, kb := testKeys()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 200 {
			b = b[:200]
		}
		var plains [][]byte
		var want [][]byte // records the model expects
		var cur []byte
		wantErr := io.EOF
		for i := 0; i+1 < len(b); i += 2 {
			typ := frameType(b[i] % 4)
			n := int(b[i+1]) * 40 // up to 10200: some over MaxFragment
			if n > MaxFragment {
				n = MaxFragment
			}
			if typ == typeKeepalive {
				n = 0
			}
			data := bytes.Repeat([]byte{b[i]}, n)
			p := make([]byte, PlaintextSize)
			encodePlaintext(p, typeFinal, data)
			p[0] = byte(typ)
			plains = append(plains, p)
			if wantErr != io.EOF {
				continue
			}
			switch typ {
			case typeKeepalive:
			case typeFinal, typeMore:
				if len(cur)+n > MaxRecord {
					wantErr = ErrTooLarge
					continue
				}
				cur = append(cur, data...)
				if typ == typeFinal {
					want = append(want, cur)
					cur = nil
				} else if cur == nil {
					cur = []byte{}
				}
			default:
				wantErr = ErrMalformed
			}
		}
		if wantErr == io.EOF && cur != nil {
			wantErr = ErrTruncated
		}
		// Read into new buffers, and into one reused buffer large enough
		// for fragments to be opened in place.
		frames := sealFrames(t, ka, plains...)
		for _, bufCap := range []int{-1, 4 * FrameSize} {
			recs, err := readAllInto(t, kb, frames, bufCap)
			if !errors.Is(err, wantErr) {
				t.Fatalf("buffer %d: got %v, want %v", bufCap, err, wantErr)
			}
			if len(recs) != len(want) {
				t.Fatalf("buffer %d: got %d records, want %d", bufCap, len(recs), len(want))
			}
			for i := range recs {
				if !bytes.Equal(recs[i], want[i]) {
					t.Fatalf("buffer %d: record %d differs", bufCap, i)
				}
			}
		}
	})
}

func wireSeeds(tb testing.TB) map[string][][]byte {
	ka, _ := testKeys()
	two := seal(tb, ka, []byte("hi"), pattern(MaxFragment+1))
	return map[string][][]byte{
		"FuzzOpenFrame":      {two[:FrameSize], two[FrameSize:], two[:10]},
		"FuzzParsePlaintext": {{1, 0, 2, 'h', 'i'}, {2, 0x1f, 0xed}, {3}, {1, 0xff, 0xff}},
		"FuzzReassembly":     {{1, 1}, {2, 205, 2, 205, 1, 3}, {3, 0, 2, 9, 3, 0, 1, 1}, {0, 0}, {2, 255, 2, 255}},
	}
}

func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	for name, ss := range wireSeeds(t) {
		dir := filepath.Join("testdata", "fuzz", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, s := range ss {
			data := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%d", i)), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
